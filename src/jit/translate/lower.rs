//! Lowering of each bytecode instruction to Cranelift IR (the `instr` half of the
//! translator): arithmetic with overflow and zero checks, comparisons, truthiness, jumps with
//! their counters and predictor, calls to builtins and helpers, inline list elements.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, Block, BlockArg, InstBuilder, MemFlagsData, Value as CV};
use zexus_runtime::jit_helpers as rt;
use zexus_runtime::list::layout as list_layout;
use zexus_runtime::value::{TAG_BOOL, TAG_FLOAT, TAG_FUNC, TAG_INT, TAG_LIST, TAG_NULL, TAG_UNDEF};

use super::*;
use crate::bytecode::Op;

impl<'a, 'f> Tr<'a, 'f> {
    /// Truthiness as an `i8` 0/1.
    fn truthy(&mut self, v: AV) -> CV {
        match v {
            AV::I(x) => self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
            AV::F(x) => {
                let z = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, x, z)
            }
            AV::B(x) => x,
            AV::D(t, p, _) => {
                // Ints and bools inline (payload != 0), anything else through the helper.
                let t2 = self.b.ins().bor_imm_s(t, TAG_BOOL as i64);
                let simple = self.b.ins().icmp_imm_s(IntCC::Equal, t2, TAG_BOOL as i64);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.append_block_param(join, types::I8);
                self.b.set_cold_block(slow);
                let fast = self.b.ins().icmp_imm_s(IntCC::NotEqual, p, 0);
                self.b
                    .ins()
                    .brif(simple, join, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let r = self.call("rt_truthy", &[t, p]).expect("result");
                let r = self.b.ins().ireduce(types::I8, r);
                self.b.ins().jump(join, &[BlockArg::Value(r)]);
                self.b.switch_to_block(join);
                self.b.block_params(join)[0]
            }
        }
    }

    fn float_of(&mut self, v: AV) -> Option<CV> {
        match v {
            AV::F(x) => Some(x),
            AV::I(x) => Some(self.b.ins().fcvt_from_sint(types::F64, x)),
            _ => None,
        }
    }

    /// A helper call writing a value to the out slot; exits at `ip` if it fails.
    fn helper_value(&mut self, f: &'static str, args: &[CV], ip: u32, pre: &[AV]) -> AV {
        let out = self.b.ins().stack_addr(types::I64, self.out_slot, 0);
        let mut a = args.to_vec();
        a.push(out);
        let st = self.call(f, &a).expect("status");
        let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.exit_if(
            failed,
            ip,
            ExitReason::Failed(self.req.code.instrs[ip as usize].op),
            pre,
        );
        self.load_out()
    }

    fn load_out(&mut self) -> AV {
        let t = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, V_TAG);
        let p = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, V_PAYLOAD);
        AV::D(t, p, Own::Owned)
    }

    fn generic_binop(&mut self, op: u64, a: AV, b: AV, ip: u32, pre: &[AV]) -> AV {
        let (at, ap) = self.boxed(a);
        let (bt, bp) = self.boxed(b);
        let k = self.iconst(op as i64);
        let r = self.helper_value("rt_binop", &[k, at, ap, bt, bp], ip, pre);
        self.drop_av(a);
        self.drop_av(b);
        r
    }

    /// The compiled function a `CALL_NAME` through global `slot` with `argc` arguments can
    /// call directly: only in loops without counters, with int (or boxed) arguments.
    fn native_args_ok(&self, slot: u32, argc: usize, stack: &[AV]) -> bool {
        !self.req.counters
            && stack.len() >= argc
            && self
                .req
                .natives
                .iter()
                .any(|n| n.slot == slot && n.arity as usize == argc)
            && stack[stack.len() - argc..]
                .iter()
                .all(|v| matches!(v, AV::I(_) | AV::D(..)))
    }

    /// A direct call of a compiled function (`jit::func`). The call has no side effects, so
    /// anything unexpected (an argument that is not an int, the slot rebound, the callee
    /// giving up) exits before the call with the arguments still on the stack, and the
    /// interpreter makes the call itself.
    fn native_call(&mut self, ip: u32, slot: u32, argc: usize, stack: &mut Vec<AV>, pre: &[AV]) {
        let nc = *self
            .req
            .natives
            .iter()
            .find(|n| n.slot == slot && n.arity as usize == argc)
            .expect("checked by native_args_ok");
        let first = stack.len() - argc;
        let ctx_slot = self
            .fn_ctx_slot
            .expect("a loop with native callees has the slot");
        let cx = self.b.ins().stack_addr(types::I64, ctx_slot, 0);
        let mut args = vec![cx];
        for v in stack[first..].iter().copied() {
            match v {
                AV::I(x) => args.push(x),
                AV::D(t, p, _) => {
                    let bad = self.b.ins().icmp_imm_s(IntCC::NotEqual, t, TAG_INT as i64);
                    self.exit_if(bad, ip, ExitReason::Unsupported(Op::CALL_NAME), pre);
                    args.push(p);
                }
                _ => unreachable!("checked by native_args_ok"),
            }
        }
        // The slot must still hold that function.
        let tag = self
            .b
            .ins()
            .load(types::I64, mf(), self.globals, tag_at(slot as usize));
        let fp = self
            .b
            .ins()
            .load(types::I64, mf(), self.globals, payload_at(slot as usize));
        let t_ok = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_FUNC as i64);
        let p_ok = self.b.ins().icmp_imm_s(IntCC::Equal, fp, nc.code as i64);
        let ok = self.b.ins().band(t_ok, p_ok);
        let bad = self.b.ins().icmp_imm_s(IntCC::Equal, ok, 0);
        self.exit_if(bad, ip, ExitReason::Unsupported(Op::CALL_NAME), pre);
        // A fresh `FnCtx`: depth 0, the room the VM allows, not given up, the globals, and
        // the stack budget from here.
        let zero = self.iconst(0);
        let room = self.b.ins().load(types::I64, mf(), self.frame, F_ROOM);
        self.b.ins().store(mf(), zero, cx, C_DEPTH);
        self.b.ins().store(mf(), room, cx, C_MAX);
        self.b.ins().store(mf(), zero, cx, C_ABANDON);
        self.b.ins().store(mf(), self.globals, cx, C_GLOBALS);
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let lim = self
            .b
            .ins()
            .iadd_imm_s(sp, -(crate::jit::func::STACK_BUDGET as i64));
        self.b.ins().store(mf(), lim, cx, C_STACK_LIMIT);
        let f = match self.native_refs.get(&nc.code) {
            Some(&f) => f,
            None => {
                let f = (self.declare)(Import::Native(nc.id), self.b.func);
                self.native_refs.insert(nc.code, f);
                f
            }
        };
        self.globals_to_memory();
        let call = self.b.ins().call(f, &args);
        let r = self.b.inst_results(call)[0];
        let ab = self.b.ins().load(types::I64, mf(), cx, C_ABANDON);
        let gave_up = self.b.ins().icmp_imm_s(IntCC::NotEqual, ab, 0);
        self.exit_if(gave_up, ip, ExitReason::CallGaveUp, pre);
        stack.truncate(first);
        stack.push(match nc.ret {
            crate::jit::func::Ty::Int => AV::I(r),
            crate::jit::func::Ty::Bool => AV::B(self.b.ins().ireduce(types::I8, r)),
        });
    }

    /// An unconditional exit: the rest of the block is dead code.
    fn exit_now(&mut self, ip: u32, reason: ExitReason, stack: &[AV]) {
        self.emit_exit(ip, reason, stack, None);
    }

    /// While allocations are recorded: writes the current instruction's site to the heap
    /// meter's site cell, before a call that may allocate (a helper or a builtin), as the
    /// interpreter writes its instruction pointer before each dispatch. Compiled code allocates
    /// only in such calls.
    pub(super) fn note_alloc_site(&mut self) {
        let Some((addr, code)) = self.req.alloc_site else {
            return;
        };
        let p = self.iconst(addr as i64);
        let v = self.iconst(crate::vm::allocsites::jit_site(code, self.cur_ip) as i64);
        self.b.ins().store(mf(), v, p, 0);
    }

    /// Translates instruction `ip`; true if it ended the block.
    pub(super) fn instr(&mut self, ip: u32, stack: &mut Vec<AV>) -> Result<bool, Unsupported> {
        let ins = self.req.code.instrs[ip as usize];
        self.cur_ip = ip;
        let pre = stack.clone();
        // A compare's fact is only used by the branch right after it.
        let last_lt = self.last_lt.take();
        let a = ins.a;
        macro_rules! pop {
            () => {
                stack.pop().expect("verified stack depth")
            };
        }
        match ins.op {
            Op::NOP => {}
            Op::LOAD_CONST => {
                let c = &self.req.code.consts[a as usize];
                let v = match c.tag() {
                    TAG_INT => AV::I(self.iconst(c.payload() as i64)),
                    TAG_FLOAT => AV::F(self.b.ins().f64const(f64::from_bits(c.payload()))),
                    TAG_BOOL => AV::B(self.b.ins().iconst(types::I8, c.payload() as i64)),
                    TAG_NULL | TAG_FUNC => {
                        let t = self.iconst(c.tag() as i64);
                        AV::D(t, self.iconst(c.payload() as i64), Own::Const)
                    }
                    _ => {
                        let t =
                            self.b
                                .ins()
                                .load(types::I64, mf(), self.consts, tag_at(a as usize));
                        let p = self.b.ins().load(
                            types::I64,
                            mf(),
                            self.consts,
                            payload_at(a as usize),
                        );
                        AV::D(t, p, Own::Const)
                    }
                };
                stack.push(v);
            }
            Op::LOAD_NAME | Op::LOAD_GLOBAL => {
                let k = self.local_key(ins.op, a);
                let v = match self.slot_ty[&k] {
                    SlotType::Int => {
                        let v = self.b.use_var(self.slot_var[&k]);
                        self.origin.insert(v, k);
                        AV::I(v)
                    }
                    SlotType::Float => AV::F(self.b.use_var(self.slot_var[&k])),
                    SlotType::Bool => AV::B(self.b.use_var(self.slot_var[&k])),
                    SlotType::Mem => {
                        let base = self.base_of(k.0);
                        let t = self
                            .b
                            .ins()
                            .load(types::I64, mf(), base, tag_at(k.1 as usize));
                        let undef = self.b.ins().icmp_imm_s(IntCC::Equal, t, TAG_UNDEF as i64);
                        self.exit_if(undef, ip, ExitReason::Undefined, &pre);
                        let p = self
                            .b
                            .ins()
                            .load(types::I64, mf(), base, payload_at(k.1 as usize));
                        AV::D(t, p, Own::Slot(k.0, k.1))
                    }
                };
                stack.push(v);
            }
            Op::STORE_NAME | Op::STORE_GLOBAL => {
                let k = self.local_key(ins.op, a);
                let v = pop!();
                let ty = self.slot_ty[&k];
                match (ty, v) {
                    (SlotType::Int, AV::I(x))
                    | (SlotType::Float, AV::F(x))
                    | (SlotType::Bool, AV::B(x)) => {
                        self.below.remove(&k);
                        self.b.def_var(self.slot_var[&k], x);
                    }
                    (SlotType::Int | SlotType::Float | SlotType::Bool, AV::D(t, p, _)) => {
                        let bad = self.b.ins().icmp_imm_s(IntCC::NotEqual, t, ty.tag() as i64);
                        self.exit_if_slot(bad, ip, ExitReason::TypeChange, &pre, Some(k));
                        let x = match ty {
                            SlotType::Int => p,
                            SlotType::Float => {
                                self.b.ins().bitcast(types::F64, MemFlagsData::new(), p)
                            }
                            _ => self.b.ins().ireduce(types::I8, p),
                        };
                        self.below.remove(&k);
                        self.b.def_var(self.slot_var[&k], x);
                    }
                    (SlotType::Mem, v) => {
                        // Values borrowed from this slot must survive the store.
                        for s in stack.iter_mut() {
                            if let AV::D(t, p, Own::Slot(sp, i)) = *s {
                                if (sp, i) == k {
                                    self.if_heap_call("rt_incref", t, p);
                                    *s = AV::D(t, p, Own::Owned);
                                }
                            }
                        }
                        let (t, p) = self.owned(v);
                        let base = self.base_of(k.0);
                        let ot = self
                            .b
                            .ins()
                            .load(types::I64, mf(), base, tag_at(k.1 as usize));
                        let op =
                            self.b
                                .ins()
                                .load(types::I64, mf(), base, payload_at(k.1 as usize));
                        self.b.ins().store(mf(), t, base, tag_at(k.1 as usize));
                        self.b.ins().store(mf(), p, base, payload_at(k.1 as usize));
                        self.if_heap_call("rt_drop", ot, op);
                    }
                    _ => {
                        self.set_term(Term::Exit);
                        self.emit_exit(ip, ExitReason::TypeChange, &pre, Some(k));
                        return Ok(true);
                    }
                }
            }
            Op::POP => {
                let v = pop!();
                self.drop_av(v);
            }
            Op::DUP => {
                let v = *stack.last().expect("verified");
                let c = self.dup(v);
                stack.push(c);
            }
            Op::DUP2 => {
                let n = stack.len();
                let (x, y) = (stack[n - 2], stack[n - 1]);
                let (cx, cy) = (self.dup(x), self.dup(y));
                stack.push(cx);
                stack.push(cy);
            }
            Op::ADD | Op::SUB | Op::MUL => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => AV::I(self.checked_arith(ins.op, x, y, ip, &pre)),
                    (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                        let x = self.float_of(av).expect("number");
                        let y = self.float_of(bv).expect("number");
                        AV::F(match ins.op {
                            Op::ADD => self.b.ins().fadd(x, y),
                            Op::SUB => self.b.ins().fsub(x, y),
                            _ => self.b.ins().fmul(x, y),
                        })
                    }
                    (AV::D(_, _, Own::Slot(sp, slot)), _)
                        if ins.op == Op::ADD && self.stores_back(ip, (sp, slot), bv) =>
                    {
                        // `s = s + x`: the slot's string may grow in place.
                        let base = self.base_of(sp);
                        let addr = self.b.ins().iadd_imm_s(base, tag_at(slot as usize) as i64);
                        let (bt, bp) = self.boxed(bv);
                        let r = self.helper_value("rt_add_to_slot", &[addr, bt, bp], ip, &pre);
                        self.drop_av(bv);
                        r
                    }
                    _ => {
                        let k = match ins.op {
                            Op::ADD => rt::ArithKind::Add as u64,
                            Op::SUB => rt::ArithKind::Sub as u64,
                            _ => rt::ArithKind::Mul as u64,
                        };
                        self.generic_binop(k, av, bv, ip, &pre)
                    }
                };
                stack.push(r);
            }
            Op::DIV => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => {
                        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                        self.exit_if(zero, ip, ExitReason::DivisionByZero, &pre);
                        let m1 = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                        let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                        let of = self.b.ins().band(m1, min);
                        self.exit_if(of, ip, ExitReason::Overflow, &pre);
                        let rem = self.b.ins().srem(x, y);
                        let inexact = self.b.ins().icmp_imm_s(IntCC::NotEqual, rem, 0);
                        self.exit_if(inexact, ip, ExitReason::InexactDivision, &pre);
                        AV::I(self.b.ins().sdiv(x, y))
                    }
                    (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                        let x = self.float_of(av).expect("number");
                        let y = self.float_of(bv).expect("number");
                        let z = self.b.ins().f64const(0.0);
                        let zero = self.b.ins().fcmp(FloatCC::Equal, y, z);
                        self.exit_if(zero, ip, ExitReason::DivisionByZero, &pre);
                        AV::F(self.b.ins().fdiv(x, y))
                    }
                    _ => self.generic_binop(rt::ArithKind::Div as u64, av, bv, ip, &pre),
                };
                stack.push(r);
            }
            Op::MOD => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => {
                        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                        self.exit_if(zero, ip, ExitReason::ModuloByZero, &pre);
                        AV::I(self.int_mod(x, y))
                    }
                    (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                        let x = self.float_of(av).expect("number");
                        let y = self.float_of(bv).expect("number");
                        let z = self.b.ins().f64const(0.0);
                        let zero = self.b.ins().fcmp(FloatCC::Equal, y, z);
                        self.exit_if(zero, ip, ExitReason::ModuloByZero, &pre);
                        AV::F(self.call("rt_fmod", &[x, y]).expect("result"))
                    }
                    _ => self.generic_binop(rt::ArithKind::Mod as u64, av, bv, ip, &pre),
                };
                stack.push(r);
            }
            Op::POW => {
                let bv = pop!();
                let av = pop!();
                let r = self.generic_binop(rt::ArithKind::Pow as u64, av, bv, ip, &pre);
                stack.push(r);
            }
            Op::BAND | Op::BOR | Op::BXOR | Op::SHL | Op::SHR => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => {
                        let (r, leave) = crate::jit::emit::int_bitop(&mut self.b, ins.op, x, y);
                        if let Some(c) = leave {
                            self.exit_if(c, ip, ExitReason::Failed(ins.op), &pre);
                        }
                        AV::I(r)
                    }
                    _ => self.generic_binop(bitop_code(ins.op), av, bv, ip, &pre),
                };
                stack.push(r);
            }
            Op::BNOT => {
                let v = pop!();
                let r = match v {
                    AV::I(x) => AV::I(self.b.ins().bnot(x)),
                    // `~x` is `x ^ -1` on ints; anything else fails and leaves (the
                    // interpreter raises the error).
                    _ => {
                        let m1 = AV::I(self.iconst(-1));
                        self.generic_binop(rt::ArithKind::BXor as u64, v, m1, ip, &pre)
                    }
                };
                stack.push(r);
            }
            Op::NEG => {
                let v = pop!();
                let r = match v {
                    AV::I(x) => {
                        let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                        self.exit_if(min, ip, ExitReason::Overflow, &pre);
                        AV::I(self.b.ins().ineg(x))
                    }
                    AV::F(x) => AV::F(self.b.ins().fneg(x)),
                    _ => {
                        let (t, p) = self.boxed(v);
                        let r = self.helper_value("rt_neg", &[t, p], ip, &pre);
                        self.drop_av(v);
                        r
                    }
                };
                stack.push(r);
            }
            Op::EQ | Op::NEQ | Op::LT | Op::GT | Op::LTE | Op::GTE => {
                let bv = pop!();
                let av = pop!();
                let r = self.compare(ins.op, av, bv, ip, &pre);
                stack.push(AV::B(r));
            }
            Op::AND | Op::OR => {
                let bv = pop!();
                let av = pop!();
                let x = self.truthy(av);
                let y = self.truthy(bv);
                let r = if ins.op == Op::AND {
                    self.b.ins().band(x, y)
                } else {
                    self.b.ins().bor(x, y)
                };
                self.drop_av(av);
                self.drop_av(bv);
                stack.push(AV::B(r));
            }
            Op::NOT => {
                let v = pop!();
                let x = self.truthy(v);
                let r = self.b.ins().bxor_imm_s(x, 1);
                self.drop_av(v);
                stack.push(AV::B(r));
            }
            Op::JUMP => {
                if a <= ip {
                    self.spend_fuel(ip, (ip - a + 1) as i64, stack);
                }
                match self.back_vars.get(&ip).copied() {
                    Some(ctr) => {
                        self.incr(ctr, 1);
                        let to = self
                            .block_idx(a)
                            .expect("a backward jump in the loop reaches a block");
                        self.set_term(Term::Back { to, ctr });
                    }
                    None => self.set_term(Term::Goto(self.block_idx(a))),
                }
                self.goto(a, stack);
                return Ok(true);
            }
            Op::JUMP_IF_FALSE
            | Op::JUMP_IF_TRUE
            | Op::JUMP_IF_FALSE_OR_POP
            | Op::JUMP_IF_TRUE_OR_POP => {
                let c = pop!();
                // `while (i < y)`: in the body (entered only through this test) `i + 1`
                // cannot overflow until `i` is stored.
                if let (Op::JUMP_IF_FALSE, AV::B(r), Some((lr, slot))) = (ins.op, c, last_lt) {
                    if r == lr {
                        self.pending_fact = Some((ip + 1, slot));
                    }
                }
                let t = self.truthy(c);
                let on_true = matches!(ins.op, Op::JUMP_IF_TRUE | Op::JUMP_IF_TRUE_OR_POP);
                let keeps = matches!(ins.op, Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP);
                let taken = self.b.create_block();
                let not_taken = self.b.create_block();
                if on_true {
                    self.b.ins().brif(t, taken, &[], not_taken, &[]);
                } else {
                    self.b.ins().brif(t, not_taken, &[], taken, &[]);
                }
                if let Some((ctr, _)) = self.branch_vars.get(&ip).copied() {
                    let term = Term::Cond {
                        ip,
                        taken: self.block_idx(a),
                        not_taken: self.block_idx(ip + 1),
                        ctr,
                    };
                    self.set_term(term);
                }
                self.b.switch_to_block(taken);
                self.branch_stat(ip, true);
                let mut ts = stack.clone();
                if keeps {
                    ts.push(c);
                } else {
                    self.drop_av(c);
                }
                self.cur_edge = Some((ip, true));
                self.goto(a, &ts);
                self.b.switch_to_block(not_taken);
                self.branch_stat(ip, false);
                self.drop_av(c);
                self.cur_edge = Some((ip, false));
                self.goto(ip + 1, stack);
                self.cur_edge = None;
                return Ok(true);
            }
            Op::CALL_BUILTIN if crate::bytecode::BUILTINS[a as usize] == "append" && ins.b == 2 => {
                let v = pop!();
                let l = pop!();
                let (lt, lp) = self.boxed(l);
                let (vt, vp) = self.boxed(v);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.set_cold_block(slow);
                self.append_fast((lt, lp), (vt, vp), slow, join);
                self.b.switch_to_block(slow);
                let st = self.call("rt_append", &[lt, lp, vt, vp]).expect("status");
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
                self.exit_if(failed, ip, ExitReason::Failed(Op::CALL_BUILTIN), &pre);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
                self.drop_av(v);
                // `append` returns the list.
                stack.push(l);
            }
            Op::CALL_BUILTIN
                if matches!(crate::bytecode::BUILTINS[a as usize], "len" | "length")
                    && ins.b == 1 =>
            {
                let v = pop!();
                let (t, p) = self.boxed(v);
                let r = self.helper_value("rt_len", &[t, p], ip, &pre);
                self.drop_av(v);
                let AV::D(_, n, _) = r else {
                    unreachable!("helper results are boxed")
                };
                stack.push(AV::I(n));
            }
            // Builtins that call user functions run in the interpreter (see `vm::reenter`).
            Op::CALL_BUILTIN
                if crate::bytecode::Builtin::from_id(a).is_some_and(|b| b.calls_back()) =>
            {
                return Err(unsupported(
                    Some(ins.op),
                    ip,
                    format!(
                        "builtin {} calls functions (left to the interpreter)",
                        crate::bytecode::BUILTINS[a as usize]
                    ),
                ));
            }
            Op::CALL_BUILTIN | Op::CALL_METHOD => {
                let argc = ins.b as usize;
                let n = if ins.op == Op::CALL_METHOD {
                    argc + 1
                } else {
                    argc
                };
                let args: Vec<AV> = stack.split_off(stack.len() - n);
                for (i, &v) in args.iter().enumerate() {
                    let (t, p) = self.boxed(v);
                    self.b
                        .ins()
                        .stack_store(types::I64, t, self.args_slot, tag_at(i));
                    self.b
                        .ins()
                        .stack_store(types::I64, p, self.args_slot, payload_at(i));
                }
                let host = self.b.ins().load(types::I64, mf(), self.frame, F_HOST);
                let argp = self.b.ins().stack_addr(types::I64, self.args_slot, 0);
                let out = self.b.ins().stack_addr(types::I64, self.out_slot, 0);
                let cnt = self.iconst(argc as i64);
                let (fp, first) = if ins.op == Op::CALL_BUILTIN {
                    (
                        self.b.ins().load(types::I64, mf(), host, H_BUILTIN),
                        self.iconst(a as i64),
                    )
                } else {
                    (
                        self.b.ins().load(types::I64, mf(), host, H_METHOD),
                        self.b
                            .ins()
                            .iadd_imm_s(self.consts, tag_at(a as usize) as i64),
                    )
                };
                self.note_alloc_site();
                let inst = self
                    .b
                    .ins()
                    .call_indirect(self.host_sig, fp, &[first, argp, cnt, out]);
                let st = self.b.inst_results(inst)[0];
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
                self.exit_if(failed, ip, ExitReason::Failed(ins.op), &pre);
                let r = self.load_out();
                for v in args {
                    self.drop_av(v);
                }
                stack.push(r);
            }
            // Properties through the runtime's own lookup (an object's declared field is found
            // by its name's pointer), so loops over objects run natively.
            Op::GET_ATTR => {
                let o = pop!();
                let (t, p) = self.boxed(o);
                let name = self
                    .b
                    .ins()
                    .iadd_imm_s(self.consts, tag_at(a as usize) as i64);
                let r = self.helper_value("rt_get_attr", &[t, p, name], ip, &pre);
                self.drop_av(o);
                stack.push(r);
            }
            Op::SET_ATTR => {
                let v = pop!();
                let o = pop!();
                let (t, p) = self.boxed(o);
                let (vt, vp) = self.boxed(v);
                let name = self
                    .b
                    .ins()
                    .iadd_imm_s(self.consts, tag_at(a as usize) as i64);
                let st = self
                    .call("rt_set_attr", &[t, p, name, vt, vp])
                    .expect("status");
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
                self.exit_if(failed, ip, ExitReason::Failed(Op::SET_ATTR), &pre);
                self.drop_av(v);
                self.drop_av(o);
            }
            Op::INDEX => {
                let k = pop!();
                let o = pop!();
                let r = self.index(o, k, ip, &pre);
                stack.push(r);
            }
            Op::STORE_INDEX => {
                let v = pop!();
                let k = pop!();
                let o = pop!();
                self.store_index(o, k, v, ip, &pre);
            }
            Op::CALL_NAME if self.native_args_ok(a, ins.b as usize, stack) => {
                self.native_call(ip, a, ins.b as usize, stack, &pre);
            }
            op if is_exit_op(op) => {
                self.set_term(Term::Exit);
                self.exit_now(ip, ExitReason::Unsupported(op), &pre);
                return Ok(true);
            }
            op => {
                return Err(unsupported(
                    Some(op),
                    ip,
                    format!("opcode {} is not compiled", op.name()),
                ))
            }
        }
        Ok(false)
    }

    /// True if the ADD at `ip` is `s = s + x` on memory slot `s`: the next instruction, in the
    /// same block, stores to `s`, and `x` does not come from `s` (as the interpreter's in-place
    /// append requires).
    fn stores_back(&self, ip: u32, slot: (Space, u32), x: AV) -> bool {
        let Some(next) = self.req.code.instrs.get(ip as usize + 1) else {
            return false;
        };
        let same_block = self.blocks[&self.cur_block].end > ip;
        let stores = matches!(next.op, Op::STORE_NAME | Op::STORE_GLOBAL)
            && self.local_key(next.op, next.a) == slot;
        let x_other = !matches!(x, AV::D(_, _, Own::Slot(s, i)) if (s, i) == slot);
        same_block && stores && x_other && self.slot_ty.get(&slot) == Some(&SlotType::Mem)
    }

    /// The value of `v` if it is an `iconst`.
    fn const_of(&self, v: CV) -> Option<i64> {
        let inst = self.b.func.dfg.value_def(v).inst()?;
        match self.b.func.dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::UnaryImm {
                opcode: cranelift_codegen::ir::Opcode::Iconst,
                imm,
            } => Some(imm.bits()),
            _ => None,
        }
    }

    /// `x + y`, `x - y` or `x * y` on ints, exiting on overflow. With a constant operand of an
    /// add or subtract the overflow test is one compare against a bound (which the CPU fuses
    /// with its branch) instead of a flag materialised and tested.
    fn checked_arith(&mut self, op: Op, x: CV, y: CV, ip: u32, pre: &[AV]) -> CV {
        let (xc, yc) = (self.const_of(x), self.const_of(y));
        let konst = match (op, xc, yc) {
            (Op::ADD, _, Some(c)) => Some((x, c)),
            (Op::ADD, Some(c), _) => Some((y, c)),
            (Op::SUB, _, Some(c)) if c != i64::MIN => Some((x, -c)),
            _ => None,
        };
        if let Some((v, c)) = konst {
            let bounded = c == 1 && self.origin.get(&v).is_some_and(|s| self.below.contains(s));
            // v + c overflows iff v > MAX - c (c > 0) or v < MIN - c (c < 0).
            if c != 0 && !bounded {
                let of = if c > 0 {
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::SignedGreaterThan, v, i64::MAX - c)
                } else {
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::SignedLessThan, v, i64::MIN - c)
                };
                self.exit_if(of, ip, ExitReason::Overflow, pre);
            }
            return match op {
                Op::ADD => self.b.ins().iadd(x, y),
                _ => self.b.ins().isub(x, y),
            };
        }
        let (r, of) = match op {
            Op::ADD => self.b.ins().sadd_overflow(x, y),
            Op::SUB => self.b.ins().ssub_overflow(x, y),
            _ => self.b.ins().smul_overflow(x, y),
        };
        self.exit_if(of, ip, ExitReason::Overflow, pre);
        r
    }

    /// Floor modulo of ints, `y != 0`. Non-negative operands (the usual case) take an unsigned
    /// remainder, 32-bit when both fit (a shorter divide; by a constant, a multiply).
    fn int_mod(&mut self, x: CV, y: CV) -> CV {
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        let nonneg = self.b.create_block();
        let general = self.b.create_block();
        self.b.set_cold_block(general);
        let both = self.b.ins().bor(x, y);
        let pos = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, both, 0);
        self.b.ins().brif(pos, nonneg, &[], general, &[]);
        self.b.switch_to_block(nonneg);
        let y_const = self.b.func.dfg.value_def(y).inst().is_some_and(|i| {
            matches!(
                self.b.func.dfg.insts[i].opcode(),
                cranelift_codegen::ir::Opcode::Iconst
            )
        });
        if y_const {
            let r = self.b.ins().urem(x, y);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
        } else {
            let small = self.b.create_block();
            let wide = self.b.create_block();
            let hi = self.b.ins().ushr_imm_u(both, 32);
            let fits = self.b.ins().icmp_imm_s(IntCC::Equal, hi, 0);
            self.b.ins().brif(fits, small, &[], wide, &[]);
            self.b.switch_to_block(small);
            let x32 = self.b.ins().ireduce(types::I32, x);
            let y32 = self.b.ins().ireduce(types::I32, y);
            let r32 = self.b.ins().urem(x32, y32);
            let r = self.b.ins().uextend(types::I64, r32);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
            self.b.switch_to_block(wide);
            let r = self.b.ins().urem(x, y);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
        }
        self.b.switch_to_block(general);
        let r = crate::jit::emit::floor_mod(&mut self.b, x, y);
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    /// The (tag == LIST, key tag == INT, 0 <= key < len) test of an inline element access to
    /// the value store: returns the element's address (the builder is in the block that has
    /// it) and the pending test for the bool store of a compact list, which the caller emits
    /// with [`Self::bools_fast`] after filling this block. Offsets: [`list_layout`]; no borrow
    /// flag (the runtime's list module says why JIT code may touch a list between its methods).
    fn list_fast(&mut self, o: (CV, CV), k: (CV, CV), slow: Block) -> (CV, BoolsCheck) {
        let is_list = self.b.ins().icmp_imm_s(IntCC::Equal, o.0, TAG_LIST as i64);
        let int_key = self.b.ins().icmp_imm_s(IntCC::Equal, k.0, TAG_INT as i64);
        let ok = self.b.ins().band(is_list, int_key);
        let b1 = self.b.create_block();
        self.b.ins().brif(ok, b1, &[], slow, &[]);
        self.b.switch_to_block(b1);
        let len = self
            .b
            .ins()
            .load(types::I64, mf(), o.1, list_layout::VALUES_LEN);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, k.1, len);
        let b2 = self.b.create_block();
        let check = BoolsCheck {
            block: self.b.create_block(),
            list: o.1,
            key: k.1,
        };
        self.b.ins().brif(inb, b2, &[], check.block, &[]);
        self.b.switch_to_block(b2);
        let data = self
            .b
            .ins()
            .load(types::I64, mf(), o.1, list_layout::VALUES_PTR);
        let off = self.b.ins().ishl_imm_u(k.1, V_SHIFT);
        (self.b.ins().iadd(data, off), check)
    }

    /// The second half of [`Self::list_fast`]: key < bools length for a compact list; returns
    /// the byte's address, with the builder in the block that has it.
    fn bools_fast(&mut self, c: BoolsCheck, slow: Block) -> CV {
        self.b.switch_to_block(c.block);
        let len = self
            .b
            .ins()
            .load(types::I64, mf(), c.list, list_layout::BOOLS_LEN);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, c.key, len);
        let b = self.b.create_block();
        self.b.ins().brif(inb, b, &[], slow, &[]);
        self.b.switch_to_block(b);
        let data = self
            .b
            .ins()
            .load(types::I64, mf(), c.list, list_layout::BOOLS_PTR);
        self.b.ins().iadd(data, c.key)
    }

    /// `append(l, v)` inline when `l` is a list with room: a bool onto a compact (or empty)
    /// list as a byte, any value that owns no heap object (a plain copy) onto the value store;
    /// then jumps to `join`. Anything else goes to `slow` (the helper).
    fn append_fast(&mut self, l: (CV, CV), v: (CV, CV), slow: Block, join: Block) {
        use list_layout::*;
        let is_list = self.b.ins().icmp_imm_s(IntCC::Equal, l.0, TAG_LIST as i64);
        let b0 = self.b.create_block();
        self.b.ins().brif(is_list, b0, &[], slow, &[]);
        self.b.switch_to_block(b0);
        let len = self.b.ins().load(types::I64, mf(), l.1, VALUES_LEN);
        let blen = self.b.ins().load(types::I64, mf(), l.1, BOOLS_LEN);
        let is_bool = self.b.ins().icmp_imm_s(IntCC::Equal, v.0, TAG_BOOL as i64);
        let no_values = self.b.ins().icmp_imm_s(IntCC::Equal, len, 0);
        let to_bools = self.b.ins().band(is_bool, no_values);
        let (bools, values) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(to_bools, bools, &[], values, &[]);
        // A byte onto the bool store.
        self.b.switch_to_block(bools);
        let addr = self.push_room(l.1, blen, (BOOLS_CAP, BOOLS_PTR), 0, None, slow);
        self.b.ins().istore8(mf(), v.1, addr, 0);
        self.push_done(l.1, blen, BOOLS_LEN, join);
        // A 16-byte value onto the value store (only while the bool store is empty).
        self.b.switch_to_block(values);
        let plain = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, v.0, HEAP_TAG_MIN as i64);
        let no_bools = self.b.ins().icmp_imm_s(IntCC::Equal, blen, 0);
        let ok = self.b.ins().band(plain, no_bools);
        let addr = self.push_room(l.1, len, (VALUES_CAP, VALUES_PTR), V_SHIFT, Some(ok), slow);
        self.b.ins().store(mf(), v.0, addr, V_TAG);
        self.b.ins().store(mf(), v.1, addr, V_PAYLOAD);
        self.push_done(l.1, len, VALUES_LEN, join);
    }

    /// The room test of an inline `append` to one of a list's stores: `len` below the capacity
    /// at `cap_at` and below the length limit, and `ok` if given. Anything else goes to `slow`; otherwise
    /// the builder moves on to a block that has the address of the new element (elements of
    /// `1 << shift` bytes from the pointer at `ptr_at`), for the caller to write it.
    fn push_room(
        &mut self,
        list: CV,
        len: CV,
        (cap_at, ptr_at): (i32, i32),
        shift: i64,
        ok: Option<CV>,
        slow: Block,
    ) -> CV {
        let max = zexus_runtime::ops::MAX_LIST_LEN as i64;
        let cap = self.b.ins().load(types::I64, mf(), list, cap_at);
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
        let under = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, len, max);
        let ok = match ok {
            Some(ok) => self.b.ins().band(ok, room),
            None => room,
        };
        let ok = self.b.ins().band(ok, under);
        let fits = self.b.create_block();
        self.b.ins().brif(ok, fits, &[], slow, &[]);
        self.b.switch_to_block(fits);
        let data = self.b.ins().load(types::I64, mf(), list, ptr_at);
        let off = if shift == 0 {
            len
        } else {
            self.b.ins().ishl_imm_u(len, shift)
        };
        self.b.ins().iadd(data, off)
    }

    /// After [`Self::push_room`] and the element's write: the store's length (at `len_at`)
    /// becomes `len + 1`, then on to `join`.
    fn push_done(&mut self, list: CV, len: CV, len_at: i32, join: Block) {
        let n = self.b.ins().iadd_imm_s(len, 1);
        self.b.ins().store(mf(), n, list, len_at);
        self.b.ins().jump(join, &[]);
    }

    /// `o[k]`: list elements inline, everything else through `rt_index`.
    fn index(&mut self, o: AV, k: AV, ip: u32, pre: &[AV]) -> AV {
        let ob = self.boxed(o);
        let kb = self.boxed(k);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.append_block_param(join, types::I64);
        let (addr, check) = self.list_fast(ob, kb, slow);
        let t = self.b.ins().load(types::I64, mf(), addr, V_TAG);
        let p = self.b.ins().load(types::I64, mf(), addr, V_PAYLOAD);
        self.if_heap_call("rt_incref", t, p);
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        let addr = self.bools_fast(check, slow);
        let p = self.b.ins().uload8(types::I64, mf(), addr, 0);
        let t = self.iconst(TAG_BOOL as i64);
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        self.b.switch_to_block(slow);
        let r = self.helper_value("rt_index", &[ob.0, ob.1, kb.0, kb.1], ip, pre);
        let AV::D(t, p, _) = r else {
            unreachable!("helper results are boxed")
        };
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        self.b.switch_to_block(join);
        let ps = self.b.block_params(join).to_vec();
        self.drop_av(o);
        self.drop_av(k);
        AV::D(ps[0], ps[1], Own::Owned)
    }

    /// `o[k] = v`: list elements inline, everything else through `rt_store_index`.
    fn store_index(&mut self, o: AV, k: AV, v: AV, ip: u32, pre: &[AV]) {
        let ob = self.boxed(o);
        let kb = self.boxed(k);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        let (addr, check) = self.list_fast(ob, kb, slow);
        // The list takes over a reference to `v`.
        let (vt, vp) = self.owned(v);
        let ot = self.b.ins().load(types::I64, mf(), addr, V_TAG);
        let op = self.b.ins().load(types::I64, mf(), addr, V_PAYLOAD);
        self.b.ins().store(mf(), vt, addr, V_TAG);
        self.b.ins().store(mf(), vp, addr, V_PAYLOAD);
        self.if_heap_call("rt_drop", ot, op);
        self.b.ins().jump(join, &[]);
        // A compact list takes a bool as a byte; anything else widens it (helper).
        let addr = self.bools_fast(check, slow);
        match v {
            AV::B(x) => {
                self.b.ins().store(mf(), x, addr, 0);
                self.b.ins().jump(join, &[]);
            }
            AV::D(t, p, _) => {
                let is_bool = self.b.ins().icmp_imm_s(IntCC::Equal, t, TAG_BOOL as i64);
                let put = self.b.create_block();
                self.b.ins().brif(is_bool, put, &[], slow, &[]);
                self.b.switch_to_block(put);
                self.b.ins().istore8(mf(), p, addr, 0);
                self.b.ins().jump(join, &[]);
            }
            AV::I(_) | AV::F(_) => {
                self.b.ins().jump(slow, &[]);
            }
        }
        self.b.switch_to_block(slow);
        let (vt, vp) = self.boxed(v);
        let st = self
            .call("rt_store_index", &[ob.0, ob.1, kb.0, kb.1, vt, vp])
            .expect("status");
        let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.exit_if(failed, ip, ExitReason::Failed(Op::STORE_INDEX), pre);
        // The helper cloned `v`: give back the reference native code held.
        self.drop_av(v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.drop_av(o);
        self.drop_av(k);
    }

    /// A second reference to the same value.
    fn dup(&mut self, v: AV) -> AV {
        match v {
            AV::D(t, p, Own::Owned) => {
                self.if_heap_call("rt_incref", t, p);
                AV::D(t, p, Own::Owned)
            }
            other => other,
        }
    }

    fn compare(&mut self, op: Op, av: AV, bv: AV, ip: u32, pre: &[AV]) -> CV {
        let (icc, fcc, k) = match op {
            Op::EQ => (IntCC::Equal, FloatCC::Equal, rt::CmpKind::Eq as u64),
            Op::NEQ => (IntCC::NotEqual, FloatCC::NotEqual, rt::CmpKind::Neq as u64),
            Op::LT => (
                IntCC::SignedLessThan,
                FloatCC::LessThan,
                rt::CmpKind::Lt as u64,
            ),
            Op::GT => (
                IntCC::SignedGreaterThan,
                FloatCC::GreaterThan,
                rt::CmpKind::Gt as u64,
            ),
            Op::LTE => (
                IntCC::SignedLessThanOrEqual,
                FloatCC::LessThanOrEqual,
                rt::CmpKind::Lte as u64,
            ),
            _ => (
                IntCC::SignedGreaterThanOrEqual,
                FloatCC::GreaterThanOrEqual,
                rt::CmpKind::Gte as u64,
            ),
        };
        match (av, bv) {
            (AV::I(x), AV::I(y)) => {
                let r = self.b.ins().icmp(icc, x, y);
                if let (IntCC::SignedLessThan, Some(&slot)) = (icc, self.origin.get(&x)) {
                    self.last_lt = Some((r, slot));
                }
                r
            }
            (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                let x = self.float_of(av).expect("number");
                let y = self.float_of(bv).expect("number");
                self.b.ins().fcmp(fcc, x, y)
            }
            (AV::B(x), AV::B(y)) if matches!(op, Op::EQ | Op::NEQ) => self.b.ins().icmp(icc, x, y),
            _ => {
                let (at, ap) = self.boxed(av);
                let (bt, bp) = self.boxed(bv);
                // Two ints (the common case of list elements) inline, and `==`/`!=` with null
                // (a test of the tags: null equals only null); the rest in the helper.
                let both = self.b.ins().bor(at, bt);
                let ints = self.b.ins().icmp_imm_s(IntCC::Equal, both, TAG_INT as i64);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.append_block_param(join, types::I8);
                self.b.set_cold_block(slow);
                let by_value = self.b.ins().icmp(icc, ap, bp);
                let (fast_ok, fast) = if matches!(op, Op::EQ | Op::NEQ) {
                    let an = self.b.ins().icmp_imm_s(IntCC::Equal, at, TAG_NULL as i64);
                    let bn = self.b.ins().icmp_imm_s(IntCC::Equal, bt, TAG_NULL as i64);
                    let null = self.b.ins().bor(an, bn);
                    let by_tag = self.b.ins().icmp(icc, at, bt);
                    let fast = self.b.ins().select(ints, by_value, by_tag);
                    (self.b.ins().bor(ints, null), fast)
                } else {
                    (ints, by_value)
                };
                self.b
                    .ins()
                    .brif(fast_ok, join, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let kv = self.iconst(k as i64);
                let r = self
                    .call("rt_compare", &[kv, at, ap, bt, bp])
                    .expect("result");
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, 2);
                self.exit_if(failed, ip, ExitReason::Failed(op), pre);
                let r8 = self.b.ins().ireduce(types::I8, r);
                self.b.ins().jump(join, &[BlockArg::Value(r8)]);
                self.b.switch_to_block(join);
                let r = self.b.block_params(join)[0];
                self.drop_av(av);
                self.drop_av(bv);
                r
            }
        }
    }

    /// Counts one outcome of the branch at `ip` (the taken edge only) and, at FULL, steps the
    /// 2-bit predictor.
    fn branch_stat(&mut self, ip: u32, taken: bool) {
        let Some((tv, pred)) = self.branch_vars.get(&ip).copied() else {
            return;
        };
        if taken {
            self.incr(tv, 1);
        }
        let Some(pred) = pred else { return };
        // An inner loop's exit test falls through on every iteration and is taken once per
        // loop run: its state is nearly always saturated, so a well-predicted test skips the
        // update. Other branches (an `if` on data) update branch-free, since a skip would
        // itself mispredict.
        let mut cont = None;
        let v = self.ctr_get(pred);
        let s = self.b.ins().band_imm_u(v, 3);
        if self.loop_tests.contains(&ip) {
            let moving = self
                .b
                .ins()
                .icmp_imm_s(IntCC::NotEqual, s, if taken { 3 } else { 0 });
            let upd = self.b.create_block();
            let done = self.b.create_block();
            self.b.ins().brif(moving, upd, &[], done, &[]);
            self.b.switch_to_block(upd);
            cont = Some(done);
        }
        let nv = crate::jit::emit::predictor_step(&mut self.b, v, s, taken);
        self.ctr_set(pred, nv);
        if let Some(done) = cont {
            self.b.ins().jump(done, &[]);
            self.b.switch_to_block(done);
        }
    }
}

/// The pending bool-store test of an inline element access (see `list_fast`).
struct BoolsCheck {
    /// The block that tests the bool store (reached when the value store test fails).
    block: Block,
    /// The list object's address.
    list: CV,
    /// The index (an int).
    key: CV,
}

/// The `rt_binop` operator number of a bitwise opcode.
fn bitop_code(op: Op) -> u64 {
    match op {
        Op::BAND => rt::ArithKind::BAnd as u64,
        Op::BOR => rt::ArithKind::BOr as u64,
        Op::BXOR => rt::ArithKind::BXor as u64,
        Op::SHL => rt::ArithKind::Shl as u64,
        _ => rt::ArithKind::Shr as u64,
    }
}
