//! The generator's expressions: typed expressions of a bounded depth, literals, elements,
//! and calls of functions of a given arity.

use super::{Gen, Ty, SCALARS, VALUE_TYPES};

impl Gen {
    /// An expression of one of the types `tys`.
    pub(super) fn expr_of(&mut self, tys: &[Ty], depth: u32) -> String {
        let t = self.r.pick(tys);
        self.expr(t, depth)
    }

    /// An expression of (mostly) type `ty`.
    pub(super) fn expr(&mut self, ty: Ty, depth: u32) -> String {
        let vars = self.vars_of(ty);
        if !vars.is_empty() && self.r.one_in(3) {
            return self.r.pick(&vars);
        }
        if depth == 0 || self.r.one_in(3) {
            return self.literal(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Int => match self.r.below(14) {
                0..=3 => {
                    let op = self.r.pick(&["+", "-", "*", "%", "/", "+", "-"]);
                    let (a, b) = (self.expr(Ty::Int, d), self.expr(Ty::Int, d));
                    format!("({a} {op} {b})")
                }
                4 => format!("len({})", self.expr_of(&[Ty::Str, Ty::List, Ty::Map], d)),
                5 => format!("abs({})", self.expr(Ty::Int, d)),
                6 => {
                    let f = self.r.pick(&["min", "max"]);
                    format!("{f}({}, {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d))
                }
                7 if d > 0 && self.funcs.iter().any(|f| f.2) => self.call(true),
                9 => {
                    let f = self.r.pick(&["floor", "ceil", "round"]);
                    format!("{f}({})", self.expr(Ty::Float, d))
                }
                10 => {
                    if self.r.one_in(2) {
                        let (l, v) = (self.expr(Ty::List, d), self.element(d));
                        format!("{l}.index_of({v})")
                    } else {
                        let (a, b) = (self.expr(Ty::Str, d), self.expr(Ty::Str, d));
                        format!("index_of({a}, {b})")
                    }
                }
                11 => match self.func_of_arity(2, true) {
                    Some(f) if d > 0 => format!("reduce({}, {f}, 0)", self.small_ints()),
                    _ => format!("sum({})", self.small_ints()),
                },
                8 => {
                    let a = self.expr_of(&[Ty::Int, Ty::Null], d);
                    format!("({a} ?? {})", self.expr(Ty::Int, d))
                }
                12 => match self.r.below(4) {
                    0 => {
                        let op = self.r.pick(&["&", "|", "^"]);
                        let (a, b) = (self.expr(Ty::Int, d), self.expr(Ty::Int, d));
                        format!("({a} {op} {b})")
                    }
                    // Mostly small counts; sometimes any int (negative counts, overflow).
                    1 | 2 => {
                        let op = self.r.pick(&["<<", ">>"]);
                        let n = if self.r.one_in(4) {
                            self.expr(Ty::Int, d)
                        } else {
                            self.r.below(12).to_string()
                        };
                        format!("({} {op} {n})", self.expr(Ty::Int, d))
                    }
                    _ => format!("(~{})", self.expr(Ty::Int, d)),
                },
                _ => format!("int({})", self.expr(Ty::Float, d)),
            },
            Ty::Float => match self.r.below(4) {
                0 | 1 => {
                    let op = self.r.pick(&["+", "-", "*", "/", "**"]);
                    let a = self.expr(Ty::Float, d);
                    let b = self.expr_of(&[Ty::Int, Ty::Float], d);
                    format!("({a} {op} {b})")
                }
                2 => format!("float({})", self.expr(Ty::Int, d)),
                _ => format!("(-{})", self.expr(Ty::Float, d)),
            },
            Ty::Str => match self.r.below(7) {
                // Repetition, outside loops (where it would grow a string each time).
                6 if self.loop_depth == 0 => {
                    let n = self.r.below(4);
                    match self.r.below(2) {
                        0 => format!("({} * {n})", self.expr(Ty::Str, d)),
                        _ => format!("({n} * {})", self.expr(Ty::Str, d)),
                    }
                }
                // Outside loops only: `s = s + s` in a loop would double `s` each time.
                0 | 1 if self.loop_depth == 0 => {
                    let b = self.expr_of(&VALUE_TYPES, d);
                    format!("({} + {b})", self.expr(Ty::Str, d))
                }
                // In loops, only the display of a scalar: `xs.push(str(xs))` in a loop would
                // double the list's display each time.
                2 if self.loop_depth == 0 => format!("str({})", self.expr(Ty::Any, d)),
                2 => format!("str({})", self.expr_of(&[Ty::Int, Ty::Float, Ty::Bool], d)),
                // String methods and their function forms; none makes a string grow by more
                // than a constant, so loops stay small.
                4 => {
                    let x = self.expr(Ty::Str, d);
                    match self.r.below(6) {
                        0 => format!("upper({x})"),
                        1 => format!("{x}.lower()"),
                        2 => format!("trim({x})"),
                        3 => format!("{x}.replace(\"a\", \"xy\")"),
                        4 => format!("substring({x}, 0, 1)"),
                        _ => format!("{x}.reverse()"),
                    }
                }
                // The display of a list's items: outside loops only, like `str` of a container.
                5 if self.loop_depth == 0 => {
                    format!("join({}, \"-\")", self.expr(Ty::List, d))
                }
                _ => format!("type({})", self.expr(Ty::Any, d)),
            },
            Ty::Bool => match self.r.below(7) {
                0 | 1 => {
                    let op = self.r.pick(&["<", "<=", ">", ">=", "==", "!="]);
                    let t = self.r.pick(&[Ty::Int, Ty::Int, Ty::Float, Ty::Str]);
                    format!("({} {op} {})", self.expr(t, d), self.expr(t, d))
                }
                2 => {
                    let op = self.r.pick(&["&&", "||", "and", "or"]);
                    format!(
                        "({} {op} {})",
                        self.expr(Ty::Any, d),
                        self.expr(Ty::Bool, d)
                    )
                }
                3 => format!("(!{})", self.expr(Ty::Any, d)),
                5 => {
                    let (l, v) = (self.expr(Ty::List, d), self.element(d));
                    if self.r.below(2) == 0 {
                        format!("contains({l}, {v})")
                    } else {
                        format!("({v} in {l})")
                    }
                }
                6 => {
                    let (a, b) = (self.expr(Ty::Str, d), self.expr(Ty::Str, d));
                    let m = self.r.pick(&["starts_with", "ends_with", "contains"]);
                    format!("{a}.{m}({b})")
                }
                _ => {
                    let (c, a, b) = (
                        self.expr(Ty::Any, d),
                        self.expr(Ty::Bool, d),
                        self.expr(Ty::Bool, d),
                    );
                    format!("({c} ? {a} : {b})")
                }
            },
            Ty::Null => "null".to_string(),
            Ty::List => match self.r.below(6) {
                0 if self.loop_depth == 0 => {
                    format!("({} + {})", self.expr(Ty::List, d), self.expr(Ty::List, d))
                }
                1 => format!("keys({})", self.expr(Ty::Map, d)),
                // Copies of the same size or smaller: sorted (an error on mixed types),
                // reversed, sliced, values.
                3 => {
                    let l = self.expr(Ty::List, d);
                    match self.r.below(5) {
                        0 => format!("sort({l})"),
                        1 => format!("{l}.sort()"),
                        2 => format!("reverse({l})"),
                        3 => format!("slice({l}, 1)"),
                        _ => format!("rest({l})"),
                    }
                }
                4 => format!("values({})", self.expr(Ty::Map, d)),
                // A program's function called on each item (through the VM's nested runs).
                // A lambda using a variable around it (a closure, when that is a local).
                5 if d > 0 && self.in_finally == 0 && self.r.one_in(3) => {
                    let xs = self.small_ints();
                    let v = self.expr(Ty::Int, 0);
                    let op = self.r.pick(&["+", "-", "*"]);
                    match self.r.below(3) {
                        0 => format!("map({xs}, lambda(x): (x {op} {v}))"),
                        1 => format!("{xs}.filter((x) => (x > {v}))"),
                        _ => format!("map({xs}, x => (x {op} {v}))"),
                    }
                }
                5 => match self.func_of_arity(1, false) {
                    Some(f) if d > 0 => {
                        let xs = self.small_ints();
                        if self.r.one_in(2) {
                            format!("map({xs}, {f})")
                        } else {
                            format!("{xs}.filter({f})")
                        }
                    }
                    _ => format!("values({})", self.expr(Ty::Map, d)),
                },
                _ => {
                    let items: Vec<String> =
                        (0..self.r.below(4)).map(|_| self.element(d)).collect();
                    format!("[{}]", items.join(", "))
                }
            },
            Ty::Map => {
                let items: Vec<String> = (0..self.r.below(3))
                    .map(|_| format!("{}: {}", self.key(), self.element(d)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            Ty::Any => {
                let t = self.r.pick(&VALUE_TYPES);
                self.expr(t, depth)
            }
        }
    }

    /// One of the program's functions taking `n` arguments (returning an int, with
    /// `int_only`), if there is one.
    pub(super) fn func_of_arity(&mut self, n: usize, int_only: bool) -> Option<String> {
        let fs: Vec<String> = self
            .funcs
            .iter()
            .filter(|(_, a, int)| *a == n && (*int || !int_only))
            .map(|(f, _, _)| f.clone())
            .collect();
        (!fs.is_empty()).then(|| self.r.pick(&fs))
    }

    /// A short list of small ints (arguments the program's functions take quickly).
    pub(super) fn small_ints(&mut self) -> String {
        let items: Vec<String> = (0..self.r.below(4))
            .map(|_| (self.r.below(12) as i64 - 2).to_string())
            .collect();
        format!("[{}]", items.join(", "))
    }

    /// What goes into a container: a scalar, or now and then a literal list or map.
    pub(super) fn element(&mut self, depth: u32) -> String {
        if self.r.one_in(5) {
            let t = self.r.pick(&[Ty::List, Ty::Map]);
            return self.literal(t);
        }
        let t = self.r.pick(&SCALARS);
        self.expr(t, depth)
    }

    pub(super) fn literal(&mut self, ty: Ty) -> String {
        let s = match ty {
            Ty::Int => self.r.pick(&[
                "0",
                "1",
                "2",
                "3",
                "7",
                "-1",
                "-5",
                "10",
                "100",
                "3037000499",
                "-3037000499",
                "9223372036854775807",
                "-9223372036854775807",
                "4611686018427387904",
            ]),
            Ty::Float => self.r.pick(&[
                "0.5",
                "2.0",
                "-1.5",
                "0.0",
                "-0.0",
                "1e308",
                "3.25",
                "float(\"nan\")",
                "float(\"inf\")",
                "float(\"-inf\")",
                "0.1",
            ]),
            Ty::Str => self
                .r
                .pick(&["\"\"", "\"a\"", "\"xy\"", "\"0\"", "\"k\"", "\"é\""]),
            Ty::Bool => self.r.pick(&["true", "false"]),
            Ty::Null => "null",
            Ty::List => self
                .r
                .pick(&["[]", "[1, 2, 3]", "[\"a\", [1], {}]", "[null, 2.5]"]),
            Ty::Map => self
                .r
                .pick(&["{}", "{\"a\": 1, \"b\": [2]}", "{1: \"x\", true: null}"]),
            Ty::Any => {
                let t = self.r.pick(&VALUE_TYPES);
                return self.literal(t);
            }
        };
        s.to_string()
    }
}
