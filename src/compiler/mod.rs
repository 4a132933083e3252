//! The compiler: turns the parser's AST into verified [`Bytecode`] through the
//! [`BytecodeBuilder`], resolving every variable to a slot.
//!
//! ```
//! use zexus::{compile, Value, VM};
//! let bytecode = compile("let x = 2\nx * 21", "<doc>").unwrap();
//! assert_eq!(VM::new().execute(&bytecode).unwrap(), Value::int(42));
//!
//! let errors = compile("const N = 1\nN = 2", "<doc>").unwrap_err();
//! assert_eq!(errors[0].to_string(), "[line 2] Error at 'N': cannot assign to const 'N'");
//! ```
//!
//! What the code looks like (the interpreter fuses these plain shapes into superinstructions,
//! and the JIT compiles a loop from its header to its backward `JUMP`):
//! - `while c { body }`: `header: <c> JUMP_IF_FALSE exit; <body>; JUMP header; exit:`;
//! - `for each x in e`: `<e> GET_ITER; top: FOR_ITER exit; STORE x; <body>; JUMP top; exit:`
//!   (`break` pops the iterator first);
//! - `for each x in range(a, b)` (the builtin, 1 or 2 arguments): a counted loop over hidden
//!   counter and end slots, shaped like the `while` loop, with no iterator;
//! - `a && b` / `a || b`: `<a> JUMP_IF_FALSE_OR_POP end; <b>; end:` (resp. `JUMP_IF_TRUE_OR_POP`,
//!   and `JUMP_IF_NOT_NULL_OR_POP` for `a ?? b`);
//! - `o.k`: `<o> GET_ATTR "k"`; `o.k = e`: `<o> <e> SET_ATTR "k"`; `o.k += e`:
//!   `<o> DUP GET_ATTR "k" <e> ADD SET_ATTR "k"`;
//! - `x = e`: `<e> STORE x`; `x += e`: `LOAD x; <e>; ADD; STORE x`;
//!   `a[i] += e`: `<a> <i> DUP2 INDEX <e> ADD STORE_INDEX`;
//! - calls: `CALL_NAME` for globals (top-level functions), `CALL_BUILTIN` for builtins,
//!   `CALL_VALUE` for anything else, `CALL_METHOD` for `obj.name(...)`;
//! - `-<int literal>` is one constant; nothing else is folded, so profiles show the code as
//!   written.
//!
//! Scoping (see `scope.rs`): top-level variables and functions are
//! globals, a `let` in a nested block is block-scoped, functions see their own locals and the
//! globals, and capturing an enclosing function's local is a compile error. An assignment to a
//! name nothing declares declares it (`implicit.rs`): a global outside functions, a local of the
//! whole function inside one.

mod class;
pub(crate) mod dunder;
mod expr;
mod implicit;
mod scope;
mod stmt;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use zexus_runtime::Value;

use crate::bytecode::{Bytecode, BytecodeBuilder};
use crate::syntax::ast::{Block, Program, Stmt, StmtKind};
use crate::syntax::{self, SyntaxError, MAX_ERRORS};
use scope::{Ctx, Global};

/// A compile error: the same type and `[line N] Error at 'tok': message` format as the
/// parser's errors.
pub type CompileError = SyntaxError;

/// Compiles Zexus source to bytecode.
///
/// `source_name` names the program in traces and reports (a file name, `<eval>`, ...).
/// On failure returns every error found, in order: the parser's errors if the source does not
/// parse, followed by the compiler's (assigning a const, capturing a local of an enclosing
/// function, assigning an undeclared variable, ...), at most [`MAX_ERRORS`] in all.
pub fn compile(source: &str, source_name: &str) -> Result<Bytecode, Vec<CompileError>> {
    let (program, mut errors) = syntax::parse_recovering(source);
    if errors.is_empty() {
        return compile_program(&program, source_name);
    }
    // Also report the compiler's errors in what did parse, except those that a statement
    // dropped by the parser could have caused (such as a variable whose `let` did not parse).
    if errors.len() < MAX_ERRORS {
        let mut c = Compiler::new(source_name);
        c.recovering = true;
        c.program(&program.stmts);
        let room = MAX_ERRORS - errors.len();
        errors.extend(c.errors.into_iter().take(room));
    }
    Err(errors)
}

/// Compiles an already parsed program (see [`compile`]).
pub fn compile_program(
    program: &Program,
    source_name: &str,
) -> Result<Bytecode, Vec<CompileError>> {
    let mut c = Compiler::new(source_name);
    c.program(&program.stmts);
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let line = c.last_line;
    c.b.build().map_err(|e| {
        vec![SyntaxError::at_end(
            line,
            format!("cannot build the program: {e}"),
        )]
    })
}

/// The compiler's state while it walks one program.
pub(crate) struct Compiler {
    b: BytecodeBuilder,
    /// The program's context first, then the function being compiled and its enclosing ones.
    ctxs: Vec<Ctx>,
    globals: HashMap<String, Global>,
    errors: Vec<CompileError>,
    next_label: u32,
    /// The highest source line seen (for errors and instructions with no better line).
    last_line: u32,
    /// Compiling what parsed of a source with syntax errors: errors that a dropped statement
    /// could have caused are not reported.
    recovering: bool,
    /// The types declared at the top level, by name.
    classes: HashMap<String, class::ClassInfo>,
}

impl Compiler {
    fn new(source_name: &str) -> Compiler {
        let mut b = BytecodeBuilder::new();
        b.set_source_name(source_name);
        Compiler {
            b,
            ctxs: vec![Ctx::main()],
            globals: HashMap::new(),
            errors: Vec::new(),
            next_label: 0,
            last_line: 1,
            recovering: false,
            classes: HashMap::new(),
        }
    }

    /// Records an error at the token `tok` (at most [`MAX_ERRORS`] are kept).
    fn error(&mut self, line: u32, tok: &str, message: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(SyntaxError::new(line, tok, message));
        }
    }

    /// Records an error that a statement the parser dropped could also cause (an undeclared
    /// variable, a loop jump outside a loop): not reported after syntax errors.
    fn cascading_error(&mut self, line: u32, tok: &str, message: String) {
        if !self.recovering {
            self.error(line, tok, message);
        }
    }

    /// Sets the source line of the instructions emitted next.
    fn line(&mut self, line: u32) {
        self.b.set_line(line);
        self.last_line = self.last_line.max(line);
    }

    /// A fresh jump label (unique within the program, so within each code object).
    fn label(&mut self) -> String {
        self.next_label += 1;
        format!("L{}", self.next_label)
    }

    /// The program: globals first, then the top-level functions (hoisted, so they can be
    /// called before their definition and call each other), then the statements. The value of
    /// a final expression statement is the program's value.
    fn program(&mut self, stmts: &[Stmt]) {
        self.declare_globals(stmts);
        self.collect_classes(stmts);
        for s in stmts {
            if let StmtKind::Class(c) = &s.kind {
                self.class_decl(c, s.line);
            }
        }
        for s in stmts {
            if let StmtKind::FuncDef { name, params, body } = &s.kind {
                let index = self.function(name, params, body, false);
                self.line(s.line);
                self.b.emit_load_const(Value::func(index));
                let slot = self.global_slot(name);
                self.b.emit_raw(crate::bytecode::Op::STORE_NAME, slot, 0);
            }
        }
        let (last, rest) = match stmts.split_last() {
            Some((last, rest)) => (Some(last), rest),
            None => (None, stmts),
        };
        self.stmts(rest);
        match last {
            Some(Stmt {
                line,
                kind: StmtKind::Expr(e),
            }) => {
                self.line(*line);
                self.expr(e);
                self.line(*line);
                self.b.emit_return();
            }
            other => {
                if let Some(s) = other {
                    self.stmt(s);
                }
                let line = self.last_line;
                self.line(line);
                self.b.emit_load_const(Value::NULL);
                self.b.emit_return();
            }
        }
    }

    /// Compiles a function body into its own code object and returns its index (the payload
    /// of its function value). A nested function's own name refers to itself in its body.
    fn function(&mut self, name: &str, params: &[String], body: &Block, nested: bool) -> u32 {
        let param_refs: Vec<&str> = params.iter().map(String::as_str).collect();
        let index = self.b.begin_function(name, &param_refs);
        self.ctxs
            .push(Ctx::function(name, params, nested.then_some(index)));
        self.function_body(params, body);
        index
    }

    /// Compiles the body of the function being compiled (its context pushed), ends it with
    /// `return null` unless it ends with a `return`, and closes it.
    fn function_body(&mut self, params: &[String], body: &Block) {
        self.declare_implicit_locals(params, body);
        self.stmts(&body.stmts);
        if !matches!(
            body.stmts.last(),
            Some(Stmt {
                kind: StmtKind::Return(_),
                ..
            })
        ) {
            self.line(body.end_line);
            self.b.emit_load_const(Value::NULL);
            self.b.emit_return();
        }
        self.ctxs.pop();
        self.b.end_function();
    }
}
