//! Loops as reports show them: hot loops with iterations, time and instructions.

use std::time::Duration;

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

use super::attribution::Attribution;
use super::clock::ticks_to_duration;
use super::data::{CodeProfile, LoopStats};
use super::{finite, InstructionProfiler};

/// One loop of one code object (a back edge from `end_ip` to `start_ip`).
///
/// Serialized with the guide's keys: `function`, `start_ip`, `end_ip`, `iterations`,
/// `total_time_ms`, `avg_iteration_us`, `instruction_count`, `instructions`.
#[derive(Debug, Clone)]
pub struct HotLoop {
    /// The code object's name.
    pub function: String,
    /// The loop header (the back edge's target).
    pub start_ip: u32,
    /// The instruction that jumps back.
    pub end_ip: u32,
    /// Back edges taken, counted exactly (interpreted and JIT).
    pub iterations: u64,
    /// Time in the loop: the sum of the times of its instructions `start_ip..=end_ip`
    /// (interpreted and JIT, as attributed by [`InstructionProfiler::attribution`]). It
    /// covers the loop's own instructions, not the callees of calls in it. Zero below
    /// DETAILED.
    pub total_time: Duration,
    /// `total_time` as a percentage of the run's execution time.
    pub run_pct: f64,
    /// Opcode names of the instructions `start_ip..=end_ip`.
    pub instructions: Vec<String>,
}

impl HotLoop {
    /// Mean time per iteration (zero without iterations).
    pub fn avg_iteration(&self) -> Duration {
        if self.iterations == 0 {
            Duration::ZERO
        } else {
            self.total_time.div_f64(self.iterations as f64)
        }
    }

    /// Mean time per iteration in µs.
    pub fn avg_iteration_us(&self) -> f64 {
        if self.iterations == 0 {
            return 0.0;
        }
        // Not through `avg_iteration`, whose whole nanoseconds would round a fast loop's
        // iteration (a few ns) by up to 30%: iterations × this = the loop's time.
        finite(self.total_time.as_secs_f64() * 1e6 / self.iterations as f64)
    }

    /// Total time in ms.
    pub fn total_time_ms(&self) -> f64 {
        finite(self.total_time.as_secs_f64() * 1e3)
    }

    pub(crate) fn from_stats(
        code: &CodeProfile,
        l: &LoopStats,
        ticks: &[f64],
        a: &Attribution,
    ) -> HotLoop {
        let (s, e) = (l.header_ip as usize, l.back_edge_ip as usize);
        let ips = s..=e.min(code.len().saturating_sub(1));
        let est: f64 = ips.clone().filter_map(|ip| ticks.get(ip)).sum();
        HotLoop {
            function: code.name.clone(),
            start_ip: l.header_ip,
            end_ip: l.back_edge_ip,
            iterations: l.iterations,
            total_time: ticks_to_duration(est.round() as u64),
            run_pct: a.pct(est),
            instructions: ips
                .filter_map(|ip| code.opcodes.get(ip).filter(|o| !o.is_empty()))
                .map(|o| o.to_string())
                .collect(),
        }
    }
}

impl Serialize for HotLoop {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("HotLoop", 9)?;
        st.serialize_field("function", &self.function)?;
        st.serialize_field("start_ip", &self.start_ip)?;
        st.serialize_field("end_ip", &self.end_ip)?;
        st.serialize_field("iterations", &self.iterations)?;
        st.serialize_field("total_time_ms", &self.total_time_ms())?;
        st.serialize_field("avg_iteration_us", &self.avg_iteration_us())?;
        st.serialize_field("run_pct", &self.run_pct)?;
        st.serialize_field("instruction_count", &self.instructions.len())?;
        st.serialize_field("instructions", &self.instructions)?;
        st.end()
    }
}

impl InstructionProfiler {
    /// Every loop seen (FULL), most iterations first.
    pub fn loops(&self) -> Vec<HotLoop> {
        self.hot_loops(1)
    }

    /// Loops with at least `min_iterations` iterations (FULL), most iterations first (the
    /// guide's `get_hot_loops`; its definition of hot is 1000).
    pub fn hot_loops(&self, min_iterations: u64) -> Vec<HotLoop> {
        let a = self.attribution();
        let mut v: Vec<HotLoop> = self
            .codes
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| c.loops.iter().map(move |l| (ci, c, l)))
            .filter(|(_, _, l)| l.iterations >= min_iterations.max(1))
            .map(|(ci, c, l)| HotLoop::from_stats(c, l, &a.ip_ticks[ci], &a))
            .collect();
        v.sort_by_key(|l| std::cmp::Reverse(l.iterations));
        v
    }
}
