//! The operand stack's primitives (push, pop, replace) and the generic operators on its top
//! two values, with their int and float fast paths inline and the general operators
//! (`zexus_runtime::ops`) behind them. All `#[inline(always)]`: they are the run loop's own
//! code, kept here so that its arms stay short.

use std::ptr;

use zexus_runtime::value::TAG_INT;
use zexus_runtime::{ops, OpError, OpResult, Value};

use super::floatpath;
use super::prepared::int_cmp;

/// Pushes `v`.
///
/// # Safety
/// `*sp` is dead room inside the stack buffer; it is written without dropping.
#[inline(always)]
pub(super) unsafe fn push(sp: &mut *mut Value, v: Value) {
    // SAFETY: the caller's contract: `*sp` is room for one value.
    unsafe {
        ptr::write(*sp, v);
        *sp = sp.add(1);
    }
}

/// Pops the top value.
///
/// # Safety
/// `*sp - 1` is a live value of the stack, which the caller takes over.
#[inline(always)]
pub(super) unsafe fn pop(sp: &mut *mut Value) -> Value {
    // SAFETY: the caller's contract: the value below `*sp` is live and now ours.
    unsafe {
        *sp = sp.sub(1);
        ptr::read(*sp)
    }
}

/// Pops the `n` top values, in stack order.
///
/// # Safety
/// The `n` values below `*sp` are live; the caller takes them over.
#[inline(always)]
pub(super) unsafe fn take(sp: &mut *mut Value, n: usize) -> Vec<Value> {
    // SAFETY: the caller's contract: the `n` values below `*sp` are live and now ours.
    unsafe {
        *sp = sp.sub(n);
        (0..n).map(|i| ptr::read(sp.add(i))).collect()
    }
}

/// Pops and drops the `n` top values.
///
/// # Safety
/// The `n` values below `*sp` are live.
#[inline(always)]
pub(super) unsafe fn drop_n(sp: &mut *mut Value, n: usize) {
    for _ in 0..n {
        // SAFETY: the caller's contract: the value below `*sp` is live.
        drop(unsafe { pop(sp) });
    }
}

/// Replaces the value at `p`, dropping the old one.
///
/// # Safety
/// `p` points to a live value, which is dropped and replaced.
#[inline(always)]
pub(super) unsafe fn set(p: *mut Value, v: Value) {
    // SAFETY: the caller's contract: `p` is a live value.
    unsafe {
        let old = ptr::replace(p, v);
        drop(old);
    }
}

/// The float path of an operator that has none (the general operator runs).
pub(super) const NO_FLOAT: fn(f64, f64) -> Option<f64> = |_, _| None;

/// Whether both values are ints.
///
/// # Safety
/// `a` and `b` point to live values.
#[inline(always)]
unsafe fn is_int2(a: *const Value, b: *const Value) -> bool {
    // SAFETY: the caller's contract: both point to live values.
    unsafe { ((*a).tag() | (*b).tag()) == TAG_INT }
}

/// An arithmetic operator on the two top values, which its result replaces: `fast` on two
/// ints, `ffast` on two numbers of which one is a float (`floatpath`), in place; `None` from
/// either (or other types) takes `slow`, the general operator. On its error both operands stay.
///
/// # Safety
/// The two values below `*sp` are live.
#[inline(always)]
pub(super) unsafe fn binop(
    sp: &mut *mut Value,
    fast: impl FnOnce(i64, i64) -> Option<i64>,
    ffast: impl FnOnce(f64, f64) -> Option<f64>,
    slow: impl FnOnce(&Value, &Value) -> OpResult,
) -> Result<(), OpError> {
    // SAFETY: the caller's contract: the two top values are live.
    unsafe {
        let b = sp.sub(1);
        let a = sp.sub(2);
        let done = if is_int2(a, b) {
            match fast((*a).payload() as i64, (*b).payload() as i64) {
                Some(r) => {
                    (*a).set_int_unchecked(r);
                    true
                }
                None => false,
            }
        } else if floatpath::is_num2(a, b) {
            match ffast(floatpath::num(a), floatpath::num(b)) {
                Some(r) => {
                    // `a` holds a number, which owns nothing to drop.
                    ptr::write(a, Value::float(r));
                    true
                }
                None => false,
            }
        } else {
            false
        };
        if done {
            *sp = b;
            return Ok(());
        }
        let rb = pop(sp);
        let ra = pop(sp);
        match slow(&ra, &rb) {
            Ok(v) => {
                push(sp, v);
                Ok(())
            }
            Err(e) => {
                push(sp, ra);
                push(sp, rb);
                Err(e)
            }
        }
    }
}

/// A comparison of kind `k` on the two top values, which its result (a bool) replaces.
///
/// # Safety
/// The two values below `*sp` are live.
#[inline(always)]
pub(super) unsafe fn cmpop(sp: &mut *mut Value, k: u8) -> Result<(), OpError> {
    // SAFETY: the caller's contract: the two top values are live.
    unsafe {
        let b = sp.sub(1);
        let a = sp.sub(2);
        let r = if is_int2(a, b) {
            int_cmp(k, (*a).payload() as i64, (*b).payload() as i64)
        } else if floatpath::is_num2(a, b) {
            floatpath::float_cmp(k, floatpath::num(a), floatpath::num(b))
        } else {
            slow_cmp(k, &*a, &*b)?
        };
        drop(pop(sp));
        set(sp.sub(1), Value::bool(r));
        Ok(())
    }
}

/// The general comparison (`ops::compare_values`) of kind `k`.
#[cold]
#[inline(never)]
fn slow_cmp(k: u8, a: &Value, b: &Value) -> Result<bool, OpError> {
    let k = ops::CmpKind::from_u8(k).expect("instructions carry comparison kinds");
    ops::compare_values(k, a, b)
}

/// A unary operator `f` on the top value, which its result replaces; on its error the operand
/// stays.
///
/// # Safety
/// The value below `*sp` is live.
#[inline(always)]
pub(super) unsafe fn unop(
    sp: &mut *mut Value,
    f: impl FnOnce(&Value) -> OpResult,
) -> Result<(), OpError> {
    // SAFETY: the caller's contract: the top value is live.
    unsafe {
        let a = sp.sub(1);
        set(a, f(&*a)?);
        Ok(())
    }
}

/// `INDEX`: `o[k]` of the two top values, which its result replaces; on its error both stay.
///
/// # Safety
/// The two values below `*sp` are live.
#[inline(always)]
pub(super) unsafe fn index(sp: &mut *mut Value) -> Result<(), OpError> {
    // SAFETY: the caller's contract: the two top values are live.
    unsafe {
        let v = super::iteration::index(&*sp.sub(2), &*sp.sub(1))?;
        drop(pop(sp));
        set(sp.sub(1), v);
        Ok(())
    }
}

/// `STORE_INDEX`: `o[k] = v` of the three top values (`o`, `k`, `v`), which it pops. On its
/// error `v` is gone (the store consumed it) and `o` and `k` stay.
///
/// # Safety
/// The three values below `*sp` are live.
#[inline(always)]
pub(super) unsafe fn store_index(sp: &mut *mut Value) -> Result<(), OpError> {
    // SAFETY: the caller's contract: the three top values are live; `v` is moved out before
    // the stack pointer drops below it.
    unsafe {
        let v = ptr::read(sp.sub(1));
        *sp = sp.sub(1);
        ops::store_index(&*sp.sub(2), &*sp.sub(1), v)?;
        drop(pop(sp));
        drop(pop(sp));
        Ok(())
    }
}

/// `SET_ATTR` of property `name`: `o.name = v` of the two top values (`o`, `v`), which it
/// pops. On its error `v` is gone (the store consumed it) and `o` stays.
///
/// # Safety
/// The two values below `*sp` are live.
#[inline(always)]
pub(super) unsafe fn set_attr(sp: &mut *mut Value, name: &Value) -> Result<(), OpError> {
    // SAFETY: the caller's contract: the two top values are live; `v` is moved out before
    // the stack pointer drops below it.
    unsafe {
        let v = ptr::read(sp.sub(1));
        *sp = sp.sub(1);
        zexus_runtime::attr::set_attr_by(&*sp.sub(1), name, v)?;
        drop(pop(sp));
        Ok(())
    }
}
