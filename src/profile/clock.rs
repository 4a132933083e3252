//! The profiler's clock: CPU timestamp-counter ticks, turned into nanoseconds only at report
//! time, plus the calibrations reports need (ns per tick, the cost of reading the clock).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The process-wide epoch of the portable clock (and of calibration).
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Reads the clock: the CPU timestamp counter on x86_64 (a few ns, no system call), elsewhere
/// nanoseconds since a process-wide epoch. Differences of two readings are "ticks"; convert
/// them with [`ns_per_tick`].
#[inline(always)]
pub fn now_ticks() -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `rdtsc` has no preconditions and exists on every x86_64 CPU; it only reads
        // the timestamp counter.
        #[allow(unused_unsafe)]
        unsafe {
            core::arch::x86_64::_rdtsc()
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        epoch().elapsed().as_nanos() as u64
    }
}

/// Nanoseconds per tick, calibrated once per process against `Instant` over about 2 ms
/// (exactly 1.0 where ticks already are nanoseconds).
pub fn ns_per_tick() -> f64 {
    static NS_PER_TICK: OnceLock<f64> = OnceLock::new();
    *NS_PER_TICK.get_or_init(calibrate_ns_per_tick)
}

fn calibrate_ns_per_tick() -> f64 {
    if cfg!(not(target_arch = "x86_64")) {
        return 1.0;
    }
    let _ = epoch();
    let t0 = Instant::now();
    let c0 = now_ticks();
    let mut t1 = Instant::now();
    while t1.duration_since(t0) < Duration::from_millis(2) {
        std::hint::spin_loop();
        t1 = Instant::now();
    }
    let c1 = now_ticks();
    let ns = t1.duration_since(t0).as_nanos() as f64;
    if c1 > c0 && ns > 0.0 {
        ns / (c1 - c0) as f64
    } else {
        1.0
    }
}

/// The cost, in ticks, of an empty back-to-back pair of [`now_ticks`] calls (the median of a
/// few thousand pairs), calibrated once per process. The VM subtracts it from every timing
/// sample so an instruction's time does not include reading the clock.
pub fn timer_cost_ticks() -> u64 {
    static COST: OnceLock<u64> = OnceLock::new();
    *COST.get_or_init(|| {
        let mut diffs: Vec<u64> = (0..4001)
            .map(|_| {
                let a = now_ticks();
                let b = std::hint::black_box(now_ticks());
                b.saturating_sub(a)
            })
            .collect();
        diffs.sort_unstable();
        diffs[diffs.len() / 2]
    })
}

/// The CPU time the calling thread has used, where the platform reports it (`None`
/// elsewhere). Unlike wall time it leaves out the time other processes held the CPU, so
/// calibration and `zx bench` use it to measure the profiler's cost on a loaded machine.
pub fn thread_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `clock_gettime` only writes the timespec it is given, which lives until it
        // returns.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Converts ticks to nanoseconds.
#[inline]
pub fn ticks_to_ns(ticks: f64) -> f64 {
    ticks * ns_per_tick()
}

/// Converts a duration to ticks (rounded, never 0 for a non-zero duration).
pub fn duration_to_ticks(d: Duration) -> u64 {
    let ns = d.as_nanos() as f64;
    if ns <= 0.0 {
        return 0;
    }
    ((ns / ns_per_tick()).round() as u64).max(1)
}

/// Converts ticks to a duration.
pub fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_nanos(ticks_to_ns(ticks as f64).max(0.0) as u64)
}

/// A randomised sampling period for DETAILED profiling: each call to [`SamplePeriod::next`]
/// returns how many executions to skip before timing the next one, uniform in
/// `1..=2*rate-1` (mean `rate`). A fixed period would always time the same instruction of a
/// loop whose length divides it; the random gap spreads samples over every instruction.
#[derive(Debug, Clone)]
pub struct SamplePeriod {
    state: u64,
}

impl SamplePeriod {
    /// A generator with a fixed seed (profiles are reproducible run to run).
    pub fn new() -> SamplePeriod {
        SamplePeriod {
            state: 0x9E37_79B9_7F4A_7C15,
        }
    }

    /// The next gap for a mean of `rate` (`rate <= 1` always returns 1).
    #[inline]
    pub fn next(&mut self, rate: u32) -> u32 {
        if rate <= 1 {
            return 1;
        }
        // xorshift64: cheap and good enough to decorrelate sampling from loop shapes.
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        let span = 2 * rate as u64 - 1;
        (1 + (x >> 32) % span) as u32
    }
}

impl Default for SamplePeriod {
    fn default() -> SamplePeriod {
        SamplePeriod::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_monotonic_enough_and_calibrated() {
        let a = now_ticks();
        std::thread::sleep(Duration::from_millis(1));
        let b = now_ticks();
        assert!(b > a);
        let ns = ticks_to_ns((b - a) as f64);
        assert!(ns >= 900_000.0, "1 ms sleep measured as {ns} ns");
        assert!(ns_per_tick() > 0.0 && ns_per_tick().is_finite());
        assert!(timer_cost_ticks() < 1_000_000);
    }

    #[test]
    fn duration_round_trips_through_ticks() {
        let d = Duration::from_micros(250);
        let back = ticks_to_duration(duration_to_ticks(d));
        let err = (back.as_nanos() as f64 - 250_000.0).abs();
        assert!(err < 250.0, "{back:?}");
        assert_eq!(duration_to_ticks(Duration::ZERO), 0);
    }

    #[test]
    fn sample_period_has_the_requested_mean() {
        let mut p = SamplePeriod::new();
        assert_eq!(p.next(1), 1);
        let n = 100_000u64;
        let sum: u64 = (0..n).map(|_| p.next(64) as u64).sum();
        let mean = sum as f64 / n as f64;
        assert!((mean - 64.0).abs() < 2.0, "mean {mean}");
        assert!((0..1000).all(|_| (1..=127).contains(&p.next(64))));
    }
}
