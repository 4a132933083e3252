//! Builtins over lists that call user functions (`map filter reduce sort sorted`), the
//! stable sort they share, and the builtins that are function forms of methods
//! (`contains includes find index_of join reverse`), and the `in` operator.

use std::cmp::Ordering;

use zexus_runtime::ops;
use zexus_runtime::{Key, Kind, OpError, Value};

use super::{arity, arity_range, err, func_arg, list_arg, Host};
use crate::bytecode::Builtin;

/// How a sort orders items.
pub(super) enum Order<'f> {
    /// By `<` (numbers with numbers, strings with strings; other mixes are an error).
    Natural,
    /// By a user comparator `f(a, b)` returning a number: negative puts `a` first, positive
    /// puts `b` first, zero keeps their order.
    By(&'f Value),
}

/// A stable merge sort with a comparator that may fail (and may be inconsistent: the result
/// is then some order of the items, never a panic). The comparisons made depend only on the
/// items and the comparator's answers, so every engine makes the same calls.
fn merge_sort<T>(
    mut v: Vec<T>,
    cmp: &mut dyn FnMut(&T, &T) -> Result<Ordering, OpError>,
) -> Result<Vec<T>, OpError> {
    if v.len() <= 1 {
        return Ok(v);
    }
    let right = v.split_off(v.len() / 2);
    let left = merge_sort(v, cmp)?;
    let right = merge_sort(right, cmp)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        // Take from the right only when it is strictly smaller (stability).
        if cmp(b, a)? == Ordering::Less {
            out.push(r.next().expect("peeked"));
        } else {
            out.push(l.next().expect("peeked"));
        }
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

/// Calls a comparator and reads its answer.
fn compare_by(f: &Value, a: &Value, b: &Value, host: &mut dyn Host) -> Result<Ordering, OpError> {
    let r = host.call(f, &[a.clone(), b.clone()])?;
    match r.as_number() {
        Some(x) if x < 0.0 => Ok(Ordering::Less),
        Some(x) if x > 0.0 => Ok(Ordering::Greater),
        Some(_) => Ok(Ordering::Equal),
        None => err(format!(
            "a sort comparator must return a number, got {}",
            ops::a_type(&r)
        )),
    }
}

/// `items` sorted in `order`.
pub(super) fn sort_list(
    items: Vec<Value>,
    order: Order,
    host: &mut dyn Host,
) -> Result<Vec<Value>, OpError> {
    match order {
        Order::Natural => merge_sort(items, &mut |a, b| ops::compare(a, b)),
        Order::By(f) => merge_sort(items, &mut |a, b| compare_by(f, a, b, host)),
    }
}

/// The key the original's `sort(list, field)` sorts an item by: the item itself (or the
/// item's `field` entry) when it is a number or a string, otherwise 0.
fn sort_key(item: &Value, field: Option<&str>) -> Value {
    let v = match field {
        None => Some(item.clone()),
        Some(f) => item.as_map().and_then(|m| {
            m.borrow()
                .get(&Key::new(&Value::str(f)).expect("a string is a key"))
                .cloned()
        }),
    };
    match v {
        Some(v) if matches!(v.kind(), Kind::Int | Kind::Float | Kind::Str) => v,
        _ => Value::int(0),
    }
}

/// `sort(list)`, `sort(list, descending)`, `sort(list, field)`, `sort(list, field,
/// descending)` (the original's: a sorted copy), and `sort(list, comparator)`.
fn sort_builtin(args: &[Value], host: &mut dyn Host) -> Result<Value, OpError> {
    arity_range("sort", args, 1, 3)?;
    let items = list_arg("sort", &args[0])?;
    let mut field = None;
    let mut descending = false;
    if let Some(a) = args.get(1) {
        match a.kind() {
            Kind::Str => field = a.as_str(),
            Kind::Bool => descending = a.truthy(),
            _ if super::is_callable(a) && args.len() == 2 => {
                return Ok(Value::list(sort_list(items, Order::By(a), host)?));
            }
            _ => {
                return err(format!(
                    "sort expects a field name, a descending flag or a comparator, got {}",
                    ops::a_type(a)
                ))
            }
        }
    }
    if let Some(d) = args.get(2) {
        match d.as_bool() {
            Some(b) => descending = b,
            None => {
                return err(format!(
                    "sort expects a bool (descending) as its third argument, got {}",
                    ops::a_type(d)
                ))
            }
        }
    }
    let keyed: Vec<(Value, Value)> = items
        .into_iter()
        .map(|v| (sort_key(&v, field), v))
        .collect();
    let sorted = merge_sort(keyed, &mut |a, b| {
        let o = ops::compare(&a.0, &b.0)?;
        Ok(if descending { o.reverse() } else { o })
    })?;
    Ok(Value::list(sorted.into_iter().map(|(_, v)| v).collect()))
}

/// `map`, `filter` or `reduce` over `items` with `args` (the function first).
pub(super) fn apply(
    name: &str,
    items: Vec<Value>,
    args: &[Value],
    host: &mut dyn Host,
) -> Result<Value, OpError> {
    let f = &args[0];
    func_arg(name, f)?;
    match name {
        "map" => {
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                out.push(host.call(f, &[v])?);
            }
            Ok(Value::list(out))
        }
        "filter" => {
            let mut out = Vec::new();
            for v in items {
                if host.call(f, std::slice::from_ref(&v))?.truthy() {
                    out.push(v);
                }
            }
            Ok(Value::list(out))
        }
        "reduce" => {
            let mut it = items.into_iter();
            let mut acc = match args.get(1) {
                Some(init) => init.clone(),
                None => match it.next() {
                    Some(first) => first,
                    None => return Ok(Value::NULL),
                },
            };
            for v in it {
                acc = host.call(f, &[acc, v])?;
            }
            Ok(acc)
        }
        _ => unreachable!("not a higher-order method: {name}"),
    }
}

/// The builtins that call user functions.
pub(super) fn higher_order(
    b: Builtin,
    args: &[Value],
    host: &mut dyn Host,
) -> Result<Value, OpError> {
    let name = b.name();
    match b {
        Builtin::Map | Builtin::Filter => {
            arity(name, args, 2)?;
            let items = list_arg(name, &args[0])?;
            apply(name, items, &args[1..], host)
        }
        Builtin::Reduce => {
            arity_range(name, args, 2, 3)?;
            let items = list_arg(name, &args[0])?;
            apply(name, items, &args[1..], host)
        }
        Builtin::Sort => sort_builtin(args, host),
        Builtin::Sorted => {
            arity_range(name, args, 1, 2)?;
            let items = list_arg(name, &args[0])?;
            let order = match args.get(1) {
                None => Order::Natural,
                Some(f) => {
                    func_arg(name, f)?;
                    Order::By(f)
                }
            };
            Ok(Value::list(sort_list(items, order, host)?))
        }
        _ => unreachable!("not a higher-order builtin: {name}"),
    }
}

/// The builtins that are a method of their first argument: `contains(x, v)` is
/// `x.contains(v)` (for a map, `m.has(k)`), `index_of`/`find` is `x.index_of(v)`, `join(list,
/// sep)` is `list.join(sep)`, `reverse(x)` is `x.reverse()`.
pub(super) fn as_method(b: Builtin, args: &[Value], host: &mut dyn Host) -> Result<Value, OpError> {
    let name = b.name();
    let (lo, hi) = match b {
        Builtin::Reverse => (1, 1),
        Builtin::Join => (1, 2),
        _ => (2, 2),
    };
    arity_range(name, args, lo, hi)?;
    let obj = &args[0];
    let method = match (b, obj.kind()) {
        (Builtin::Contains | Builtin::Includes, Kind::List | Kind::Str | Kind::Iter) => "contains",
        (Builtin::Contains | Builtin::Includes, Kind::Map) => "has",
        (Builtin::Find | Builtin::IndexOf, Kind::List | Kind::Str | Kind::Iter) => "index_of",
        (Builtin::Join, Kind::List | Kind::Iter) => "join",
        (Builtin::Reverse, Kind::List | Kind::Str | Kind::Iter) => "reverse",
        _ => {
            let what = match b {
                Builtin::Join => "a list",
                Builtin::Contains | Builtin::Includes => "a list, string or map",
                _ => "a list or string",
            };
            return err(format!("{name} expects {what}, got {}", ops::a_type(obj)));
        }
    };
    super::call_method(obj, method, &args[1..], host)
}

/// `item in container`: a list's element (`==`), a map's key, a string's substring.
pub(super) fn membership(args: &[Value], host: &mut dyn Host) -> Result<Value, OpError> {
    let [item, container] = args else {
        return err(format!("'in' takes 2 operands, got {}", args.len()));
    };
    match container.kind() {
        Kind::List | Kind::Str | Kind::Iter => {
            super::call_method(container, "contains", std::slice::from_ref(item), host)
        }
        Kind::Map => super::call_method(container, "has", std::slice::from_ref(item), host),
        _ => err(format!(
            "'in' needs a list, string or map on its right, got {}",
            ops::a_type(container)
        )),
    }
}
