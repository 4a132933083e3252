//! The generator's exceptions: `try` statements around statements that may fail, `throw` of
//! generated values, the contract checks, `defer` and `emit`, and functions that catch.

use super::{Gen, Ty};

impl Gen {
    /// `try { ... } catch (e) { ... } finally { ... }` (catch, finally or both) around a few
    /// statements, often ending in one that raises. The catch block prints what it caught.
    pub(super) fn try_stmt(&mut self) {
        self.open("try".to_string());
        self.in_try += 1;
        self.block_body(3);
        if self.r.one_in(2) {
            if self.r.one_in(2) {
                self.error_stmt();
            } else {
                self.raise_stmt();
            }
        }
        self.in_try -= 1;
        let catch = !self.r.one_in(4);
        if catch {
            if self.r.one_in(5) {
                self.close_into("} catch {".to_string());
                self.line("print(\"caught\")".to_string());
            } else {
                let e = self.fresh("err");
                let header = if self.r.one_in(2) {
                    format!("}} catch ({e}) {{")
                } else {
                    format!("}} catch {e} {{")
                };
                self.close_into(header);
                self.line(format!("print(\"caught\", {e})"));
                self.vars.push((e, Ty::Any));
            }
            self.block_body(2);
        }
        if !catch || self.r.one_in(3) {
            self.close_into("} finally {".to_string());
            self.finally_body();
        }
        self.close();
    }

    /// A finally or deferred block's statements (no function definitions there).
    fn finally_body(&mut self) {
        self.in_finally += 1;
        if self.r.one_in(2) {
            self.line("gc = (gc + 1)".to_string());
        } else {
            self.block_body(2);
        }
        self.in_finally -= 1;
    }

    /// A statement that raises, or may: `throw`, `require`, `verify`, `revert`; or one of
    /// `defer` and `emit`.
    pub(super) fn raise_stmt(&mut self) {
        match self.r.below(7) {
            0 | 1 => {
                let c = self.expr(Ty::Bool, 1);
                let v = self.expr(Ty::Any, 1);
                self.line(format!("if {c} {{ throw {v} }}"));
            }
            2 => {
                let c = self.expr(Ty::Bool, 1);
                let m = self.expr(Ty::Str, 1);
                if self.r.one_in(3) {
                    self.line(format!("require({c})"));
                } else {
                    self.line(format!("require({c}, {m})"));
                }
            }
            3 => {
                let c = self.expr(Ty::Bool, 1);
                let m = self.expr(Ty::Any, 1);
                self.line(format!("verify {c}, {m}"));
            }
            4 => {
                let c = self.expr(Ty::Bool, 1);
                let m = self.expr(Ty::Str, 1);
                self.line(format!("if {c} {{ revert({m}) }}"));
            }
            5 => {
                self.open("defer".to_string());
                self.finally_body();
                self.close();
            }
            _ => {
                let n = self.r.below(3);
                let args: Vec<String> = (0..n).map(|_| self.expr(Ty::Any, 1)).collect();
                let name = self.r.pick(&["Transfer", "Ping", "Changed"]);
                if args.is_empty() && self.r.one_in(2) {
                    self.line(format!("emit {name}"));
                } else {
                    self.line(format!("emit {name}({})", args.join(", ")));
                }
            }
        }
    }

    /// A function over ints that throws for some arguments and catches it itself, updating the
    /// global counter on the way out (in a finally block or a deferred one).
    pub(super) fn guarded_function(&mut self, name: &str) {
        self.open(format!("action {name}(x)"));
        let deferred = self.r.one_in(2);
        if deferred {
            self.line("defer { gc = (gc + 1) }".to_string());
        }
        self.open("try".to_string());
        let k = 2 + self.r.below(4);
        self.line(format!("if ((x % {k}) == 0) {{ throw x }}"));
        self.line("return (x * 2)".to_string());
        self.close_into("} catch (e) {".to_string());
        self.line("return (e + 100)".to_string());
        if !deferred {
            self.close_into("} finally {".to_string());
            self.line("gc = (gc + 1)".to_string());
        }
        self.close();
        self.close();
        self.funcs.push((name.to_string(), 1, true));
    }
}
