//! The heap meter: bytes of live strings, lists and maps on this thread, for the VM's heap
//! limit (`VmBuilder::max_heap`).
//!
//! Every allocation path of those objects reports its buffer's size here: a string when it is
//! made, grown in place or dropped; a list's element store whenever its buffer changes (made,
//! grown, taken); a map's table when a mutable borrow ends with another capacity, and when it
//! is dropped. The count is of buffer capacities (what the objects hold from the allocator,
//! not counting the allocator's own rounding or the small fixed-size object headers).
//!
//! With no limit armed the meter only adds and subtracts. An armed limit that is passed sets a
//! sticky flag and zeroes the run's fuel cell (see `src/vm/limits.rs`), so that the run loop
//! and compiled code, which check that cell at their next instruction or back edge, stop the
//! run with the heap-limit error. Allocations themselves never fail here: the limit is seen
//! right after the allocation that passes it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// What an allocation made (the kinds the allocation profile tells apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum AllocKind {
    /// A string.
    Str = 0,
    /// A list.
    List = 1,
    /// A map.
    Map = 2,
    /// An object (an instance of a declared type; its fields).
    Object = 3,
}

impl AllocKind {
    /// Every kind, in index order.
    pub const ALL: [AllocKind; 4] = [
        AllocKind::Str,
        AllocKind::List,
        AllocKind::Map,
        AllocKind::Object,
    ];
    /// The kind's name in reports (`"string"`, `"list"`, `"map"`, `"object"`).
    pub const fn name(self) -> &'static str {
        match self {
            AllocKind::Str => "string",
            AllocKind::List => "list",
            AllocKind::Map => "map",
            AllocKind::Object => "object",
        }
    }
}

/// Per kind (indexed by `AllocKind as usize`): objects made and bytes charged.
pub type KindTally = [(u64, u64); 4];

/// What [`stop_recording`] hands back: per site, what was allocated there, and the peak.
#[derive(Debug, Default, Clone)]
pub struct Recording {
    /// Per site (the value the VM had written to [`site_cell`] when the allocation happened),
    /// objects made and bytes charged by kind.
    pub sites: HashMap<u64, KindTally>,
    /// The most live bytes seen while recording.
    pub peak: usize,
}

struct Meter {
    live: Cell<usize>,
    /// The allocation paths take their slow path when live bytes reach this: the armed
    /// limit + 1, 0 while recording (every allocation), `usize::MAX` otherwise.
    watch: Cell<usize>,
    limit: Cell<usize>,
    tripped: Cell<bool>,
    stop: Cell<*mut i64>,
    /// Where the VM writes the current allocation site (see [`site_cell`]).
    site: Cell<u64>,
    recording: Cell<bool>,
    peak: Cell<usize>,
    sites: RefCell<Option<HashMap<u64, KindTally>>>,
}

thread_local! {
    static METER: Meter = const {
        Meter {
            live: Cell::new(0),
            watch: Cell::new(usize::MAX),
            limit: Cell::new(usize::MAX),
            tripped: Cell::new(false),
            stop: Cell::new(std::ptr::null_mut()),
            site: Cell::new(0),
            recording: Cell::new(false),
            peak: Cell::new(0),
            sites: RefCell::new(None),
        }
    };
}

fn set_watch(m: &Meter) {
    m.watch.set(if m.recording.get() {
        0
    } else {
        m.limit.get().saturating_add(1)
    });
}

/// Records a new object of `kind` holding `bytes` (0 for an empty one).
#[inline]
pub fn new_object(kind: AllocKind, bytes: usize) {
    METER.with(|m| {
        let live = m.live.get().wrapping_add(bytes);
        m.live.set(live);
        if live >= m.watch.get() {
            slow(m, kind, bytes, true);
        }
    });
}

/// Records `bytes` more live heap bytes of an object of `kind` (a buffer that grew).
#[inline]
pub fn charge(kind: AllocKind, bytes: usize) {
    if bytes == 0 {
        return;
    }
    METER.with(|m| {
        let live = m.live.get().wrapping_add(bytes);
        m.live.set(live);
        if live >= m.watch.get() {
            slow(m, kind, bytes, false);
        }
    });
}

/// Records `bytes` fewer live heap bytes.
#[inline]
pub fn release(bytes: usize) {
    if bytes == 0 {
        return;
    }
    METER.with(|m| m.live.set(m.live.get().wrapping_sub(bytes)));
}

/// Records a buffer of an object of `kind` that changed from `old` to `new` bytes.
#[inline]
pub fn resize(kind: AllocKind, old: usize, new: usize) {
    if new > old {
        charge(kind, new - old);
    } else {
        release(old - new);
    }
}

/// The allocation paths' slow path: the allocation profile while recording, the limit.
#[cold]
#[inline(never)]
fn slow(m: &Meter, kind: AllocKind, bytes: usize, new: bool) {
    let live = m.live.get();
    if m.recording.get() {
        if live > m.peak.get() {
            m.peak.set(live);
        }
        if let Some(sites) = m.sites.borrow_mut().as_mut() {
            let t = &mut sites.entry(m.site.get()).or_default()[kind as usize];
            t.0 += u64::from(new);
            t.1 += bytes as u64;
        }
    }
    if live > m.limit.get() {
        m.tripped.set(true);
        let stop = m.stop.get();
        if !stop.is_null() {
            // SAFETY: `arm`'s caller keeps the cell alive and valid until `disarm`.
            unsafe { *stop = 0 };
        }
    }
}

/// Live bytes of strings, lists and maps on this thread now.
pub fn live() -> usize {
    METER.with(|m| m.live.get())
}

/// The address of this thread's site cell: while recording, every allocation is counted under
/// the value the cell holds. The VM's run loop writes its instruction pointer there before each
/// instruction, and compiled code an encoded (code object, ip) before each instruction that
/// may allocate. The address stays valid as long as the thread lives.
pub fn site_cell() -> *mut u64 {
    METER.with(|m| m.site.as_ptr())
}

/// Starts recording allocations by site (the allocation profile): clears what was recorded,
/// and starts the peak at the live bytes now. False (and nothing changes) if a recording is
/// already under way on this thread.
pub fn start_recording() -> bool {
    METER.with(|m| {
        if m.recording.get() {
            return false;
        }
        m.recording.set(true);
        m.peak.set(m.live.get());
        m.site.set(0);
        *m.sites.borrow_mut() = Some(HashMap::new());
        set_watch(m);
        true
    })
}

/// Stops recording and hands back what was recorded (empty if nothing was).
pub fn stop_recording() -> Recording {
    METER.with(|m| {
        let was = m.recording.replace(false);
        set_watch(m);
        let sites = m.sites.borrow_mut().take().unwrap_or_default();
        Recording {
            sites,
            peak: if was { m.peak.get() } else { 0 },
        }
    })
}

/// Arms the limit: from now on, live bytes above `limit` set [`tripped`] and write 0 to
/// `stop`. Returns whether the limit is already passed.
///
/// # Safety
/// `stop` is null or valid for writes until [`disarm`] is called on this thread.
pub unsafe fn arm(limit: usize, stop: *mut i64) -> bool {
    METER.with(|m| {
        m.limit.set(limit);
        m.stop.set(stop);
        m.tripped.set(m.live.get() > limit);
        set_watch(m);
        m.tripped.get()
    })
}

/// Removes the limit and forgets the stop cell.
pub fn disarm() {
    METER.with(|m| {
        m.limit.set(usize::MAX);
        m.stop.set(std::ptr::null_mut());
        m.tripped.set(false);
        set_watch(m);
    });
}

/// True once live bytes passed the armed limit (until the next [`arm`] or [`disarm`]).
pub fn tripped() -> bool {
    METER.with(|m| m.tripped.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::value::Value;

    #[test]
    fn strings_lists_and_maps_are_counted_and_released() {
        let before = live();
        let s = Value::str("x".repeat(1000));
        assert!(live() >= before + 1000);
        let l = Value::list(vec![Value::int(1); 100]);
        assert!(live() >= before + 1000 + 100 * 16);
        for i in 0..1000 {
            l.as_list().unwrap().push(Value::int(i));
        }
        assert!(live() >= before + 1000 + 1100 * 16);
        let m = Value::map(crate::heap::MapObj::new());
        for i in 0..100 {
            m.as_map()
                .unwrap()
                .borrow_mut()
                .insert(crate::heap::Key::new(&Value::int(i)).unwrap(), Value::NULL);
        }
        assert!(live() >= before + 1000 + 1100 * 16 + 100 * 32);
        drop((s, l, m));
        assert_eq!(live(), before);
    }

    #[test]
    fn an_armed_limit_trips_and_writes_the_stop_cell() {
        let mut cell: i64 = 99;
        // SAFETY: `cell` outlives the armed period (disarmed below).
        assert!(!unsafe { arm(live() + 10_000, &mut cell) });
        let small = crate::value::Value::str("y".repeat(100));
        assert!(!tripped());
        assert_eq!(cell, 99);
        let big = crate::value::Value::str("z".repeat(20_000));
        assert!(tripped());
        assert_eq!(cell, 0);
        disarm();
        assert!(!tripped());
        drop((small, big));
    }

    #[test]
    fn a_recording_counts_objects_and_bytes_by_site_and_kind_and_the_peak() {
        assert!(start_recording());
        assert!(!start_recording(), "one recording at a time");
        let cell = site_cell();
        // SAFETY: the cell is this thread's, alive as long as the thread.
        unsafe { *cell = 7 };
        let a = Value::str("x".repeat(100));
        let b = Value::list(vec![]);
        unsafe { *cell = 9 };
        for i in 0..10 {
            b.as_list().unwrap().push(Value::int(i));
        }
        let m = Value::map(crate::heap::MapObj::new());
        let peak_then = live();
        drop(a);
        let r = stop_recording();
        assert_eq!(r.sites[&7][AllocKind::Str as usize], (1, 100));
        assert_eq!(r.sites[&7][AllocKind::List as usize], (1, 0));
        let (made, bytes) = r.sites[&9][AllocKind::List as usize];
        assert_eq!(made, 0, "pushes grow a list, they make none");
        assert!(bytes >= 10 * 16, "{bytes}");
        assert_eq!(r.sites[&9][AllocKind::Map as usize], (1, 0));
        assert!(r.peak >= peak_then, "{} {peak_then}", r.peak);
        assert!(stop_recording().sites.is_empty(), "nothing after the stop");
        drop((b, m));
    }
}
