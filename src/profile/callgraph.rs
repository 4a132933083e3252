//! The call graph: who calls whom, how often. Edges come from the exact counts of the call
//! instructions (`CALL_NAME`, whose callee is the function in a named global slot), so
//! recording them costs the run nothing; a call through a value or a method (`CALL_VALUE`,
//! `CALL_METHOD`) has no name until it runs and is not an edge here. A slot rebound to another
//! function mid-run would be counted under its name.

use std::collections::BTreeMap;

use serde::Serialize;

use super::InstructionProfiler;

/// Calls from one function to another.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CallEdge {
    /// The calling code object.
    pub caller: String,
    /// The function called (the global slot's name).
    pub callee: String,
    /// Exact calls (interpreted and JIT).
    pub calls: u64,
}

/// The callee a `CALL_NAME` operand names: `"0 (fib) argc=1"` gives `fib`.
fn callee_of(operand: &str) -> Option<&str> {
    let open = operand.find('(')?;
    let close = open + operand[open..].find(')')?;
    Some(&operand[open + 1..close]).filter(|n| !n.is_empty())
}

impl InstructionProfiler {
    /// Every caller-callee pair with its calls, most calls first (ties by names).
    pub fn call_graph(&self) -> Vec<CallEdge> {
        let mut edges: BTreeMap<(String, String), u64> = BTreeMap::new();
        for c in &self.codes {
            for ip in 0..c.len() {
                if c.opcodes.get(ip) != Some(&"CALL_NAME") {
                    continue;
                }
                let n = c.count(ip);
                if let (true, Some(callee)) = (n > 0, c.operands.get(ip).and_then(|o| callee_of(o)))
                {
                    *edges
                        .entry((c.name.clone(), callee.to_string()))
                        .or_insert(0) += n;
                }
            }
        }
        let mut v: Vec<CallEdge> = edges
            .into_iter()
            .map(|((caller, callee), calls)| CallEdge {
                caller,
                callee,
                calls,
            })
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.calls));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::callee_of;

    #[test]
    fn the_callee_is_the_slot_name() {
        assert_eq!(callee_of("0 (fib) argc=1"), Some("fib"));
        assert_eq!(callee_of("3 (shapes.area) argc=2"), Some("shapes.area"));
        assert_eq!(callee_of("argc=1"), None);
    }
}
