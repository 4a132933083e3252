//! A seeded generator of random Zexus programs for differential testing, in the style of
//! csmith and YARPGen: programs are well-typed by construction most of the time (the generator
//! tracks each variable's type), always terminate (every loop is counted), and a fraction of
//! statements are deliberate runtime errors.
//!
//! Hand-rolled on a SplitMix64 generator rather than `proptest`: the same seed gives the same
//! program on every platform and version, the campaign command needs no test harness, and
//! shrinking works on the program text ([`super::shrink`]), which every generated program
//! makes easy: one statement per line, a block's `{` ends its header line and its `}` stands
//! alone, and every binary operation is parenthesised.
//!
//! What the programs cover: ints at the overflow edge, floats (NaN, infinities, -0.0),
//! strings, bools, null, lists and maps (aliased, nested, mutated while iterated), variables
//! whose type changes inside loops that run long enough (60-200 iterations) for the JIT to
//! compile them at hot threshold 50, nested loops with `break` and `continue`, functions
//! (recursion, globals, wrong argument counts, closures and lambdas over locals), `module` blocks (a function updating the
//! module's own variable, called as `m.f(x)`, the variable read as `m.x`), builtins and
//! methods, and every runtime error
//! (division and modulo by zero, overflow, index out of range, missing keys, undefined names,
//! bad operand types, calls of non-functions, call depth), raised and caught: `try` with
//! `catch` and `finally` around such statements (in loops too, with `break` and `continue`
//! leaving them), `throw` of any value, `require`, `verify`, `revert`, `defer` and `emit`.
//!
//! ```
//! let a = zexus::reference::gen::program(7);
//! assert_eq!(a, zexus::reference::gen::program(7));
//! assert!(zexus::compile(&a, "<gen>").is_ok());
//! ```

mod expr;
mod loops;
mod raise;

/// A small, fast, seeded pseudo-random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x005E_ED0F_2E5E_A4C4)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// One of `items` (not empty).
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize].clone()
    }
}

/// The static type the generator believes a variable has (`Any` once a loop may have changed
/// it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    Float,
    Str,
    Bool,
    Null,
    List,
    Map,
    Any,
}

/// The types whose values hold no other values: what containers are filled with, so that no
/// container ever holds itself or doubles in size with each iteration of a loop.
const SCALARS: [Ty; 5] = [Ty::Int, Ty::Float, Ty::Str, Ty::Bool, Ty::Null];

/// What loops two deep print: no strings, which may grow by a constant per pass of an outer
/// loop while an inner loop iterates over their characters (seed 20588015: cubic output).
const SMALL: [Ty; 4] = [Ty::Int, Ty::Float, Ty::Bool, Ty::Null];

const VALUE_TYPES: [Ty; 7] = [
    Ty::Int,
    Ty::Float,
    Ty::Str,
    Ty::Bool,
    Ty::Null,
    Ty::List,
    Ty::Map,
];

/// The generator's state while it writes one program.
struct Gen {
    r: Rng,
    lines: Vec<String>,
    indent: usize,
    /// Visible variables with their believed types; `scopes` marks where each block's start.
    vars: Vec<(String, Ty)>,
    scopes: Vec<usize>,
    /// Names never to assign (loop counters, loop variables of counted loops).
    frozen: Vec<String>,
    /// `(name, arity)` of the functions defined so far.
    /// The program's functions: name, arity, and whether each call returns an int (so a
    /// call can stand in an int expression without changing a variable's type unseen).
    funcs: Vec<(String, usize, bool)>,
    next_id: u32,
    loop_depth: u32,
    /// Inside a loop over a container: no pushes (the loop must end).
    in_iter: bool,
    /// Inside a try block (no deep recursion there: caught, it would run again and again).
    in_try: u32,
    /// Inside a finally or defer block (which may not define functions).
    in_finally: u32,
    /// Statements left to write.
    budget: u32,
}

/// The program for `seed`.
pub fn program(seed: u64) -> String {
    let mut g = Gen {
        r: Rng::new(seed),
        lines: Vec::new(),
        indent: 0,
        vars: Vec::new(),
        scopes: Vec::new(),
        frozen: Vec::new(),
        funcs: Vec::new(),
        next_id: 0,
        loop_depth: 0,
        in_iter: false,
        in_try: 0,
        in_finally: 0,
        budget: 9,
    };
    g.program();
    let mut text = g.lines.join("\n");
    text.push('\n');
    text
}

impl Gen {
    fn line(&mut self, s: String) {
        self.lines
            .push(format!("{}{s}", "    ".repeat(self.indent)));
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    fn open(&mut self, header: String) {
        self.line(format!("{header} {{"));
        self.indent += 1;
        self.scopes.push(self.vars.len());
    }

    fn close(&mut self) {
        self.indent -= 1;
        let n = self.scopes.pop().expect("a block is open");
        self.vars.truncate(n);
        self.line("}".to_string());
    }

    fn vars_of(&self, ty: Ty) -> Vec<String> {
        self.vars
            .iter()
            .filter(|(_, t)| *t == ty || ty == Ty::Any)
            .map(|(n, _)| n.clone())
            .collect()
    }

    fn assignable(&self) -> Vec<(String, Ty)> {
        self.vars
            .iter()
            .filter(|(n, _)| !self.frozen.contains(n))
            .cloned()
            .collect()
    }

    /// Records that `name` now holds a `ty`. Only an assignment in the block that declared
    /// the variable is sure to have run before the next read (a variable declared in a loop's
    /// body is declared again on each pass); one in a nested block, a loop or a function may
    /// or may not have run, so the type becomes `Any`
    /// (no compound assignment or int expression then uses the variable, which could make
    /// a string or list grow geometrically in a loop).
    fn set_type(&mut self, name: &str, ty: Ty) {
        let block = self.scopes.last().copied().unwrap_or(0);
        if let Some((at, v)) = self
            .vars
            .iter_mut()
            .enumerate()
            .rev()
            .find(|(_, (n, _))| n == name)
        {
            if v.1 != ty && at < block {
                v.1 = Ty::Any;
            } else {
                v.1 = ty;
            }
        }
    }

    fn program(&mut self) {
        self.line("let gc = 0".to_string());
        self.vars.push(("gc".into(), Ty::Int));
        for _ in 0..2 + self.r.below(3) {
            let ty = self.r.pick(&VALUE_TYPES);
            let name = self.fresh("g");
            let e = self.expr(ty, 2);
            self.line(format!("let {name} = {e}"));
            self.vars.push((name, ty));
        }
        if self.r.one_in(3) {
            // An alias: both names share one list or map.
            let shared = [self.vars_of(Ty::List), self.vars_of(Ty::Map)].concat();
            if !shared.is_empty() {
                let src = self.r.pick(&shared);
                let ty = self.vars.iter().find(|(n, _)| *n == src).expect("var").1;
                let name = self.fresh("g");
                self.line(format!("let {name} = {src}"));
                self.vars.push((name, ty));
            }
        }
        for _ in 0..self.r.below(3) {
            self.function();
        }
        if self.r.one_in(3) {
            self.module_block();
        }
        while self.budget > 0 {
            self.stmt();
        }
        let all = self.vars_of(Ty::Any);
        if !all.is_empty() {
            let v = self.r.pick(&all);
            self.line(format!("print({v}, gc)"));
        }
    }

    /// A top-level function: a helper over ints, a recursive one, or one that updates the
    /// global counter `gc`.
    fn function(&mut self) {
        // Generated as if inside a loop (no doubling concatenations), since loops call it.
        self.loop_depth += 1;
        self.function_body();
        self.loop_depth -= 1;
    }

    fn function_body(&mut self) {
        let name = self.fresh("f");
        match self.r.below(5) {
            3 => self.guarded_function(&name),
            4 => {
                // A closure over a local that changes after the closure is made, called from
                // a nested function that assigns it.
                self.open(format!("action {name}(x)"));
                self.line("let c = (x % 100)".to_string());
                self.line("let get = lambda(d): (c + d)".to_string());
                self.line("action bump() { c = (c + 1) }".to_string());
                self.line("bump()".to_string());
                self.line("return get(x)".to_string());
                self.close();
                self.funcs.push((name, 1, true));
            }
            0 => {
                self.open(format!("action {name}(n)"));
                let base = self.expr(Ty::Int, 1).replace("gc", "1");
                self.line(format!("if (n <= 0) {{ return {base} }}"));
                let op = self.r.pick(&["+", "-", "*"]);
                self.line(format!("return ((n % 7) {op} {name}((n - 1)))"));
                self.close();
                self.funcs.push((name, 1, true));
            }
            1 => {
                self.open(format!("action {name}(a, b)"));
                self.vars.push(("a".into(), Ty::Int));
                self.vars.push(("b".into(), Ty::Int));
                let e = self.expr(Ty::Int, 2);
                self.line(format!("let t = {e}"));
                self.vars.push(("t".into(), Ty::Int));
                let c = self.expr(Ty::Bool, 1);
                self.line(format!("if {c} {{ return (t % 1000) }}"));
                let int = self.r.one_in(2);
                let e = self.expr(if int { Ty::Int } else { Ty::Any }, 2);
                self.line(format!("return {e}"));
                self.close();
                self.funcs.push((name, 2, int));
            }
            _ => {
                self.open(format!("action {name}(x)"));
                self.line("gc = (gc + 1)".to_string());
                self.line("return (x + gc)".to_string());
                self.close();
                self.funcs.push((name, 1, true));
            }
        }
    }

    /// A `module` block with a variable of its own and a function that updates it and reads
    /// the program's counter `gc`; the program calls `m.f(x)` and reads `m.x`.
    fn module_block(&mut self) {
        let m = self.fresh("m");
        let x = self.fresh("mv");
        let f = self.fresh("mf");
        self.line(format!("module {m} {{"));
        self.indent += 1;
        let e = self.expr(Ty::Int, 1);
        self.line(format!("let {x} = {e}"));
        self.line(format!("action {f}(n) {{"));
        self.indent += 1;
        self.line(format!("{x} = (({x} + n) % 1000)"));
        self.line(format!("return ({x} + gc)"));
        self.indent -= 1;
        self.line("}".to_string());
        self.indent -= 1;
        self.line("}".to_string());
        self.funcs.push((format!("{m}.{f}"), 1, true));
        let member = format!("{m}.{x}");
        self.frozen.push(member.clone());
        self.vars.push((member, Ty::Int));
    }

    fn stmt(&mut self) {
        self.budget = self.budget.saturating_sub(1);
        let nested = self.loop_depth < 2 && self.indent < 4;
        // Two loops deep, prints are of numbers, bools and null: a loop that grows a list (or
        // a string) by one per pass and prints it per element inside another loop writes
        // cubic output (seed 3032616: half a gigabyte).
        let printable: &[Ty] = if self.loop_depth >= 2 {
            &SMALL
        } else {
            &VALUE_TYPES
        };
        match self.r.below(20) {
            0..=2 => {
                let ty = self.r.pick(printable);
                let e = self.expr(ty, 2);
                let e2 = if self.loop_depth >= 2 {
                    let t2 = self.r.pick(&SMALL);
                    self.expr(t2, 1)
                } else {
                    self.expr(Ty::Any, 1)
                };
                if self.r.one_in(2) {
                    self.line(format!("print({e})"));
                } else {
                    self.line(format!("print({e}, {e2})"));
                }
            }
            3..=5 => self.assign(),
            6 => {
                let ty = self.r.pick(&VALUE_TYPES);
                let e = self.expr(ty, 2);
                let name = self.fresh("v");
                self.line(format!("let {name} = {e}"));
                self.vars.push((name, ty));
            }
            7 | 8 => self.container_op(),
            9 if nested => self.if_stmt(),
            10 | 11 if nested => self.range_loop(),
            12 if nested => self.while_loop(),
            13 if nested => self.iter_loop(),
            14 if self.loop_depth > 0 => {
                let c = self.expr(Ty::Bool, 1);
                let jump = self.r.pick(&["break", "continue"]);
                self.line(format!("if {c} {{ {jump} }}"));
            }
            15 if !self.funcs.is_empty() => {
                let call = self.call(false);
                self.line(format!("print({call})"));
            }
            16 if self.r.one_in(3) => self.error_stmt(),
            17 if nested => self.try_stmt(),
            18 => self.raise_stmt(),
            _ => {
                let ty = self.r.pick(printable);
                let e = self.expr(ty, 2);
                self.line(format!("print({e})"));
            }
        }
    }

    fn block_body(&mut self, n: u64) {
        let n = 1 + self.r.below(n);
        for _ in 0..n {
            self.stmt();
        }
    }

    /// `x = e` or `x op= e`: usually the same type; sometimes another, so a loop sees the
    /// variable change type.
    fn assign(&mut self) {
        let targets = self.assignable();
        if targets.is_empty() {
            return;
        }
        let (name, ty) = self.r.pick(&targets);
        // A variable of unknown type, and sometimes any variable, gets a value of a new type
        // (never `gc`, which functions called in loops add to).
        if ty == Ty::Any || (self.r.one_in(6) && name != "gc") {
            let new = self.r.pick(&VALUE_TYPES);
            // The new value never reads the variable itself: in a loop, its next pass would
            // read it with the new type, where the old was assumed (`v = {k: str(v)}` in a
            // loop doubles the escapes in `v`'s display each pass: seed 20663758).
            let all = std::mem::take(&mut self.vars);
            self.vars = all.iter().filter(|(n, _)| *n != name).cloned().collect();
            let e = self.expr(new, 2);
            self.vars = all;
            self.line(format!("{name} = {e}"));
            self.set_type(&name, new);
        } else if matches!(ty, Ty::Int | Ty::Float | Ty::Str) && self.r.one_in(2) {
            let op = match ty {
                Ty::Str => "+=",
                _ => self.r.pick(&["+=", "-=", "*=", "%="]),
            };
            let rhs = if op == "%=" {
                format!("{}", 1 + self.r.below(9))
            } else if self.loop_depth > 0 {
                // Never `s += s` in a loop: it doubles each time.
                let t = self.r.pick(&[ty, Ty::Int]);
                self.literal(t)
            } else {
                self.expr_of(&[ty, Ty::Int], 1)
            };
            self.line(format!("{name} {op} {rhs}"));
        } else {
            let e = self.expr(ty, 2);
            self.line(format!("{name} = {e}"));
        }
    }

    /// Stores, appends, pops and reads on lists and maps.
    fn container_op(&mut self) {
        let lists = self.vars_of(Ty::List);
        let maps = self.vars_of(Ty::Map);
        if !lists.is_empty() && (maps.is_empty() || self.r.one_in(2)) {
            let l = self.r.pick(&lists);
            let v = self.element(1);
            match self.r.below(5) {
                0 | 1 if !self.in_iter => {
                    if self.r.one_in(2) {
                        self.line(format!("{l}.push({v})"));
                    } else {
                        self.line(format!("append({l}, {v})"));
                    }
                }
                2 => self.line(format!("if (len({l}) > 0) {{ print({l}.pop()) }}")),
                3 => {
                    let i = self.expr(Ty::Int, 1);
                    self.line(format!(
                        "if (len({l}) > 2) {{ {l}[({i} % len({l}))] = {v} }}"
                    ));
                }
                _ => {
                    let i = self.r.below(4);
                    self.line(format!("if (len({l}) > {i}) {{ print({l}[{i}]) }}"));
                }
            }
        } else if !maps.is_empty() {
            let m = self.r.pick(&maps);
            let k = self.key();
            let v = self.element(1);
            // Properties: `m.a` is the entry "a" (null when missing).
            let p = if k.len() == 3 { &k[1..2] } else { "k" };
            match self.r.below(7) {
                0 if !self.in_iter => self.line(format!("{m}[{k}] = {v}")),
                1 => self.line(format!("print({m}.get({k}, {v}), len({m}))")),
                2 if !self.in_iter => self.line(format!("{m}.{p} = {v}")),
                3 => self.line(format!("print({m}.{p}, {m}.{p} ?? {v})")),
                4 if !self.in_iter => self.line(format!("print({m}.set({k}, {v}))")),
                5 if !self.in_iter => self.line(format!("print({m}.delete({k}), {m}.size())")),
                _ => self.line(format!("print({m}.keys(), {m}.has({k}))")),
            }
        } else {
            let name = self.fresh("v");
            self.line(format!("let {name} = [1, \"a\", [2.5, null]]"));
            self.vars.push((name, Ty::List));
        }
    }

    fn key(&mut self) -> String {
        self.r
            .pick(&["\"a\"", "\"b\"", "\"k\"", "1", "2", "true"])
            .to_string()
    }

    fn if_stmt(&mut self) {
        let c = self.expr(Ty::Bool, 2);
        self.open(format!("if {c}"));
        self.block_body(3);
        if self.r.one_in(2) {
            let c = self.expr(Ty::Any, 1);
            self.close_into(format!("}} elif ({c}) {{"));
            self.block_body(2);
        }
        if self.r.one_in(2) {
            self.close_into("} else {".to_string());
            self.block_body(2);
        }
        self.close();
    }

    /// Closes a block and opens the next branch on the same line.
    fn close_into(&mut self, header: String) {
        let n = self.scopes.pop().expect("a block is open");
        self.vars.truncate(n);
        self.indent -= 1;
        self.line(header);
        self.indent += 1;
        self.scopes.push(self.vars.len());
    }

    /// A call of one of the program's functions with the right number of int arguments; with
    /// `int_only`, of a function that returns an int.
    fn call(&mut self, int_only: bool) -> String {
        let fs: Vec<(String, usize, bool)> = self
            .funcs
            .iter()
            .filter(|f| f.2 || !int_only)
            .cloned()
            .collect();
        let (f, arity, _) = self.r.pick(&fs);
        let args: Vec<String> = (0..arity)
            .map(|_| format!("({} % 20)", self.expr(Ty::Int, 1)))
            .collect();
        format!("{f}({})", args.join(", "))
    }

    /// A statement that fails at run time (or nearly always does).
    fn error_stmt(&mut self) {
        let any = self.vars_of(Ty::Any);
        let v = if any.is_empty() {
            "gc".to_string()
        } else {
            self.r.pick(&any)
        };
        let s = match self.r.below(12) {
            0 => format!("print(({v} / 0))"),
            1 => format!("print(({v} % 0))"),
            2 => "print((9223372036854775807 + gc + 1))".to_string(),
            3 => format!("print([1, 2, 3][(3 + len(str({v})))])"),
            4 => format!("print(undefined_{} + 1)", self.r.below(3)),
            5 => format!("print(({v} - null))"),
            6 => format!("print({{\"a\": 1}}[{v}])"),
            7 => match self.funcs.first() {
                Some((f, n, _)) => format!("print({f}({}))", vec!["1"; n + 1].join(", ")),
                None => "print(nofunc(1))".to_string(),
            },
            8 => format!("print({v}(1))"),
            9 => format!("print((-{v}), (-9223372036854775807 - 2))"),
            // Not in a finally block (no functions there), nor caught in a loop (each pass
            // would recurse to the limit again).
            10 if self.in_finally == 0 && (self.in_try == 0 || self.loop_depth == 0) => {
                let f = self.fresh("deep");
                self.line(format!("action {f}(n) {{ return ({f}((n + 1)) + 1) }}"));
                format!("print({f}(0))")
            }
            // `[] * v`, not `"s" * v`: repeating a string a huge int of times asks for
            // gigabytes, where the two evaluators give out of memory at different sizes.
            _ => format!("print(({v} < [1]), ({v} * []))"),
        };
        self.line(s);
    }
}
