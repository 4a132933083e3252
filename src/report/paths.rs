//! The profiler's call paths as a tree with a weight per path, in one unit: the common input
//! of the standard formats (Chrome trace events, speedscope, pprof), which each lay the same
//! tree out in their own way. The weights are those of the folded stacks
//! ([`InstructionProfiler::folded_stacks`]): sampled nanoseconds at DETAILED and FULL, exact
//! instruction counts shared among call paths by calls at BASIC.

use crate::profile::{InstructionProfiler, Level};

/// What the weights of [`CallPaths`] count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightUnit {
    /// Sampled time, in nanoseconds (DETAILED and FULL).
    Nanoseconds,
    /// Executed bytecode instructions (BASIC, where nothing is timed).
    Instructions,
}

impl WeightUnit {
    /// The unit's name as the formats spell it (`"nanoseconds"`, `"instructions"`).
    pub fn name(self) -> &'static str {
        match self {
            WeightUnit::Nanoseconds => "nanoseconds",
            WeightUnit::Instructions => "instructions",
        }
    }
}

/// One call path: a function called along the path of its parent.
#[derive(Debug, Clone, PartialEq)]
pub struct PathEntry {
    /// The caller's path (`None` for a program's top level).
    pub parent: Option<usize>,
    /// The function's name (`<main>` for the top level).
    pub name: String,
    /// The source file of the function (empty when unknown).
    pub file: String,
    /// The function's first source line (0 when unknown).
    pub line: u32,
    /// The weight of the function's own instructions run along this path (not its callees').
    pub weight: u64,
    /// Timing samples taken along this path (0 at BASIC).
    pub samples: u64,
    /// Calls made along this path (for a top level, the program's runs).
    pub calls: u64,
}

/// Every call path with its weight; parents come before their children.
#[derive(Debug, Clone, PartialEq)]
pub struct CallPaths {
    /// What the weights count.
    pub unit: WeightUnit,
    /// The paths, each parent before its children.
    pub entries: Vec<PathEntry>,
}

impl CallPaths {
    /// The paths of `p`'s call tree (empty when call paths were not recorded or nothing ran).
    pub fn of(p: &InstructionProfiler) -> CallPaths {
        let unit = if p.level == Level::Basic {
            WeightUnit::Instructions
        } else {
            WeightUnit::Nanoseconds
        };
        let nodes = &p.call_tree.nodes;
        let ns_per_tick = crate::profile::clock::ns_per_tick();
        // At BASIC a function's exact count is shared among its paths by their calls.
        let mut calls_of: std::collections::HashMap<u32, u64> = Default::default();
        for n in nodes {
            *calls_of.entry(n.code).or_default() += n.calls;
        }
        let entries = nodes
            .iter()
            .map(|n| {
                let code = p.codes.get(n.code as usize);
                let weight = match unit {
                    WeightUnit::Nanoseconds => (n.ticks as f64 * ns_per_tick).round() as u64,
                    WeightUnit::Instructions => {
                        let all = calls_of.get(&n.code).copied().unwrap_or(0);
                        let count = code.map_or(0, |c| c.total_count());
                        if all == 0 {
                            0
                        } else {
                            (count as f64 * n.calls as f64 / all as f64).round() as u64
                        }
                    }
                };
                PathEntry {
                    parent: (n.parent != u32::MAX).then_some(n.parent as usize),
                    name: code.map_or_else(|| "?".to_string(), |c| c.name.clone()),
                    file: code.map_or_else(String::new, |c| c.file.clone()),
                    line: code.map_or(0, |c| {
                        c.lines
                            .iter()
                            .copied()
                            .filter(|&l| l > 0)
                            .min()
                            .unwrap_or(0)
                    }),
                    weight,
                    samples: n.samples,
                    calls: n.calls,
                }
            })
            .collect();
        CallPaths { unit, entries }
    }

    /// The total weight of the paths.
    pub fn total(&self) -> u64 {
        self.entries.iter().map(|e| e.weight).sum()
    }

    /// Each path's inclusive weight: its own and all its descendants'.
    pub fn inclusive(&self) -> Vec<u64> {
        let mut inc: Vec<u64> = self.entries.iter().map(|e| e.weight).collect();
        // Children come after their parents, so a backward pass sums each subtree.
        for i in (0..self.entries.len()).rev() {
            if let Some(p) = self.entries[i].parent {
                inc[p] += inc[i];
            }
        }
        inc
    }

    /// The children of each path, in the order they were first called.
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut ch = vec![Vec::new(); self.entries.len()];
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(p) = e.parent {
                ch[p].push(i);
            }
        }
        ch
    }

    /// The path of entry `i`, from its top level down to it.
    pub fn stack(&self, i: usize) -> Vec<usize> {
        let mut s = vec![i];
        let mut at = i;
        while let Some(p) = self.entries[at].parent {
            s.push(p);
            at = p;
        }
        s.reverse();
        s
    }

    /// Why the paths are empty, for formats that must say so; `None` when there are paths.
    pub fn empty_reason(&self, p: &InstructionProfiler) -> Option<&'static str> {
        if self.entries.iter().any(|e| e.weight > 0) {
            None
        } else if p.level < Level::Basic {
            Some("nothing recorded: profile at BASIC (counts) or DETAILED (time)")
        } else if !p.call_paths {
            Some("call paths were not recorded: build the VM with call_paths(true)")
        } else {
            Some("no timing samples yet")
        }
    }
}
