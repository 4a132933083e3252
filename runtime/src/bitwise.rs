//! Bitwise operators on ints: `&`, `|`, `^`, `~`, `<<`, `>>`.
//!
//! They take ints only (a float, bool or anything else is a type error, as in Python and Lua 5.4).
//! Shifts follow the rest of the language's checked 64-bit arithmetic: a negative count is an
//! error, `<<` whose result does not fit in 64 bits is `integer overflow` (`1 << 63` included),
//! and `>>` is arithmetic (the sign is kept; a count of 64 or more gives 0 or -1).

use crate::ops::{side_of, OpError, OpResult};
use crate::value::{Kind, Value, TAG_INT};

fn ints(verb: &'static str, a: &Value, b: &Value) -> Result<(i64, i64), OpError> {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        return Ok((a.payload as i64, b.payload as i64));
    }
    Err(OpError::Types {
        verb,
        left: a.type_name(),
        right: b.type_name(),
        side: side_of(a, b, |v| v.kind() == Kind::Int),
    })
}

/// `a & b`.
pub fn band(a: &Value, b: &Value) -> OpResult {
    let (x, y) = ints("bitwise-and", a, b)?;
    Ok(Value::int(x & y))
}

/// `a | b`.
pub fn bor(a: &Value, b: &Value) -> OpResult {
    let (x, y) = ints("bitwise-or", a, b)?;
    Ok(Value::int(x | y))
}

/// `a ^ b`.
pub fn bxor(a: &Value, b: &Value) -> OpResult {
    let (x, y) = ints("bitwise-xor", a, b)?;
    Ok(Value::int(x ^ y))
}

/// `x << n` when it fits in 64 bits, with `n` not negative; `None` otherwise.
#[inline]
pub fn int_shl(x: i64, n: i64) -> Option<i64> {
    if !(0..64).contains(&n) {
        return if n >= 64 && x == 0 { Some(0) } else { None };
    }
    let r = x << n;
    (r >> n == x).then_some(r)
}

/// `x >> n` (arithmetic) with `n` not negative; `None` for a negative count.
#[inline]
pub fn int_shr(x: i64, n: i64) -> Option<i64> {
    match n {
        0..=63 => Some(x >> n),
        64.. => Some(if x < 0 { -1 } else { 0 }),
        _ => None,
    }
}

fn negative_count() -> OpError {
    OpError::Other("negative shift count".into())
}

/// `a << b`.
pub fn shl(a: &Value, b: &Value) -> OpResult {
    let (x, n) = ints("shift", a, b)?;
    if n < 0 {
        return Err(negative_count());
    }
    int_shl(x, n).map(Value::int).ok_or(OpError::Overflow)
}

/// `a >> b`.
pub fn shr(a: &Value, b: &Value) -> OpResult {
    let (x, n) = ints("shift", a, b)?;
    int_shr(x, n).map(Value::int).ok_or_else(negative_count)
}

/// `~a`.
pub fn bnot(a: &Value) -> OpResult {
    if a.tag == TAG_INT {
        return Ok(Value::int(!(a.payload as i64)));
    }
    Err(OpError::Unary {
        verb: "bitwise-invert",
        operand: a.type_name(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(x: i64) -> Value {
        Value::int(x)
    }

    fn int(r: OpResult) -> i64 {
        r.ok().and_then(|v| v.as_int()).expect("an int")
    }

    #[test]
    fn ints_combine_bit_by_bit() {
        assert_eq!(int(band(&i(6), &i(3))), 2);
        assert_eq!(int(bor(&i(6), &i(3))), 7);
        assert_eq!(int(bxor(&i(6), &i(3))), 5);
        assert_eq!(int(bnot(&i(6))), -7);
        assert_eq!(int(band(&i(-1), &i(255))), 255);
    }

    #[test]
    fn shifts_are_checked() {
        assert_eq!(int(shl(&i(3), &i(4))), 48);
        assert_eq!(int(shl(&i(1), &i(62))), 1 << 62);
        assert_eq!(int(shl(&i(-1), &i(63))), i64::MIN);
        assert!(matches!(shl(&i(1), &i(63)), Err(OpError::Overflow)));
        assert!(matches!(shl(&i(1), &i(64)), Err(OpError::Overflow)));
        assert_eq!(int(shl(&i(0), &i(100))), 0);
        assert_eq!(int(shr(&i(-16), &i(2))), -4);
        assert_eq!(int(shr(&i(-16), &i(99))), -1);
        assert_eq!(int(shr(&i(16), &i(99))), 0);
        assert_eq!(
            shl(&i(1), &i(-1)).unwrap_err().to_string(),
            "negative shift count"
        );
        assert_eq!(
            shr(&i(1), &i(-1)).unwrap_err().to_string(),
            "negative shift count"
        );
    }

    #[test]
    fn other_types_are_errors() {
        let e = band(&i(1), &Value::float(1.0)).unwrap_err().to_string();
        assert_eq!(e, "attempt to bitwise-and int and float");
        let e = bnot(&Value::bool(true)).unwrap_err().to_string();
        assert_eq!(e, "attempt to bitwise-invert bool");
    }
}
