//! The abstract syntax tree produced by the parser.
//!
//! Every statement and expression carries the 1-based source line it starts at (for operators:
//! the line of the operator token), so the compiler can attach lines to the bytecode it emits.
//!
//! Size guarantees (enforced by the parser, so recursive walks and drops cannot overflow the
//! stack): blocks nest at most `MAX_NESTING / NESTING_COST_BLOCK` (160) deep, expressions
//! within the remaining [`MAX_NESTING`] budget, and any expression tree is at most
//! [`MAX_EXPR_HEIGHT`] nodes high.

/// Maximum nesting, in units: each enclosing block costs [`NESTING_COST_BLOCK`], and each level
/// of expression recursion costs 1 (a bracket, parenthesis, call, prefix operator, `**` or `?:`
/// operand, or the right operand of a binary operator). So 160 nested blocks, 320 nested
/// `(`, `[` or `f(`, or 160 levels of `1 + (1 + (...))` are accepted.
pub const MAX_NESTING: u32 = 320;

/// Nesting units charged for one enclosing block (see [`MAX_NESTING`]).
pub const NESTING_COST_BLOCK: u32 = 2;

/// Maximum height of one expression tree (e.g. the length of an `a + b + c + ...` chain).
pub const MAX_EXPR_HEIGHT: u32 = 1000;

/// A whole source file.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Top-level statements in order.
    pub stmts: Vec<Stmt>,
}

/// A `{ ... }` block of statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The statements of the block.
    pub stmts: Vec<Stmt>,
    /// Line of the opening `{`.
    pub line: u32,
    /// Line of the closing `}`.
    pub end_line: u32,
}

/// A statement with its source line.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    /// Line of the statement's first token.
    pub line: u32,
    /// Column of the statement's first token (1-based, in characters; 0 when unknown).
    pub col: u32,
    /// What the statement is.
    pub kind: StmtKind,
}

/// The different statements.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `let name = value` or `const name = value` (`let name` alone gives `null`).
    Let {
        /// The declared name.
        name: String,
        /// The initial value.
        value: Expr,
        /// True for `const`.
        is_const: bool,
    },
    /// `target = value` or a compound assignment `target op= value`.
    Assign {
        /// What is assigned.
        target: AssignTarget,
        /// `Some(op)` for `+= -= *= /= %= **=`, `None` for plain `=`.
        op: Option<BinOp>,
        /// The right-hand side.
        value: Expr,
    },
    /// `if c {} elif c {} else if c {} else {}`.
    If {
        /// Each condition with its block, in order (`if` first, then each `elif`/`else if`).
        branches: Vec<(Expr, Block)>,
        /// The final `else` block, if any.
        else_block: Option<Block>,
    },
    /// `while cond {}`.
    While {
        /// The loop condition.
        cond: Expr,
        /// The loop body.
        body: Block,
    },
    /// `for each var in iterable {}` or `for each index_var, var in iterable {}`.
    ForEach {
        /// The first of two loop variables (index for lists, key for maps).
        index_var: Option<String>,
        /// The value variable.
        var: String,
        /// What is iterated.
        iterable: Expr,
        /// The loop body.
        body: Block,
    },
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `action name(params) {}` or `function name(params) {}`.
    FuncDef {
        /// The function name.
        name: String,
        /// Parameter names (all distinct).
        params: Vec<String>,
        /// The function body.
        body: Block,
    },
    /// `return` or `return value`.
    Return(Option<Expr>),
    /// `print(a, b, ...)` or `print a`: prints the values separated by a space on one line.
    Print(Vec<Expr>),
    /// An expression evaluated for its effect (the last one is the program's value).
    Expr(Expr),
    /// A nested `{ ... }` block.
    Block(Block),
    /// `try { } catch (e) { } finally { }`: at least one of the catch and finally clauses.
    /// `require`, `revert` and `verify` are parsed into an `if` around a [`StmtKind::Throw`].
    Try {
        /// The protected block.
        body: Block,
        /// `catch (e) { }`, `catch e { }` or `catch { }`: the variable, if named, and the block.
        catch: Option<(Option<String>, Block)>,
        /// `finally { }`: runs however the try and catch blocks are left.
        finally: Option<Block>,
    },
    /// `throw e`: raises the value `e`.
    Throw(Expr),
    /// `emit Name(args)`, `emit Name {k: v}` or `emit Name`: records an event.
    Emit {
        /// The event's name.
        name: String,
        /// The values it carries.
        args: Vec<Expr>,
    },
    /// `defer { }`: the block runs when the enclosing block is left, however it is left
    /// (several run last-registered first).
    Defer(Block),
    /// `continue` at the program's top level, outside any loop: from here on a runtime error
    /// that nothing catches abandons only the statement it happened in (in functions, always).
    ContinueOnError,
    /// `use "path"`, `use "path" as name` or `use { a, b } from "path"`: runs the module's top
    /// level (once per program) and binds names from it.
    Use {
        /// The module as written: a file path (relative to the importing file) or a package
        /// name.
        path: String,
        /// What the statement binds.
        binding: UseBinding,
    },
    /// `export a, b` (also `export { a, b }`); `export action f ...` and `export let x = ...`
    /// are parsed as the declaration followed by this statement.
    Export(Vec<String>),
    /// `module Name { ... }`: runs the body as a module of its own and binds `Name` to its
    /// namespace.
    Module {
        /// The module's name.
        name: String,
        /// Its top level.
        body: Block,
    },
    /// `contract Name { ... }`, `entity Name { ... }` or `data Name { ... }`.
    Class(Box<ClassDecl>),
    /// `seal name`: from this statement on (in the program's text), assigning the variable
    /// raises `Cannot assign to sealed object: name`.
    Seal(String),
}

pub use zexus_runtime::ClassKind;

/// A declared type: `contract`, `entity` or `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassDecl {
    /// Which keyword declared it.
    pub kind: ClassKind,
    /// The type's name (also the name of its constructor).
    pub name: String,
    /// Its fields, in order.
    pub fields: Vec<FieldDecl>,
    /// Its actions.
    pub methods: Vec<MethodDecl>,
}

/// A field of a declared type: `state name = value`, `name: type = value`, `name: type`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    /// The field's name.
    pub name: String,
    /// Its initial value (`null` when absent).
    pub default: Option<Expr>,
    /// Line of the declaration.
    pub line: u32,
}

/// An action of a declared type; `this` (or `self`) is the object it was called on.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodDecl {
    /// The action's name.
    pub name: String,
    /// Parameter names (without `this`).
    pub params: Vec<String>,
    /// The body.
    pub body: Block,
    /// Line of the declaration.
    pub line: u32,
}

/// What a `use` statement binds.
#[derive(Debug, Clone, PartialEq)]
pub enum UseBinding {
    /// `use "path"`: every name the module exports, under its own name.
    Exports,
    /// `use "path" as name`: the module's namespace (all its top-level names) as `name`.
    Alias(String),
    /// `use { a, b } from "path"`: these top-level names of the module.
    Names(Vec<String>),
}

/// The left-hand side of an assignment.
#[derive(Debug, Clone, PartialEq)]
pub enum AssignTarget {
    /// A variable.
    Name(String),
    /// A list element or map entry, `obj[index]`.
    Index {
        /// The container.
        obj: Expr,
        /// The index or key.
        index: Expr,
    },
    /// An object's field or a map's entry, `obj.name`.
    Attr {
        /// The object or map.
        obj: Expr,
        /// The field name.
        name: String,
    },
}

/// An expression with its source line.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// Line of the expression (the operator's line for operators, calls and indexing).
    pub line: u32,
    /// Column of the same token (1-based, in characters; 0 when unknown): the operator of a
    /// binary or unary operation, the `(` of a call, the `[` of an index, the `.` of a method
    /// call or property, else the expression's first token. Runtime errors point at it.
    pub col: u32,
    /// What the expression is.
    pub kind: ExprKind,
}

/// The different expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `[a, b, ...]`.
    List(Vec<Expr>),
    /// `{k: v, ...}`; a bare identifier key has become a `Str` key.
    Map(Vec<(Expr, Expr)>),
    /// A variable reference.
    Name(String),
    /// `-e`, `!e`, `not e`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
    },
    /// An arithmetic or comparison operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `&&`/`and`, `||`/`or`, `??` (short-circuiting).
    Logical {
        /// The operator.
        op: LogicalOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `cond ? then : else_`.
    Ternary {
        /// The condition.
        cond: Box<Expr>,
        /// Value when the condition is truthy.
        then: Box<Expr>,
        /// Value otherwise.
        else_: Box<Expr>,
    },
    /// `callee(args)`; the callee is usually a `Name`.
    Call {
        /// What is called.
        callee: Box<Expr>,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `obj.name(args)`.
    MethodCall {
        /// The receiver.
        obj: Box<Expr>,
        /// The method name.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `obj[index]`.
    Index {
        /// The container.
        obj: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
    /// `obj.name` (not followed by a call): an object's field, a map's entry, or (when `obj`
    /// is a module's name) a member of the module's namespace.
    Attr {
        /// The object or map.
        obj: Box<Expr>,
        /// The field name.
        name: String,
    },
    /// A function value: `lambda(x): e`, `(x) => e`, `function(a) { ... }`, ...
    Function(Box<FuncLit>),
    /// `Name{field: value, ...}`: an entity or data object built from named fields.
    Construct {
        /// The declared type's name.
        class: String,
        /// The fields given, in the order written.
        fields: Vec<(String, Expr)>,
    },
}

/// A function written as an expression (a lambda or function literal).
#[derive(Debug, Clone, PartialEq)]
pub struct FuncLit {
    /// Parameter names.
    pub params: Vec<String>,
    /// The body (an expression lambda's body is `return e`).
    pub body: Block,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!` or `not`
    Not,
    /// `~` (bitwise not of an int)
    BitNot,
}

/// Binary arithmetic and comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `==`
    Eq,
    /// `!=`
    Neq,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Lte,
    /// `>=`
    Gte,
    /// `&` (ints only)
    BitAnd,
    /// `|` (ints only)
    BitOr,
    /// `^` (ints only)
    BitXor,
    /// `<<` (checked: a result past 64 bits is an overflow)
    Shl,
    /// `>>` (arithmetic)
    Shr,
}

/// Short-circuiting logical operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicalOp {
    /// `&&` or `and`
    And,
    /// `||` or `or`
    Or,
    /// `??`: the left operand unless it is `null`, else the right one.
    Nullish,
}

impl UnaryOp {
    /// The operator as written in source (`-`, `!` or `~`).
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
            UnaryOp::BitNot => "~",
        }
    }
}

impl BinOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::Eq => "==",
            BinOp::Neq => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Lte => "<=",
            BinOp::Gte => ">=",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }
}

impl LogicalOp {
    /// The operator as written in source (`&&`, `||` or `??`).
    pub fn symbol(self) -> &'static str {
        match self {
            LogicalOp::And => "&&",
            LogicalOp::Or => "||",
            LogicalOp::Nullish => "??",
        }
    }
}

impl Expr {
    /// Builds an expression node with no known column.
    pub fn new(line: u32, kind: ExprKind) -> Self {
        Expr { line, col: 0, kind }
    }

    /// Builds an expression node at `line` and `col`.
    pub fn at(line: u32, col: u32, kind: ExprKind) -> Self {
        Expr { line, col, kind }
    }
}

impl Stmt {
    /// Builds a statement node with no known column.
    pub fn new(line: u32, kind: StmtKind) -> Self {
        Stmt { line, col: 0, kind }
    }

    /// Builds a statement node at `line` and `col`.
    pub fn at(line: u32, col: u32, kind: StmtKind) -> Self {
        Stmt { line, col, kind }
    }
}
