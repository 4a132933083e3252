//! The generator's loops: counted `for`, `while` and iteration loops, long at the outer
//! level so that the JIT compiles them, short when nested.

use super::{Gen, Ty};

impl Gen {
    /// The iteration count of a loop: long at the outer level (the JIT compiles it at
    /// threshold 50), short when nested.
    pub(super) fn trips(&mut self) -> u64 {
        if self.loop_depth == 0 {
            60 + self.r.below(141)
        } else {
            self.r.below(6)
        }
    }

    pub(super) fn range_loop(&mut self) {
        let n = self.trips();
        let i = self.fresh("i");
        let header = if self.r.one_in(3) {
            let j = self.fresh("j");
            let h = format!("for each {j}, {i} in range({}, {})", -3, n as i64 - 3);
            self.open(h);
            self.vars.push((j.clone(), Ty::Int));
            self.frozen.push(j);
            None
        } else {
            Some(format!("for each {i} in range({n})"))
        };
        if let Some(h) = header {
            self.open(h);
        }
        self.vars.push((i.clone(), Ty::Int));
        self.frozen.push(i);
        self.loop_depth += 1;
        self.block_body(4);
        self.loop_depth -= 1;
        self.close();
    }

    pub(super) fn while_loop(&mut self) {
        let n = self.trips();
        let k = self.fresh("k");
        self.line(format!("let {k} = 0"));
        self.vars.push((k.clone(), Ty::Int));
        self.frozen.push(k.clone());
        self.open(format!("while ({k} < {n})"));
        self.line(format!("{k} = ({k} + 1)"));
        self.loop_depth += 1;
        self.block_body(4);
        self.loop_depth -= 1;
        self.close();
    }

    /// A loop over a list, map or string; its body may store into and pop from containers,
    /// but never grows one, so the loop ends.
    pub(super) fn iter_loop(&mut self) {
        // Never `gc`: the functions that update it are called in loop bodies, and with `gc`
        // a string, `gc = (gc + 1)` per character iterated never ends (seed 2029839).
        let cands: Vec<String> = [
            self.vars_of(Ty::List),
            self.vars_of(Ty::Map),
            self.vars_of(Ty::Str),
        ]
        .concat()
        .into_iter()
        .filter(|v| v != "gc")
        .collect();
        let strs = self.vars_of(Ty::Str);
        let src = if cands.is_empty() || self.r.one_in(4) {
            let items: Vec<String> = (0..self.trips().min(70))
                .map(|_| self.expr(Ty::Int, 0))
                .collect();
            format!("[{}]", items.join(", "))
        } else {
            self.r.pick(&cands)
        };
        let x = self.fresh("x");
        if self.r.one_in(2) {
            let j = self.fresh("j");
            self.open(format!("for each {j}, {x} in {src}"));
            self.vars.push((j, Ty::Any));
        } else {
            self.open(format!("for each {x} in {src}"));
        }
        self.vars.push((x, Ty::Any));
        // A string iterated over is not assigned in the body: `s += "xy"` per character
        // would triple it on every pass of an enclosing loop.
        let froze = strs.contains(&src);
        if froze {
            self.frozen.push(src.clone());
        }
        let was = self.in_iter;
        self.in_iter = true;
        self.loop_depth += 1;
        self.block_body(3);
        self.loop_depth -= 1;
        self.in_iter = was;
        if froze {
            let at = self.frozen.iter().rposition(|n| *n == src);
            self.frozen.remove(at.expect("frozen above"));
        }
        self.close();
    }
}
