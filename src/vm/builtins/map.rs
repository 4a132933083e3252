//! Map builtins (`keys values entries has_key has`) and map methods.

use zexus_runtime::ops;
use zexus_runtime::{Key, OpError, Value};

use super::{arity, err, method_arity};
use crate::bytecode::Builtin;

/// The map `v`, an argument of `name`.
fn map_arg<'v>(name: &str, v: &'v Value) -> Result<&'v zexus_runtime::MapObj, OpError> {
    v.as_map()
        .ok_or_else(|| OpError::Other(format!("{name} expects a map, got {}", ops::a_type(v))))
}

fn keys(m: &zexus_runtime::MapObj) -> Value {
    Value::list(m.borrow().keys().map(|k| k.value().clone()).collect())
}

fn values(m: &zexus_runtime::MapObj) -> Value {
    Value::list(m.borrow().values().cloned().collect())
}

/// `[[k, v], ...]`.
fn entries(m: &zexus_runtime::MapObj) -> Value {
    Value::list(
        m.borrow()
            .iter()
            .map(|(k, v)| Value::list(vec![k.value().clone(), v.clone()]))
            .collect(),
    )
}

fn has(m: &zexus_runtime::MapObj, k: &Value) -> Value {
    Value::bool(Key::new(k).is_some_and(|k| m.borrow().contains_key(&k)))
}

/// The map builtins.
pub(super) fn builtin(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let name = b.name();
    match b {
        Builtin::Keys => {
            arity(name, args, 1)?;
            Ok(keys(map_arg(name, &args[0])?))
        }
        Builtin::Values => {
            arity(name, args, 1)?;
            Ok(values(map_arg(name, &args[0])?))
        }
        Builtin::Entries => {
            arity(name, args, 1)?;
            Ok(entries(map_arg(name, &args[0])?))
        }
        Builtin::HasKey | Builtin::Has => {
            arity(name, args, 2)?;
            Ok(has(map_arg(name, &args[0])?, &args[1]))
        }
        _ => unreachable!("not a map builtin: {name}"),
    }
}

/// Calls method `name` on the map `obj` (one of its entries holding a function was already
/// looked for).
#[inline(always)]
pub(super) fn method(obj: &Value, name: &str, args: &[Value]) -> Result<Value, OpError> {
    let m = obj.as_map().expect("map");
    let arity = |lo, hi| method_arity(obj, name, args, lo, hi);
    match name {
        "get" => {
            arity(1, 2)?;
            let found = Key::new(&args[0]).and_then(|k| m.borrow().get(&k).cloned());
            Ok(found.unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::NULL)))
        }
        // Stores and returns the value (the original's).
        "set" => {
            arity(2, 2)?;
            ops::store_index(obj, &args[0], args[1].clone())?;
            Ok(args[1].clone())
        }
        "has" | "contains" | "has_key" => {
            arity(1, 1)?;
            Ok(has(m, &args[0]))
        }
        "keys" => {
            arity(0, 0)?;
            Ok(keys(m))
        }
        "values" => {
            arity(0, 0)?;
            Ok(values(m))
        }
        "entries" | "items" => {
            arity(0, 0)?;
            Ok(entries(m))
        }
        "len" | "length" | "size" | "count" => {
            arity(0, 0)?;
            Ok(Value::int(m.borrow().len() as i64))
        }
        "is_empty" | "isEmpty" => {
            arity(0, 0)?;
            Ok(Value::bool(m.borrow().is_empty()))
        }
        // Removes the entry; true if there was one (the original's).
        "delete" | "remove" => {
            arity(1, 1)?;
            let removed = Key::new(&args[0]).and_then(|k| m.borrow_mut().shift_remove(&k));
            Ok(Value::bool(removed.is_some()))
        }
        _ => err(format!("map has no method '{name}'")),
    }
}
