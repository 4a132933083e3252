//! Time builtins: `clock time timestamp sleep`.

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use zexus_runtime::{OpError, Value};

use super::{arity, err};
use crate::bytecode::Builtin;

/// Seconds since the first call, for `clock()`.
fn clock() -> f64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// Starts `clock()`'s epoch (called when a VM is created so `clock()` counts from there).
pub(crate) fn init_clock() {
    clock();
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Calls one of the time builtins.
pub(super) fn call(b: Builtin, args: &[Value]) -> Result<Value, OpError> {
    let name = b.name();
    match b {
        Builtin::Clock => {
            arity(name, args, 0)?;
            Ok(Value::float(clock()))
        }
        // Milliseconds since the Unix epoch, as the original's `time()`.
        Builtin::Time => {
            arity(name, args, 0)?;
            Ok(Value::int(since_epoch().as_millis() as i64))
        }
        // Whole seconds since the Unix epoch.
        Builtin::Timestamp => {
            arity(name, args, 0)?;
            Ok(Value::int(since_epoch().as_secs() as i64))
        }
        Builtin::Sleep => {
            arity(name, args, 1)?;
            let secs = match args[0].as_number() {
                Some(s) if s >= 0.0 && s.is_finite() => s,
                Some(_) => return err(format!("sleep of {} seconds", args[0])),
                None => {
                    return err(format!(
                        "sleep expects a number of seconds, got {}",
                        zexus_runtime::ops::a_type(&args[0])
                    ))
                }
            };
            std::thread::sleep(Duration::from_secs_f64(secs.min(1e9)));
            Ok(Value::NULL)
        }
        _ => unreachable!("not a time builtin: {name}"),
    }
}
