//! Events recorded by `emit Name(args)`.
//!
//! On one machine an event has no listener: the original implementation appends it to an
//! event log and prints nothing, and so does this VM. The log is kept in the VM (read it with
//! [`VM::events`](super::VM::events)); the profiler counts each `EMIT_EVENT` site's executions
//! like any instruction, and the reports list the events by name.

use zexus_runtime::Value;

/// The most events a VM keeps; later ones are counted but not stored.
pub const MAX_EVENTS: usize = 10_000;

/// One emitted event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event's name (`Transfer` in `emit Transfer(a, b, 5)`).
    pub name: String,
    /// The values it carried.
    pub args: Vec<Value>,
}

/// The events a VM recorded.
#[derive(Debug, Default)]
pub(crate) struct EventLog {
    /// The first [`MAX_EVENTS`] events, in order.
    pub events: Vec<Event>,
    /// Every event emitted, stored or not.
    pub total: u64,
}

impl EventLog {
    /// Records an event (stored while there is room).
    pub fn record(&mut self, name: &str, args: &[Value]) {
        self.total += 1;
        if self.events.len() < MAX_EVENTS {
            self.events.push(Event {
                name: name.to_string(),
                args: args.to_vec(),
            });
        }
    }
}
