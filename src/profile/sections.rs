//! FULL-level views: conditional branches and memory traffic.

use std::cmp::Reverse;

use serde::Serialize;

use super::summary::pct;
use super::InstructionProfiler;
use crate::bytecode::OpClass;

/// One conditional branch with its outcomes.
#[derive(Debug, Clone, Serialize)]
pub struct BranchInfo {
    /// The code object's name.
    pub function: String,
    /// The branch's ip.
    pub ip: u32,
    /// Its opcode.
    pub opcode: String,
    /// Its source line (0 where unknown).
    pub line: u32,
    /// Times it jumped.
    pub taken: u64,
    /// Times it fell through.
    pub not_taken: u64,
    /// Share taken, in percent.
    pub taken_rate: f64,
    /// Misses of a simulated 2-bit saturating predictor, in percent of executions.
    pub miss_rate: f64,
}

/// Memory traffic of one instruction.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryInfo {
    /// The code object's name.
    pub function: String,
    /// The instruction's ip.
    pub ip: u32,
    /// Its opcode.
    pub opcode: String,
    /// Its operand text.
    pub operand: String,
    /// Reads it made.
    pub reads: u64,
    /// Writes it made.
    pub writes: u64,
}

/// Reads and writes of one variable (a frame slot of one code object).
#[derive(Debug, Clone, Serialize)]
pub struct VariableStats {
    /// The code object's name.
    pub function: String,
    /// The slot.
    pub slot: u32,
    /// The variable's name.
    pub name: String,
    /// Reads.
    pub reads: u64,
    /// Writes.
    pub writes: u64,
}

/// Memory traffic totals and the busiest instructions and variables.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryReport {
    /// All reads.
    pub total_reads: u64,
    /// All writes.
    pub total_writes: u64,
    /// Instructions with traffic, busiest (reads + writes) first.
    pub instructions: Vec<MemoryInfo>,
    /// Variables with traffic, busiest first.
    pub variables: Vec<VariableStats>,
}

impl InstructionProfiler {
    /// Conditional branches that executed (FULL), most executed first.
    pub fn branches(&self) -> Vec<BranchInfo> {
        let mut v: Vec<BranchInfo> = Vec::new();
        for c in &self.codes {
            for (ip, b) in c.branches.iter().enumerate() {
                if b.total() == 0 || c.classes.get(ip) != Some(&OpClass::CondBranch) {
                    continue;
                }
                v.push(BranchInfo {
                    function: c.name.clone(),
                    ip: ip as u32,
                    opcode: c.opcodes[ip].to_string(),
                    line: c.lines.get(ip).copied().unwrap_or(0),
                    taken: b.taken,
                    not_taken: b.not_taken,
                    taken_rate: pct(b.taken, b.total()),
                    miss_rate: pct(b.mispredicts, b.total()),
                });
            }
        }
        v.sort_by_key(|b| Reverse(b.taken + b.not_taken));
        v
    }

    /// Memory traffic (FULL): totals, and the `top_n` busiest instructions and variables.
    pub fn memory(&self, top_n: usize) -> MemoryReport {
        let mut instructions = Vec::new();
        let mut variables = Vec::new();
        let (mut total_reads, mut total_writes) = (0, 0);
        for c in &self.codes {
            for ip in 0..c.mem_reads.len().max(c.mem_writes.len()) {
                let r = c.mem_reads.get(ip).copied().unwrap_or(0);
                let w = c.mem_writes.get(ip).copied().unwrap_or(0);
                total_reads += r;
                total_writes += w;
                if r + w > 0 {
                    instructions.push(MemoryInfo {
                        function: c.name.clone(),
                        ip: ip as u32,
                        opcode: c.opcodes[ip].to_string(),
                        operand: c.operands.get(ip).cloned().unwrap_or_default(),
                        reads: r,
                        writes: w,
                    });
                }
            }
            for slot in 0..c.var_reads.len().max(c.var_writes.len()) {
                let r = c.var_reads.get(slot).copied().unwrap_or(0);
                let w = c.var_writes.get(slot).copied().unwrap_or(0);
                if r + w > 0 {
                    variables.push(VariableStats {
                        function: c.name.clone(),
                        slot: slot as u32,
                        name: c
                            .slot_names
                            .get(slot)
                            .cloned()
                            .unwrap_or_else(|| format!("#{slot}")),
                        reads: r,
                        writes: w,
                    });
                }
            }
        }
        instructions.sort_by_key(|i| Reverse(i.reads + i.writes));
        variables.sort_by_key(|v| Reverse(v.reads + v.writes));
        instructions.truncate(top_n);
        variables.truncate(top_n);
        MemoryReport {
            total_reads,
            total_writes,
            instructions,
            variables,
        }
    }
}
