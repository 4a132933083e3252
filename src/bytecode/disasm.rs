//! The disassembler: `{ip:4} {OPCODE:20} {operand}` with operands explained, per code object.

use std::fmt::Write;

use super::code::{Bytecode, CodeObject};
use super::opcodes::{Instr, OperandKind, BUILTINS};

/// The operand of `ins` as text, with what it refers to (`3 (n)`, `7 (20)`, `-> 12`).
pub fn operand_text(code: &CodeObject, globals: &[String], ins: Instr) -> String {
    let a = ins.a as usize;
    let name = |names: &[String]| names.get(a).cloned().unwrap_or_else(|| "?".into());
    match ins.op.operand_kind() {
        OperandKind::None => String::new(),
        OperandKind::Const => match code.consts.get(a) {
            Some(v) => format!("{a} ({})", short(&v.repr())),
            None => format!("{a} (?)"),
        },
        OperandKind::Local => format!("{a} ({})", name(&code.slot_names)),
        OperandKind::Global => format!("{a} ({})", name(globals)),
        OperandKind::Target => format!("-> {a}"),
        OperandKind::Count => format!("{a}"),
        OperandKind::CallName => format!("{a} ({}) argc={}", name(globals), ins.b),
        OperandKind::CallValue => format!("argc={}", ins.b),
        OperandKind::CallBuiltin => {
            format!(
                "{a} ({}) argc={}",
                BUILTINS.get(a).copied().unwrap_or("?"),
                ins.b
            )
        }
        OperandKind::CallMethod | OperandKind::Event => {
            let m = code
                .consts
                .get(a)
                .and_then(|v| v.as_str().map(str::to_string));
            format!("{a} ({}) argc={}", m.unwrap_or_else(|| "?".into()), ins.b)
        }
        OperandKind::ForIter => format!("-> {a} vars={}", ins.b),
        OperandKind::Closure => format!("#{a} cells={}", ins.b),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 50 {
        let t: String = s.chars().take(47).collect();
        format!("{t}...")
    } else {
        s.to_string()
    }
}

/// Disassembles one code object.
pub fn disassemble_code(code: &CodeObject, globals: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== {} ({} instructions, {} constants, {} slots, arity {}, max stack {}) ==",
        code.name,
        code.instrs.len(),
        code.consts.len(),
        code.slot_names.len(),
        code.arity,
        code.max_stack
    );
    if !code.consts.is_empty() {
        let _ = writeln!(out, "Constants:");
        for (i, c) in code.consts.iter().enumerate() {
            let _ = writeln!(out, "  {i:4}  {}", short(&c.repr()));
        }
    }
    if !code.slot_names.is_empty() {
        let _ = writeln!(out, "Slots: {}", code.slot_names.join(", "));
    }
    let _ = writeln!(out, "Instructions:");
    let mut last_line = u32::MAX;
    for (ip, ins) in code.instrs.iter().enumerate() {
        let line = code.line(ip);
        let line_col = if line != last_line && line != 0 {
            format!("{line:5}")
        } else {
            "    |".into()
        };
        last_line = line;
        let operand = operand_text(code, globals, *ins);
        let _ = writeln!(out, "{line_col} {ip:4} {:20} {operand}", ins.op.name()).map(|_| ());
    }
    if !code.handlers.is_empty() {
        let _ = writeln!(out, "Exception table:");
        for h in &code.handlers {
            let _ = writeln!(
                out,
                "  {:4} to {:4} -> {:4} depth {}",
                h.start, h.end, h.target, h.depth
            );
        }
    }
    out
}

impl Bytecode {
    /// Disassembles every code object, the program first.
    pub fn disassemble(&self) -> String {
        let globals = self.globals();
        let mut out = String::new();
        for (i, code) in self.code().iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&disassemble_code(code, globals));
        }
        out
    }
}
