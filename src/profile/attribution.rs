//! The timing model: how sampled instruction times become times that add up to the run.
//!
//! A sample times one execution of one original bytecode instruction (a superinstruction due
//! for a sample runs its parts one by one, so no sample spans a fused group). What it reads
//! is the instruction's cost *plus a bias*: the unfused, less predictable dispatch of a timed
//! execution and the sampling path around it, several times what a cheap instruction costs
//! in the untimed, fused run loop. Each sample is weighted by the executions it stands for
//! (the gap since the previous sample; 1 for a run's first, all-timed executions, which are
//! often cold). Then, as `docs/PROFILER.md` ("The timing model") explains:
//!
//! 1. **bias removed**: every weighted mean loses the calibrated bias of a timed execution
//!    ([`super::HookCosts::sample_bias_ns`]), keeping at least [`FLOOR`] of it;
//! 2. **extrapolated**: × the instruction's exact interpreted count;
//! 3. **scaled per code object**: each code object's estimates × one factor, so that with the
//!    native time of its compiled loops they sum to its measured time ([`super::Measured`]):
//!    the epochs between the sampler's clock reads in which only it ran, its share of the
//!    epochs in which several ran (by dispatches there × sampled cost per dispatch), less
//!    its own hooks' estimated cost. These sum to the execution time, the run less the
//!    profiler overhead. (Without measurements, one factor for all, to the run's wall time
//!    less the estimated overhead.)
//!
//! Functions and loops derive from the same per-instruction figures: a function's self time
//! is the sum over its instructions (its measured time, by step 3); its total time adds the
//! share of every other
//! instruction's estimate whose samples were taken while the function was on the call stack
//! (each sample counts once toward each function on its stack, so recursion is counted
//! once), plus native time run under it. A loop's time is the sum over its instructions.
//! So self times sum to the run, `<main>`'s total is the run, and no part exceeds a whole.

use super::clock::{duration_to_ticks, ns_per_tick, timer_cost_ticks};
use super::{InstructionProfiler, Level};

/// The least share of its proportional part of a code object's measured time that execution
/// keeps when the calibrated hook cost would take more (`reconciled_overheads`).
pub const MIN_EXEC_SHARE: f64 = 0.5;

/// The least share of a sampled mean (with the timer's cost, which the VM's samples are
/// stored without) kept after the bias is removed: an instruction seen running is never
/// estimated at zero.
pub const FLOOR: f64 = 0.05;

/// Per-instruction, per-function and run times of one profile, in clock ticks, consistent by
/// construction (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    /// Per code object (profile index), per ip: the instruction's share of the run.
    pub ip_ticks: Vec<Vec<f64>>,
    /// Per code object, per ip: the half-width of a 95% confidence interval of `ip_ticks`
    /// from sampling alone (1.96 standard errors of the sampled mean, scaled like it).
    pub ip_err: Vec<Vec<f64>>,
    /// Per code object: the sum of its instructions' times (callees excluded).
    pub self_ticks: Vec<f64>,
    /// Per code object: its time including callees, recursion counted once.
    pub total_ticks: Vec<f64>,
    /// What the times sum to: the run's wall time less the estimated profiler overhead (for
    /// the direct API, which times nothing itself, the sum of the recorded samples).
    pub exec_ticks: f64,
    /// The factor interpreted estimates were scaled by (1 when not scaled).
    pub scale: f64,
    /// The bias removed from every sampled mean, in ticks.
    pub bias_ticks: f64,
    /// Time measured in native code (compiled loops and functions), in ticks.
    pub native_ticks: f64,
}

impl Attribution {
    /// `ticks` as a percentage of the execution time (0 without one).
    pub fn pct(&self, ticks: f64) -> f64 {
        if self.exec_ticks > 0.0 {
            super::finite(ticks * 100.0 / self.exec_ticks)
        } else {
            0.0
        }
    }
}

/// Shares `ticks` over `ips` in proportion to `weight(ip)`, or all to `fallback` when every
/// weight is 0.
fn share(
    out: &mut [f64],
    ips: std::ops::RangeInclusive<usize>,
    ticks: f64,
    weight: &dyn Fn(usize) -> f64,
    fallback: usize,
) {
    let ips = *ips.start()..=(*ips.end()).min(out.len().saturating_sub(1));
    let sum: f64 = ips.clone().map(weight).sum();
    if sum > 0.0 {
        for ip in ips {
            out[ip] += ticks * weight(ip) / sum;
        }
    } else if let Some(x) = out.get_mut(fallback) {
        *x += ticks;
    }
}

impl InstructionProfiler {
    /// The run's mixed time (epochs in which several code objects ran) shared among code
    /// objects, in ticks: by their dispatches in such epochs × their sampled cost per
    /// dispatch (`raw`: their bias-corrected estimates over their dispatches), or the
    /// average cost for one never sampled.
    fn mixed_shares(&self, raw: &[Vec<f64>]) -> Vec<f64> {
        let cost: Vec<Option<f64>> = self
            .codes
            .iter()
            .zip(raw)
            .map(|(c, r)| {
                let sum: f64 = r.iter().sum();
                (sum > 0.0 && c.measured.dispatches > 0).then(|| sum / c.measured.dispatches as f64)
            })
            .collect();
        let (mut sum, mut k) = (0.0, 0.0);
        for (c, x) in self.codes.iter().zip(&cost) {
            if let Some(x) = x {
                sum += x * c.measured.dispatches as f64;
                k += c.measured.dispatches as f64;
            }
        }
        let average = if k > 0.0 { sum / k } else { 1.0 };
        let weight: Vec<f64> = self
            .codes
            .iter()
            .zip(&cost)
            .map(|(c, x)| c.measured.mixed_dispatches as f64 * x.unwrap_or(average))
            .collect();
        let total: f64 = weight.iter().sum();
        weight
            .iter()
            .map(|w| {
                if total > 0.0 {
                    self.mixed_ticks as f64 * w / total
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Steps 1 and 2 of the model: per code object, per ip, the sampled mean less the bias
    /// `bias_ticks` (keeping [`FLOOR`] of it) times the instruction's interpreted count.
    fn raw_estimates(&self, bias_ticks: f64) -> Vec<Vec<f64>> {
        // The VM's samples are stored less the timer's own cost, so the mean of a fast
        // instruction can be 0 or below; the floor is taken of what the samples read with
        // the timer, so that every instruction seen running keeps a share.
        let timer = if self.runs() > 0 {
            timer_cost_ticks() as f64
        } else {
            0.0
        };
        self.codes
            .iter()
            .map(|c| {
                (0..c.len())
                    .map(|ip| match c.timing.get(ip) {
                        Some(t) if t.samples > 0 => {
                            let m = t.weighted_mean_ticks();
                            let floor = FLOOR * (m + timer).max(0.0);
                            (m - bias_ticks).max(floor) * c.interpreted_count(ip) as f64
                        }
                        _ => 0.0,
                    })
                    .collect()
            })
            .collect()
    }

    /// Per code object, the hook cost charged to it, in ticks: its calibrated cost
    /// ([`InstructionProfiler::code_overhead_ns`]), unless that leaves its measured time `M`
    /// (its own epochs and its share of the mixed ones) less than [`MIN_EXEC_SHARE`] of its
    /// proportional part `M * E / (E + O)`, where `E` is its sampled execution time (steps 1
    /// and 2) and `O` its calibrated hook cost. Hook costs are calibrated apart from the run:
    /// when samples come one after another (a sample rate of 1 to about 100 on a long run)
    /// each costs less than calibrated, and the calibrated cost can reach a code object's
    /// whole time. Then `M` is shared between the two estimates it is made of, and the
    /// hook cost is what execution leaves. Returns the charges and their sum's shortfall
    /// from the calibrated costs (the relief), which the summary's overhead subtracts.
    fn reconciled_overheads(&self, raw: &[Vec<f64>], mixed: &[f64]) -> (Vec<f64>, f64) {
        let tick_ns = ns_per_tick();
        let mut relief = 0.0;
        let charged = (0..self.codes.len())
            .map(|ci| {
                let o = self.code_overhead_ns(ci) / tick_ns;
                let m = self.codes[ci].measured.ticks as f64 + mixed[ci];
                let e: f64 = raw[ci].iter().sum();
                if o <= 0.0 || e <= 0.0 || m <= 0.0 {
                    return o;
                }
                let least = MIN_EXEC_SHARE * m * e / (e + o);
                if m - o >= least {
                    o
                } else {
                    relief += o - (m - least);
                    m - least
                }
            })
            .collect();
        (charged, relief)
    }

    /// The part of the calibrated hook cost no code object could be charged
    /// ([`reconciled_overheads`](Self::reconciled_overheads)), in ticks; 0 below DETAILED,
    /// for the direct API, and for runs without measured call transitions.
    pub(super) fn overhead_relief_ticks(&self) -> f64 {
        if self.level < Level::Detailed || !self.per_code_measured() {
            return 0.0;
        }
        let raw = self.raw_estimates(self.bias_ticks());
        let mixed = self.mixed_shares(&raw);
        self.reconciled_overheads(&raw, &mixed).1
    }

    /// Whether the run measured time per code object (the VM ran it and saw call
    /// transitions or mixed epochs).
    fn per_code_measured(&self) -> bool {
        self.runs() > 0 && (self.mixed_ticks > 0 || self.codes.iter().any(|c| c.measured.ticks > 0))
    }

    /// The calibrated bias of a timed execution, in ticks (0 for the direct API).
    fn bias_ticks(&self) -> f64 {
        if self.runs() > 0 {
            self.hook_costs.sample_bias_ns.max(0.0) / ns_per_tick()
        } else {
            0.0
        }
    }

    /// The run's time shared among instructions, functions and loops (DETAILED and up; all
    /// zero below). See the module documentation for the model.
    pub fn attribution(&self) -> Attribution {
        let n = self.codes.len();
        let mut a = Attribution {
            ip_ticks: self.codes.iter().map(|c| vec![0.0; c.len()]).collect(),
            ip_err: self.codes.iter().map(|c| vec![0.0; c.len()]).collect(),
            self_ticks: vec![0.0; n],
            total_ticks: vec![0.0; n],
            scale: 1.0,
            ..Attribution::default()
        };
        if self.level < Level::Detailed {
            return a;
        }
        let from_vm = self.runs() > 0;
        a.bias_ticks = self.bias_ticks();
        // Steps 1 and 2: bias removed, extrapolated to the interpreted count.
        let raw = self.raw_estimates(a.bias_ticks);
        let raw_sum: f64 = raw.iter().flatten().sum();
        a.native_ticks = self.codes.iter().map(|c| c.jit_ticks as f64).sum();
        let by_count = |ci: usize| -> Vec<f64> {
            let c = &self.codes[ci];
            (0..c.len())
                .map(|ip| c.interpreted_count(ip) as f64)
                .collect()
        };
        let mut counted = raw;
        // Step 3: scaled to the time the run measured.
        let mut scales = vec![1.0; n];
        if self.per_code_measured() {
            // Each code object's estimates to the time measured while it was running, less
            // its own hooks' estimated cost and the native time inside that is not its own.
            // Where the estimated cost exceeds a code object's time (runs of a few µs), it
            // gets none, and the others are scaled so the whole stays the run less the
            // overhead.
            let loops = |c: &super::CodeProfile| -> f64 {
                c.loops.iter().map(|l| l.jit_ticks as f64).sum()
            };
            let mixed = self.mixed_shares(&counted);
            let (charged, _) = self.reconciled_overheads(&counted, &mixed);
            let run: Vec<f64> = (0..n)
                .map(|ci| self.codes[ci].measured.ticks as f64 + mixed[ci] - charged[ci])
                .collect();
            let loops_sum: f64 = self.codes.iter().map(loops).sum();
            let native_calls = (a.native_ticks - loops_sum).max(0.0);
            a.exec_ticks = (run.iter().sum::<f64>() + native_calls).max(a.native_ticks);
            let interp = a.exec_ticks - a.native_ticks;
            let wanted: Vec<f64> = (0..n)
                .map(|ci| (run[ci] - loops(&self.codes[ci])).max(0.0))
                .collect();
            let wanted_sum: f64 = wanted.iter().sum();
            let fit = if wanted_sum > 0.0 {
                interp / wanted_sum
            } else {
                0.0
            };
            for ci in 0..n {
                let target = wanted[ci] * fit;
                if counted[ci].iter().sum::<f64>() <= 0.0 && target > 0.0 {
                    // Nothing of it was sampled: share its time by count.
                    counted[ci] = by_count(ci);
                }
                let sum: f64 = counted[ci].iter().sum();
                scales[ci] = if sum > 0.0 { target / sum } else { 0.0 };
            }
            a.scale = if raw_sum > 0.0 { interp / raw_sum } else { 0.0 };
        } else if from_vm {
            // No call transitions were measured (a run stopped before its first): one factor
            // for all, to the run's time less the estimated overhead.
            let run = duration_to_ticks(self.total_time()) as f64;
            let overhead = self.estimated_overhead_ms() * 1e6 / ns_per_tick();
            a.exec_ticks = (run - overhead).max(a.native_ticks);
            let target = a.exec_ticks - a.native_ticks;
            if raw_sum <= 0.0 && target > 0.0 {
                // Nothing was sampled: share the interpreted time by count.
                counted = (0..n).map(by_count).collect();
            }
            let s: f64 = counted.iter().flatten().sum();
            a.scale = if s > 0.0 { target / s } else { 0.0 };
            scales.fill(a.scale);
        } else {
            a.exec_ticks = raw_sum + a.native_ticks;
        }
        for (ci, c) in self.codes.iter().enumerate() {
            let out = &mut a.ip_ticks[ci];
            for ip in 0..c.len() {
                out[ip] = counted[ci][ip] * scales[ci];
                if let Some(t) = c.timing.get(ip).filter(|t| t.samples > 0) {
                    a.ip_err[ci][ip] = 1.96 * t.stdev_ticks() / (t.samples as f64).sqrt()
                        * c.interpreted_count(ip) as f64
                        * scales[ci];
                }
            }
            // Native time: each compiled loop's over its instructions by JIT executions
            // (compiled code has no per-instruction clock), the rest (compiled functions)
            // over the code object's JIT executions.
            let jit = |ip: usize| c.jit_counts.get(ip).copied().unwrap_or(0) as f64;
            let mut left = c.jit_ticks as f64;
            for l in c.loops.iter().filter(|l| l.jit_ticks > 0) {
                let (h, e) = (l.header_ip as usize, l.back_edge_ip as usize);
                share(out, h..=e, l.jit_ticks as f64, &jit, e);
                left -= l.jit_ticks as f64;
            }
            let last = out.len().saturating_sub(1);
            if left > 0.0 && !out.is_empty() {
                share(out, 0..=last, left, &jit, 0);
            }
            a.self_ticks[ci] = out.iter().sum();
        }
        // A code object none of whose instructions was sampled has no record of the stack it
        // ran under: its interpreted time counts toward its program's entry (`<main>`, on
        // the stack for the whole run) only.
        let mut unsampled_under = vec![0.0; n];
        for (g, c) in self.codes.iter().enumerate() {
            if c.timing.iter().all(|t| t.samples == 0) {
                if let Some(e) = self.entry_of(g).filter(|&e| e != g) {
                    unsampled_under[e] += counted[g].iter().sum::<f64>() * scales[g];
                }
            }
        }
        // Inclusive: a function's own time, the shares of others' instructions sampled under
        // it, and native time run under it.
        for (f, under) in unsampled_under.into_iter().enumerate() {
            let mut t = a.self_ticks[f] + self.codes[f].native_under_ticks as f64 + under;
            for (g, c) in self.codes.iter().enumerate().filter(|&(g, _)| g != f) {
                for (ip, tm) in c.timing.iter().enumerate() {
                    if !tm.under.is_empty() {
                        t += counted[g][ip] * scales[g] * tm.share_under(f as u32);
                    }
                }
            }
            a.total_ticks[f] = t.max(a.self_ticks[f]);
        }
        a
    }
}
