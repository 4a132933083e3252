//! Fast cases of the superinstructions added for common expression shapes. Each function
//! returns `true` when it ran its whole shape (ints that do not overflow, lists indexed in
//! range); `false` leaves every value untouched so the run loop can run the original
//! instructions instead, which then produce the result, the error or the slow path.
//!
//! SAFETY (all functions): the caller passes the frame's `slots`, the current `sp` and an
//! instruction whose slot operands the verifier checked; the shape's stack effect was verified
//! on the original instructions, so the values a function reads below `sp` exist.

use std::ptr;

use zexus_runtime::value::{HEAP_TAG_MIN, TAG_INT, TAG_LIST, TAG_NULL, TAG_UNDEF};
use zexus_runtime::{ListObj, Value};

use super::floatpath::{self, Num};
use super::prepared::{int_arith, int_cmp, XInstr, K_EQ};

/// The int in `*v`, if it is one.
///
/// # Safety
/// `v` points to a live value.
#[inline(always)]
unsafe fn int(v: *const Value) -> Option<i64> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe { ((*v).tag() == TAG_INT).then(|| (*v).payload() as i64) }
}

/// `LOAD_NAME z; OP`: top = top OP slot[a].
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_ts(sp: *mut Value, slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let t = sp.sub(1);
        let s = slots.add(ins.a as usize);
        if let (Some(x), Some(y)) = (int(t), int(s)) {
            if let Some(r) = int_arith(ins.k, x, y) {
                (*t).set_int_unchecked(r);
                return true;
            }
            return false;
        }
        if let Some(r) = floatpath::mixed(ins.k, t, s) {
            // A number owns nothing to drop.
            ptr::write(t, Value::float(r));
            return true;
        }
        false
    }
}

/// Writes an int into a slot that holds no heap value (so nothing needs dropping).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
unsafe fn store_int(slots: *mut Value, x: u32, r: i64) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let d = slots.add(x as usize);
        if (*d).tag() < HEAP_TAG_MIN {
            ptr::write(d, Value::int(r));
            true
        } else {
            false
        }
    }
}

/// `LOAD_NAME z; OP; STORE_NAME x`: slot[x] = pop OP slot[a].
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_ts_st(sp: &mut *mut Value, slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let t = sp.sub(1);
        let s = slots.add(ins.a as usize);
        if let (Some(x), Some(y)) = (int(t), int(s)) {
            if let Some(r) = int_arith(ins.k, x, y) {
                if store_int(slots, ins.x, r) {
                    *sp = t;
                    return true;
                }
            }
            return false;
        }
        if let Some(r) = floatpath::mixed(ins.k, t, s) {
            // The popped top is a number: nothing to drop.
            *slots.add(ins.x as usize) = Value::float(r);
            *sp = t;
            return true;
        }
        false
    }
}

/// `LOAD_CONST k; OP; STORE_NAME x`: slot[x] = pop OP k.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_tk_st(sp: &mut *mut Value, slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let t = sp.sub(1);
        if let Some(x) = int(t) {
            if let Some(r) = int_arith(ins.k, x, ins.imm) {
                if store_int(slots, ins.x, r) {
                    *sp = t;
                    return true;
                }
            }
        }
        false
    }
}

/// `LOAD_CONST k; LOAD_NAME y; OP`: push k OP slot[a].
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_ks(sp: &mut *mut Value, slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        if let Some(y) = int(slots.add(ins.a as usize)) {
            if let Some(r) = int_arith(ins.k, ins.imm, y) {
                ptr::write(*sp, Value::int(r));
                *sp = sp.add(1);
                return true;
            }
        }
        false
    }
}

/// `LOAD_NAME y; LOAD_NAME z; OP; OP2`: top = top OP2 (slot[a] OP slot[c]); OP2 in `x`.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_ss_op(sp: *mut Value, slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let t = sp.sub(1);
        if let (Some(a), Some(y), Some(z)) = (
            int(t),
            int(slots.add(ins.a as usize)),
            int(slots.add(ins.c as usize)),
        ) {
            if let Some(r) = int_arith(ins.k, y, z).and_then(|yz| int_arith(ins.x as u8, a, yz)) {
                (*t).set_int_unchecked(r);
                return true;
            }
            return false;
        }
        // Numbers with a float among them: each operation as the general operators do it.
        if let (Some(a), Some(y), Some(z)) = (
            Num::of(t),
            Num::of(slots.add(ins.a as usize)),
            Num::of(slots.add(ins.c as usize)),
        ) {
            if let Some(r) = y.op(ins.k, z).and_then(|yz| a.op(ins.x as u8, yz)) {
                // A number owns nothing to drop.
                ptr::write(t, r.value());
                return true;
            }
        }
        false
    }
}

/// `LOAD_CONST k; CMP; JUMP_IF_FALSE`: pops the top and compares it with k. `Some(test)` when
/// the fast case applies.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn cmp_tk(sp: &mut *mut Value, ins: &XInstr) -> Option<bool> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let t = sp.sub(1);
        let x = int(t)?;
        *sp = t;
        Some(int_cmp(ins.k, x, ins.imm))
    }
}

/// `LOAD_NAME y; STORE_NAME x`: slot[x] = slot[a].
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn mov(slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let y = slots.add(ins.a as usize);
        if (*y).tag() == TAG_UNDEF {
            return false;
        }
        let v = (*y).clone();
        let old = ptr::replace(slots.add(ins.x as usize), v);
        drop(old);
        true
    }
}

/// `LOAD_NAME y; STORE_NAME x; LOAD_NAME z; STORE_NAME w`: slot[x] = slot[a], then
/// slot[imm] = slot[c]. Nothing is moved unless both moves succeed.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn mov2(slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let z_undef = ins.c != ins.x && (*slots.add(ins.c as usize)).tag() == TAG_UNDEF;
        if z_undef || (*slots.add(ins.a as usize)).tag() == TAG_UNDEF {
            return false;
        }
        let v = (*slots.add(ins.a as usize)).clone();
        drop(ptr::replace(slots.add(ins.x as usize), v));
        let w = (*slots.add(ins.c as usize)).clone();
        drop(ptr::replace(slots.add(ins.imm as usize), w));
        true
    }
}

/// The list in `slot[a]` and the in-range index in `slot[c]`, or `None` (the caller then
/// takes the general path, which raises any error).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
unsafe fn list_and_index<'a>(slots: *mut Value, ins: &XInstr) -> Option<(&'a ListObj, usize)> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let o = &*slots.add(ins.a as usize);
        let k = int(slots.add(ins.c as usize))?;
        if o.tag() != TAG_LIST || k < 0 {
            return None;
        }
        Some((o.as_list().expect("list tag"), k as usize))
    }
}

/// `LOAD_NAME o; LOAD_NAME k; INDEX`: push slot[a][slot[c]].
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn index_ss(sp: &mut *mut Value, slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        match list_and_index(slots, ins).and_then(|(l, k)| l.get(k)) {
            Some(v) => {
                ptr::write(*sp, v);
                *sp = sp.add(1);
                true
            }
            None => false,
        }
    }
}

/// `LOAD_NAME o; LOAD_NAME k; INDEX; JUMP_IF_FALSE`: the truth of slot[a][slot[c]], or `None`
/// (the general path raises any error).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn index_ss_truthy(slots: *mut Value, ins: &XInstr) -> Option<bool> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let (l, k) = list_and_index(slots, ins)?;
        l.get(k).map(|v| v.truthy())
    }
}

/// `LOAD_NAME l; LOAD_NAME v | LOAD_CONST v; CALL_BUILTIN append 2; POP`: appends `v` to the
/// list in slot[a]; false (nothing done) when slot[a] is no list, `v` is unassigned or the
/// list is at its length limit.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn append_s(slots: *mut Value, ins: &XInstr, v: &Value) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let Some(list) = (*slots.add(ins.a as usize)).as_list() else {
            return false;
        };
        if v.tag() == TAG_UNDEF || list.len() >= zexus_runtime::ops::MAX_LIST_LEN {
            return false;
        }
        list.push(v.clone());
        true
    }
}

/// `LOAD_NAME o; LOAD_NAME k; LOAD_CONST v; STORE_INDEX`: slot[a][slot[c]] = v (v in `imm` as a
/// constant index, read by the caller).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn store_index_ssk(slots: *mut Value, ins: &XInstr, v: &Value) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        match list_and_index(slots, ins) {
            Some((l, k)) => l.set(k, v.clone()),
            None => false,
        }
    }
}

/// `s = s + x` where slot `s` holds the only reference to a string: appends in place, so a
/// loop that builds a string runs in linear time (a new string per step would be quadratic).
/// `ss` says which shape `ins` is: `x` is slot `c` (`si::ARITH_SS_ST`), or the int constant
/// `imm` (`si::ARITH_SK_ST`, whose `c` is no operand at all).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn append_in_place(slots: *mut Value, ins: &XInstr, ss: bool) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        if ins.k != super::prepared::K_ADD || ins.a != ins.x || (ss && ins.a == ins.c) {
            return false;
        }
        let s = &mut *slots.add(ins.a as usize);
        if !ss {
            return s.append_display_in_place(&Value::int(ins.imm));
        }
        let x = &*slots.add(ins.c as usize);
        if x.tag() == TAG_UNDEF {
            return false;
        }
        s.append_display_in_place(x)
    }
}

/// `ADD; STORE_NAME k` (or `STORE_GLOBAL k`) whose left operand `*a` is the string slot `k`
/// holds, as in `s = s + x` for any `x` (the unfused form of the shapes above, which the
/// sampler's timed executions and expressions other than a slot or an int run): the stack's
/// copy of the string gives its count back, and if the slot then holds the only reference, `x`
/// is appended in place, as compiled code does (`rt_add_to_slot`), so both tiers make the same
/// strings. `*a` holds the slot's string again afterwards either way; true if appended (the
/// caller then pops `b` and lets the store run: it stores the string into its own slot).
///
/// # Safety
/// The run loop's state (module docs): `a` and `b` are the two live operands of an `ADD` at
/// the top of the stack, `next` the instruction after it, whose slot operand the verifier
/// checked for `slots` (STORE_NAME) or `stk`, the program's frame (STORE_GLOBAL).
#[inline(never)]
pub(crate) unsafe fn append_before_store(
    a: *mut Value,
    b: *const Value,
    next: &XInstr,
    slots: *mut Value,
    stk: *mut Value,
) -> bool {
    use crate::bytecode::opcodes::codes as op;
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let target = match next.op {
            op::STORE_NAME => slots.add(next.a as usize),
            op::STORE_GLOBAL => stk.add(next.a as usize),
            _ => return false,
        };
        let t = &mut *target;
        if t.tag() != zexus_runtime::value::TAG_STR || t.payload() != (*a).payload() {
            return false;
        }
        drop(ptr::read(a));
        let done = t.append_display_in_place(&*b);
        ptr::write(a, t.clone());
        done
    }
}

/// `CALL_BUILTIN append 2; POP`: moves the top value onto the end of the list below it and
/// pops both (the list stays where it is referenced from).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn append_pop(sp: &mut *mut Value) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let l = sp.sub(2);
        let Some(list) = (*l).as_list() else {
            return false;
        };
        if list.len() >= zexus_runtime::ops::MAX_LIST_LEN {
            return false;
        }
        list.push(ptr::read(sp.sub(1)));
        *sp = l;
        ptr::drop_in_place(l);
        true
    }
}

/// `LOAD_NAME y; LOAD_NAME z; OP; LOAD_NAME w; OP2; STORE_NAME x`:
/// slot[x] = (slot[a] OP slot[c]) OP2 slot[imm], all in registers.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(never)]
pub(crate) unsafe fn arith_ss_s_st(slots: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let (y, z, w) = (
            int(slots.add(ins.a as usize)),
            int(slots.add(ins.c as usize)),
            int(slots.add(ins.imm as usize)),
        );
        if let (Some(y), Some(z), Some(w)) = (y, z, w) {
            if let Some(r) = int_arith(ins.k, y, z).and_then(|t| int_arith(ins.d as u8, t, w)) {
                return store_int(slots, ins.x, r);
            }
        }
        false
    }
}

/// Both operands of a shape on two slots (`ss`: slots `a` and `c`) or on slot `a` and the
/// constant `imm`, when they are ints.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn int_operands(
    slots: *const Value,
    ins: &XInstr,
    ss: bool,
) -> Option<(i64, i64)> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let a = slots.add(ins.a as usize);
        if ss {
            let b = slots.add(ins.c as usize);
            // `TAG_INT` is 0: one `or` of the tags tells whether both are ints.
            (((*a).tag() | (*b).tag()) == TAG_INT)
                .then(|| ((*a).payload() as i64, (*b).payload() as i64))
        } else {
            ((*a).tag() == TAG_INT).then(|| ((*a).payload() as i64, ins.imm))
        }
    }
}

/// `y z CMP JUMP_IF_FALSE` (`ss`) or `y k CMP JUMP_IF_FALSE` with comparison `k`: the test,
/// for ints or numbers.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn cmp_test(slots: *const Value, ins: &XInstr, ss: bool, k: u8) -> Option<bool> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        if let Some((x, y)) = int_operands(slots, ins, ss) {
            return Some(int_cmp(k, x, y));
        }
        floatpath::shape_operands(slots, ins, ss).map(|(x, y)| floatpath::float_cmp(k, x, y))
    }
}

/// `y z OP STORE x` (`ss`) or `y k OP STORE x` with operation `k`, for ints (into a slot that
/// holds no heap value), numbers, or `s = s + t` on a string (appended in place).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_st(slots: *mut Value, ins: &XInstr, ss: bool, k: u8) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let d = slots.add(ins.x as usize);
        if let Some((x, y)) = int_operands(slots, ins, ss) {
            if (*d).tag() < HEAP_TAG_MIN {
                if let Some(r) = int_arith(k, x, y) {
                    ptr::write(d, Value::int(r));
                    return true;
                }
            }
        }
        floatpath::arith_st(slots, ins, ss, k) || append_in_place(slots, ins, ss)
    }
}

/// `y z OP` (`ss`) or `y k OP` with operation `k`: pushes the result, for ints or numbers.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_push(
    sp: &mut *mut Value,
    slots: *const Value,
    ins: &XInstr,
    ss: bool,
    k: u8,
) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let v = match int_operands(slots, ins, ss).and_then(|(x, y)| int_arith(k, x, y)) {
            Some(r) => Value::int(r),
            None => match floatpath::shape_arith(slots, ins, ss, k) {
                Some(r) => Value::float(r),
                None => return false,
            },
        };
        ptr::write(*sp, v);
        *sp = sp.add(1);
        true
    }
}

/// The step of `INC_JMP_*` (`v = v + step` on slot `a`, the step in `imm` with `ss`, else in
/// `c`), when `v` (and with `ss` the header's slot `c`) are ints and it does not overflow:
/// then `v` is stored and the header's operands (`v`, the slot `c` or the constant `imm`)
/// are given.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn inc_step(slots: *mut Value, ins: &XInstr, ss: bool) -> Option<(i64, i64)> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let a = slots.add(ins.a as usize);
        let (ok, step) = if ss {
            let c = slots.add(ins.c as usize);
            (((*a).tag() | (*c).tag()) == TAG_INT, ins.imm)
        } else {
            ((*a).tag() == TAG_INT, ins.c as i32 as i64)
        };
        if !ok {
            return None;
        }
        let v = ((*a).payload() as i64).checked_add(step)?;
        (*a).set_int_unchecked(v);
        let y = if ss {
            (*slots.add(ins.c as usize)).payload() as i64
        } else {
            ins.imm
        };
        Some((v, y))
    }
}

/// `LOAD_NAME y; LOAD_CONST null; EQ | NEQ; JUMP_IF_FALSE`: the test, when slot `a` is
/// assigned.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn null_test(slots: *const Value, ins: &XInstr) -> Option<bool> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    let v = unsafe { &*slots.add(ins.a as usize) };
    (v.tag() != TAG_UNDEF).then(|| (v.tag() == TAG_NULL) == (ins.k == K_EQ))
}

/// `y k OP k2 CMP JUMP_IF_FALSE`: the test on ints (k2 in `c`, CMP in `x`).
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_sk_cmp(slots: *const Value, ins: &XInstr) -> Option<bool> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    let y = unsafe { int(slots.add(ins.a as usize))? };
    let r = int_arith(ins.k, y, ins.imm)?;
    Some(int_cmp(ins.x as u8, r, ins.c as i32 as i64))
}

/// `CMP JUMP_IF_FALSE` on the two top values: pops them and gives the test, when both are
/// ints.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn cmp_top(sp: &mut *mut Value, ins: &XInstr) -> Option<bool> {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let (a, b) = (sp.sub(2), sp.sub(1));
        let (x, y) = (int(a)?, int(b)?);
        *sp = a;
        Some(int_cmp(ins.k, x, y))
    }
}

/// `LOAD_CONST k; OP`: the top becomes `top OP imm`, for ints.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn arith_tk(sp: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let a = sp.sub(1);
        match int(a).and_then(|x| int_arith(ins.k, x, ins.imm)) {
            Some(r) => {
                (*a).set_int_unchecked(r);
                true
            }
            None => false,
        }
    }
}

/// `LOAD_NAME y; LOAD_NAME z`: pushes slots `a` and `c`, when both are assigned.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn load2(sp: &mut *mut Value, slots: *const Value, ins: &XInstr) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let (a, b) = (&*slots.add(ins.a as usize), &*slots.add(ins.c as usize));
        if a.tag() == TAG_UNDEF || b.tag() == TAG_UNDEF {
            return false;
        }
        ptr::write(*sp, a.clone());
        ptr::write(sp.add(1), b.clone());
        *sp = sp.add(2);
        true
    }
}

/// `LOAD_NAME o; GET_ATTR name`: pushes `slot[a].name` (the name the constant `name`), when
/// slot `a` is assigned and has it.
///
/// # Safety
/// The run loop's state (module docs): live `slots` and `sp`, an instruction of this shape.
#[inline(always)]
pub(crate) unsafe fn get_attr_s(
    sp: &mut *mut Value,
    slots: *const Value,
    name: &Value,
    ins: &XInstr,
) -> bool {
    // SAFETY: by the caller's contract (module docs), every value used here is live.
    unsafe {
        let o = &*slots.add(ins.a as usize);
        if o.tag() == TAG_UNDEF {
            return false;
        }
        match zexus_runtime::attr::get_attr_by(o, name) {
            Ok(v) => {
                ptr::write(*sp, v);
                *sp = sp.add(1);
                true
            }
            Err(_) => false,
        }
    }
}
