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
//! globals, a `let` in a nested block is block-scoped, functions see their own locals, the
//! globals, and the variables of enclosing functions (closures: `closures.rs`). An assignment to a
//! name nothing declares declares it (`implicit.rs`): a global outside functions, a local of the
//! whole function inside one.

mod bare_names;
mod class;
mod closures;
pub(crate) mod dunder;
mod exceptions;
mod expr;
mod implicit;
mod modules;
mod recover;
mod scope;
mod seal;
mod session;
mod stmt;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_modules;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use zexus_runtime::Value;

use crate::bytecode::{Bytecode, BytecodeBuilder};
use crate::modules::{Importer, ModulePlan};
use crate::syntax::ast::{Block, Program, Stmt, StmtKind};
use crate::syntax::{self, SourceFile, SyntaxError, MAX_ERRORS};
use modules::{Namespace, Unit};
use scope::{Ctx, Global, Resolved};
pub use session::{compile_with_prelude, Prelude, Slots};

/// A compile error: the same type and `[line N] Error at 'tok': message` format as the
/// parser's errors.
pub type CompileError = SyntaxError;

/// Compiles Zexus source to bytecode.
///
/// `source_name` names the program in traces and reports (a file name, `<eval>`, ...).
/// On failure returns every error found, in order: the parser's errors if the source does not
/// parse, followed by the compiler's (assigning a const, assigning an undeclared variable,
/// ...), at most [`MAX_ERRORS`] in all.
///
/// A `use "file.zx"` is resolved from the working directory; [`compile_file`] resolves it from
/// the program's own file.
pub fn compile(source: &str, source_name: &str) -> Result<Bytecode, Vec<CompileError>> {
    compile_source(source, source_name, None)
}

/// Compiles the file at `path` (read as UTF-8, invalid bytes replaced); the modules it `use`s
/// are found relative to it. Reading the file failing is reported as an error at line 0.
pub fn compile_file(path: &Path) -> Result<Bytecode, Vec<CompileError>> {
    let bytes = std::fs::read(path).map_err(|e| {
        vec![SyntaxError::at_end(
            0,
            format!("cannot read {}: {e}", path.display()),
        )]
    })?;
    let source = String::from_utf8_lossy(&bytes);
    compile_source(&source, &path.display().to_string(), Some(path))
}

/// Compiles `source`, the text of the file at `path` if it has one (relative `use` paths are
/// resolved from that file's directory, else from the working directory). See [`compile`].
pub fn compile_source(
    source: &str,
    source_name: &str,
    path: Option<&Path>,
) -> Result<Bytecode, Vec<CompileError>> {
    let (program, mut errors) = syntax::parse_recovering(source);
    if errors.is_empty() {
        return compile_parsed(&program, source_name, path, Some(source));
    }
    // Also report the compiler's errors in what did parse, except those that a statement
    // dropped by the parser could have caused (such as a variable whose `let` did not parse).
    if errors.len() < MAX_ERRORS {
        let plan = match ModulePlan::build_from(&program, path, Some(source)) {
            Ok(plan) => plan,
            Err(plan_errors) => {
                errors.extend(plan_errors);
                ModulePlan::default()
            }
        };
        let mut c = Compiler::new(source_name, plan);
        c.main_text = Some(source.into());
        c.recovering = true;
        c.program(&program.stmts);
        errors.extend(c.errors);
        errors.truncate(MAX_ERRORS);
    }
    Err(errors)
}

/// Compiles an already parsed program (see [`compile`]).
pub fn compile_program(
    program: &Program,
    source_name: &str,
) -> Result<Bytecode, Vec<CompileError>> {
    compile_program_at(program, source_name, None)
}

/// Compiles an already parsed program from the file at `path`, if it has one (see
/// [`compile_source`]).
pub fn compile_program_at(
    program: &Program,
    source_name: &str,
    path: Option<&Path>,
) -> Result<Bytecode, Vec<CompileError>> {
    compile_parsed(program, source_name, path, None)
}

/// [`compile_program_at`] of a program parsed from `text`, if known: the compiler's errors
/// then point at their token (else at their statement).
fn compile_parsed(
    program: &Program,
    source_name: &str,
    path: Option<&Path>,
    text: Option<&str>,
) -> Result<Bytecode, Vec<CompileError>> {
    let plan = ModulePlan::build_from(program, path, text)?;
    let mut c = Compiler::new(source_name, plan);
    c.main_text = text.map(Arc::from);
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
    /// "Continue on error" mode (see `recover.rs`): `None` when the program has no top-level
    /// `continue`; else whether the program's own statements are past it yet.
    recover: Option<bool>,
    /// The statement being compiled next is already inside its recovery entry.
    wrapping: bool,
    /// The module files the program uses.
    plan: Rc<ModulePlan>,
    /// The file being compiled (the main program or one of the plan's files).
    file: Importer,
    /// The module being compiled, inside the modules around it: the file's top level, then
    /// each `module` block it is in. Its global `x` is the global `prefix + x`.
    units: Vec<Unit>,
    /// The namespaces that module names refer to (`Global::ns`).
    namespaces: Vec<Namespace>,
    /// For each of the plan's files once compiled: its top level's function index.
    module_inits: Vec<u32>,
    /// The file being compiled when it is one the program uses (its errors are in it).
    src_file: Option<Arc<SourceFile>>,
    /// The main program's text, when known: errors point at their token in it.
    main_text: Option<Arc<str>>,
    /// The line and column of the statement being compiled (where the search for an error's
    /// token starts).
    stmt_at: (u32, u32),
    /// The types declared at the top level of the program or a module, by the key of their
    /// global (`T`, `lib.T`).
    classes: HashMap<String, class::ClassInfo>,
    /// The global slots of the globals sealed so far (`seal x`, see `seal.rs`).
    sealed_globals: HashSet<u32>,
}

impl Compiler {
    fn new(source_name: &str, plan: ModulePlan) -> Compiler {
        let mut b = BytecodeBuilder::new();
        b.set_source_name(source_name);
        Compiler {
            b,
            ctxs: vec![Ctx::main()],
            sealed_globals: HashSet::new(),
            globals: HashMap::new(),
            errors: Vec::new(),
            next_label: 0,
            last_line: 1,
            recovering: false,
            recover: None,
            wrapping: false,
            plan: Rc::new(plan),
            file: Importer::Main,
            units: vec![Unit::main()],
            namespaces: Vec::new(),
            module_inits: Vec::new(),
            src_file: None,
            main_text: None,
            stmt_at: (0, 0),
            classes: HashMap::new(),
        }
    }

    /// Records an error at the token `tok` on `line` (at most [`MAX_ERRORS`] are kept): its
    /// column is that of the first such token from the start of the statement being compiled
    /// (or of the line), found in the source's text; else the statement's column, or the
    /// line's first token's.
    fn error(&mut self, line: u32, tok: &str, message: String) {
        self.error_at(line, 0, tok, message);
    }

    /// Records an error at the token `tok` at `line` and `col` (0: unknown, found as
    /// [`error`](Self::error) does), in the file being compiled.
    fn error_at(&mut self, line: u32, col: u32, tok: &str, message: String) {
        if self.errors.len() < MAX_ERRORS {
            let col = if col == 0 {
                self.token_col(line, tok)
            } else {
                col
            };
            let mut e = SyntaxError::new(line, tok, message).with_column(col);
            e.file = self.src_file.clone();
            self.errors.push(e);
        }
    }

    /// The column of the token `tok` on `line` of the file being compiled, for an error
    /// whose column is not known (see [`error`](Self::error)); 0 if there is no telling.
    fn token_col(&self, line: u32, tok: &str) -> u32 {
        let (stmt_line, stmt_col) = self.stmt_at;
        let from = if stmt_line == line { stmt_col } else { 1 };
        let text = match &self.src_file {
            Some(f) => Some(f.text.as_str()),
            None => self.main_text.as_deref(),
        };
        let Some(text) = text else {
            return if stmt_line == line { stmt_col } else { 0 };
        };
        syntax::token_column(text, line, from, tok)
            .or_else(|| syntax::token_column(text, line, 1, tok))
            .or_else(|| (stmt_line == line && stmt_col > 0).then_some(stmt_col))
            .or_else(|| first_token_column(text, line))
            .unwrap_or(0)
    }

    /// Records an error that a statement the parser dropped could also cause (an undeclared
    /// variable, a loop jump outside a loop): not reported after syntax errors.
    fn cascading_error(&mut self, line: u32, col: u32, tok: &str, message: String) {
        if !self.recovering {
            self.error_at(line, col, tok, message);
        }
    }

    /// Sets the source line of the instructions emitted next (column unknown).
    fn line(&mut self, line: u32) {
        self.b.set_line(line);
        self.last_line = self.last_line.max(line);
    }

    /// Sets the source line and column of the instructions emitted next: the token their
    /// runtime errors point at (in a used file, in that file: see `CodeObject::file`).
    fn at(&mut self, line: u32, col: u32) {
        self.line(line);
        self.b.set_column(col);
    }

    /// A fresh jump label (unique within the program, so within each code object).
    fn label(&mut self) -> String {
        self.next_label += 1;
        format!("L{}", self.next_label)
    }

    /// The program: the files it uses, its globals, then its declared types and top-level
    /// functions (hoisted, so they can be called before their definition and call each
    /// other), then the statements. The value of
    /// a final expression statement is the program's value.
    fn program(&mut self, stmts: &[Stmt]) {
        // In "continue on error" mode the top levels of the modules recover as functions do.
        if Self::has_continue_on_error(stmts) {
            self.recover = Some(false);
        }
        self.compile_module_files();
        self.begin_unit_captures(stmts);
        self.declare_globals(stmts);
        self.hoist_classes(stmts);
        self.hoist_functions(stmts);
        // After a top-level `defer` the rest of the program is inside a `finally`, and in
        // "continue on error" mode each statement may be abandoned: the last statement gives
        // no value then.
        let (last, rest) = match stmts.split_last() {
            Some((last, rest)) if !exceptions::has_defer(stmts) && self.recover.is_none() => {
                (Some(last), rest)
            }
            _ => (None, stmts),
        };
        self.stmts(rest);
        match last {
            Some(Stmt {
                line,
                kind: StmtKind::Expr(e),
                ..
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

    /// Compiles the types declared at the top level of a program or module (their actions and
    /// constructors) and stores each constructor in its global, before any other code.
    fn hoist_classes(&mut self, stmts: &[Stmt]) {
        self.collect_classes(stmts);
        for s in stmts {
            if let StmtKind::Class(c) = &s.kind {
                self.stmt_at = (s.line, s.col);
                self.class_decl(c, s.line);
            }
        }
    }

    /// Compiles the top-level functions of a program or module and stores each in its global
    /// (so they can be called before their definition and call each other).
    fn hoist_functions(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            if let StmtKind::FuncDef { name, params, body } = &s.kind {
                self.stmt_at = (s.line, s.col);
                let index = self.function(name, params, body, false);
                self.line(s.line);
                self.b.emit_load_const(Value::func(index));
                let slot = self.global_slot(name);
                let g = self.globals[self.gkey(name).as_ref()];
                debug_assert_eq!(g.slot, slot);
                self.store(&Resolved::Global(g));
            }
        }
    }

    /// Compiles a function body into its own code object and returns its index (the payload
    /// of its function value). A nested function's own name refers to itself in its body.
    /// In a module, the code object is named `module.name`.
    fn function(&mut self, name: &str, params: &[String], body: &Block, nested: bool) -> u32 {
        self.function_with(name, nested, params, body, &[])
    }

    /// Compiles the body of the function being compiled (its context pushed), ends it with
    /// `return null` unless it ends with a `return`, and closes it.
    fn function_body(&mut self, params: &[String], body: &Block) {
        self.begin_captures(body);
        self.declare_implicit_locals(params, body);
        self.stmts(&body.stmts);
        // (After a `defer`, the last statement is inside a `finally` whose end follows it; in
        // "continue on error" mode, inside its recovery entry.)
        if exceptions::has_defer(&body.stmts)
            || self.recover.is_some()
            || !matches!(
                body.stmts.last(),
                Some(Stmt {
                    kind: StmtKind::Return(_),
                    ..
                })
            )
        {
            self.line(body.end_line);
            self.b.emit_load_const(Value::NULL);
            self.b.emit_return();
        }
        self.ctxs.pop();
        self.b.end_function();
    }
}

/// The column of the first token on `line` of `text` (`None` for an empty line or none).
fn first_token_column(text: &str, line: u32) -> Option<u32> {
    let l = text.split('\n').nth(line.checked_sub(1)? as usize)?;
    let blank = l.chars().take_while(|c| c.is_whitespace()).count() as u32;
    (blank < l.chars().count() as u32).then_some(blank + 1)
}
