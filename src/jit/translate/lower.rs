//! Lowering of each bytecode instruction to Cranelift IR (`Tr::instr`): loads and stores of
//! slots, stack shuffles, the dispatch to arithmetic ([`super::arith`]), list elements
//! ([`super::lists`]) and calls ([`super::calls`]), jumps and branches with their counters
//! ([`super::counters`]), and the exits at instructions native code does not run.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData};
use zexus_runtime::jit_helpers as rt;
use zexus_runtime::value::{TAG_BOOL, TAG_FLOAT, TAG_FUNC, TAG_INT, TAG_NULL, TAG_UNDEF};

use super::*;
use crate::bytecode::{Builtin, Op};

impl<'a, 'f> Tr<'a, 'f> {
    /// Translates instruction `ip`; true if it ended the block.
    pub(super) fn instr(&mut self, ip: u32, stack: &mut Vec<AV>) -> Result<bool, JitError> {
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
                                    self.if_heap_call(H::Incref, t, p);
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
                        self.if_heap_call(H::Drop, ot, op);
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
                        let r = self.helper_value(H::AddToSlot, &[addr, bt, bp], ip, &pre);
                        self.drop_av(bv);
                        r
                    }
                    _ => self.dynamic_arith(ins.op, av, bv, ip, &pre),
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
                    _ => self.dynamic_arith(Op::DIV, av, bv, ip, &pre),
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
                        AV::F(self.call(H::Fmod, &[x, y]).expect("result"))
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
                        let r = self.helper_value(H::Neg, &[t, p], ip, &pre);
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
            Op::CALL_BUILTIN if Builtin::from_id(a) == Some(Builtin::Append) && ins.b == 2 => {
                let v = pop!();
                let l = pop!();
                let (lt, lp) = self.boxed(l);
                let (vt, vp) = self.boxed(v);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.set_cold_block(slow);
                self.append_fast((lt, lp), (vt, vp), slow, join);
                self.b.switch_to_block(slow);
                let st = self.call(H::Append, &[lt, lp, vt, vp]).expect("status");
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
                self.exit_if(failed, ip, ExitReason::Failed(Op::CALL_BUILTIN), &pre);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
                self.drop_av(v);
                // `append` returns the list.
                stack.push(l);
            }
            Op::CALL_BUILTIN
                if matches!(Builtin::from_id(a), Some(Builtin::Len | Builtin::Length))
                    && ins.b == 1 =>
            {
                let v = pop!();
                let (t, p) = self.boxed(v);
                let r = self.helper_value(H::Len, &[t, p], ip, &pre);
                self.drop_av(v);
                let AV::D(_, n, _) = r else {
                    unreachable!("helper results are boxed")
                };
                stack.push(AV::I(n));
            }
            // A new list in the runtime: the operands' counts go to it (borrowed values get
            // one first), as the interpreter's `BUILD_LIST` takes them off the stack.
            Op::BUILD_LIST => {
                let items: Vec<AV> = stack.split_off(stack.len() - a as usize);
                let argp = self.spill_args(&items, true);
                let n = self.iconst(i64::from(a));
                self.note_alloc_site();
                let r = self.helper_value(H::BuildList, &[argp, n], ip, &pre);
                stack.push(r);
            }
            // A new map in the runtime from borrowed operands (on an error, a key that cannot
            // be one, they are still the stack's for the interpreter to redo the instruction).
            Op::BUILD_MAP => {
                let items: Vec<AV> = stack.split_off(stack.len() - 2 * a as usize);
                let argp = self.spill_args(&items, false);
                let n = self.iconst(i64::from(a));
                self.note_alloc_site();
                let r = self.helper_value(H::BuildMap, &[argp, n], ip, &pre);
                for v in items {
                    self.drop_av(v);
                }
                stack.push(r);
            }
            // Builtins that call user functions never get here: `translate` refuses their
            // loops before building any IR (the interpreter runs them, see `vm::reenter`).
            Op::CALL_BUILTIN | Op::CALL_METHOD => {
                let argc = ins.b as usize;
                let n = if ins.op == Op::CALL_METHOD {
                    argc + 1
                } else {
                    argc
                };
                let args: Vec<AV> = stack.split_off(stack.len() - n);
                let argp = self.spill_args(&args, false);
                let host = self.b.ins().load(types::I64, mf(), self.frame, F_HOST);
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
                let r = self.helper_value(H::GetAttr, &[t, p, name], ip, &pre);
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
                    .call(H::SetAttr, &[t, p, name, vt, vp])
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
            op => return Err(JitError::OpNotCompiled { op, ip }),
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
