//! Heap objects behind the reference-counted value tags: strings, maps and the iterators of
//! `for each` (lists are in `list`).

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::hash::{Hash, Hasher};

use indexmap::IndexMap;

use crate::meter::AllocKind;
use crate::value::{Value, TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_NULL, TAG_STR};

/// An immutable string.
#[derive(Debug)]
pub struct StrObj {
    s: String,
}

impl StrObj {
    /// Wraps a string.
    pub fn new(s: String) -> StrObj {
        crate::meter::new_object(crate::meter::AllocKind::Str, s.capacity());
        StrObj { s }
    }
    /// The contents.
    pub fn as_str(&self) -> &str {
        &self.s
    }
    /// Appends `v`'s display form (only for a string nobody else holds, see
    /// `Value::append_display_in_place`).
    /// False (and nothing appended) if the result would pass `ops::MAX_STR_BYTES`.
    pub(crate) fn push_display(&mut self, v: &Value) -> bool {
        let cap = self.s.capacity();
        let ok = self.push_display_unmetered(v);
        crate::meter::resize(crate::meter::AllocKind::Str, cap, self.s.capacity());
        ok
    }

    fn push_display_unmetered(&mut self, v: &Value) -> bool {
        use std::fmt::Write;
        let before = self.s.len();
        match v.as_str() {
            Some(t) if before + t.len() > crate::ops::MAX_STR_BYTES => return false,
            Some(t) => self.s.push_str(t),
            None => write!(self.s, "{v}").expect("writing to a String cannot fail"),
        }
        if self.s.len() > crate::ops::MAX_STR_BYTES {
            self.s.truncate(before);
            return false;
        }
        true
    }
}

impl Drop for StrObj {
    fn drop(&mut self) {
        crate::meter::release(self.s.capacity());
    }
}

/// A map key: a value that can be hashed. Ints and whole floats are the same key
/// (`m[1]` and `m[1.0]` agree, as `1 == 1.0`).
#[derive(Debug, Clone)]
pub struct Key(Value);

impl Key {
    /// The key for the string `s`.
    pub fn str(s: &str) -> Key {
        Key(Value::str(s))
    }
    /// The key for `v`, or `None` if `v` cannot be a key (lists, maps, functions).
    pub fn new(v: &Value) -> Option<Key> {
        match v.tag {
            TAG_INT | TAG_BOOL | TAG_NULL | TAG_STR => Some(Key(v.clone())),
            TAG_FLOAT => {
                let f = f64::from_bits(v.payload);
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    Some(Key(Value::int(f as i64)))
                } else if f.is_nan() {
                    None
                } else {
                    Some(Key(v.clone()))
                }
            }
            _ => None,
        }
    }
    /// The value this key was made from (whole floats come back as ints).
    pub fn value(&self) -> &Value {
        &self.0
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        match (self.0.tag, other.0.tag) {
            (TAG_STR, TAG_STR) => self.0.as_str() == other.0.as_str(),
            (a, b) => a == b && self.0.payload == other.0.payload,
        }
    }
}
impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.tag.hash(state);
        match self.0.as_str() {
            Some(s) => s.hash(state),
            None => self.0.payload.hash(state),
        }
    }
}

/// A string key looked up without making a string value: hashes and compares as the
/// [`Key`] of that string.
struct StrKey<'a>(&'a str);

impl Hash for StrKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `Key::hash` of a string.
        TAG_STR.hash(state);
        self.0.hash(state);
    }
}

impl indexmap::Equivalent<Key> for StrKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        key.0.as_str() == Some(self.0)
    }
}

/// Drops container values without recursion: a list nested a million deep would otherwise
/// overflow the native stack when its last reference goes away. Children of a container that is
/// about to die are moved onto an explicit work list first, so each drop is shallow.
pub(crate) fn drop_iteratively(mut work: Vec<Value>) {
    while let Some(v) = work.pop() {
        if v.is_last_reference() {
            if let Some(l) = v.as_list() {
                work.append(&mut l.take_values());
            } else if let Some(m) = v.as_map() {
                work.extend(m.entries.borrow_mut().drain(..).map(|(_, v)| v));
            } else if let Some(o) = v.as_obj() {
                work.append(&mut o.take_values());
            }
        }
        drop(v);
    }
}

impl Drop for MapObj {
    fn drop(&mut self) {
        crate::meter::release(self.charged.get());
        let entries = std::mem::take(self.entries.get_mut());
        if entries.values().any(|v| v.is_heap()) {
            drop_iteratively(entries.into_iter().map(|(_, v)| v).collect());
        }
    }
}

/// A mutable map in insertion order, shared by reference.
#[derive(Debug)]
pub struct MapObj {
    entries: RefCell<IndexMap<Key, Value>>,
    /// The bytes the heap meter was told this map's table holds.
    charged: Cell<usize>,
    /// What the allocation profile counts it as: a map, or an object's fields.
    kind: AllocKind,
}

impl Default for MapObj {
    fn default() -> MapObj {
        MapObj::from_entries(IndexMap::new())
    }
}

/// Heap bytes of a map table with room for `cap` entries (entries, their hashes and the
/// index table).
fn map_bytes(cap: usize) -> usize {
    cap * (std::mem::size_of::<(Key, Value)>() + 16)
}

/// A mutable borrow of a map's entries ([`MapObj::borrow_mut`]); when it ends, the heap meter
/// hears of a table that changed size.
pub struct MapMut<'a> {
    entries: RefMut<'a, IndexMap<Key, Value>>,
    charged: &'a Cell<usize>,
    kind: AllocKind,
}

impl std::ops::Deref for MapMut<'_> {
    type Target = IndexMap<Key, Value>;
    fn deref(&self) -> &Self::Target {
        &self.entries
    }
}

impl std::ops::DerefMut for MapMut<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.entries
    }
}

impl Drop for MapMut<'_> {
    fn drop(&mut self) {
        let now = map_bytes(self.entries.capacity());
        let old = self.charged.get();
        if now != old {
            self.charged.set(now);
            crate::meter::resize(self.kind, old, now);
        }
    }
}

impl MapObj {
    /// An empty map.
    pub fn new() -> MapObj {
        MapObj::default()
    }
    /// A map holding `entries`.
    pub fn from_entries(entries: IndexMap<Key, Value>) -> MapObj {
        MapObj::with_kind(entries, AllocKind::Map)
    }
    /// A map holding `entries`, counted by the allocation profile as `kind` (an object's
    /// fields are an object).
    pub(crate) fn with_kind(entries: IndexMap<Key, Value>, kind: AllocKind) -> MapObj {
        let bytes = map_bytes(entries.capacity());
        crate::meter::new_object(kind, bytes);
        MapObj {
            entries: RefCell::new(entries),
            charged: Cell::new(bytes),
            kind,
        }
    }
    /// Borrows the entries.
    pub fn borrow(&self) -> Ref<'_, IndexMap<Key, Value>> {
        self.entries.borrow()
    }
    /// Where the value of entry `k` is stored, and its size, if the map has the entry: for
    /// the cache simulation (`crate::address`).
    pub fn entry_addr(&self, k: &Key) -> Option<(usize, usize)> {
        let entries = self.entries.borrow();
        let (_, _, v) = entries.get_full(k)?;
        Some((v as *const Value as usize, std::mem::size_of::<Value>()))
    }
    /// The value at string key `k` (without making a string value for the key; a small map
    /// is scanned, which is cheaper than hashing).
    pub fn get_str(&self, k: &str) -> Option<Value> {
        let entries = self.entries.borrow();
        if entries.len() <= 8 {
            return entries
                .iter()
                .find(|(key, _)| key.0.as_str() == Some(k))
                .map(|(_, v)| v.clone());
        }
        entries.get(&StrKey(k)).cloned()
    }

    /// Borrows the entries mutably.
    pub fn borrow_mut(&self) -> MapMut<'_> {
        MapMut {
            entries: self.entries.borrow_mut(),
            charged: &self.charged,
            kind: self.kind,
        }
    }
}

/// The state of a `for each` loop.
#[derive(Debug)]
pub enum RangeIter {
    /// `range(a, b)`: the next int and the end (exclusive), without building a list.
    Range {
        /// The next value to yield.
        next: i64,
        /// One past the last value.
        end: i64,
        /// How many values were yielded so far (the index of `for each i, x`).
        index: i64,
    },
    /// Over a list's elements by position (the list may change while it is walked).
    List {
        /// The list.
        list: Value,
        /// The next position.
        index: usize,
    },
    /// Over a map's entries by position.
    Map {
        /// The map.
        map: Value,
        /// The next position.
        index: usize,
    },
    /// Over a string's characters.
    Str {
        /// The string.
        s: Value,
        /// The next byte offset.
        offset: usize,
        /// The next character index.
        index: usize,
    },
}

impl RangeIter {
    /// Advances a `for each` loop with `vars` variables: as [`Self::next_pair`], except that a
    /// one-variable loop over a map walks its keys (`for each k in m`), as in the original.
    pub fn next_for(&mut self, vars: u32) -> Option<(Value, Value)> {
        let keys = vars == 1 && matches!(self, RangeIter::Map { .. });
        let (k, v) = self.next_pair()?;
        Some(if keys { (v, k) } else { (k, v) })
    }

    /// Advances: `Some((index_or_key, value))`, or `None` at the end.
    pub fn next_pair(&mut self) -> Option<(Value, Value)> {
        match self {
            RangeIter::Range { next, end, index } => {
                if *next >= *end {
                    return None;
                }
                let v = *next;
                *next += 1;
                let i = *index;
                *index += 1;
                Some((Value::int(i), Value::int(v)))
            }
            RangeIter::List { list, index } => {
                let l = list.as_list().expect("List iterator holds a list");
                let v = l.get(*index)?;
                let i = *index;
                *index += 1;
                Some((Value::int(i as i64), v))
            }
            RangeIter::Map { map, index } => {
                let m = map.as_map().expect("Map iterator holds a map");
                let entries = m.borrow();
                let (k, v) = entries.get_index(*index)?;
                *index += 1;
                Some((k.value().clone(), v.clone()))
            }
            RangeIter::Str { s, offset, index } => {
                let text = s.as_str().expect("Str iterator holds a string");
                let c = text[*offset..].chars().next()?;
                *offset += c.len_utf8();
                let i = *index;
                *index += 1;
                Some((Value::int(i as i64), Value::str(c.to_string())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Value;

    #[test]
    fn a_deeply_nested_list_drops_without_overflowing_the_stack() {
        let mut v = Value::list(vec![]);
        for _ in 0..1_000_000 {
            v = Value::list(vec![v, Value::int(1)]);
        }
        drop(v);
        let mut m = Value::list(vec![]);
        for i in 0..200_000 {
            let map = crate::MapObj::new();
            map.borrow_mut()
                .insert(crate::Key::new(&Value::int(i)).unwrap(), m);
            m = Value::map(map);
        }
        drop(m);
    }
}
