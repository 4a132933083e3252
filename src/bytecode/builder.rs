//! `BytecodeBuilder`: emits instructions by name and label, as the guide's Python builder does,
//! and checks the result with the verifier in `build()`. The `emit_*` method of each opcode is
//! generated from the opcode table (`opcodes.rs`).

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use zexus_runtime::value::TAG_STR;
use zexus_runtime::Value;

use super::code::{Bytecode, CodeObject, Handler};
use super::opcodes::{Instr, Op};
use super::verify::VerifyError;
use crate::syntax::SourceFile;

/// Why `build()` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    /// The code object (`"<main>"` or a function name).
    pub code: String,
    /// The instruction at fault, if one is.
    pub ip: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            Some(ip) => write!(f, "in {} at ip {}: {}", self.code, ip, self.message),
            None => write!(f, "in {}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for BuildError {}

impl From<VerifyError> for BuildError {
    fn from(e: VerifyError) -> Self {
        BuildError {
            code: e.code,
            ip: Some(e.ip),
            message: e.message,
        }
    }
}

/// A constant's identity for de-duplication: same type and same bits (so `1`, `1.0` and
/// `true` stay separate constants).
#[derive(Hash, PartialEq, Eq)]
enum ConstKey {
    Word(u64, u64),
    Str(String),
}

/// An instruction position given to the builder: an index, or a label resolved at the end.
enum Pos {
    Ip(u32),
    Label(String),
}

/// An exception-table entry waiting for its labels: (start, end, handler label, depth).
type PendingHandler = (Pos, Pos, String, u32);

/// A code object being written.
struct Open {
    code: CodeObject,
    index: usize,
    labels: HashMap<String, u32>,
    jumps: Vec<(u32, String)>,
    handlers: Vec<PendingHandler>,
    slots: HashMap<String, u32>,
    consts: HashMap<ConstKey, u32>,
}

impl Open {
    fn new(name: &str, index: usize, params: &[&str]) -> Open {
        let mut o = Open {
            code: CodeObject::new(name, params.len() as u32),
            index,
            labels: HashMap::new(),
            jumps: Vec::new(),
            handlers: Vec::new(),
            slots: HashMap::new(),
            consts: HashMap::new(),
        };
        for p in params {
            o.new_slot(p);
        }
        o
    }
    fn new_slot(&mut self, name: &str) -> u32 {
        let slot = self.code.slot_names.len() as u32;
        self.code.slot_names.push(name.to_string());
        self.slots.insert(name.to_string(), slot);
        slot
    }
}

/// Builds a [`Bytecode`] instruction by instruction.
///
/// ```
/// use zexus::{BytecodeBuilder, VM, Value};
/// let mut b = BytecodeBuilder::new();
/// b.emit_load_const(10);
/// b.emit_load_const(20);
/// b.emit_add();
/// b.emit_return();
/// let bytecode = b.build().unwrap();
/// assert_eq!(VM::new().execute(&bytecode).unwrap(), Value::int(30));
/// ```
pub struct BytecodeBuilder {
    done: Vec<Option<CodeObject>>,
    open: Vec<Open>,
    errors: Vec<BuildError>,
    line: u32,
    col: u32,
    source_name: String,
    /// The file of the functions begun from now on (`None`: the program's source).
    file: Option<Arc<SourceFile>>,
    /// Every string constant of the program, made once (see [`BytecodeBuilder::intern`]).
    strings: HashMap<String, Value>,
}

impl Default for BytecodeBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl BytecodeBuilder {
    /// A builder positioned in the program's top level.
    pub fn new() -> BytecodeBuilder {
        BytecodeBuilder {
            done: vec![None],
            open: vec![Open::new("<main>", 0, &[])],
            errors: Vec::new(),
            line: 0,
            col: 0,
            source_name: "<builder>".to_string(),
            file: None,
            strings: HashMap::new(),
        }
    }

    /// The program's one string value for `s`. Every string constant goes through here, so a
    /// field or method name in an instruction is the same value as the name a declared type
    /// holds, and the interpreter finds a field by comparing pointers.
    pub fn intern(&mut self, s: &str) -> Value {
        if let Some(v) = self.strings.get(s) {
            return v.clone();
        }
        let v = Value::str(s);
        self.strings.insert(s.to_string(), v.clone());
        v
    }

    /// The name of the program's source (`<builder>` unless set).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Names the program's source (shown in traces and reports).
    pub fn set_source_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.source_name = name.into();
        self
    }

    /// Sets the file whose positions the functions begun from now on record (`None`, the
    /// default: the program's source); see [`CodeObject::file`]. Returns the previous one.
    pub fn set_file(&mut self, file: Option<Arc<SourceFile>>) -> Option<Arc<SourceFile>> {
        std::mem::replace(&mut self.file, file)
    }

    /// Sets the source line recorded for the instructions emitted from now on, with no
    /// known column (until [`set_column`](Self::set_column)).
    pub fn set_line(&mut self, line: u32) -> &mut Self {
        self.line = line;
        self.col = 0;
        self
    }

    /// Sets the source column (1-based, in characters; 0 for unknown) recorded for the
    /// instructions emitted from now on: the token a runtime error there points at.
    pub fn set_column(&mut self, col: u32) -> &mut Self {
        self.col = col;
        self
    }

    fn cur(&mut self) -> &mut Open {
        self.open
            .last_mut()
            .expect("the program's code object is always open")
    }

    fn cur_name(&self) -> String {
        self.open
            .last()
            .map(|o| o.code.name.clone())
            .unwrap_or_default()
    }

    /// Records a build error, reported by `build()`.
    pub(crate) fn error(&mut self, message: String) -> &mut Self {
        let ip = self.open.last().map(|o| o.code.instrs.len() as u32);
        let code = self.cur_name();
        self.errors.push(BuildError { code, ip, message });
        self
    }

    /// The index the next instruction will get in the current code object.
    pub fn current_ip(&self) -> u32 {
        self.open
            .last()
            .map(|o| o.code.instrs.len() as u32)
            .unwrap_or(0)
    }

    /// Emits any instruction with raw operands (the verifier checks them in `build()`).
    pub fn emit_raw(&mut self, op: Op, a: u32, b: u16) -> &mut Self {
        self.push_op(op, a, b as u32)
    }

    pub(crate) fn push_op(&mut self, op: Op, a: u32, b: u32) -> &mut Self {
        let (line, col) = (self.line, self.col);
        let cur = self.cur();
        cur.code.instrs.push(Instr::new(op, a, b as u16));
        cur.code.lines.push(line);
        cur.code.cols.push(col);
        self
    }

    pub(crate) fn push_call(&mut self, op: Op, a: u32, argc: u32) -> &mut Self {
        if argc > u16::MAX as u32 {
            return self.error(format!("too many arguments ({argc})"));
        }
        self.push_op(op, a, argc)
    }

    pub(crate) fn push_jump(&mut self, op: Op, label: &str, b: u16) -> &mut Self {
        let cur = self.cur();
        let ip = cur.code.instrs.len() as u32;
        cur.jumps.push((ip, label.to_string()));
        self.push_op(op, 0, b as u32)
    }

    /// Defines `label` at the next instruction. Defining a label twice is a build error.
    pub fn emit_label(&mut self, label: &str) -> &mut Self {
        let cur = self.cur();
        let ip = cur.code.instrs.len() as u32;
        if cur.labels.insert(label.to_string(), ip).is_some() {
            return self.error(format!("label '{label}' defined twice"));
        }
        self
    }

    /// Adds an exception-table entry to the current code object: an error raised by an
    /// instruction from label `start` up to (not including) label `end` cuts the operand stack
    /// back to `depth` values, pushes the raised value and continues at label `handler`.
    /// Entries added first are searched first, so add an inner `try` before the one around it.
    ///
    /// ```
    /// use zexus::{BytecodeBuilder, Value, VM};
    /// let mut b = BytecodeBuilder::new();
    /// b.emit_label("try");
    /// b.emit_load_const("boom");
    /// b.emit_throw();
    /// b.emit_label("end");
    /// b.emit_label("catch"); // the thrown value is on the stack
    /// b.emit_return();
    /// b.add_handler("try", "end", "catch", 0);
    /// assert_eq!(VM::new().execute(&b.build().unwrap()).unwrap(), Value::str("boom"));
    /// ```
    pub fn add_handler(&mut self, start: &str, end: &str, handler: &str, depth: u32) -> &mut Self {
        let h = (
            Pos::Label(start.to_string()),
            Pos::Label(end.to_string()),
            handler.to_string(),
            depth,
        );
        self.cur().handlers.push(h);
        self
    }

    /// Adds an exception-table entry over the instructions `start..end` (indexes in the
    /// current code object) to label `handler`; see [`add_handler`](Self::add_handler).
    pub fn add_handler_range(
        &mut self,
        start: u32,
        end: u32,
        handler: &str,
        depth: u32,
    ) -> &mut Self {
        let h = (Pos::Ip(start), Pos::Ip(end), handler.to_string(), depth);
        self.cur().handlers.push(h);
        self
    }

    /// Alias of [`emit_label`](Self::emit_label), as the guide's `mark_label`.
    pub fn mark_label(&mut self, label: &str) -> &mut Self {
        self.emit_label(label)
    }

    /// Adds a constant to the current code object (de-duplicated) and returns its index.
    pub fn add_const(&mut self, v: Value) -> u32 {
        let v = match v.as_str() {
            Some(s) if v.tag() == TAG_STR => self.intern(s),
            _ => v,
        };
        let key = match v.as_str() {
            Some(s) if v.tag() == TAG_STR => Some(ConstKey::Str(s.to_string())),
            _ if !v.is_heap() => Some(ConstKey::Word(v.tag(), v.payload())),
            _ => None,
        };
        let cur = self.cur();
        if let Some(k) = &key {
            if let Some(&i) = cur.consts.get(k) {
                return i;
            }
        }
        let i = cur.code.consts.len() as u32;
        cur.code.consts.push(v);
        if let Some(k) = key {
            cur.consts.insert(k, i);
        }
        i
    }

    /// The slot of variable `name` in the current code object, created on first use.
    /// In the program's top level these are the globals.
    pub fn local_slot(&mut self, name: &str) -> u32 {
        let cur = self.cur();
        match cur.slots.get(name) {
            Some(&s) => s,
            None => cur.new_slot(name),
        }
    }

    /// A fresh slot named `name` in the current code object, even if the name has one already
    /// (for a variable that shadows another in an inner block).
    pub fn new_slot(&mut self, name: &str) -> u32 {
        self.cur().new_slot(name)
    }

    /// The global slot of `name`, created on first use.
    pub fn global_slot(&mut self, name: &str) -> u32 {
        let main = &mut self.open[0];
        match main.slots.get(name) {
            Some(&s) => s,
            None => main.new_slot(name),
        }
    }

    /// Adds a slot named `name` to the program's frame without making it a global (no later
    /// `global_slot(name)` returns it): a session's way to keep the positions of an earlier
    /// program's block slots (see `crate::session`).
    pub fn reserve_main_slot(&mut self, name: &str) -> u32 {
        let main = &mut self.open[0];
        let slot = main.code.slot_names.len() as u32;
        main.code.slot_names.push(name.to_string());
        slot
    }

    /// Adds a finished code object (a function of an earlier program) as the next function,
    /// unchanged, and returns its index. A session adopts the functions of earlier inputs at
    /// the same indices before compiling the next one, so function values kept from earlier
    /// runs stay valid (see `crate::session`); `build()` verifies it with the rest.
    pub fn adopt_function(&mut self, code: CodeObject) -> u32 {
        let index = self.done.len();
        self.done.push(Some(code));
        index as u32
    }

    /// True while emitting into the program's top level (not a function).
    pub fn in_main(&self) -> bool {
        self.open.len() == 1
    }

    /// Starts a function; instructions go into it until [`end_function`](Self::end_function).
    /// Returns the function's index (the payload of its function value, see `Value::func`).
    pub fn begin_function(&mut self, name: &str, params: &[&str]) -> u32 {
        let index = self.done.len();
        self.done.push(None);
        let mut open = Open::new(name, index, params);
        open.code.file = self.file.clone();
        self.open.push(open);
        index as u32
    }

    /// Finishes the innermost function.
    pub fn end_function(&mut self) -> &mut Self {
        if self.open.len() <= 1 {
            return self.error("end_function without begin_function".to_string());
        }
        let open = self.open.pop().expect("checked above");
        self.finish(open);
        self
    }

    /// Starts a function, emits its body with `body`, finishes it, and stores it in the
    /// global `name`. Returns the function's index.
    pub fn function(&mut self, name: &str, params: &[&str], body: impl FnOnce(&mut Self)) -> u32 {
        let index = self.begin_function(name, params);
        body(self);
        self.end_function();
        self.emit_load_const(Value::func(index));
        if self.in_main() {
            self.emit_store_name(name);
        } else {
            self.emit_store_global(name);
        }
        index
    }

    fn finish(&mut self, mut open: Open) {
        for (ip, label) in std::mem::take(&mut open.jumps) {
            match open.labels.get(&label) {
                Some(&t) => open.code.instrs[ip as usize].a = t,
                None => self.errors.push(BuildError {
                    code: open.code.name.clone(),
                    ip: Some(ip),
                    message: format!("undefined label '{label}'"),
                }),
            }
        }
        for (start, end, handler, depth) in std::mem::take(&mut open.handlers) {
            let mut resolve = |p: &Pos| match p {
                Pos::Ip(ip) => Some(*ip),
                Pos::Label(l) => {
                    let found = open.labels.get(l).copied();
                    if found.is_none() {
                        self.errors.push(BuildError {
                            code: open.code.name.clone(),
                            ip: None,
                            message: format!("undefined label '{l}' in the exception table"),
                        });
                    }
                    found
                }
            };
            let (start, end) = (resolve(&start), resolve(&end));
            let target = resolve(&Pos::Label(handler));
            if let (Some(start), Some(end), Some(target)) = (start, end, target) {
                open.code.handlers.push(Handler {
                    start,
                    end,
                    target,
                    depth,
                });
            }
        }
        let index = open.index;
        self.done[index] = Some(open.code);
    }

    /// Resolves labels, verifies every code object and returns the program.
    pub fn build(mut self) -> Result<Bytecode, BuildError> {
        while self.open.len() > 1 {
            let name = self.cur_name();
            self.errors.push(BuildError {
                code: name,
                ip: None,
                message: "function was not finished with end_function".to_string(),
            });
            let open = self.open.pop().expect("len checked");
            self.finish(open);
        }
        let main = self.open.pop().expect("main is open");
        self.finish(main);
        if let Some(e) = self.errors.into_iter().next() {
            return Err(e);
        }
        let code = self
            .done
            .into_iter()
            .map(|c| c.expect("every code object finished"))
            .collect();
        Bytecode::new(code, self.source_name)
    }
}
