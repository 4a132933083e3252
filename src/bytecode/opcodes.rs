//! The one opcode table. Every other view of the instruction set (the `Op` enum, names,
//! operand kinds, stack effects, profiler classes, the disassembler and the builder's
//! `emit_*` methods) is generated from the `opcodes!` invocation below, so they cannot drift.
//!
//! Stack notation: the top of the stack is on the right; `a` is the instruction's 32-bit
//! operand and `b` its 16-bit second operand.

/// How an instruction's operands are interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    /// No operand.
    None,
    /// `a` indexes the code object's constants.
    Const,
    /// `a` is a slot of the code object's own frame (for the program: a global).
    Local,
    /// `a` is a global slot (the program's frame), used from inside functions.
    Global,
    /// `a` is an absolute instruction index in the same code object.
    Target,
    /// `a` is an element count.
    Count,
    /// `a` is a global slot holding the callee, `b` the argument count.
    CallName,
    /// `b` is the argument count.
    CallValue,
    /// `a` is a builtin id, `b` the argument count.
    CallBuiltin,
    /// `a` is a constant holding the method name, `b` the argument count.
    CallMethod,
    /// `a` is the exit target, `b` the number of loop variables (1 or 2).
    ForIter,
    /// `a` is a constant holding an event's name, `b` the number of values it carries.
    Event,
    /// `a` is a function index, `b` the number of cells the closure captures.
    Closure,
}

/// What the profiler counts an instruction as (DESIGN.md's classification).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpClass {
    /// Plain computation.
    Compute,
    /// Reads a variable or a container element.
    MemRead,
    /// Writes a variable or a container element.
    MemWrite,
    /// A conditional branch (taken / not-taken is recorded).
    CondBranch,
    /// An unconditional jump.
    Jump,
    /// A call.
    Call,
    /// A return.
    Return,
}

macro_rules! opcodes {
    ($( $name:ident = $text:literal, $emit:ident, $kind:ident, $class:ident,
        pop($pa:ident, $pb:ident) $pop:expr, push $push:expr, $doc:literal; )*) => {
        /// A bytecode operation. See the table in `opcodes.rs` for each one's meaning.
        #[repr(u8)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        pub enum Op {
            $( #[doc = $doc] $name, )*
        }

        /// Opcode numbers as `u8` constants, for matching on raw instruction bytes.
        pub mod codes {
            use super::Op;
            $( #[allow(missing_docs)] pub const $name: u8 = Op::$name as u8; )*
        }

        /// Every opcode, in table order.
        pub const ALL_OPS: &[Op] = &[$(Op::$name),*];

        impl Op {
            /// The opcode's name as reports and the disassembler print it (`"LOAD_CONST"`).
            pub const fn name(self) -> &'static str {
                match self { $(Op::$name => $text,)* }
            }
            /// How the operands are read.
            pub const fn operand_kind(self) -> OperandKind {
                match self { $(Op::$name => OperandKind::$kind,)* }
            }
            /// The profiler's classification.
            pub const fn class(self) -> OpClass {
                match self { $(Op::$name => OpClass::$class,)* }
            }
            /// One line of meaning, in stack notation.
            pub const fn doc(self) -> &'static str {
                match self { $(Op::$name => $doc,)* }
            }
            /// Values popped and pushed on the path that falls through (for `FOR_ITER`,
            /// the path that continues the loop).
            #[allow(unused_variables)]
            pub fn stack_effect(self, a: u32, b: u16) -> (u32, u32) {
                let (a, b) = (a, b as u32);
                match self {
                    $(Op::$name => { let ($pa, $pb) = (a, b); ($pop, $push) })*
                }
            }
            /// Looks an opcode up by its name.
            pub fn from_name(name: &str) -> Option<Op> {
                match name { $($text => Some(Op::$name),)* _ => None }
            }
            /// The opcode with this number, if any.
            pub fn from_u8(n: u8) -> Option<Op> {
                ALL_OPS.get(n as usize).copied()
            }
        }

        impl crate::bytecode::builder::BytecodeBuilder {
            $( emitter!($kind, $emit, $name); )*
        }
    };
}

/// Generates one `emit_*` method whose signature follows the operand kind.
macro_rules! emitter {
    (None, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "`.")]
        pub fn $emit(&mut self) -> &mut Self { self.push_op(Op::$name, 0, 0) }
    };
    (Const, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` of a constant (any value convertible into a Zexus value).")]
        pub fn $emit(&mut self, value: impl Into<zexus_runtime::Value>) -> &mut Self {
            let k = self.add_const(value.into());
            self.push_op(Op::$name, k, 0)
        }
    };
    (Local, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` of a variable of the current code object (for the program, a global).")]
        pub fn $emit(&mut self, name: &str) -> &mut Self {
            let slot = self.local_slot(name);
            self.push_op(Op::$name, slot, 0)
        }
    };
    (Global, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` of a global variable.")]
        pub fn $emit(&mut self, name: &str) -> &mut Self {
            let slot = self.global_slot(name);
            self.push_op(Op::$name, slot, 0)
        }
    };
    (Target, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` to a label defined (before or after) with `emit_label`.")]
        pub fn $emit(&mut self, label: &str) -> &mut Self { self.push_jump(Op::$name, label, 0) }
    };
    (Count, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` over `n` values.")]
        pub fn $emit(&mut self, n: u32) -> &mut Self { self.push_op(Op::$name, n, 0) }
    };
    (CallName, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "`: calls the function in global `name`.")]
        pub fn $emit(&mut self, name: &str, argc: u32) -> &mut Self {
            let slot = self.global_slot(name);
            self.push_call(Op::$name, slot, argc)
        }
    };
    (CallValue, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "`: calls the function below the arguments.")]
        pub fn $emit(&mut self, argc: u32) -> &mut Self { self.push_call(Op::$name, 0, argc) }
    };
    (CallBuiltin, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` of the builtin `name` (an unknown name is a build error).")]
        pub fn $emit(&mut self, name: &str, argc: u32) -> &mut Self {
            match builtin_id(name) {
                Some(id) => self.push_call(Op::$name, id, argc),
                None => self.error(format!("unknown builtin '{name}'")),
            }
        }
    };
    (CallMethod, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "`: calls method `name` on the object below the arguments.")]
        pub fn $emit(&mut self, name: &str, argc: u32) -> &mut Self {
            let k = self.add_const(zexus_runtime::Value::str(name));
            self.push_call(Op::$name, k, argc)
        }
    };
    (Event, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "`: records the event `name` with the `argc` values on top of the stack.")]
        pub fn $emit(&mut self, name: &str, argc: u32) -> &mut Self {
            let k = self.add_const(zexus_runtime::Value::str(name));
            self.push_call(Op::$name, k, argc)
        }
    };
    (Closure, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "`: a closure of function `func` over the `cells` cells on top of the stack.")]
        pub fn $emit(&mut self, func: u32, cells: u32) -> &mut Self { self.push_call(Op::$name, func, cells) }
    };
    (ForIter, $emit:ident, $name:ident) => {
        #[doc = concat!("Emits `", stringify!($name), "` pushing `vars` (1 or 2) values per step, leaving to `label` at the end.")]
        pub fn $emit(&mut self, label: &str, vars: u16) -> &mut Self { self.push_jump(Op::$name, label, vars) }
    };
}

opcodes! {
    NOP = "NOP", emit_nop, None, Compute, pop(a, b) 0, push 0, "->  (nothing)";
    LOAD_CONST = "LOAD_CONST", emit_load_const, Const, Compute, pop(a, b) 0, push 1, "-> consts[a]";
    LOAD_NAME = "LOAD_NAME", emit_load_name, Local, MemRead, pop(a, b) 0, push 1, "-> slot[a]  (error if unassigned)";
    STORE_NAME = "STORE_NAME", emit_store_name, Local, MemWrite, pop(a, b) 1, push 0, "v ->  ; slot[a] := v";
    LOAD_GLOBAL = "LOAD_GLOBAL", emit_load_global, Global, MemRead, pop(a, b) 0, push 1, "-> global[a]";
    STORE_GLOBAL = "STORE_GLOBAL", emit_store_global, Global, MemWrite, pop(a, b) 1, push 0, "v ->  ; global[a] := v";
    POP = "POP", emit_pop, None, Compute, pop(a, b) 1, push 0, "v ->";
    DUP = "DUP", emit_dup, None, Compute, pop(a, b) 1, push 2, "v -> v v";
    DUP2 = "DUP2", emit_dup2, None, Compute, pop(a, b) 2, push 4, "x y -> x y x y";
    ADD = "ADD", emit_add, None, Compute, pop(a, b) 2, push 1, "x y -> x+y  (checked ints, floats, string concat)";
    SUB = "SUB", emit_sub, None, Compute, pop(a, b) 2, push 1, "x y -> x-y";
    MUL = "MUL", emit_mul, None, Compute, pop(a, b) 2, push 1, "x y -> x*y";
    DIV = "DIV", emit_div, None, Compute, pop(a, b) 2, push 1, "x y -> x/y  (exact int quotient stays int)";
    MOD = "MOD", emit_mod, None, Compute, pop(a, b) 2, push 1, "x y -> x%y  (floor modulo)";
    POW = "POW", emit_pow, None, Compute, pop(a, b) 2, push 1, "x y -> x**y";
    NEG = "NEG", emit_neg, None, Compute, pop(a, b) 1, push 1, "x -> -x";
    EQ = "EQ", emit_eq, None, Compute, pop(a, b) 2, push 1, "x y -> x==y";
    NEQ = "NEQ", emit_neq, None, Compute, pop(a, b) 2, push 1, "x y -> x!=y";
    LT = "LT", emit_lt, None, Compute, pop(a, b) 2, push 1, "x y -> x<y";
    GT = "GT", emit_gt, None, Compute, pop(a, b) 2, push 1, "x y -> x>y";
    LTE = "LTE", emit_lte, None, Compute, pop(a, b) 2, push 1, "x y -> x<=y";
    GTE = "GTE", emit_gte, None, Compute, pop(a, b) 2, push 1, "x y -> x>=y";
    AND = "AND", emit_and, None, Compute, pop(a, b) 2, push 1, "x y -> truthy(x) && truthy(y)  (eager, bool)";
    OR = "OR", emit_or, None, Compute, pop(a, b) 2, push 1, "x y -> truthy(x) || truthy(y)  (eager, bool)";
    NOT = "NOT", emit_not, None, Compute, pop(a, b) 1, push 1, "x -> !truthy(x)";
    JUMP = "JUMP", emit_jump, Target, Jump, pop(a, b) 0, push 0, "ip := a";
    JUMP_IF_FALSE = "JUMP_IF_FALSE", emit_jump_if_false, Target, CondBranch, pop(a, b) 1, push 0, "c ->  ; if !truthy(c) ip := a";
    JUMP_IF_TRUE = "JUMP_IF_TRUE", emit_jump_if_true, Target, CondBranch, pop(a, b) 1, push 0, "c ->  ; if truthy(c) ip := a";
    JUMP_IF_FALSE_OR_POP = "JUMP_IF_FALSE_OR_POP", emit_jump_if_false_or_pop, Target, CondBranch, pop(a, b) 1, push 0, "c -> c and ip := a if !truthy(c), else c ->  (short-circuit &&)";
    JUMP_IF_TRUE_OR_POP = "JUMP_IF_TRUE_OR_POP", emit_jump_if_true_or_pop, Target, CondBranch, pop(a, b) 1, push 0, "c -> c and ip := a if truthy(c), else c ->  (short-circuit ||)";
    RETURN = "RETURN", emit_return, None, Return, pop(a, b) 1, push 0, "v ->  ; return v to the caller";
    CALL_NAME = "CALL_NAME", emit_call_name, CallName, Call, pop(a, b) b, push 1, "a1..ab -> global[a](a1..ab)";
    CALL_VALUE = "CALL_VALUE", emit_call_value, CallValue, Call, pop(a, b) b + 1, push 1, "f a1..ab -> f(a1..ab)";
    CALL_BUILTIN = "CALL_BUILTIN", emit_call_builtin, CallBuiltin, Call, pop(a, b) b, push 1, "a1..ab -> builtin[a](a1..ab)";
    CALL_METHOD = "CALL_METHOD", emit_call_method, CallMethod, Call, pop(a, b) b + 1, push 1, "o a1..ab -> o.consts[a](a1..ab)";
    BUILD_LIST = "BUILD_LIST", emit_build_list, Count, Compute, pop(a, b) a, push 1, "e1..ea -> [e1..ea]";
    BUILD_MAP = "BUILD_MAP", emit_build_map, Count, Compute, pop(a, b) 2 * a, push 1, "k1 v1..ka va -> {k1: v1..}";
    INDEX = "INDEX", emit_index, None, MemRead, pop(a, b) 2, push 1, "o k -> o[k]";
    STORE_INDEX = "STORE_INDEX", emit_store_index, None, MemWrite, pop(a, b) 3, push 0, "o k v ->  ; o[k] := v";
    GET_ITER = "GET_ITER", emit_get_iter, None, Compute, pop(a, b) 1, push 1, "xs -> iter(xs)  (list, map, string, range)";
    FOR_ITER = "FOR_ITER", emit_for_iter, ForIter, CondBranch, pop(a, b) 0, push b, "it -> it [i] x, or at the end it ->  and ip := a";
    PRINT = "PRINT", emit_print, Count, Compute, pop(a, b) a, push 0, "v1..va ->  ; print them separated by spaces";
    NEW_OBJECT = "NEW_OBJECT", emit_new_object, Const, Compute, pop(a, b) 0, push 1, "-> a new object of the declared type consts[a], its declared fields null";
    GET_ATTR = "GET_ATTR", emit_get_attr, Const, MemRead, pop(a, b) 1, push 1, "o -> o.consts[a]  (a map's entry consts[a], or null)";
    SET_ATTR = "SET_ATTR", emit_set_attr, Const, MemWrite, pop(a, b) 2, push 0, "o v ->  ; o.consts[a] := v";
    JUMP_IF_NOT_NULL_OR_POP = "JUMP_IF_NOT_NULL_OR_POP", emit_jump_if_not_null_or_pop, Target, CondBranch, pop(a, b) 1, push 0, "c -> c and ip := a if c is not null, else c ->  (short-circuit ??)";
    THROW = "THROW", emit_throw, None, Compute, pop(a, b) 1, push 0, "v ->  ; raise v (to the exception table's handler, else out of the frame)";
    RERAISE = "RERAISE", emit_reraise, Local, Compute, pop(a, b) 0, push 0, "->  ; raise again, as it was, the error whose value the handler stored in slot[a] (a finally block's way out)";
    LOAD_CELL = "LOAD_CELL", emit_load_cell, Local, MemRead, pop(a, b) 0, push 1, "-> cell(slot[a])  (a captured variable; error if unassigned)";
    STORE_CELL = "STORE_CELL", emit_store_cell, Local, MemWrite, pop(a, b) 1, push 0, "v ->  ; cell(slot[a]) := v  (a new cell if slot[a] holds none)";
    MAKE_CELL = "MAKE_CELL", emit_make_cell, Local, Compute, pop(a, b) 0, push 0, "->  ; slot[a] := a new cell holding slot[a]  (a captured parameter)";
    CELL_REF = "CELL_REF", emit_cell_ref, Local, MemRead, pop(a, b) 0, push 1, "-> the cell in slot[a]  (made, unassigned, if there is none yet)";
    MAKE_CLOSURE = "MAKE_CLOSURE", emit_make_closure, Closure, Compute, pop(a, b) b, push 1, "c1..cb -> closure of function a over cells c1..cb";
    EMIT_EVENT = "EMIT_EVENT", emit_emit_event, Event, Compute, pop(a, b) b, push 0, "a1..ab ->  ; record the event named consts[a] with a1..ab";
    BAND = "BAND", emit_band, None, Compute, pop(a, b) 2, push 1, "x y -> x&y  (ints)";
    BOR = "BOR", emit_bor, None, Compute, pop(a, b) 2, push 1, "x y -> x|y  (ints)";
    BXOR = "BXOR", emit_bxor, None, Compute, pop(a, b) 2, push 1, "x y -> x^y  (ints)";
    SHL = "SHL", emit_shl, None, Compute, pop(a, b) 2, push 1, "x y -> x<<y  (ints; checked)";
    SHR = "SHR", emit_shr, None, Compute, pop(a, b) 2, push 1, "x y -> x>>y  (ints; arithmetic)";
    BNOT = "BNOT", emit_bnot, None, Compute, pop(a, b) 1, push 1, "x -> ~x  (ints)";
}

/// Number of opcodes in the table.
pub const N_OPS: usize = ALL_OPS.len();

/// The builtin functions; a builtin's id (`CALL_BUILTIN`'s `a`) is its position here.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `len(x)`: length of a string, list or map.
    Len,
    /// `length(x)`: same as `len`.
    Length,
    /// `str(x)`: the display form.
    Str,
    /// `string(x)`: same as `str`.
    String,
    /// `int(x)`: to an integer.
    Int,
    /// `float(x)`: to a float.
    Float,
    /// `type(x)`: the type's name.
    Type,
    /// `abs(x)`.
    Abs,
    /// `min(a, b, ...)` or `min(list)`.
    Min,
    /// `max(a, b, ...)` or `max(list)`.
    Max,
    /// `range(n)` / `range(a, b)`: a lazy range.
    Range,
    /// `append(list, v)`: adds `v` to the list.
    Append,
    /// `keys(map)`: the keys, in insertion order.
    Keys,
    /// `clock()`: seconds, as a float.
    Clock,
    /// `time()`: milliseconds since the Unix epoch, an int.
    Time,
    /// `timestamp()`: seconds since the Unix epoch, an int.
    Timestamp,
    /// `sleep(seconds)`: pauses the program.
    Sleep,
    /// `random()`, `random(n)`: a random float in [0, 1), or int in [0, n).
    Random,
    /// `sqrt(x)`: the square root, a float.
    Sqrt,
    /// `floor(x)`: the largest int not above `x`.
    Floor,
    /// `ceil(x)`: the smallest int not below `x`.
    Ceil,
    /// `round(x)` / `round(x, digits)`: halves to even.
    Round,
    /// `pow(a, b)`: `a ** b`.
    Pow,
    /// `sum(list)` / `sum(list, start)`: the numbers added.
    Sum,
    /// `typeof(x)`: the original's type names (`integer`, `boolean`, ...).
    Typeof,
    /// `first(list)`: the first item, or null.
    First,
    /// `rest(list)`: a new list of all items but the first.
    Rest,
    /// `push(list, v)`: a new list with `v` added.
    Push,
    /// `extend(list, other)`: adds `other`'s items to `list`, returns `list`.
    Extend,
    /// `sort(list)`, `sort(list, desc)`, `sort(list, field, desc)`, `sort(list, cmp)`: a sorted copy.
    Sort,
    /// `sorted(list)` / `sorted(list, cmp)`: a sorted copy.
    Sorted,
    /// `slice(x, start)` / `slice(x, start, end)`: part of a list or string.
    Slice,
    /// `map(list, f)`: a new list of `f(item)`.
    Map,
    /// `filter(list, f)`: the items for which `f(item)` is truthy.
    Filter,
    /// `reduce(list, f)` / `reduce(list, f, init)`: folds the list with `f(acc, item)`.
    Reduce,
    /// `values(map)`: the values, in insertion order.
    Values,
    /// `entries(map)`: `[key, value]` pairs, in insertion order.
    Entries,
    /// `size(x)`: length of a map, list or string.
    Size,
    /// `uppercase(s)`: `s` in upper case.
    Uppercase,
    /// `lowercase(s)`: `s` in lower case.
    Lowercase,
    /// `upper(s)`: `s.upper()`.
    Upper,
    /// `lower(s)`: `s.lower()`.
    Lower,
    /// `split(s, sep)`: the parts of `s` between the separators.
    Split,
    /// `trim(s)`: `s.trim()`.
    Trim,
    /// `replace(s, from, to)`: `s.replace(from, to)`.
    Replace,
    /// `substring(s, start, end)`: `s.substring(start, end)`.
    Substring,
    /// `contains(x, v)`: `x.contains(v)` (for a map, has key `v`).
    Contains,
    /// `includes(x, v)`: same as `contains`.
    Includes,
    /// `starts_with(s, prefix)`.
    StartsWith,
    /// `ends_with(s, suffix)`.
    EndsWith,
    /// `find(x, v)`: `x.index_of(v)`.
    Find,
    /// `index_of(x, v)`: the position of `v` in a list or string, or -1.
    IndexOf,
    /// `join(list, sep)`: the items' display forms joined by `sep`.
    Join,
    /// `reverse(x)`: a reversed copy of a list or string.
    Reverse,
    /// `ord(c)`: the code point of a one-character string.
    Ord,
    /// `chr(n)`: the one-character string of code point `n`.
    Chr,
    /// `to_string(x)`: same as `str`.
    ToString,
    /// `toString(x)`: same as `str`.
    ToStringCamel,
    /// `has_key(map, k)`: whether the map has key `k`.
    HasKey,
    /// `has(map, k)`: same as `has_key`.
    Has,
    /// `is_main()`: true (a program run by `zx` is the main module).
    IsMain,
    /// `__ARGS__`: the program's command-line arguments (a name the compiler reads with it).
    ScriptArgs,
    /// `__ARGV__`: same as `__ARGS__`.
    ScriptArgv,
    /// `item in container` (the operator; its name cannot be written as a call): whether a
    /// list holds the item, a map has it as a key, or a string contains it.
    In,
    /// `set_owner(contract, address)`: records the contract's owner (who also gets the role `owner`).
    SetOwner,
    /// `get_owner(contract)`: the owner, or `null`.
    GetOwner,
    /// `is_owner(contract, address)`.
    IsOwner,
    /// `grant_role(contract, address, role)`.
    GrantRole,
    /// `revoke_role(contract, address, role)`.
    RevokeRole,
    /// `has_role(contract, address, role)`.
    HasRole,
    /// `get_roles(contract, address)`: the address's roles, in the order first granted.
    GetRoles,
    /// `grant_permission(contract, address, permission)`.
    GrantPermission,
    /// `revoke_permission(contract, address, permission)`.
    RevokePermission,
    /// `has_permission(contract, address, permission)`.
    HasPermission,
    /// `sanitize(value, context)`: the value's display form escaped for `context` (`html`,
    /// `url`, `sql`, `javascript`, `csv` or `none`); also written `sanitize value, context`.
    Sanitize,
}

/// Every builtin, by id.
pub const ALL_BUILTINS: &[Builtin] = &[
    Builtin::Len,
    Builtin::Length,
    Builtin::Str,
    Builtin::String,
    Builtin::Int,
    Builtin::Float,
    Builtin::Type,
    Builtin::Abs,
    Builtin::Min,
    Builtin::Max,
    Builtin::Range,
    Builtin::Append,
    Builtin::Keys,
    Builtin::Clock,
    Builtin::Time,
    Builtin::Timestamp,
    Builtin::Sleep,
    Builtin::Random,
    Builtin::Sqrt,
    Builtin::Floor,
    Builtin::Ceil,
    Builtin::Round,
    Builtin::Pow,
    Builtin::Sum,
    Builtin::Typeof,
    Builtin::First,
    Builtin::Rest,
    Builtin::Push,
    Builtin::Extend,
    Builtin::Sort,
    Builtin::Sorted,
    Builtin::Slice,
    Builtin::Map,
    Builtin::Filter,
    Builtin::Reduce,
    Builtin::Values,
    Builtin::Entries,
    Builtin::Size,
    Builtin::Uppercase,
    Builtin::Lowercase,
    Builtin::Upper,
    Builtin::Lower,
    Builtin::Split,
    Builtin::Trim,
    Builtin::Replace,
    Builtin::Substring,
    Builtin::Contains,
    Builtin::Includes,
    Builtin::StartsWith,
    Builtin::EndsWith,
    Builtin::Find,
    Builtin::IndexOf,
    Builtin::Join,
    Builtin::Reverse,
    Builtin::Ord,
    Builtin::Chr,
    Builtin::ToString,
    Builtin::ToStringCamel,
    Builtin::HasKey,
    Builtin::Has,
    Builtin::IsMain,
    Builtin::ScriptArgs,
    Builtin::ScriptArgv,
    Builtin::In,
    Builtin::SetOwner,
    Builtin::GetOwner,
    Builtin::IsOwner,
    Builtin::GrantRole,
    Builtin::RevokeRole,
    Builtin::HasRole,
    Builtin::GetRoles,
    Builtin::GrantPermission,
    Builtin::RevokePermission,
    Builtin::HasPermission,
    Builtin::Sanitize,
];

/// Names of the builtin functions, by builtin id.
pub const BUILTINS: &[&str] = &[
    "len",
    "length",
    "str",
    "string",
    "int",
    "float",
    "type",
    "abs",
    "min",
    "max",
    "range",
    "append",
    "keys",
    "clock",
    "time",
    "timestamp",
    "sleep",
    "random",
    "sqrt",
    "floor",
    "ceil",
    "round",
    "pow",
    "sum",
    "typeof",
    "first",
    "rest",
    "push",
    "extend",
    "sort",
    "sorted",
    "slice",
    "map",
    "filter",
    "reduce",
    "values",
    "entries",
    "size",
    "uppercase",
    "lowercase",
    "upper",
    "lower",
    "split",
    "trim",
    "replace",
    "substring",
    "contains",
    "includes",
    "starts_with",
    "ends_with",
    "find",
    "index_of",
    "join",
    "reverse",
    "ord",
    "chr",
    "to_string",
    "toString",
    "has_key",
    "has",
    "is_main",
    "__ARGS__",
    "__ARGV__",
    "in",
    "set_owner",
    "get_owner",
    "is_owner",
    "grant_role",
    "revoke_role",
    "has_role",
    "get_roles",
    "grant_permission",
    "revoke_permission",
    "has_permission",
    "sanitize",
];

impl Builtin {
    /// The builtin with this id.
    pub fn from_id(id: u32) -> Option<Builtin> {
        ALL_BUILTINS.get(id as usize).copied()
    }
    /// Its name.
    pub fn name(self) -> &'static str {
        BUILTINS[self as usize]
    }
    /// True for the builtins that may call a user function (`map`, `filter`, `reduce`, `sort`,
    /// `sorted`): the JIT leaves them to the interpreter, which runs the callee.
    pub fn calls_back(self) -> bool {
        matches!(
            self,
            Builtin::Map | Builtin::Filter | Builtin::Reduce | Builtin::Sort | Builtin::Sorted
        )
    }
}

/// The builtin id of `name`, if it names a builtin function.
pub fn builtin_id(name: &str) -> Option<u32> {
    BUILTINS.iter().position(|b| *b == name).map(|i| i as u32)
}

/// One encoded instruction: an opcode, a 16-bit operand and a 32-bit operand (8 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instr {
    /// The operation.
    pub op: Op,
    /// Second operand (argument or loop-variable count), 0 when unused.
    pub b: u16,
    /// Main operand (constant, slot, target, count or id), 0 when unused.
    pub a: u32,
}

impl Instr {
    /// An instruction.
    pub const fn new(op: Op, a: u32, b: u16) -> Instr {
        Instr { op, b, a }
    }

    /// Where a jump, branch or `FOR_ITER` goes when taken (its `a`); `None` for the rest.
    pub fn jump_target(&self) -> Option<usize> {
        matches!(
            self.op.operand_kind(),
            OperandKind::Target | OperandKind::ForIter
        )
        .then_some(self.a as usize)
    }
}
