//! Call paths for flame graphs: a tree of the call paths the program took, each node holding
//! the sampled time of the instructions that ran with exactly that path on the call stack.
//! The VM moves a cursor down the tree on each call and back up on each return (a short linear
//! search among a node's children), and adds every timing sample to the current node, so a
//! flame graph costs one child lookup per call and nothing per instruction.
//!
//! At BASIC nothing is timed, so paths are weighted by instruction counts instead
//! ([`CallTree::folded_counts`]): each function's exact instruction count, shared among the
//! paths it was called from in proportion to its calls along each path (each node counts its
//! calls). Exact for a function whose calls all run the same number of instructions; for one
//! whose work depends on its arguments (a recursion's deeper calls doing less, say), a path's
//! share is its share of the calls, not of the instructions. The totals per function are exact.

use std::fmt::Write;

/// One call path: the code object called, its caller's node, and the time sampled there.
#[derive(Debug, Clone)]
pub struct PathNode {
    /// Index of the code object in `InstructionProfiler::codes`.
    pub code: u32,
    /// The caller's node (the root is its own parent).
    pub parent: u32,
    /// (code, node) of the paths called from here.
    pub children: Vec<(u32, u32)>,
    /// Sampled timer ticks of instructions run with this path on the stack (not callees).
    pub ticks: u64,
    /// Timing samples taken here.
    pub samples: u64,
    /// Calls made along this path (for the root, the runs of the program).
    pub calls: u64,
}

/// The tree of call paths. Node 0 is the program's top level.
#[derive(Debug, Clone, Default)]
pub struct CallTree {
    /// The nodes; empty until the first run at DETAILED or FULL.
    pub nodes: Vec<PathNode>,
}

impl CallTree {
    /// The root node for the program whose top level is code object `main`.
    pub fn root(&mut self, main: u32) -> u32 {
        if let Some(i) = self
            .nodes
            .iter()
            .position(|n| n.parent == u32::MAX && n.code == main)
        {
            return i as u32;
        }
        self.nodes.push(PathNode {
            code: main,
            parent: u32::MAX,
            children: Vec::new(),
            ticks: 0,
            samples: 0,
            calls: 0,
        });
        (self.nodes.len() - 1) as u32
    }

    /// The node for calling `code` from `node`, created on first use; counts the call.
    #[inline]
    pub fn child(&mut self, node: u32, code: u32) -> u32 {
        let n = &self.nodes[node as usize];
        if let Some(&(_, c)) = n.children.iter().find(|(k, _)| *k == code) {
            self.nodes[c as usize].calls += 1;
            return c;
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(PathNode {
            code,
            parent: node,
            children: Vec::new(),
            ticks: 0,
            samples: 0,
            calls: 1,
        });
        self.nodes[node as usize].children.push((code, id));
        id
    }

    /// Counts a run of the program whose path root is `node`.
    pub fn count_run(&mut self, node: u32) {
        if let Some(n) = self.nodes.get_mut(node as usize) {
            n.calls += 1;
        }
    }

    /// The parent of `node` (the node itself for a root).
    pub fn parent(&self, node: u32) -> u32 {
        match self.nodes[node as usize].parent {
            u32::MAX => node,
            p => p,
        }
    }

    /// Forgets all paths and times.
    pub fn clear(&mut self) {
        self.nodes.clear();
    }

    /// Folded stacks, one line per path with samples: `<main>;f;g 1234`, the weight being the
    /// sampled time in nanoseconds (the time of the timed executions; proportional to where
    /// the time went, not the run's total). `name` maps a code index to its name.
    pub fn folded(&self, name: impl Fn(u32) -> String, ns_per_tick: f64) -> String {
        let mut out = String::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.samples == 0 {
                continue;
            }
            let weight = ((n.ticks as f64 * ns_per_tick).round() as u64).max(1);
            let _ = writeln!(out, "{} {weight}", self.path(i, &name));
        }
        out
    }

    /// Folded stacks weighted by instruction counts (BASIC, where nothing is timed):
    /// `instructions(code)` is code object `code`'s exact executed instructions, shared among
    /// its paths by their calls (see the module's documentation). Paths with no instructions
    /// are left out.
    pub fn folded_counts(
        &self,
        name: impl Fn(u32) -> String,
        instructions: impl Fn(u32) -> u64,
    ) -> String {
        let mut calls: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
        for n in &self.nodes {
            *calls.entry(n.code).or_default() += n.calls;
        }
        let mut out = String::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let all = calls.get(&n.code).copied().unwrap_or(0);
            if n.calls == 0 || all == 0 {
                continue;
            }
            let weight = (instructions(n.code) as f64 * n.calls as f64 / all as f64).round() as u64;
            if weight > 0 {
                let _ = writeln!(out, "{} {weight}", self.path(i, &name));
            }
        }
        out
    }

    /// The folded path of node `i`: its code objects' names from the root, `;`-separated.
    fn path(&self, i: usize, name: &impl Fn(u32) -> String) -> String {
        let mut path = Vec::new();
        let mut at = i as u32;
        loop {
            let node = &self.nodes[at as usize];
            path.push(name(node.code).replace([';', ' '], "_"));
            if node.parent == u32::MAX {
                break;
            }
            at = node.parent;
        }
        path.reverse();
        path.join(";")
    }
}
