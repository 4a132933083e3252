//! Limits on a run: an instruction budget, a wall-clock timeout and a heap limit (the call
//! depth limit is `RunState::max_depth`). Each applies to one run (`VM::execute`, `VM::eval`)
//! and ends it with an error no `try`/`catch` can catch, whose message names the limit.
//!
//! All three meet in one **fuel cell** (`Gauge::fuel`, an `i64` at a fixed address for the
//! VM's life):
//! - the interpreter runs a separate copy of its loop when the VM has limits (`B = true` in
//!   `run::interp`; without limits nothing in the loop looks at the cell), which takes 1 from
//!   the cell before each instruction, with superinstructions off, so the budget is exact:
//!   a budget of N runs exactly N instructions and stops before the next one;
//! - compiled loops take the loop's length (in bytecode instructions) at each backward jump
//!   and exit to the interpreter at that jump when the cell goes negative; compiled functions
//!   take their length at each entry and give up (the interpreter re-runs the call): so
//!   compiled code runs at most one more loop iteration or call than the budget allows;
//! - when the cell goes negative, the slow path [`Gauge::refuel`] decides: the heap limit was
//!   passed, the deadline passed, the budget is spent (an error each), or else the cell is
//!   refilled from the rest of the budget, at most [`CHUNK`] at a time when a timeout or heap
//!   limit is set (so that the clock is read about once per `CHUNK` instructions);
//! - the heap meter (`zexus_runtime::meter`) writes 0 to the cell when live bytes pass the
//!   heap limit, so the next instruction or back edge stops the run.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// Instructions between two looks at the clock (with a timeout) or refills (with a heap limit).
pub const CHUNK: i64 = 1 << 20;

/// The limits a VM enforces on each run (none by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most bytecode instructions one run may execute.
    pub max_instructions: Option<u64>,
    /// Longest wall-clock time one run may take.
    pub timeout: Option<Duration>,
    /// Most bytes of live strings, lists and maps (on the VM's thread).
    pub max_heap: Option<usize>,
}

impl Limits {
    /// True if any limit is set (the VM then runs the checking copy of the loop).
    pub fn any(&self) -> bool {
        self.max_instructions.is_some() || self.timeout.is_some() || self.max_heap.is_some()
    }
}

/// Which limit ended a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The instruction budget (`max_instructions`, `--max-instructions`).
    Instructions,
    /// The timeout (`timeout`, `--timeout`).
    Timeout,
    /// The heap limit (`max_heap`, `--max-heap`).
    Heap,
}

/// The run-time side of [`Limits`] for one VM (boxed: compiled code holds the fuel cell's
/// address).
#[derive(Debug)]
pub(crate) struct Gauge {
    /// Instructions left before the next slow-path check (see the module docs).
    pub fuel: Cell<i64>,
    /// Budget not yet moved into `fuel` (`u64::MAX`: unlimited).
    reserve: Cell<u64>,
    deadline: Cell<Option<Instant>>,
    /// Set when a limit ended the run (the unwinder then lets no handler catch it).
    pub hit: Cell<Option<LimitKind>>,
    pub limits: Limits,
}

impl Gauge {
    pub fn new(limits: Limits) -> Gauge {
        Gauge {
            fuel: Cell::new(0),
            reserve: Cell::new(0),
            deadline: Cell::new(None),
            hit: Cell::new(None),
            limits,
        }
    }

    /// The address compiled code reads and writes.
    pub fn fuel_addr(&self) -> u64 {
        self.fuel.as_ptr() as u64
    }

    /// Starts a run: a full budget, the deadline from now, the heap limit armed.
    pub fn begin(&self) {
        let chunk = if self.limits.timeout.is_some() || self.limits.max_heap.is_some() {
            CHUNK as u64
        } else {
            i64::MAX as u64
        };
        let budget = self.limits.max_instructions.unwrap_or(u64::MAX);
        let first = budget.min(chunk);
        self.fuel.set(first as i64);
        self.reserve.set(if budget == u64::MAX {
            u64::MAX
        } else {
            budget - first
        });
        self.deadline
            .set(self.limits.timeout.map(|t| Instant::now() + t));
        self.hit.set(None);
        if let Some(max) = self.limits.max_heap {
            // SAFETY: the cell lives as long as the VM, and `end` disarms the meter before
            // the run returns.
            if unsafe { zexus_runtime::meter::arm(max, self.fuel.as_ptr()) } {
                self.fuel.set(0);
            }
        }
    }

    /// Ends a run (disarms the heap limit).
    pub fn end(&self) {
        if self.limits.max_heap.is_some() {
            zexus_runtime::meter::disarm();
        }
    }

    /// The interpreter's check before each instruction: true when the slow path must run.
    #[inline(always)]
    pub fn spend(&self) -> bool {
        let f = self.fuel.get() - 1;
        self.fuel.set(f);
        f < 0
    }

    /// The slow path, once the fuel cell went negative: the error of the limit reached, or
    /// `Ok` with the cell refilled.
    #[cold]
    #[inline(never)]
    pub fn refuel(&self) -> Result<(), String> {
        if zexus_runtime::meter::tripped() {
            return Err(self.stop(LimitKind::Heap));
        }
        if let Some(d) = self.deadline.get() {
            if Instant::now() >= d {
                return Err(self.stop(LimitKind::Timeout));
            }
        }
        let chunk = if self.limits.timeout.is_some() || self.limits.max_heap.is_some() {
            CHUNK as u64
        } else {
            i64::MAX as u64
        };
        // The instruction about to run (the interpreter took 1 for it) is the first of the
        // refill; compiled code may have overshot further.
        while self.fuel.get() < 0 {
            let r = self.reserve.get();
            if r == 0 {
                // Give the interpreter's 1 back: the instruction does not run.
                self.fuel.set(self.fuel.get() + 1);
                return Err(self.stop(LimitKind::Instructions));
            }
            let take = r.min(chunk);
            if r != u64::MAX {
                self.reserve.set(r - take);
            }
            self.fuel.set(self.fuel.get() + take as i64);
        }
        Ok(())
    }

    fn stop(&self, kind: LimitKind) -> String {
        self.hit.set(Some(kind));
        self.message(kind)
    }

    /// The error message for `kind`, naming the limit.
    pub fn message(&self, kind: LimitKind) -> String {
        let l = &self.limits;
        match kind {
            LimitKind::Instructions => format!(
                "instruction limit reached: the run may execute {} instructions (--max-instructions)",
                l.max_instructions.unwrap_or(0)
            ),
            LimitKind::Timeout => format!(
                "timeout: the run took longer than {} (--timeout)",
                show_duration(l.timeout.unwrap_or_default())
            ),
            LimitKind::Heap => format!(
                "heap limit reached: live strings, lists and maps passed {} bytes (--max-heap)",
                l.max_heap.unwrap_or(0)
            ),
        }
    }
}

fn show_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 && s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

/// Parses a byte count with an optional `K`, `M` or `G` suffix (powers of 1024; `KB`, `MiB`
/// and lower case are accepted too): `64M` is 67,108,864.
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(digits_end);
    let mult: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "'{s}' is not a byte count (a number, then K, M or G)"
            ))
        }
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a byte count (a number, then K, M or G)"))?;
    n.checked_mul(mult)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or_else(|| format!("'{s}' is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_counts_take_suffixes() {
        assert_eq!(parse_bytes("100"), Ok(100));
        assert_eq!(parse_bytes("4K"), Ok(4096));
        assert_eq!(parse_bytes("64M"), Ok(64 << 20));
        assert_eq!(parse_bytes("2g"), Ok(2 << 30));
        assert_eq!(parse_bytes("3MiB"), Ok(3 << 20));
        assert!(parse_bytes("").is_err());
        assert!(parse_bytes("12X").is_err());
        assert!(parse_bytes("-5").is_err());
        assert!(parse_bytes("99999999999999999999G").is_err());
    }

    #[test]
    fn the_budget_is_exact_across_refills() {
        let g = Gauge::new(Limits {
            max_instructions: Some(2 * CHUNK as u64 + 5),
            timeout: Some(Duration::from_secs(3600)),
            max_heap: None,
        });
        g.begin();
        let mut ran = 0u64;
        loop {
            if g.spend() && g.refuel().is_err() {
                break;
            }
            ran += 1;
        }
        assert_eq!(ran, 2 * CHUNK as u64 + 5);
        assert_eq!(g.hit.get(), Some(LimitKind::Instructions));
        g.end();
    }

    #[test]
    fn a_passed_deadline_stops_at_the_next_check() {
        let g = Gauge::new(Limits {
            max_instructions: None,
            timeout: Some(Duration::from_millis(1)),
            max_heap: None,
        });
        g.begin();
        std::thread::sleep(Duration::from_millis(5));
        g.fuel.set(-1);
        assert!(g.refuel().unwrap_err().contains("--timeout"));
        assert_eq!(g.hit.get(), Some(LimitKind::Timeout));
    }
}
