//! The interpreter's inline path for float arithmetic and comparisons: two numbers of which at
//! least one is a float, computed in place on the stack without leaving the run loop (the
//! general operators in `zexus_runtime::ops` pop, dispatch on every type and push a new value).
//! It gives exactly what those operators give: an int operand counts as its `f64`, comparisons
//! are IEEE 754 (NaN compares false, `!=` true), and a float division by zero is left to the
//! general path, which raises the error.

use zexus_runtime::value::TAG_FLOAT;
use zexus_runtime::Value;

use super::prepared::{XInstr, K_ADD, K_DIV, K_EQ, K_GT, K_GTE, K_LT, K_LTE, K_MUL, K_SUB};

/// Whether both values are numbers (ints or floats). With `TAG_INT == 0` and `TAG_FLOAT == 1`,
/// one `or` of the tags tells.
///
/// # Safety
/// Both pointers point to live values.
#[inline(always)]
pub(super) unsafe fn is_num2(a: *const Value, b: *const Value) -> bool {
    // SAFETY: the caller's contract.
    unsafe { ((*a).tag() | (*b).tag()) <= TAG_FLOAT }
}

/// A number's value as an `f64` (an int converted).
///
/// # Safety
/// `v` points to a live int or float.
#[inline(always)]
pub(super) unsafe fn num(v: *const Value) -> f64 {
    // SAFETY: the caller's contract.
    let v = unsafe { &*v };
    if v.tag() == TAG_FLOAT {
        f64::from_bits(v.payload())
    } else {
        v.payload() as i64 as f64
    }
}

/// `x / y` when `y` is not zero (zero is the general path's error).
#[inline(always)]
pub(super) fn fdiv(x: f64, y: f64) -> Option<f64> {
    (y != 0.0).then(|| x / y)
}

/// A comparison of two numbers as `f64`s (`k` a `K_*` comparison kind).
#[inline(always)]
pub(super) fn float_cmp(k: u8, x: f64, y: f64) -> bool {
    match k {
        K_LT => x < y,
        K_GT => x > y,
        K_LTE => x <= y,
        K_GTE => x >= y,
        K_EQ => x == y,
        _ => x != y,
    }
}

/// An arithmetic kind (`K_ADD`, `K_SUB`, `K_MUL`, `K_DIV`) on two numbers as `f64`s; `None`
/// for the others (modulo) and for a division by zero.
#[inline(always)]
pub(super) fn float_arith(k: u8, x: f64, y: f64) -> Option<f64> {
    match k {
        K_ADD => Some(x + y),
        K_SUB => Some(x - y),
        K_MUL => Some(x * y),
        K_DIV => fdiv(x, y),
        _ => None,
    }
}

/// The two operands of a superinstruction on two slots (`ss`: slots `a` and `c`) or on slot `a`
/// and the int constant `imm`, as `f64`s, when both are numbers and at least one is a float
/// (two ints are the int path's, which must raise an overflow rather than round).
///
/// # Safety
/// `slots` holds live values at the instruction's slots.
#[inline(always)]
pub(super) unsafe fn shape_operands(
    slots: *const Value,
    ins: &XInstr,
    ss: bool,
) -> Option<(f64, f64)> {
    // SAFETY: the caller's contract.
    unsafe {
        let a = slots.add(ins.a as usize);
        if ss {
            let b = slots.add(ins.c as usize);
            (((*a).tag() | (*b).tag()) == TAG_FLOAT).then(|| (num(a), num(b)))
        } else {
            ((*a).tag() == TAG_FLOAT).then(|| (num(a), ins.imm as f64))
        }
    }
}

/// A superinstruction's arithmetic (`k`) on its operands as floats (see [`shape_operands`]);
/// `None` when they are not numbers with a float among them, or the float path does not apply.
///
/// # Safety
/// As [`shape_operands`].
#[inline(always)]
pub(super) unsafe fn shape_arith(
    slots: *const Value,
    ins: &XInstr,
    ss: bool,
    k: u8,
) -> Option<f64> {
    // SAFETY: the caller's contract.
    let (x, y) = unsafe { shape_operands(slots, ins, ss)? };
    float_arith(k, x, y)
}

/// `x = y OP z` or `x = y OP imm` (slot `x` of the instruction) on floats: true when done.
///
/// # Safety
/// As [`shape_operands`]; slot `x` holds a live value.
#[inline(always)]
pub(super) unsafe fn arith_st(slots: *mut Value, ins: &XInstr, ss: bool, k: u8) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        match shape_arith(slots, ins, ss, k) {
            Some(r) => {
                *slots.add(ins.x as usize) = Value::float(r);
                true
            }
            None => false,
        }
    }
}

/// `si::FARITH_SK`: pushes slot `a` OP the float constant, when the slot holds a number.
///
/// # Safety
/// `slots` holds live values at the instruction's slot; the stack has room for one more.
#[inline(always)]
pub(super) unsafe fn farith_sk(sp: &mut *mut Value, slots: *const Value, ins: &XInstr) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let a = slots.add(ins.a as usize);
        if (*a).tag() > TAG_FLOAT {
            return false;
        }
        match float_arith(ins.k, num(a), f64::from_bits(ins.imm as u64)) {
            Some(r) => {
                std::ptr::write(*sp, Value::float(r));
                *sp = sp.add(1);
                true
            }
            None => false,
        }
    }
}

/// `si::FARITH_TK`: the top value becomes top OP the float constant, when it is a number.
///
/// # Safety
/// The stack holds a live value at `sp - 1`.
#[inline(always)]
pub(super) unsafe fn farith_tk(sp: *mut Value, ins: &XInstr) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let t = sp.sub(1);
        if (*t).tag() > TAG_FLOAT {
            return false;
        }
        match float_arith(ins.k, num(t), f64::from_bits(ins.imm as u64)) {
            Some(r) => {
                // A number owns nothing to drop.
                std::ptr::write(t, Value::float(r));
                true
            }
            None => false,
        }
    }
}

/// `p OP q` (`k` as in [`float_arith`]) when both are numbers and at least one is a float;
/// `None` otherwise (two ints are the int path's).
///
/// # Safety
/// Both pointers point to live values.
#[inline(always)]
pub(super) unsafe fn mixed(k: u8, p: *const Value, q: *const Value) -> Option<f64> {
    // SAFETY: the caller's contract.
    unsafe {
        if ((*p).tag() | (*q).tag()) != TAG_FLOAT {
            return None;
        }
        float_arith(k, num(p), num(q))
    }
}

/// A number: the operand of a shape that combines three values, where the int path applies
/// to each operation whose operands are both ints.
#[derive(Clone, Copy)]
pub(super) enum Num {
    /// An int.
    I(i64),
    /// A float.
    F(f64),
}

impl Num {
    /// The number in `*v`, if it is one.
    ///
    /// # Safety
    /// `v` points to a live value.
    #[inline(always)]
    pub(super) unsafe fn of(v: *const Value) -> Option<Num> {
        // SAFETY: the caller's contract.
        let v = unsafe { &*v };
        match v.tag() {
            0 => Some(Num::I(v.payload() as i64)),
            TAG_FLOAT => Some(Num::F(f64::from_bits(v.payload()))),
            _ => None,
        }
    }

    /// `self OP other` as the general operators give it, or `None` where the shape must
    /// fall back (overflow, an inexact or zero division, modulo of floats).
    #[inline(always)]
    pub(super) fn op(self, k: u8, other: Num) -> Option<Num> {
        match (self, other) {
            (Num::I(x), Num::I(y)) => super::prepared::int_arith(k, x, y).map(Num::I),
            (Num::I(x), Num::F(y)) => float_arith(k, x as f64, y).map(Num::F),
            (Num::F(x), Num::I(y)) => float_arith(k, x, y as f64).map(Num::F),
            (Num::F(x), Num::F(y)) => float_arith(k, x, y).map(Num::F),
        }
    }

    /// The number as a value.
    #[inline(always)]
    pub(super) fn value(self) -> Value {
        match self {
            Num::I(i) => Value::int(i),
            Num::F(f) => Value::float(f),
        }
    }
}
