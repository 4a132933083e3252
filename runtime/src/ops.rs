//! The semantics of the operators, shared by the interpreter's slow paths and the JIT's
//! runtime helpers so both tiers give identical results and identical errors.

use std::fmt;

use crate::heap::Key;
use crate::value::{Kind, Value, TAG_FLOAT, TAG_INT, TAG_LIST, TAG_MAP, TAG_STR};

/// Which operand of a binary operator was the wrong type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The left operand.
    Left,
    /// The right operand.
    Right,
    /// Both operands (or neither is to blame alone).
    Both,
}

/// An operator failure, before the VM adds the source line and call trace.
#[derive(Debug, Clone, PartialEq)]
pub enum OpError {
    /// `attempt to {verb} {left} and {right}`.
    Types {
        /// "add", "subtract", "compare", ...
        verb: &'static str,
        /// Type name of the left operand.
        left: &'static str,
        /// Type name of the right operand.
        right: &'static str,
        /// The operand at fault.
        side: Side,
    },
    /// `attempt to {verb} {operand}` for a unary operator.
    Unary {
        /// "negate".
        verb: &'static str,
        /// Type name of the operand.
        operand: &'static str,
    },
    /// `integer overflow`.
    Overflow,
    /// `division by zero`.
    DivisionByZero,
    /// `modulo by zero`.
    ModuloByZero,
    /// Any other message (indexing, builtins).
    Other(String),
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpError::Types {
                verb, left, right, ..
            } => {
                write!(f, "attempt to {verb} {left} and {right}")
            }
            OpError::Unary { verb, operand } => write!(f, "attempt to {verb} {operand}"),
            OpError::Overflow => f.write_str("integer overflow"),
            OpError::DivisionByZero => f.write_str("division by zero"),
            OpError::ModuloByZero => f.write_str("modulo by zero"),
            OpError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for OpError {}

/// Result of an operator.
pub type OpResult = Result<Value, OpError>;

/// A value's type name with its indefinite article, for messages: `an int`, `a list`.
pub fn a_type(v: &Value) -> String {
    let t = v.type_name();
    let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t}")
}

pub(crate) fn side_of(a: &Value, b: &Value, ok: impl Fn(&Value) -> bool) -> Side {
    match (ok(a), ok(b)) {
        (true, false) => Side::Right,
        (false, true) => Side::Left,
        _ => Side::Both,
    }
}

fn type_error(verb: &'static str, a: &Value, b: &Value) -> OpError {
    let side = side_of(a, b, |v| matches!(v.kind(), Kind::Int | Kind::Float));
    OpError::Types {
        verb,
        left: a.type_name(),
        right: b.type_name(),
        side,
    }
}

/// Both operands as floats when at least one is a float and both are numbers.
#[inline]
fn floats(a: &Value, b: &Value) -> Option<(f64, f64)> {
    Some((a.as_number()?, b.as_number()?))
}

/// `a + b`: ints (checked), floats, string concatenation of display forms, list concatenation.
pub fn add(a: &Value, b: &Value) -> OpResult {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        let r = (a.payload as i64)
            .checked_add(b.payload as i64)
            .ok_or(OpError::Overflow)?;
        return Ok(Value::int(r));
    }
    if a.tag == TAG_STR || b.tag == TAG_STR {
        if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
            // Two strings: one allocation of the exact size, no formatting machinery.
            check_str_len(x.len() + y.len())?;
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            return Ok(Value::str(s));
        }
        let mut s = String::with_capacity(a.as_str().or(b.as_str()).map_or(0, str::len) + 24);
        use std::fmt::Write;
        write!(s, "{a}{b}").expect("writing to a String cannot fail");
        check_str_len(s.len())?;
        return Ok(Value::str(s));
    }
    if a.tag == TAG_LIST && b.tag == TAG_LIST {
        let (x, y) = (a.as_list().expect("list"), b.as_list().expect("list"));
        if x.len() + y.len() > MAX_LIST_LEN {
            return Err(OpError::Other(format!(
                "list too large (the limit is {MAX_LIST_LEN} elements)"
            )));
        }
        let mut items = Vec::new();
        if items.try_reserve_exact(x.len() + y.len()).is_err() {
            let bytes = (x.len() + y.len()) * std::mem::size_of::<Value>();
            return Err(out_of_memory("a list", bytes));
        }
        items.extend(x.to_vec());
        items.extend(y.to_vec());
        return Ok(Value::list(items));
    }
    match floats(a, b) {
        Some((x, y)) => Ok(Value::float(x + y)),
        None => Err(type_error("add", a, b)),
    }
}

/// The longest string a program may build (1 GiB): past it, `string too large` is a runtime
/// error rather than an allocation failure that would abort the process.
pub const MAX_STR_BYTES: usize = 1 << 30;
/// The longest list a program may build (2^28 elements, 4 GiB of values).
pub const MAX_LIST_LEN: usize = 1 << 28;

/// The error for a value the machine cannot allocate: a runtime error, where an allocation
/// failure would abort the process.
fn out_of_memory(what: &str, bytes: usize) -> OpError {
    OpError::Other(format!(
        "out of memory: {what} of {bytes} bytes cannot be allocated"
    ))
}

fn check_str_len(n: usize) -> Result<(), OpError> {
    if n > MAX_STR_BYTES {
        Err(OpError::Other(format!(
            "string too large ({n} bytes; the limit is {MAX_STR_BYTES})"
        )))
    } else {
        Ok(())
    }
}

/// Appends `v` to a list, or fails with `list too large` at [`MAX_LIST_LEN`] elements.
pub fn list_push(list: &crate::ListObj, v: Value) -> Result<(), OpError> {
    if list.len() >= MAX_LIST_LEN {
        return Err(OpError::Other(format!(
            "list too large (the limit is {MAX_LIST_LEN} elements)"
        )));
    }
    list.push(v);
    Ok(())
}

/// `a - b`.
pub fn sub(a: &Value, b: &Value) -> OpResult {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        let r = (a.payload as i64)
            .checked_sub(b.payload as i64)
            .ok_or(OpError::Overflow)?;
        return Ok(Value::int(r));
    }
    match floats(a, b) {
        Some((x, y)) => Ok(Value::float(x - y)),
        None => Err(type_error("subtract", a, b)),
    }
}

/// `a * b`: numbers, or a string or list repeated an int number of times.
pub fn mul(a: &Value, b: &Value) -> OpResult {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        let r = (a.payload as i64)
            .checked_mul(b.payload as i64)
            .ok_or(OpError::Overflow)?;
        return Ok(Value::int(r));
    }
    match floats(a, b) {
        Some((x, y)) => Ok(Value::float(x * y)),
        None => repeat(a, b).unwrap_or_else(|| Err(type_error("multiply", a, b))),
    }
}

/// `s * n`, `n * s` (a string repeated) and `xs * n`, `n * xs` (a list's elements repeated),
/// as the original's VM does (Python's sequence repetition: `n <= 0` gives an empty one);
/// `None` when the operands are not a string or list and an int.
fn repeat(a: &Value, b: &Value) -> Option<OpResult> {
    let (seq, n) = match (a.tag, b.tag) {
        (TAG_STR | TAG_LIST, TAG_INT) => (a, b.payload as i64),
        (TAG_INT, TAG_STR | TAG_LIST) => (b, a.payload as i64),
        _ => return None,
    };
    let n = n.max(0) as usize;
    if let Some(s) = seq.as_str() {
        let total = s.len().saturating_mul(n);
        if let Err(e) = check_str_len(total) {
            return Some(Err(e));
        }
        let mut out = String::new();
        if out.try_reserve_exact(total).is_err() {
            return Some(Err(out_of_memory("a string", total)));
        }
        // Doubling: log(n) copies. Every prefix taken is a whole number of `s`, so it ends on
        // a character boundary.
        if total > 0 {
            out.push_str(s);
            while out.len() < total {
                let take = (total - out.len()).min(out.len());
                out.extend_from_within(..take);
            }
        }
        return Some(Ok(Value::str(out)));
    }
    let items = seq.as_list().expect("list").to_vec();
    // Nothing repeated any number of times is nothing, at once (not n empty passes).
    if items.is_empty() {
        return Some(Ok(Value::list(Vec::new())));
    }
    if items.len().checked_mul(n).is_none_or(|t| t > MAX_LIST_LEN) {
        return Some(Err(OpError::Other(format!(
            "list too large (the limit is {MAX_LIST_LEN} elements)"
        ))));
    }
    let mut out = Vec::new();
    if out.try_reserve_exact(items.len() * n).is_err() {
        return Some(Err(out_of_memory(
            "a list",
            items.len() * n * std::mem::size_of::<Value>(),
        )));
    }
    for _ in 0..n {
        out.extend(items.iter().cloned());
    }
    Some(Ok(Value::list(out)))
}

/// Integer division as Zexus defines it: an exact quotient stays an int, otherwise a float.
pub fn int_div(x: i64, y: i64) -> OpResult {
    if y == 0 {
        return Err(OpError::DivisionByZero);
    }
    match x.checked_rem(y) {
        Some(0) => x.checked_div(y).map(Value::int).ok_or(OpError::Overflow),
        None => Err(OpError::Overflow),
        Some(_) => Ok(Value::float(x as f64 / y as f64)),
    }
}

/// `a / b`: exact int quotients stay ints, otherwise a float; dividing by zero is an error.
pub fn div(a: &Value, b: &Value) -> OpResult {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        return int_div(a.payload as i64, b.payload as i64);
    }
    match floats(a, b) {
        Some((_, 0.0)) => Err(OpError::DivisionByZero),
        Some((x, y)) => Ok(Value::float(x / y)),
        None => Err(type_error("divide", a, b)),
    }
}

/// Floor modulo of ints: the result takes the sign of the divisor.
pub fn int_mod(x: i64, y: i64) -> OpResult {
    if y == 0 {
        return Err(OpError::ModuloByZero);
    }
    let r = x.checked_rem(y).unwrap_or(0);
    Ok(Value::int(if r != 0 && ((r ^ y) < 0) { r + y } else { r }))
}

/// `a % b`: floor modulo (sign of the divisor); modulo by zero is an error.
pub fn rem(a: &Value, b: &Value) -> OpResult {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        return int_mod(a.payload as i64, b.payload as i64);
    }
    match floats(a, b) {
        Some((_, 0.0)) => Err(OpError::ModuloByZero),
        Some((x, y)) => {
            let r = x % y;
            Ok(Value::float(if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
                r + y
            } else {
                r
            }))
        }
        None => Err(type_error("take the modulo of", a, b)),
    }
}

/// `a ** b`: int to a non-negative int power stays an int (checked); otherwise a float.
pub fn pow(a: &Value, b: &Value) -> OpResult {
    if a.tag == TAG_INT && b.tag == TAG_INT {
        let (x, y) = (a.payload as i64, b.payload as i64);
        if y >= 0 {
            let e = u32::try_from(y).map_err(|_| OpError::Overflow);
            return match e {
                Ok(e) => x.checked_pow(e).map(Value::int).ok_or(OpError::Overflow),
                // A huge exponent only fits for bases 0, 1 and -1.
                Err(_) => match x {
                    0 | 1 => Ok(Value::int(x)),
                    -1 => Ok(Value::int(if y % 2 == 0 { 1 } else { -1 })),
                    _ => Err(OpError::Overflow),
                },
            };
        }
        if x == 0 {
            return Err(OpError::DivisionByZero);
        }
        return Ok(Value::float((x as f64).powf(y as f64)));
    }
    match floats(a, b) {
        Some((x, y)) => Ok(Value::float(x.powf(y))),
        None => Err(type_error("raise", a, b)),
    }
}

/// `-a`.
pub fn neg(a: &Value) -> OpResult {
    match a.tag {
        TAG_INT => (a.payload as i64)
            .checked_neg()
            .map(Value::int)
            .ok_or(OpError::Overflow),
        TAG_FLOAT => Ok(Value::float(-f64::from_bits(a.payload))),
        _ => Err(OpError::Unary {
            verb: "negate",
            operand: a.type_name(),
        }),
    }
}

/// Containers nested deeper than this compare unequal (a cyclic list cannot recurse forever).
const MAX_EQ_DEPTH: usize = 200;

fn equal_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_EQ_DEPTH {
        return false;
    }
    match (a.kind(), b.kind()) {
        (Kind::Int, Kind::Int) => a.payload == b.payload,
        (Kind::Int | Kind::Float, Kind::Int | Kind::Float) => a.as_number() == b.as_number(),
        (Kind::Str, Kind::Str) => a.as_str() == b.as_str(),
        (Kind::List, Kind::List) => {
            if a.same_object(b) {
                return true;
            }
            let (x, y) = (a.as_list().expect("list"), b.as_list().expect("list"));
            let n = x.len();
            n == y.len()
                && (0..n).all(|i| match (x.get(i), y.get(i)) {
                    (Some(p), Some(q)) => equal_at(&p, &q, depth + 1),
                    _ => false,
                })
        }
        (Kind::Map, Kind::Map) => {
            if a.same_object(b) {
                return true;
            }
            let (x, y) = (
                a.as_map().expect("map").borrow(),
                b.as_map().expect("map").borrow(),
            );
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equal_at(v, w, depth + 1)))
        }
        (ka, kb) => ka == kb && a.payload == b.payload,
    }
}

/// Builds a map from alternating keys and values (`BUILD_MAP`): later keys overwrite
/// earlier ones; an error names a key that cannot be one.
pub fn build_map(items: Vec<Value>) -> OpResult {
    let map = crate::MapObj::new();
    {
        let mut entries = map.borrow_mut();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            let key = Key::new(&k)
                .ok_or_else(|| OpError::Other(format!("{} cannot be a map key", a_type(&k))))?;
            entries.insert(key, v);
        }
    }
    Ok(Value::map(map))
}

/// `a == b`: by value; `1 == 1.0`; values of different types are unequal.
pub fn equal(a: &Value, b: &Value) -> bool {
    equal_at(a, b, 0)
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        equal(self, other)
    }
}

/// Orders two values for `< > <= >=`: numbers with numbers, strings with strings.
pub fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, OpError> {
    use std::cmp::Ordering;
    if a.tag == TAG_INT && b.tag == TAG_INT {
        return Ok((a.payload as i64).cmp(&(b.payload as i64)));
    }
    if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        return Ok(x.cmp(y));
    }
    if let Some((x, y)) = floats(a, b) {
        // NaN compares as neither less nor greater nor equal; treat it as "unordered" = Greater
        // for `<`, `<=` purposes by returning a value that makes all of < <= > >= false is not
        // possible with Ordering, so NaN orders after everything.
        return Ok(x.partial_cmp(&y).unwrap_or(Ordering::Greater));
    }
    let side = side_of(a, b, |v| {
        matches!(v.kind(), Kind::Int | Kind::Float | Kind::Str)
    });
    Err(OpError::Types {
        verb: "compare",
        left: a.type_name(),
        right: b.type_name(),
        side,
    })
}

/// Resolves a list index (negative counts from the end) or reports it out of range.
pub fn list_index(len: usize, idx: &Value) -> Result<usize, OpError> {
    let i = match idx.kind() {
        Kind::Int => idx.payload as i64,
        _ => {
            return Err(OpError::Other(format!(
                "list index must be an int, not {}",
                idx.type_name()
            )))
        }
    };
    let j = if i < 0 { i + len as i64 } else { i };
    if j < 0 || j >= len as i64 {
        return Err(OpError::Other(format!(
            "index {i} out of range for list of length {len}"
        )));
    }
    Ok(j as usize)
}

fn key_of(k: &Value) -> Result<Key, OpError> {
    Key::new(k).ok_or_else(|| OpError::Other(format!("{} cannot be a map key", a_type(k))))
}

/// `obj[key]` for lists, maps and strings. A missing map key reads as `null` (as in the
/// original implementation); a list or string index out of range is an error.
pub fn index(obj: &Value, key: &Value) -> OpResult {
    match obj.tag {
        TAG_LIST => {
            let list = obj.as_list().expect("list");
            let i = list_index(list.len(), key)?;
            Ok(list.get(i).expect("index checked"))
        }
        TAG_MAP => {
            let k = key_of(key)?;
            let entries = obj.as_map().expect("map").borrow();
            Ok(entries.get(&k).cloned().unwrap_or(Value::NULL))
        }
        TAG_STR => {
            let s = obj.as_str().expect("str");
            let n = s.chars().count();
            let i = list_index(n, key)?;
            Ok(Value::str(
                s.chars().nth(i).expect("index checked").to_string(),
            ))
        }
        _ => Err(OpError::Other(format!("cannot index {}", a_type(obj)))),
    }
}

/// `obj[key] = v` for lists (in range) and maps (insert or replace).
pub fn store_index(obj: &Value, key: &Value, v: Value) -> Result<(), OpError> {
    match obj.tag {
        TAG_LIST => {
            let list = obj.as_list().expect("list");
            let i = list_index(list.len(), key)?;
            list.set(i, v);
            Ok(())
        }
        TAG_MAP => {
            let k = key_of(key)?;
            obj.as_map().expect("map").borrow_mut().insert(k, v);
            Ok(())
        }
        _ => Err(OpError::Other(format!(
            "cannot assign into {}",
            a_type(obj)
        ))),
    }
}

/// `len(v)` for strings (characters), lists and maps.
pub fn len(v: &Value) -> Result<i64, OpError> {
    match v.tag {
        TAG_STR => Ok(v.as_str().expect("str").chars().count() as i64),
        TAG_LIST => Ok(v.as_list().expect("list").len() as i64),
        TAG_MAP => Ok(v.as_map().expect("map").borrow().len() as i64),
        _ => Err(OpError::Other(format!("len() of {}", a_type(v)))),
    }
}

/// The binary arithmetic and bitwise operators, numbered once for every tier: the interpreter's
/// superinstructions carry one in their kind byte (`as u8`), compiled code passes one to the
/// runtime helper `rt_binop` (`as u64`), and [`ArithKind::apply`] is the general operator.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithKind {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `&`
    BAnd,
    /// `|`
    BOr,
    /// `^`
    BXor,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
}

impl ArithKind {
    /// Every kind, in number order (`ALL[k as usize] == k`).
    pub const ALL: [ArithKind; 11] = [
        ArithKind::Add,
        ArithKind::Sub,
        ArithKind::Mul,
        ArithKind::Div,
        ArithKind::Mod,
        ArithKind::Pow,
        ArithKind::BAnd,
        ArithKind::BOr,
        ArithKind::BXor,
        ArithKind::Shl,
        ArithKind::Shr,
    ];

    /// The kind numbered `b`, if any.
    #[inline]
    pub const fn from_u8(b: u8) -> Option<ArithKind> {
        if (b as usize) < Self::ALL.len() {
            Some(Self::ALL[b as usize])
        } else {
            None
        }
    }

    /// The general operator on any two values (both tiers' slow path).
    pub fn apply(self, a: &Value, b: &Value) -> OpResult {
        use crate::bitwise;
        match self {
            ArithKind::Add => add(a, b),
            ArithKind::Sub => sub(a, b),
            ArithKind::Mul => mul(a, b),
            ArithKind::Div => div(a, b),
            ArithKind::Mod => rem(a, b),
            ArithKind::Pow => pow(a, b),
            ArithKind::BAnd => bitwise::band(a, b),
            ArithKind::BOr => bitwise::bor(a, b),
            ArithKind::BXor => bitwise::bxor(a, b),
            ArithKind::Shl => bitwise::shl(a, b),
            ArithKind::Shr => bitwise::shr(a, b),
        }
    }
}

/// The comparison operators, numbered once for every tier: the interpreter's compare
/// superinstructions carry one in their kind byte (`as u8`), compiled code passes one to the
/// runtime helper `rt_compare` (`as u64`), and [`compare_values`] evaluates one.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpKind {
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Lte,
    /// `>=`
    Gte,
    /// `==`
    Eq,
    /// `!=`
    Neq,
}

impl CmpKind {
    /// Every kind, in number order (`ALL[k as usize] == k`).
    pub const ALL: [CmpKind; 6] = [
        CmpKind::Lt,
        CmpKind::Gt,
        CmpKind::Lte,
        CmpKind::Gte,
        CmpKind::Eq,
        CmpKind::Neq,
    ];

    /// The kind numbered `b`, if any.
    #[inline]
    pub const fn from_u8(b: u8) -> Option<CmpKind> {
        if (b as usize) < Self::ALL.len() {
            Some(Self::ALL[b as usize])
        } else {
            None
        }
    }
}

/// A comparison of any two values by kind: ints directly, otherwise `equal` and
/// `compare`, with NaN comparing false. Both tiers call this, so they agree exactly.
pub fn compare_values(k: CmpKind, a: &Value, b: &Value) -> Result<bool, OpError> {
    use std::cmp::Ordering::*;
    Ok(match k {
        CmpKind::Eq => equal(a, b),
        CmpKind::Neq => !equal(a, b),
        _ => {
            if a.tag == TAG_INT && b.tag == TAG_INT {
                let (x, y) = (a.payload as i64, b.payload as i64);
                return Ok(match k {
                    CmpKind::Lt => x < y,
                    CmpKind::Gt => x > y,
                    CmpKind::Lte => x <= y,
                    _ => x >= y,
                });
            }
            // NaN compares false with everything, as in IEEE 754.
            if let (Some(x), Some(y)) = (a.as_number(), b.as_number()) {
                if x.is_nan() || y.is_nan() {
                    compare(a, b)?;
                    return Ok(false);
                }
            }
            let o = compare(a, b)?;
            match k {
                CmpKind::Lt => o == Less,
                CmpKind::Gt => o == Greater,
                CmpKind::Lte => o != Greater,
                _ => o != Less,
            }
        }
    })
}
