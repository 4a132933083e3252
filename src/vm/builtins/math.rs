//! Numeric builtins: `abs min max sqrt floor ceil round sum random`.

use std::cell::Cell;

use zexus_runtime::ops;
use zexus_runtime::{Kind, OpError, Value};

use super::{arity, arity_range, err, items_of};
use crate::bytecode::Builtin;

/// The number `v`, an argument of `name`.
fn number(name: &str, v: &Value) -> Result<f64, OpError> {
    v.as_number()
        .ok_or_else(|| OpError::Other(format!("{name} expects a number, got {}", ops::a_type(v))))
}

/// A float that is a whole number as an int, or an error if it does not fit.
fn whole_to_int(name: &str, f: f64) -> Result<Value, OpError> {
    if f.is_finite() && f.abs() < 9.2e18 {
        Ok(Value::int(f as i64))
    } else {
        err(format!("{name}: {f} does not fit in an int"))
    }
}

/// `abs(x)`.
pub(super) fn abs(name: &str, args: &[Value]) -> Result<Value, OpError> {
    arity(name, args, 1)?;
    match args[0].kind() {
        Kind::Int => args[0]
            .as_int()
            .expect("int")
            .checked_abs()
            .map(Value::int)
            .ok_or(OpError::Overflow),
        Kind::Float => Ok(Value::float(args[0].as_float().expect("float").abs())),
        _ => err(format!("abs expects a number, got {}", args[0].type_name())),
    }
}

/// `min(...)` / `max(...)`: of the arguments, or of one list.
pub(super) fn min_max(
    name: &str,
    args: &[Value],
    want: std::cmp::Ordering,
) -> Result<Value, OpError> {
    let pick = |items: &[Value]| -> Result<Value, OpError> {
        let mut best = match items.first() {
            Some(v) => v.clone(),
            None => return err(format!("{name} of an empty list")),
        };
        for v in &items[1..] {
            if ops::compare(v, &best)? == want {
                best = v.clone();
            }
        }
        Ok(best)
    };
    match args {
        [] => err(format!("{name} expects at least 1 argument, got 0")),
        [one] => match items_of(one) {
            Some(items) => pick(&items),
            None => Ok(one.clone()),
        },
        many => pick(many),
    }
}

/// `sqrt(x)`: a float (the original's); a negative number is an error.
pub(super) fn sqrt(name: &str, args: &[Value]) -> Result<Value, OpError> {
    arity(name, args, 1)?;
    let x = number(name, &args[0])?;
    if x < 0.0 {
        return err(format!("sqrt of a negative number ({})", args[0]));
    }
    Ok(Value::float(x.sqrt()))
}

/// `floor(x)` / `ceil(x)`: an int.
pub(super) fn floor_ceil(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let name = b.name();
    arity(name, args, 1)?;
    if args[0].kind() == Kind::Int {
        return Ok(args[0].clone());
    }
    let x = number(name, &args[0])?;
    whole_to_int(
        name,
        if b == Builtin::Floor {
            x.floor()
        } else {
            x.ceil()
        },
    )
}

/// `round(x)`: the nearest int, halves to even (as Python's); `round(x, n)`: a float with `n`
/// decimals (ints stay as they are).
pub(super) fn round(name: &str, args: &[Value]) -> Result<Value, OpError> {
    arity_range(name, args, 1, 2)?;
    let digits = match args.get(1) {
        None => None,
        Some(d) => match d.as_int() {
            Some(n) if (0..=17).contains(&n) => Some(n as usize),
            _ => return err(format!("round expects 0 to 17 digits, got {}", d.repr())),
        },
    };
    if args[0].kind() == Kind::Int {
        return Ok(args[0].clone());
    }
    let x = number(name, &args[0])?;
    match digits {
        None => whole_to_int(name, x.round_ties_even()),
        Some(_) if !x.is_finite() => Ok(Value::float(x)),
        // Formatting rounds the exact binary value half to even, as Python's `round` does.
        Some(n) => Ok(Value::float(
            format!("{x:.n$}")
                .parse::<f64>()
                .expect("a formatted float"),
        )),
    }
}

/// `sum(list)` / `sum(list, start)`: numbers added with `+`.
pub(super) fn sum(name: &str, args: &[Value]) -> Result<Value, OpError> {
    arity_range(name, args, 1, 2)?;
    let items = super::list_arg(name, &args[0])?;
    let mut total = args.get(1).cloned().unwrap_or(Value::int(0));
    for v in std::iter::once(&total).chain(&items) {
        number(name, v)?;
    }
    for v in &items {
        total = ops::add(&total, v)?;
    }
    Ok(total)
}

thread_local! {
    /// The state of `random`'s generator (0: not seeded yet).
    static RNG: Cell<u64> = const { Cell::new(0) };
}

/// The seed: `ZEXUS_RANDOM_SEED` if set (for reproducible runs), otherwise the clock.
fn seed() -> u64 {
    if let Some(s) = std::env::var("ZEXUS_RANDOM_SEED")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
    {
        return s;
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ ((std::process::id() as u64) << 32)
}

/// The next 64 random bits (SplitMix64).
fn next_u64() -> u64 {
    RNG.with(|r| {
        let mut s = r.get();
        if s == 0 {
            s = seed() | 1;
        }
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        r.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// A float in [0, 1).
fn unit() -> f64 {
    (next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// `random()`: a float in [0, 1); `random(n)`: an int in [0, n - 1]; `random(x)` of a float:
/// a float in [0, x) (the original's).
pub(super) fn random(name: &str, args: &[Value]) -> Result<Value, OpError> {
    match args {
        [] => Ok(Value::float(unit())),
        [n] => match n.kind() {
            Kind::Int => {
                let n = n.as_int().expect("int");
                if n <= 0 {
                    return err(format!("random({n}): the bound must be positive"));
                }
                Ok(Value::int((next_u64() % n as u64) as i64))
            }
            Kind::Float => Ok(Value::float(unit() * n.as_float().expect("float"))),
            _ => err(format!("random expects a number, got {}", ops::a_type(n))),
        },
        _ => err(format!(
            "{name} expects 0 or 1 arguments, got {}",
            args.len()
        )),
    }
}
