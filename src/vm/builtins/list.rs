//! List builtins (`append push extend first rest slice`) and list methods.

use zexus_runtime::ops::{self, list_index};
use zexus_runtime::{OpError, Value};

use super::collections::{self, sort_list, Order};
use super::{arity, arity_range, err, int_arg, list_arg, method_arity, Host};
use crate::bytecode::Builtin;

/// The list `v`, an argument of `name`, as a list value (not a copy).
fn list_value<'v>(name: &str, v: &'v Value) -> Result<&'v zexus_runtime::ListObj, OpError> {
    v.as_list()
        .ok_or_else(|| OpError::Other(format!("{name} expects a list, got {}", ops::a_type(v))))
}

/// Python's slice bounds `[start:end]` over `len` items: negative bounds count from the end,
/// and bounds past either end are clamped.
pub(super) fn slice_bounds(len: usize, start: i64, end: Option<i64>) -> (usize, usize) {
    let n = len as i64;
    let fix = |i: i64| {
        if i < 0 {
            (n + i).max(0)
        } else {
            i.min(n)
        }
    };
    let (s, e) = (fix(start), fix(end.unwrap_or(n)));
    (s as usize, e.max(s) as usize)
}

/// The `(start, end)` arguments of a `slice`-like call.
pub(super) fn slice_args(
    name: &str,
    args: &[Value],
    len: usize,
) -> Result<(usize, usize), OpError> {
    let start = match args.first() {
        Some(v) => int_arg(name, v)?,
        None => 0,
    };
    let end = match args.get(1) {
        Some(v) => Some(int_arg(name, v)?),
        None => None,
    };
    Ok(slice_bounds(len, start, end))
}

/// The list builtins that need no host.
pub(super) fn builtin(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let name = b.name();
    match b {
        // Mutates the list and returns it.
        Builtin::Append => {
            arity(name, args, 2)?;
            ops::list_push(list_value(name, &args[0])?, args[1].clone())?;
            Ok(args[0].clone())
        }
        // A new list with the item added; the argument is unchanged.
        Builtin::Push => {
            arity(name, args, 2)?;
            let mut items = list_arg(name, &args[0])?;
            items.push(args[1].clone());
            Ok(Value::list(items))
        }
        // Adds the second list's items to the first; returns the first.
        Builtin::Extend => {
            arity(name, args, 2)?;
            let list = list_value(name, &args[0])?;
            for v in list_arg(name, &args[1])? {
                ops::list_push(list, v)?;
            }
            Ok(args[0].clone())
        }
        Builtin::First => {
            arity(name, args, 1)?;
            Ok(list_arg(name, &args[0])?
                .into_iter()
                .next()
                .unwrap_or(Value::NULL))
        }
        Builtin::Rest => {
            arity(name, args, 1)?;
            Ok(Value::list(
                list_arg(name, &args[0])?.into_iter().skip(1).collect(),
            ))
        }
        Builtin::Slice => {
            arity_range(name, args, 2, 3)?;
            if let Some(s) = args[0].as_str() {
                return super::string::slice_str(name, s, &args[1..]);
            }
            let items = list_arg(name, &args[0])?;
            let (s, e) = slice_args(name, &args[1..], items.len())?;
            Ok(Value::list(items[s..e].to_vec()))
        }
        _ => unreachable!("not a list builtin: {name}"),
    }
}

/// The position of the first item equal to `v`, if any.
pub(super) fn position(items: &[Value], v: &Value) -> Option<usize> {
    items.iter().position(|x| ops::equal(x, v))
}

/// Joins the display forms of `items` with `sep`.
pub(super) fn join(items: &[Value], sep: &str) -> Value {
    let parts: Vec<String> = items.iter().map(Value::to_string).collect();
    Value::str(parts.join(sep))
}

/// Calls method `name` on the list `obj`.
#[inline(always)]
pub(super) fn method(
    obj: &Value,
    name: &str,
    args: &[Value],
    host: &mut dyn Host,
) -> Result<Value, OpError> {
    let list = obj.as_list().expect("list");
    let arity = |lo, hi| method_arity(obj, name, args, lo, hi);
    match name {
        // Both mutate the list and return it (the original's).
        "push" | "append" => {
            arity(1, 1)?;
            ops::list_push(list, args[0].clone())?;
            Ok(obj.clone())
        }
        "pop" => {
            arity(0, 0)?;
            Ok(list.pop().unwrap_or(Value::NULL))
        }
        "len" | "length" | "size" => {
            arity(0, 0)?;
            Ok(Value::int(list.len() as i64))
        }
        "get" => {
            arity(1, 2)?;
            match list_index(list.len(), &args[0]) {
                Ok(i) => Ok(list.get(i).expect("index checked")),
                Err(_) if args.len() == 2 => Ok(args[1].clone()),
                Err(e) => Err(e),
            }
        }
        "set" => {
            arity(2, 2)?;
            ops::store_index(obj, &args[0], args[1].clone())?;
            Ok(args[1].clone())
        }
        "count" => {
            arity(0, 1)?;
            match args.first() {
                None => Ok(Value::int(list.len() as i64)),
                Some(v) => Ok(Value::int(
                    list.to_vec().iter().filter(|x| ops::equal(x, v)).count() as i64,
                )),
            }
        }
        "contains" | "includes" => {
            arity(1, 1)?;
            Ok(Value::bool(position(&list.to_vec(), &args[0]).is_some()))
        }
        "index_of" | "indexOf" => {
            arity(1, 1)?;
            Ok(Value::int(
                position(&list.to_vec(), &args[0]).map_or(-1, |i| i as i64),
            ))
        }
        "is_empty" | "isEmpty" => {
            arity(0, 0)?;
            Ok(Value::bool(list.is_empty()))
        }
        "first" => {
            arity(0, 0)?;
            Ok(list.get(0).unwrap_or(Value::NULL))
        }
        "last" => {
            arity(0, 0)?;
            Ok(list
                .len()
                .checked_sub(1)
                .and_then(|i| list.get(i))
                .unwrap_or(Value::NULL))
        }
        "reverse" => {
            arity(0, 0)?;
            let mut items = list.to_vec();
            items.reverse();
            Ok(Value::list(items))
        }
        "join" => {
            arity(0, 1)?;
            let sep = match args.first() {
                Some(s) => super::str_arg("list.join", s)?,
                None => "",
            };
            Ok(join(&list.to_vec(), sep))
        }
        "slice" => {
            arity(0, 2)?;
            let items = list.to_vec();
            let (s, e) = slice_args("list.slice", args, items.len())?;
            Ok(Value::list(items[s..e].to_vec()))
        }
        "flatten" => {
            arity(0, 0)?;
            let mut out = Vec::new();
            for v in list.to_vec() {
                match v.as_list() {
                    Some(inner) => out.extend(inner.to_vec()),
                    None => out.push(v),
                }
            }
            Ok(Value::list(out))
        }
        "remove" => {
            arity(1, 1)?;
            let items = list.to_vec();
            match position(&items, &args[0]) {
                Some(i) => {
                    for (j, v) in items.into_iter().enumerate().skip(i + 1) {
                        list.set(j - 1, v);
                    }
                    list.pop();
                    Ok(Value::NULL)
                }
                None => err(format!(
                    "list.remove: {} is not in the list",
                    args[0].repr()
                )),
            }
        }
        // A sorted copy; without a comparator, items that do not compare leave the list as it is
        // (the original's).
        "sort" => {
            arity(0, 1)?;
            match args.first() {
                None => match sort_list(list.to_vec(), Order::Natural, host) {
                    Ok(sorted) => Ok(Value::list(sorted)),
                    Err(OpError::Types { .. }) => Ok(obj.clone()),
                    Err(e) => Err(e),
                },
                Some(f) => {
                    super::func_arg("list.sort", f)?;
                    Ok(Value::list(sort_list(list.to_vec(), Order::By(f), host)?))
                }
            }
        }
        "map" | "filter" | "reduce" => {
            let (lo, hi) = if name == "reduce" { (1, 2) } else { (1, 1) };
            arity(lo, hi)?;
            collections::apply(name, list.to_vec(), args, host)
        }
        _ => err(format!("list has no method '{name}'")),
    }
}
