//! What the JIT tier did: loops compiled, loops refused (with reasons) and exits back to the
//! interpreter (by ip and reason). Reports show a JIT section whenever any of these exist.

use serde::Serialize;

/// A loop the JIT compiled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledLoop {
    /// The code object's name.
    pub function: String,
    /// The loop header.
    pub start_ip: u32,
    /// The back edge.
    pub end_ip: u32,
    /// Compilation time, in µs.
    pub compile_time_us: f64,
    /// Size of the machine code, in bytes.
    pub code_bytes: usize,
    /// Times the compiled code was entered.
    pub entries: u64,
    /// The slot types the code is specialised for, e.g. `"i:int, s:int"`.
    pub specialised: String,
}

/// Exits from JIT code back to the interpreter at one ip, for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JitExit {
    /// The code object's name.
    pub function: String,
    /// Where the interpreter resumed.
    pub ip: u32,
    /// Why (`"overflow"`, `"type guard"`, ...).
    pub reason: String,
    /// How many times.
    pub count: u64,
}

/// A loop the JIT declined to compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JitRefusal {
    /// The code object's name.
    pub function: String,
    /// The loop header.
    pub start_ip: u32,
    /// The back edge.
    pub end_ip: u32,
    /// Why (e.g. `"unsupported opcode CALL_METHOD"`).
    pub reason: String,
}

/// Everything the JIT tier reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JitEvents {
    /// Loops compiled.
    pub compiled: Vec<CompiledLoop>,
    /// Exits, merged by (function, ip, reason).
    pub exits: Vec<JitExit>,
    /// Loops refused.
    pub refusals: Vec<JitRefusal>,
    /// The back-edge count at which a loop is compiled (0 before the JIT ran).
    pub threshold: u32,
}

impl CompiledLoop {
    /// True for a whole function compiled (rather than a loop).
    pub fn is_function(&self) -> bool {
        self.specialised.starts_with("whole function")
    }
}

impl super::InstructionProfiler {
    /// Loops compiled more than once (recompiled with wider types after their guards kept
    /// failing): (function, start ip, end ip, times compiled).
    pub fn jit_recompiled(&self) -> Vec<(String, u32, u32, usize)> {
        let mut v: Vec<(String, u32, u32, usize)> = Vec::new();
        for c in self.jit.compiled.iter().filter(|c| !c.is_function()) {
            match v
                .iter_mut()
                .find(|x| x.0 == c.function && x.1 == c.start_ip && x.2 == c.end_ip)
            {
                Some(x) => x.3 += 1,
                None => v.push((c.function.clone(), c.start_ip, c.end_ip, 1)),
            }
        }
        v.retain(|x| x.3 > 1);
        v
    }

    /// Every loop the JIT did not compile, with why: the refusals, and (at FULL, where loop
    /// iterations are known) each loop that never reached the threshold, e.g.
    /// `"120 iterations, threshold 1000"`.
    pub fn jit_not_compiled(&self) -> Vec<JitRefusal> {
        let mut v = self.jit.refusals.clone();
        if self.jit.threshold == 0 {
            return v;
        }
        let t = self.jit.threshold as u64;
        for l in self.loops() {
            let known =
                |f: &str, s: u32, e: u32| f == l.function && s == l.start_ip && e == l.end_ip;
            if self
                .jit
                .compiled
                .iter()
                .any(|c| known(&c.function, c.start_ip, c.end_ip))
                || v.iter().any(|r| known(&r.function, r.start_ip, r.end_ip))
            {
                continue;
            }
            let reason = if l.iterations < t {
                format!("{} iterations, threshold {t}", l.iterations)
            } else {
                format!(
                    "{} iterations (threshold {t}), counted in compiled code: it ran inside \
                     an enclosing compiled loop or function, never reaching its own counter",
                    l.iterations
                )
            };
            v.push(JitRefusal {
                function: l.function.clone(),
                start_ip: l.start_ip,
                end_ip: l.end_ip,
                reason,
            });
        }
        v
    }
}

impl JitEvents {
    /// True when the JIT reported nothing.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty() && self.exits.is_empty() && self.refusals.is_empty()
    }

    /// Counts one exit, merging with earlier exits at the same place for the same reason.
    pub fn add_exit(&mut self, function: &str, ip: u32, reason: &str) {
        self.add_exits(function, ip, reason, 1);
    }

    /// Counts `n` exits at once (for flushing counters kept in JIT code).
    pub fn add_exits(&mut self, function: &str, ip: u32, reason: &str, n: u64) {
        match self
            .exits
            .iter_mut()
            .find(|e| e.ip == ip && e.function == function && e.reason == reason)
        {
            Some(e) => e.count += n,
            None => self.exits.push(JitExit {
                function: function.to_string(),
                ip,
                reason: reason.to_string(),
                count: n,
            }),
        }
    }

    /// Total exits.
    pub fn total_exits(&self) -> u64 {
        self.exits.iter().map(|e| e.count).sum()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = JitEvents::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_merge_by_place_and_reason() {
        let mut j = JitEvents::default();
        assert!(j.is_empty());
        j.add_exit("<main>", 7, "overflow");
        j.add_exit("<main>", 7, "overflow");
        j.add_exit("<main>", 7, "type guard");
        j.add_exits("f", 7, "overflow", 3);
        assert_eq!(j.exits.len(), 3);
        assert_eq!(j.exits[0].count, 2);
        assert_eq!(j.total_exits(), 6);
        assert!(!j.is_empty());
        j.clear();
        assert!(j.is_empty());
    }
}
