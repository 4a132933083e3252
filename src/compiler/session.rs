//! Compiling one input of a session (`crate::session`, `zx repl`): the program starts with
//! the globals and functions of the inputs before it, at the same slots and indices, so the
//! values they left (function values included) mean the same thing in the new program.

use std::sync::Arc;

use crate::bytecode::{Bytecode, CodeObject};
use crate::modules::ModulePlan;
use crate::syntax::{self, SourceFile};

use super::{CompileError, Compiler, SyntaxError};

/// The program frame's slots, in order: `Some((name, is_const))` for a global, `None` for a
/// slot of a nested block.
pub type Slots = Vec<Option<(String, bool)>>;

/// What the earlier inputs of a session leave to the next one.
#[derive(Debug, Clone, Default)]
pub struct Prelude {
    /// The program frame's slots, in order: `Some((name, is_const))` for a global, `None` for
    /// a slot of a nested block (kept only so that later slots keep their positions).
    pub slots: Slots,
    /// The functions compiled so far, in index order from 1 (index 0 is the program).
    pub functions: Vec<CodeObject>,
}

impl Prelude {
    /// The prelude after `bc` (compiled from this prelude by [`compile_with_prelude`]), with
    /// `slots` as that function returned them.
    pub fn after(bc: &Bytecode, slots: Slots) -> Prelude {
        Prelude {
            slots,
            functions: bc.code()[1..].to_vec(),
        }
    }
}

/// Compiles `source` as the next input of a session: its globals start as `prelude`'s (same
/// slots; they count as declared, so they shadow builtins, and a `const` stays one) and its
/// functions are added after `prelude`'s. Returns the program and the description of its
/// frame's slots for the next input's prelude.
pub fn compile_with_prelude(
    source: &str,
    source_name: &str,
    prelude: &Prelude,
) -> Result<(Bytecode, Slots), Vec<CompileError>> {
    let (program, errors) = syntax::parse_recovering(source);
    if !errors.is_empty() {
        return Err(errors);
    }
    let plan = ModulePlan::build_from(&program, None, Some(source))?;
    let mut c = Compiler::new(source_name, plan);
    c.main_text = Some(source.into());
    // The input's functions keep its text: a later input that calls one and fails in it
    // shows this input's line.
    c.b.set_file(Some(Arc::new(SourceFile {
        path: source_name.to_string(),
        shown: source_name.to_string(),
        text: source.to_string(),
        used_at: None,
    })));
    for (i, slot) in prelude.slots.iter().enumerate() {
        let at = match slot {
            Some((name, is_const)) => {
                let at = c.global_slot(name);
                if let Some(g) = c.globals.get_mut(name.as_str()) {
                    g.declared = true;
                    g.is_const = *is_const;
                    g.const_seen = *is_const;
                }
                at
            }
            None => c.b.reserve_main_slot(""),
        };
        debug_assert_eq!(at as usize, i, "prelude slots keep their positions");
    }
    for f in &prelude.functions {
        c.b.adopt_function(f.clone());
    }
    c.program(&program.stmts);
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let line = c.last_line;
    let mut slots: Slots = Vec::new();
    for (key, g) in &c.globals {
        let at = g.slot as usize;
        if slots.len() <= at {
            slots.resize(at + 1, None);
        }
        slots[at] = Some((key.clone(), g.is_const));
    }
    let bc = c.b.build().map_err(|e| {
        vec![SyntaxError::at_end(
            line,
            format!("cannot build the program: {e}"),
        )]
    })?;
    slots.resize(bc.globals().len(), None);
    Ok((bc, slots))
}
