//! Builtin functions and methods. All of it is off the interpreter's hot path.

use std::sync::OnceLock;
use std::time::Instant;

use zexus_runtime::ops::{self, list_index};
use zexus_runtime::{Key, Kind, MapObj, OpError, RangeIter, Value};

use crate::bytecode::Builtin;
use crate::bytecode::Builtin as B;

fn err<T>(m: String) -> Result<T, OpError> {
    Err(OpError::Other(m))
}

fn arity(name: &str, args: &[Value], n: usize) -> Result<(), OpError> {
    if args.len() == n {
        Ok(())
    } else {
        let s = if n == 1 { "" } else { "s" };
        err(format!(
            "{name} expects {n} argument{s}, got {}",
            args.len()
        ))
    }
}

fn int_arg(name: &str, v: &Value) -> Result<i64, OpError> {
    v.as_int().ok_or_else(|| {
        OpError::Other(format!(
            "{name} expects int arguments, got {}",
            v.type_name()
        ))
    })
}

/// Seconds since the first call, for `clock()`.
fn clock() -> f64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Starts `clock()`'s epoch (called when a VM is created so `clock()` counts from there).
pub(crate) fn init_clock() {
    clock();
}

fn to_int(v: &Value) -> Result<Value, OpError> {
    match v.kind() {
        Kind::Int => Ok(v.clone()),
        Kind::Bool => Ok(Value::int(v.payload() as i64)),
        Kind::Float => {
            let f = v.as_float().expect("float");
            if f.is_finite() && f.abs() < 9.2e18 {
                Ok(Value::int(f.trunc() as i64))
            } else {
                err(format!("cannot convert {} to int", v.repr()))
            }
        }
        Kind::Str => {
            let s = v.as_str().expect("str").trim();
            match s.parse::<i64>() {
                Ok(i) => Ok(Value::int(i)),
                Err(_) => err(format!("cannot convert {} to int", v.repr())),
            }
        }
        _ => err(format!("cannot convert {} to int", ops::a_type(v))),
    }
}

fn to_float(v: &Value) -> Result<Value, OpError> {
    match v.kind() {
        Kind::Int | Kind::Float => Ok(Value::float(v.as_number().expect("number"))),
        Kind::Bool => Ok(Value::float(v.payload() as f64)),
        Kind::Str => match v.as_str().expect("str").trim().parse::<f64>() {
            Ok(f) => Ok(Value::float(f)),
            Err(_) => err(format!("cannot convert {} to float", v.repr())),
        },
        _ => err(format!("cannot convert {} to float", ops::a_type(v))),
    }
}

fn min_max(name: &str, args: &[Value], want: std::cmp::Ordering) -> Result<Value, OpError> {
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
        [one] => match one.as_list() {
            Some(l) => pick(&l.to_vec()),
            None => Ok(one.clone()),
        },
        many => pick(many),
    }
}

/// Calls builtin `id` (an index into `BUILTINS`).
pub(crate) fn call_builtin(id: u32, args: &[Value]) -> Result<Value, OpError> {
    let Some(builtin) = Builtin::from_id(id) else {
        return err(format!("no builtin #{id}"));
    };
    let name = builtin.name();
    match builtin {
        B::Len | B::Length => {
            arity(name, args, 1)?;
            match args[0].as_iter() {
                Some(_) => err(format!("{name}() of a range")),
                None => ops::len(&args[0]).map(Value::int),
            }
        }
        B::Str | B::String => {
            arity(name, args, 1)?;
            Ok(Value::str(args[0].to_string()))
        }
        B::Int => {
            arity(name, args, 1)?;
            to_int(&args[0])
        }
        B::Float => {
            arity(name, args, 1)?;
            to_float(&args[0])
        }
        B::Type => {
            arity(name, args, 1)?;
            Ok(Value::str(args[0].type_name()))
        }
        B::Abs => {
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
        B::Min => min_max(name, args, std::cmp::Ordering::Less),
        B::Max => min_max(name, args, std::cmp::Ordering::Greater),
        B::Range => {
            let (start, end) = match args {
                [n] => (0, int_arg(name, n)?),
                [a, b] => (int_arg(name, a)?, int_arg(name, b)?),
                _ => {
                    return err(format!(
                        "range expects 1 or 2 arguments, got {}",
                        args.len()
                    ))
                }
            };
            Ok(Value::iter(RangeIter::Range {
                next: start,
                end,
                index: 0,
            }))
        }
        B::Append => {
            arity(name, args, 2)?;
            match args[0].as_list() {
                Some(l) => {
                    ops::list_push(l, args[1].clone())?;
                    Ok(Value::NULL)
                }
                None => err(format!(
                    "append expects a list, got {}",
                    args[0].type_name()
                )),
            }
        }
        B::Keys => {
            arity(name, args, 1)?;
            map_keys(&args[0])
        }
        B::Clock => {
            arity(name, args, 0)?;
            Ok(Value::float(clock()))
        }
    }
}

fn map_keys(m: &Value) -> Result<Value, OpError> {
    match m.as_map() {
        Some(map) => Ok(Value::list(
            map.borrow().keys().map(|k| k.value().clone()).collect(),
        )),
        None => err(format!("keys expects a map, got {}", m.type_name())),
    }
}

fn method_arity(
    obj: &Value,
    name: &str,
    args: &[Value],
    lo: usize,
    hi: usize,
) -> Result<(), OpError> {
    if args.len() < lo || args.len() > hi {
        let want = if lo == hi {
            lo.to_string()
        } else {
            format!("{lo} to {hi}")
        };
        return err(format!(
            "{}.{name} expects {want} arguments, got {}",
            obj.type_name(),
            args.len()
        ));
    }
    Ok(())
}

/// Calls method `name` on `obj`.
pub(crate) fn call_method(obj: &Value, name: &str, args: &[Value]) -> Result<Value, OpError> {
    match (obj.kind(), name) {
        (Kind::List, "push" | "append") => {
            method_arity(obj, name, args, 1, 1)?;
            ops::list_push(obj.as_list().expect("list"), args[0].clone())?;
            Ok(Value::NULL)
        }
        (Kind::List, "pop") => {
            method_arity(obj, name, args, 0, 0)?;
            let popped = obj.as_list().expect("list").pop();
            popped.ok_or_else(|| OpError::Other("pop from an empty list".into()))
        }
        (Kind::List, "get") => {
            method_arity(obj, name, args, 1, 2)?;
            let list = obj.as_list().expect("list");
            match list_index(list.len(), &args[0]) {
                Ok(i) => Ok(list.get(i).expect("index checked")),
                Err(_) if args.len() == 2 => Ok(args[1].clone()),
                Err(e) => Err(e),
            }
        }
        (Kind::Map, "get") => {
            method_arity(obj, name, args, 1, 2)?;
            let found = Key::new(&args[0])
                .and_then(|k| obj.as_map().expect("map").borrow().get(&k).cloned());
            Ok(found.unwrap_or_else(|| args.get(1).cloned().unwrap_or(Value::NULL)))
        }
        (Kind::Map, "keys") => {
            method_arity(obj, name, args, 0, 0)?;
            map_keys(obj)
        }
        (Kind::Map, "values") => {
            method_arity(obj, name, args, 0, 0)?;
            Ok(Value::list(
                obj.as_map()
                    .expect("map")
                    .borrow()
                    .values()
                    .cloned()
                    .collect(),
            ))
        }
        (Kind::Map, "has") => {
            method_arity(obj, name, args, 1, 1)?;
            let found = Key::new(&args[0])
                .is_some_and(|k| obj.as_map().expect("map").borrow().contains_key(&k));
            Ok(Value::bool(found))
        }
        (Kind::List | Kind::Map | Kind::Str, "len" | "length") => {
            method_arity(obj, name, args, 0, 0)?;
            ops::len(obj).map(Value::int)
        }
        _ => err(format!("{} has no method '{name}'", obj.type_name())),
    }
}

/// Builds a map from alternating keys and values.
pub(crate) fn build_map(items: Vec<Value>) -> Result<Value, OpError> {
    let map = MapObj::new();
    {
        let mut entries = map.borrow_mut();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            let key = Key::new(&k).ok_or_else(|| {
                OpError::Other(format!("{} cannot be a map key", ops::a_type(&k)))
            })?;
            entries.insert(key, v);
        }
    }
    Ok(Value::map(map))
}

/// The iterator `for each` walks for `v`.
pub(crate) fn get_iter(v: Value) -> Result<Value, OpError> {
    let it = match v.kind() {
        Kind::Iter => {
            // A range value restarts for each loop that walks it; other iterators continue.
            let fresh = match &*v.as_iter().expect("iter").borrow() {
                RangeIter::Range { next, end, .. } => Some(RangeIter::Range {
                    next: *next,
                    end: *end,
                    index: 0,
                }),
                _ => None,
            };
            return Ok(fresh.map(Value::iter).unwrap_or(v));
        }
        Kind::List => RangeIter::List { list: v, index: 0 },
        Kind::Map => RangeIter::Map { map: v, index: 0 },
        Kind::Str => RangeIter::Str {
            s: v,
            offset: 0,
            index: 0,
        },
        _ => return err(format!("cannot iterate over {}", ops::a_type(&v))),
    };
    Ok(Value::iter(it))
}
