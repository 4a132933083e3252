//! String builtins and string methods. Positions count characters, as `len` and indexing do.

use zexus_runtime::ops;
use zexus_runtime::{OpError, Value};

use super::list::slice_args;
use super::{arity, arity_range, err, int_arg, method_arity, str_arg};
use crate::bytecode::Builtin;

/// The byte offset of character `i` of `s` (`s.len()` past the end).
fn byte_at(s: &str, i: usize) -> usize {
    s.char_indices().nth(i).map_or(s.len(), |(b, _)| b)
}

/// The character index of byte offset `b` of `s`.
fn char_index(s: &str, b: usize) -> usize {
    s[..b].chars().count()
}

/// `s[start:end]` by characters (Python's slice bounds), for `slice` and `substring`.
pub(super) fn slice_str(name: &str, s: &str, args: &[Value]) -> Result<Value, OpError> {
    let (a, b) = slice_args(name, args, s.chars().count())?;
    Ok(Value::str(&s[byte_at(s, a)..byte_at(s, b)]))
}

/// The original's strict string builtins: `uppercase(s)`, `lowercase(s)`, `split(s, sep)`.
pub(super) fn strict_builtin(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let name = b.name();
    match b {
        Builtin::Uppercase | Builtin::Lowercase => {
            arity(name, args, 1)?;
            let s = str_arg(name, &args[0])?;
            Ok(Value::str(if b == Builtin::Uppercase {
                s.to_uppercase()
            } else {
                s.to_lowercase()
            }))
        }
        Builtin::Split => {
            arity(name, args, 2)?;
            split(name, str_arg(name, &args[0])?, str_arg(name, &args[1])?)
        }
        _ => unreachable!("not a string builtin: {name}"),
    }
}

fn split(name: &str, s: &str, sep: &str) -> Result<Value, OpError> {
    if sep.is_empty() {
        return err(format!("{name}: empty separator"));
    }
    Ok(Value::list(s.split(sep).map(Value::str).collect()))
}

/// The string builtins that are a method of their first argument (`upper(s)` is `s.upper()`),
/// and `ord`/`chr`.
pub(super) fn builtin(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let name = b.name();
    match b {
        Builtin::Ord => {
            arity(name, args, 1)?;
            let s = str_arg(name, &args[0])?;
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Ok(Value::int(c as i64)),
                _ => err(format!(
                    "ord expects a string of one character, got {}",
                    args[0].repr()
                )),
            }
        }
        Builtin::Chr => {
            arity(name, args, 1)?;
            let n = int_arg(name, &args[0])?;
            match u32::try_from(n).ok().and_then(char::from_u32) {
                Some(c) => Ok(Value::str(c.to_string())),
                None => err(format!("chr({n}): not a character code")),
            }
        }
        _ => {
            let (lo, hi) = match b {
                Builtin::Upper | Builtin::Lower | Builtin::Trim => (1, 1),
                Builtin::Replace => (3, 3),
                Builtin::Substring => (2, 3),
                _ => (2, 2),
            };
            arity_range(name, args, lo, hi)?;
            str_arg(name, &args[0])?;
            method(&args[0], name, &args[1..])
        }
    }
}

/// Calls method `name` on the string `obj`.
#[inline(always)]
pub(super) fn method(obj: &Value, name: &str, args: &[Value]) -> Result<Value, OpError> {
    let s = obj.as_str().expect("string");
    let arity = |lo, hi| method_arity(obj, name, args, lo, hi);
    let arg = |i: usize| str_arg(&format!("string.{name}"), &args[i]);
    match name {
        "len" | "length" | "size" => {
            arity(0, 0)?;
            Ok(Value::int(s.chars().count() as i64))
        }
        "upper" | "uppercase" | "to_upper" | "toUpperCase" => {
            arity(0, 0)?;
            Ok(Value::str(s.to_uppercase()))
        }
        "lower" | "lowercase" | "to_lower" | "toLowerCase" => {
            arity(0, 0)?;
            Ok(Value::str(s.to_lowercase()))
        }
        "trim" | "strip" => {
            arity(0, 0)?;
            Ok(Value::str(s.trim()))
        }
        "contains" | "includes" => {
            arity(1, 1)?;
            Ok(Value::bool(s.contains(arg(0)?)))
        }
        "starts_with" | "startsWith" => {
            arity(1, 1)?;
            Ok(Value::bool(s.starts_with(arg(0)?)))
        }
        "ends_with" | "endsWith" => {
            arity(1, 1)?;
            Ok(Value::bool(s.ends_with(arg(0)?)))
        }
        "index_of" | "indexOf" | "find" => {
            arity(1, 1)?;
            Ok(Value::int(
                s.find(arg(0)?).map_or(-1, |b| char_index(s, b) as i64),
            ))
        }
        "count" => {
            arity(1, 1)?;
            Ok(Value::int(s.matches(arg(0)?).count() as i64))
        }
        // Without a separator, splits at each space (the original's).
        "split" => {
            arity(0, 1)?;
            let sep = if args.is_empty() { " " } else { arg(0)? };
            split("string.split", s, sep)
        }
        "replace" => {
            arity(2, 2)?;
            let (from, to) = (arg(0)?, arg(1)?);
            let r = s.replace(from, to);
            if r.len() > ops::MAX_STR_BYTES {
                return err(format!("string too large ({} bytes)", r.len()));
            }
            Ok(Value::str(r))
        }
        "substring" | "slice" => {
            arity(0, 2)?;
            slice_str(&format!("string.{name}"), s, args)
        }
        "char_at" | "charAt" => {
            arity(1, 1)?;
            let i = int_arg("string.char_at", &args[0])?;
            let c = usize::try_from(i).ok().and_then(|i| s.chars().nth(i));
            Ok(Value::str(c.map(String::from).unwrap_or_default()))
        }
        "repeat" => {
            arity(1, 1)?;
            let n = int_arg("string.repeat", &args[0])?.max(0) as usize;
            if s.len().saturating_mul(n) > ops::MAX_STR_BYTES {
                return err(format!(
                    "string too large ({} bytes; the limit is {})",
                    s.len().saturating_mul(n),
                    ops::MAX_STR_BYTES
                ));
            }
            Ok(Value::str(s.repeat(n)))
        }
        "reverse" => {
            arity(0, 0)?;
            Ok(Value::str(s.chars().rev().collect::<String>()))
        }
        "is_empty" | "isEmpty" => {
            arity(0, 0)?;
            Ok(Value::bool(s.is_empty()))
        }
        // The int the string spells, or null (the original's).
        "to_int" => {
            arity(0, 0)?;
            Ok(s.trim().parse::<i64>().map_or(Value::NULL, Value::int))
        }
        // `sep.join(list)`: the display forms of the items with this string between them.
        "join" => {
            arity(1, 1)?;
            let items = super::list_arg("string.join", &args[0])?;
            Ok(super::list::join(&items, s))
        }
        _ => err(format!("string has no method '{name}'")),
    }
}
