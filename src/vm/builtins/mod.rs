//! Builtin functions and methods, shared by the VM (both tiers) and the reference evaluator.
//! All of it is off the interpreter's hot path.
//!
//! Higher-order builtins (`map`, `filter`, `reduce`, `sort` with a comparator, a map entry
//! holding a function called as a method) call user functions through a [`Host`]: the VM's
//! host runs the callee in a nested run of the interpreter (`vm::reenter`), the reference
//! evaluator's host calls its own `call_value`, and the JIT's host ([`NoHost`]) refuses, so
//! that native code hands such a call back to the interpreter. The builtins' semantics are
//! therefore written once, here.
//!
//! A builtin that calls back must not change anything visible before its first call through
//! the host: the interpreter first calls every builtin with a [`Probe`] and redoes the call
//! with its real host only when the probe was asked to call, and native code relies on the same
//! to hand such a call back to the interpreter.

mod access;
mod collections;
mod core;
mod list;
mod map;
mod math;
mod sanitize;
mod string;
mod time;

use zexus_runtime::ops;
use zexus_runtime::value::{TAG_ITER, TAG_LIST, TAG_MAP, TAG_STR};
use zexus_runtime::{Kind, OpError, RangeIter, Value};

use crate::bytecode::Builtin;
use crate::bytecode::Builtin as B;

pub(crate) use self::access::reset as reset_access_control;
pub(crate) use self::core::set_script_args;
pub(crate) use self::time::init_clock;

/// Calls user functions on behalf of a builtin.
pub(crate) trait Host {
    /// Calls the function value `f` with `args`. The callee's own errors are reported to the
    /// host's owner (the builtin sees an error it only passes on).
    fn call(&mut self, f: &Value, args: &[Value]) -> Result<Value, OpError>;
}

/// How many calls from builtins into user functions may be under way at once, nested (each
/// is a nested run of the interpreter, which takes native stack).
pub(crate) const MAX_CALLBACK_NESTING: u32 = 200;

/// The error past [`MAX_CALLBACK_NESTING`].
pub(crate) fn too_nested() -> String {
    format!("too many nested calls from builtins (the limit is {MAX_CALLBACK_NESTING})")
}

/// A host that calls nothing but remembers being asked to: the run loop calls a builtin with
/// it first, and again with a host that can call back only if `called`.
#[derive(Default)]
pub(crate) struct Probe {
    /// A call through this host was attempted.
    pub called: bool,
}

impl Host for Probe {
    fn call(&mut self, _: &Value, _: &[Value]) -> Result<Value, OpError> {
        self.called = true;
        Err(OpError::Other(NEEDS_INTERPRETER.into()))
    }
}

/// The message of the error [`NoHost`] and [`Probe`] give.
pub(crate) const NEEDS_INTERPRETER: &str = "this call needs the interpreter";

/// A host that calls nothing: native code's, whose builtin calls that call back fail (and are
/// redone by the interpreter).
pub(crate) struct NoHost;

impl Host for NoHost {
    fn call(&mut self, _: &Value, _: &[Value]) -> Result<Value, OpError> {
        Err(OpError::Other(NEEDS_INTERPRETER.into()))
    }
}

pub(crate) fn err<T>(m: String) -> Result<T, OpError> {
    Err(OpError::Other(m))
}

pub(crate) fn arity(name: &str, args: &[Value], n: usize) -> Result<(), OpError> {
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

/// Checks that a builtin got between `lo` and `hi` arguments.
pub(crate) fn arity_range(name: &str, args: &[Value], lo: usize, hi: usize) -> Result<(), OpError> {
    if (lo..=hi).contains(&args.len()) {
        Ok(())
    } else {
        err(format!(
            "{name} expects {lo} to {hi} arguments, got {}",
            args.len()
        ))
    }
}

pub(crate) fn int_arg(name: &str, v: &Value) -> Result<i64, OpError> {
    v.as_int().ok_or_else(|| {
        OpError::Other(format!(
            "{name} expects int arguments, got {}",
            v.type_name()
        ))
    })
}

/// The string argument of `name`, or an error naming its type.
pub(crate) fn str_arg<'v>(name: &str, v: &'v Value) -> Result<&'v str, OpError> {
    v.as_str()
        .ok_or_else(|| OpError::Other(format!("{name} expects a string, got {}", ops::a_type(v))))
}

/// Whether `v` can be called through a [`Host`].
pub(crate) fn is_callable(v: &Value) -> bool {
    v.kind() == Kind::Func
}

/// Checks that `f`, an argument of `name`, is a function.
pub(crate) fn func_arg(name: &str, f: &Value) -> Result<(), OpError> {
    if is_callable(f) {
        Ok(())
    } else {
        err(format!("{name} expects a function, got {}", ops::a_type(f)))
    }
}

/// The elements of a list, or of a range (which the original's `range` builds as a list).
pub(crate) fn items_of(v: &Value) -> Option<Vec<Value>> {
    if let Some(l) = v.as_list() {
        return Some(l.to_vec());
    }
    let it = v.as_iter()?;
    match &*it.borrow() {
        RangeIter::Range { next, end, .. } => {
            let n = end.saturating_sub(*next).max(0);
            if n as usize > ops::MAX_LIST_LEN {
                return None;
            }
            Some((*next..*end).map(Value::int).collect())
        }
        _ => None,
    }
}

/// The elements of `v`, an argument of `name` that must be a list.
pub(crate) fn list_arg(name: &str, v: &Value) -> Result<Vec<Value>, OpError> {
    items_of(v)
        .ok_or_else(|| OpError::Other(format!("{name} expects a list, got {}", ops::a_type(v))))
}

/// Calls builtin `id` (an index into `BUILTINS`), calling user functions through `host`.
pub(crate) fn call_builtin(id: u32, args: &[Value], host: &mut dyn Host) -> Result<Value, OpError> {
    let Some(builtin) = Builtin::from_id(id) else {
        return err(format!("no builtin #{id}"));
    };
    let name = builtin.name();
    match builtin {
        B::Len | B::Length => core::len(name, args),
        B::Str | B::String | B::ToString | B::ToStringCamel => {
            arity(name, args, 1)?;
            Ok(Value::str(args[0].to_string()))
        }
        B::Int => {
            arity(name, args, 1)?;
            core::to_int(&args[0])
        }
        B::Float => {
            arity(name, args, 1)?;
            core::to_float(&args[0])
        }
        B::Type => {
            arity(name, args, 1)?;
            Ok(Value::str(core::type_name(&args[0])))
        }
        B::Typeof => {
            arity(name, args, 1)?;
            Ok(Value::str(core::type_of(&args[0])))
        }
        B::Range => core::range(name, args),
        B::ScriptArgs | B::ScriptArgv => {
            arity(name, args, 0)?;
            Ok(Value::list(
                core::script_args().into_iter().map(Value::str).collect(),
            ))
        }
        B::IsMain => {
            arity(name, args, 0)?;
            Ok(Value::TRUE)
        }
        B::Abs => math::abs(name, args),
        B::Min => math::min_max(name, args, std::cmp::Ordering::Less),
        B::Max => math::min_max(name, args, std::cmp::Ordering::Greater),
        B::Sqrt => math::sqrt(name, args),
        B::Floor | B::Ceil => math::floor_ceil(builtin, args),
        B::Round => math::round(name, args),
        B::Pow => {
            arity(name, args, 2)?;
            ops::pow(&args[0], &args[1])
        }
        B::Sum => math::sum(name, args),
        B::Random => math::random(name, args),
        B::Clock | B::Time | B::Timestamp | B::Sleep => time::call(builtin, args),
        B::Append | B::Push | B::Extend | B::First | B::Rest | B::Slice => {
            list::builtin(builtin, args)
        }
        B::Map | B::Filter | B::Reduce | B::Sort | B::Sorted => {
            collections::higher_order(builtin, args, host)
        }
        B::Keys | B::Values | B::Entries | B::HasKey | B::Has => map::builtin(builtin, args),
        B::Size => {
            arity(name, args, 1)?;
            match args[0].kind() {
                Kind::Str | Kind::List | Kind::Map => ops::len(&args[0]).map(Value::int),
                _ => err(format!(
                    "size expects a map, list or string, got {}",
                    ops::a_type(&args[0])
                )),
            }
        }
        B::Uppercase | B::Lowercase | B::Split => string::strict_builtin(builtin, args),
        B::Upper
        | B::Lower
        | B::Trim
        | B::Replace
        | B::Substring
        | B::StartsWith
        | B::EndsWith
        | B::Ord
        | B::Chr => string::builtin(builtin, args),
        B::In => collections::membership(args, host),
        B::SetOwner
        | B::GetOwner
        | B::IsOwner
        | B::GrantRole
        | B::RevokeRole
        | B::HasRole
        | B::GetRoles
        | B::GrantPermission
        | B::RevokePermission
        | B::HasPermission => access::call(builtin, args),
        B::Sanitize => sanitize::call(name, args),
        B::Contains | B::Includes | B::Find | B::IndexOf | B::Join | B::Reverse => {
            collections::as_method(builtin, args, host)
        }
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

/// Calls method `name` on `obj`, calling user functions through `host`.
///
/// On a map, an entry named `name` that holds a function is called first (maps of functions
/// serve as namespaces); otherwise the map methods apply.
pub(crate) fn call_method(
    obj: &Value,
    name: &str,
    args: &[Value],
    host: &mut dyn Host,
) -> Result<Value, OpError> {
    // By tag rather than `kind()`: this is on the path of every method call.
    match obj.tag() {
        TAG_LIST => list::method(obj, name, args, host),
        TAG_STR => string::method(obj, name, args),
        TAG_MAP => match obj.as_map().expect("map").get_str(name) {
            Some(f) if is_callable(&f) => host.call(&f, args),
            _ => map::method(obj, name, args),
        },
        // A range behaves as the list of its values (the original builds `range` as a list).
        TAG_ITER => match items_of(obj) {
            Some(items) => list::method(&Value::list(items), name, args, host),
            None => no_method(obj, name),
        },
        _ => no_method(obj, name),
    }
}

fn no_method(obj: &Value, name: &str) -> Result<Value, OpError> {
    err(format!("{} has no method '{name}'", obj.type_name()))
}

/// Builds a map from alternating keys and values (the runtime's, shared with compiled code).
pub(crate) use zexus_runtime::ops::build_map;

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
