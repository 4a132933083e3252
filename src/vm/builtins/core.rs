//! Core builtins: lengths, conversions, type names, `range`.

use zexus_runtime::ops;
use zexus_runtime::{Kind, OpError, RangeIter, Value};

use super::{arity, err, int_arg};

/// The program's command-line arguments (see [`crate::vm::set_script_args`]).
static SCRIPT_ARGS: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());

/// Sets what `__ARGS__` gives.
pub(crate) fn set_script_args(args: Vec<String>) {
    *SCRIPT_ARGS.write().unwrap_or_else(|e| e.into_inner()) = args;
}

/// What `__ARGS__` gives.
pub(super) fn script_args() -> Vec<String> {
    SCRIPT_ARGS
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
}

/// `len(x)` / `length(x)`.
#[inline]
pub(super) fn len(name: &str, args: &[Value]) -> Result<Value, OpError> {
    arity(name, args, 1)?;
    match args[0].as_iter() {
        Some(_) => err(format!("{name}() of a range")),
        None => ops::len(&args[0]).map(Value::int),
    }
}

/// `int(x)`.
pub(super) fn to_int(v: &Value) -> Result<Value, OpError> {
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

/// `float(x)`.
pub(super) fn to_float(v: &Value) -> Result<Value, OpError> {
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

/// The name `type(x)` gives (the original's: `Integer`, `String`, `Action`, ...).
pub(super) fn type_name(v: &Value) -> &'static str {
    match v.kind() {
        Kind::Int => "Integer",
        Kind::Float => "Float",
        Kind::Str => "String",
        Kind::Bool => "Boolean",
        Kind::Null | Kind::Undef | Kind::Cell => "Null",
        Kind::List | Kind::Iter => "List",
        Kind::Map => "Map",
        Kind::Func => "Action",
        Kind::Obj | Kind::Class => object_type_name(v, false),
    }
}

/// What `type` (or, `lower`, `typeof`) says of an object or a declared type: the original's
/// names (`SmartContract`, `EntityInstance`, `EntityDefinition`; `contract` for `typeof` of a
/// contract).
fn object_type_name(v: &Value, lower: bool) -> &'static str {
    use zexus_runtime::object::ClassKind;
    let kind = match (v.as_obj(), v.as_class()) {
        (Some(o), _) => Some((o.class.kind, true)),
        (None, Some(c)) => Some((c.kind, false)),
        _ => None,
    };
    match (kind, lower) {
        (Some((ClassKind::Contract, _)), false) => "SmartContract",
        (Some((ClassKind::Contract, _)), true) => "contract",
        (Some((_, true)), false) => "EntityInstance",
        (Some((_, true)), true) => "entityinstance",
        (_, false) => "EntityDefinition",
        (_, true) => "entitydefinition",
    }
}

/// The name `typeof(x)` gives (the original's: `integer`, `boolean`, ...).
pub(super) fn type_of(v: &Value) -> &'static str {
    match v.kind() {
        Kind::Int => "integer",
        Kind::Float => "float",
        Kind::Str => "string",
        Kind::Bool => "boolean",
        Kind::Null | Kind::Undef | Kind::Cell => "null",
        Kind::List | Kind::Iter => "list",
        Kind::Map => "map",
        Kind::Func => "function",
        Kind::Obj | Kind::Class => object_type_name(v, true),
    }
}

/// `range(n)` / `range(a, b)`: a lazy range.
pub(super) fn range(name: &str, args: &[Value]) -> Result<Value, OpError> {
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
