//! The value slot: a `#[repr(C)]` pair of 64-bit words (tag, payload) that the interpreter
//! copies as two words and that JIT code reads and writes directly.
//!
//! Invariants:
//! - `tag < HEAP_TAG_MIN` means the payload is plain data (int bits, float bits, bool, function
//!   index); copying such a value is two word moves and dropping it does nothing.
//! - `tag >= HEAP_TAG_MIN` means the payload is a pointer obtained from `Rc::into_raw` of the
//!   type named by the tag; the value owns one strong count of it.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use crate::closure::{CellObj, Closure};
use crate::heap::{MapObj, RangeIter, StrObj};
use crate::list::ListObj;
use crate::object::{Class, Instance};

/// Tag of a 64-bit signed integer. It is 0 so that an int check is a test against zero.
pub const TAG_INT: u64 = 0;
/// Tag of an `f64` stored as its bit pattern.
pub const TAG_FLOAT: u64 = 1;
/// Tag of a boolean (payload 0 or 1).
pub const TAG_BOOL: u64 = 2;
/// Tag of `null` (payload 0).
pub const TAG_NULL: u64 = 3;
/// Tag of a function; the payload is the function's index in its `Bytecode`.
pub const TAG_FUNC: u64 = 4;
/// Tag of a variable slot that has not been assigned yet. Never visible to programs.
pub const TAG_UNDEF: u64 = 5;
/// First tag whose payload is a reference-counted heap pointer.
pub const HEAP_TAG_MIN: u64 = 8;
/// Tag of an immutable string (`Rc<StrObj>`).
pub const TAG_STR: u64 = 8;
/// Tag of a list (`Rc<ListObj>`).
pub const TAG_LIST: u64 = 9;
/// Tag of a map (`Rc<MapObj>`).
pub const TAG_MAP: u64 = 10;
/// Tag of an iterator used by `for each` (`Rc<RefCell<RangeIter>>`); internal.
pub const TAG_ITER: u64 = 11;
/// Tag of a declared type (`Rc<Class>`): a constant of `NEW_OBJECT`; internal.
pub const TAG_CLASS: u64 = 12;
/// Tag of an object, an instance of a contract, entity or data type (`Rc<Instance>`).
pub const TAG_OBJ: u64 = 13;
/// Tag of a closure (`Rc<Closure>`): a function value with captured cells.
pub const TAG_CLOSURE: u64 = 14;
/// Tag of a captured variable's cell (`Rc<RefCell<Value>>`); internal.
pub const TAG_CELL: u64 = 15;

/// A Zexus value.
///
/// The two words are private to the runtime crate: a heap tag's payload is an owned pointer,
/// so code outside it reads them with [`Value::tag`] and [`Value::payload`] and makes values
/// with the safe constructors, or with the `unsafe` [`Value::from_raw_parts`] and
/// [`Value::set_int_unchecked`] whose callers uphold the invariants above.
#[repr(C)]
pub struct Value {
    /// One of the `TAG_*` constants.
    pub(crate) tag: u64,
    /// Int bits, float bits, bool, function index, or an owned heap pointer.
    pub(crate) payload: u64,
}

/// Byte offset of [`Value`]'s tag word, which JIT code and the run loop read in place.
pub const VALUE_TAG_OFFSET: i32 = std::mem::offset_of!(Value, tag) as i32;
/// Byte offset of [`Value`]'s payload word.
pub const VALUE_PAYLOAD_OFFSET: i32 = std::mem::offset_of!(Value, payload) as i32;
/// Size in bytes of a [`Value`]: frames and list stores are arrays of them.
pub const VALUE_SIZE: usize = std::mem::size_of::<Value>();
const _: () = assert!(VALUE_TAG_OFFSET == 0 && VALUE_PAYLOAD_OFFSET == 8);
const _: () = assert!(VALUE_SIZE == 16 && std::mem::align_of::<Value>() == 8);

/// The kinds of value a program can see, as returned by [`Value::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 64-bit signed integer.
    Int,
    /// 64-bit float.
    Float,
    /// Boolean.
    Bool,
    /// `null`.
    Null,
    /// A function defined with `action` or `function`.
    Func,
    /// An unassigned slot (internal).
    Undef,
    /// An immutable string.
    Str,
    /// A list, shared by reference.
    List,
    /// A map in insertion order, shared by reference.
    Map,
    /// A `for each` iterator (internal).
    Iter,
    /// A declared type, the operand of `NEW_OBJECT` (internal).
    Class,
    /// An instance of a contract, entity or data type, shared by reference.
    Obj,
    /// A captured variable's cell (internal).
    Cell,
}

impl Value {
    /// `null`.
    pub const NULL: Value = Value {
        tag: TAG_NULL,
        payload: 0,
    };
    /// The marker of an unassigned slot.
    pub const UNDEF: Value = Value {
        tag: TAG_UNDEF,
        payload: 0,
    };
    /// `true`.
    pub const TRUE: Value = Value {
        tag: TAG_BOOL,
        payload: 1,
    };
    /// `false`.
    pub const FALSE: Value = Value {
        tag: TAG_BOOL,
        payload: 0,
    };

    /// The tag word: one of the `TAG_*` constants.
    #[inline(always)]
    pub const fn tag(&self) -> u64 {
        self.tag
    }
    /// The payload word: int bits, float bits, bool, function index, or (for a heap tag) the
    /// address of the object this value holds a reference to.
    #[inline(always)]
    pub const fn payload(&self) -> u64 {
        self.payload
    }

    /// The value made of these two words, taking over whatever they own.
    ///
    /// # Safety
    /// `tag` must be one of the `TAG_*` constants. For a heap tag, `payload` must come from
    /// `Rc::into_raw` of the tag's type, still alive, and the new value takes over one strong
    /// count of it (as a value moved word by word, or handed over by JIT code, does). For
    /// `TAG_BOOL` the payload is 0 or 1.
    #[inline(always)]
    pub const unsafe fn from_raw_parts(tag: u64, payload: u64) -> Value {
        Value { tag, payload }
    }

    /// Overwrites this int's payload with `i` in place (the interpreter's `x = x + 1`).
    ///
    /// # Safety
    /// `self` must be an int (`tag() == TAG_INT`): for any other tag the old payload might be
    /// an owned pointer, which would leak, or the new one read as a pointer.
    #[inline(always)]
    pub unsafe fn set_int_unchecked(&mut self, i: i64) {
        debug_assert_eq!(self.tag, TAG_INT);
        self.payload = i as u64;
    }

    /// An integer value.
    #[inline(always)]
    pub const fn int(i: i64) -> Value {
        Value {
            tag: TAG_INT,
            payload: i as u64,
        }
    }
    /// A float value.
    #[inline(always)]
    pub fn float(f: f64) -> Value {
        Value {
            tag: TAG_FLOAT,
            payload: f.to_bits(),
        }
    }
    /// A boolean value.
    #[inline(always)]
    pub const fn bool(b: bool) -> Value {
        Value {
            tag: TAG_BOOL,
            payload: b as u64,
        }
    }
    /// A function value referring to function `index` of its bytecode.
    pub const fn func(index: u32) -> Value {
        Value {
            tag: TAG_FUNC,
            payload: index as u64,
        }
    }
    /// A new string value.
    pub fn str(s: impl Into<String>) -> Value {
        Self::from_rc_str(Rc::new(StrObj::new(s.into())))
    }
    /// A string value sharing an existing string object.
    pub fn from_rc_str(s: Rc<StrObj>) -> Value {
        Value {
            tag: TAG_STR,
            payload: Rc::into_raw(s) as u64,
        }
    }
    /// A new list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value {
            tag: TAG_LIST,
            payload: Rc::into_raw(Rc::new(ListObj::new(items))) as u64,
        }
    }
    /// A new map value.
    pub fn map(m: MapObj) -> Value {
        Value {
            tag: TAG_MAP,
            payload: Rc::into_raw(Rc::new(m)) as u64,
        }
    }
    /// A new declared-type value (the constant operand of `NEW_OBJECT`).
    pub fn class(c: Class) -> Value {
        Value {
            tag: TAG_CLASS,
            payload: Rc::into_raw(Rc::new(c)) as u64,
        }
    }
    /// A new object value.
    pub fn obj(o: Instance) -> Value {
        Value {
            tag: TAG_OBJ,
            payload: Rc::into_raw(Rc::new(o)) as u64,
        }
    }
    /// A new iterator value.
    pub fn iter(it: RangeIter) -> Value {
        Value {
            tag: TAG_ITER,
            payload: Rc::into_raw(Rc::new(RefCell::new(it))) as u64,
        }
    }

    /// The kind of this value.
    pub fn kind(&self) -> Kind {
        match self.tag {
            TAG_INT => Kind::Int,
            TAG_FLOAT => Kind::Float,
            TAG_BOOL => Kind::Bool,
            TAG_NULL => Kind::Null,
            TAG_FUNC => Kind::Func,
            TAG_UNDEF => Kind::Undef,
            TAG_STR => Kind::Str,
            TAG_LIST => Kind::List,
            TAG_MAP => Kind::Map,
            TAG_ITER => Kind::Iter,
            TAG_CLASS => Kind::Class,
            TAG_OBJ => Kind::Obj,
            TAG_CLOSURE => Kind::Func,
            TAG_CELL => Kind::Cell,
            t => unreachable!("corrupt value tag {t}"),
        }
    }

    /// The name `type()` gives for this value.
    pub fn type_name(&self) -> &'static str {
        match self.kind() {
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Bool => "bool",
            Kind::Null => "null",
            Kind::Func => "function",
            Kind::Undef => "undefined",
            Kind::Str => "string",
            Kind::List => "list",
            Kind::Map => "map",
            Kind::Iter => "iterator",
            Kind::Class => "type",
            Kind::Cell => "cell",
            Kind::Obj => self
                .as_obj()
                .map_or("object", |o| o.class.kind.instance_type_name()),
        }
    }

    /// The integer, if this is an int.
    #[inline(always)]
    pub fn as_int(&self) -> Option<i64> {
        (self.tag == TAG_INT).then_some(self.payload as i64)
    }
    /// The float, if this is a float.
    #[inline(always)]
    pub fn as_float(&self) -> Option<f64> {
        (self.tag == TAG_FLOAT).then(|| f64::from_bits(self.payload))
    }
    /// The number as f64, if this is an int or a float.
    pub fn as_number(&self) -> Option<f64> {
        match self.tag {
            TAG_INT => Some(self.payload as i64 as f64),
            TAG_FLOAT => Some(f64::from_bits(self.payload)),
            _ => None,
        }
    }
    /// The boolean, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        (self.tag == TAG_BOOL).then_some(self.payload != 0)
    }
    /// The function index, if this is a function.
    pub fn as_func(&self) -> Option<u32> {
        (self.tag == TAG_FUNC).then_some(self.payload as u32)
    }
    /// The string object, if this is a string.
    pub fn as_str_obj(&self) -> Option<&StrObj> {
        if self.tag == TAG_STR {
            // SAFETY: a TAG_STR payload is a live `Rc<StrObj>` pointer owned by `self`, so the
            // object outlives the returned borrow of `self`.
            Some(unsafe { &*(self.payload as *const StrObj) })
        } else {
            None
        }
    }
    /// The string contents, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        self.as_str_obj().map(|s| s.as_str())
    }
    /// The list object, if this is a list.
    pub fn as_list(&self) -> Option<&ListObj> {
        if self.tag == TAG_LIST {
            // SAFETY: a TAG_LIST payload is a live `Rc<ListObj>` pointer owned by `self`.
            Some(unsafe { &*(self.payload as *const ListObj) })
        } else {
            None
        }
    }
    /// The map object, if this is a map.
    pub fn as_map(&self) -> Option<&MapObj> {
        if self.tag == TAG_MAP {
            // SAFETY: a TAG_MAP payload is a live `Rc<MapObj>` pointer owned by `self`.
            Some(unsafe { &*(self.payload as *const MapObj) })
        } else {
            None
        }
    }
    /// The declared type, if this is one (a shared reference to it).
    pub fn as_class(&self) -> Option<Rc<Class>> {
        if self.tag == TAG_CLASS {
            let p = self.payload as *const Class;
            // SAFETY: a TAG_CLASS payload is a live `Rc<Class>` pointer owned by `self`; the
            // count is raised before a second `Rc` is made from it.
            unsafe {
                Rc::increment_strong_count(p);
                Some(Rc::from_raw(p))
            }
        } else {
            None
        }
    }
    /// The object, if this is one.
    pub fn as_obj(&self) -> Option<&Instance> {
        if self.tag == TAG_OBJ {
            // SAFETY: a TAG_OBJ payload is a live `Rc<Instance>` pointer owned by `self`.
            Some(unsafe { &*(self.payload as *const Instance) })
        } else {
            None
        }
    }
    /// The iterator state, if this is an iterator.
    pub fn as_iter(&self) -> Option<&RefCell<RangeIter>> {
        if self.tag == TAG_ITER {
            // SAFETY: a TAG_ITER payload is a live `Rc<RefCell<RangeIter>>` owned by `self`.
            Some(unsafe { &*(self.payload as *const RefCell<RangeIter>) })
        } else {
            None
        }
    }
    /// True if both values are the same heap object (or equal plain words).
    pub fn same_object(&self, other: &Value) -> bool {
        self.tag == other.tag && self.payload == other.payload
    }

    /// Truthiness: `false`, `null`, `0`, `0.0`, `""`, `[]` and `{}` are falsy.
    #[inline]
    pub fn truthy(&self) -> bool {
        match self.tag {
            TAG_BOOL | TAG_INT => self.payload != 0,
            TAG_NULL | TAG_UNDEF => false,
            TAG_FLOAT => f64::from_bits(self.payload) != 0.0,
            TAG_STR => !self.as_str().unwrap_or_default().is_empty(),
            TAG_LIST => self.as_list().is_some_and(|l| !l.is_empty()),
            TAG_MAP => self.as_map().is_some_and(|m| !m.borrow().is_empty()),
            _ => true,
        }
    }

    /// True if this value holds the only reference to its heap object.
    pub fn is_last_reference(&self) -> bool {
        // SAFETY: for heap tags the payload is a live `Rc` pointer of the tag's type; the
        // temporary `Rc` is never dropped (ManuallyDrop), so the count is unchanged.
        unsafe {
            use std::mem::ManuallyDrop;
            let n = match self.tag {
                TAG_STR => Rc::strong_count(&ManuallyDrop::new(Rc::from_raw(
                    self.payload as *const StrObj,
                ))),
                TAG_LIST => Rc::strong_count(&ManuallyDrop::new(Rc::from_raw(
                    self.payload as *const ListObj,
                ))),
                TAG_MAP => Rc::strong_count(&ManuallyDrop::new(Rc::from_raw(
                    self.payload as *const MapObj,
                ))),
                TAG_ITER => Rc::strong_count(&ManuallyDrop::new(Rc::from_raw(
                    self.payload as *const RefCell<RangeIter>,
                ))),
                TAG_OBJ => Rc::strong_count(&ManuallyDrop::new(Rc::from_raw(
                    self.payload as *const Instance,
                ))),
                _ => return false,
            };
            n == 1
        }
    }

    /// If this is a string held by no one else, appends `x`'s display form to it in place and
    /// returns true (the value is unchanged otherwise). Strings are immutable to programs: this
    /// only ever changes a string no other value can observe.
    pub fn append_display_in_place(&mut self, x: &Value) -> bool {
        if self.tag != TAG_STR || !self.is_last_reference() {
            return false;
        }
        // SAFETY: the payload is a live `Rc<StrObj>` and this value holds its only strong
        // reference (no weak references are ever made), so no other borrow of it exists.
        let s = unsafe { &mut *(self.payload as *mut StrObj) };
        s.push_display(x)
    }

    /// True if the value owns a heap reference.
    #[inline(always)]
    pub fn is_heap(&self) -> bool {
        self.tag >= HEAP_TAG_MIN
    }
}

impl Clone for Value {
    #[inline(always)]
    fn clone(&self) -> Value {
        if self.tag >= HEAP_TAG_MIN {
            clone_heap(self.tag, self.payload);
        }
        Value {
            tag: self.tag,
            payload: self.payload,
        }
    }
}

#[cold]
fn clone_heap(tag: u64, payload: u64) {
    // SAFETY: for heap tags the payload came from `Rc::into_raw` of the type named by the tag
    // and is still alive (the value being cloned owns a count).
    unsafe {
        match tag {
            TAG_STR => Rc::increment_strong_count(payload as *const StrObj),
            TAG_LIST => Rc::increment_strong_count(payload as *const ListObj),
            TAG_MAP => Rc::increment_strong_count(payload as *const MapObj),
            TAG_ITER => Rc::increment_strong_count(payload as *const RefCell<RangeIter>),
            TAG_CLASS => Rc::increment_strong_count(payload as *const Class),
            TAG_OBJ => Rc::increment_strong_count(payload as *const Instance),
            TAG_CLOSURE => Rc::increment_strong_count(payload as *const Closure),
            TAG_CELL => Rc::increment_strong_count(payload as *const CellObj),
            t => unreachable!("corrupt heap tag {t}"),
        }
    }
}

impl Drop for Value {
    #[inline(always)]
    fn drop(&mut self) {
        if self.tag >= HEAP_TAG_MIN {
            drop_heap(self.tag, self.payload);
        }
    }
}

#[cold]
fn drop_heap(tag: u64, payload: u64) {
    // SAFETY: the value owns one strong count of the `Rc` named by its tag; this gives it back.
    unsafe {
        match tag {
            TAG_STR => Rc::decrement_strong_count(payload as *const StrObj),
            TAG_LIST => Rc::decrement_strong_count(payload as *const ListObj),
            TAG_MAP => Rc::decrement_strong_count(payload as *const MapObj),
            TAG_ITER => Rc::decrement_strong_count(payload as *const RefCell<RangeIter>),
            TAG_CLASS => Rc::decrement_strong_count(payload as *const Class),
            TAG_OBJ => Rc::decrement_strong_count(payload as *const Instance),
            TAG_CLOSURE => Rc::decrement_strong_count(payload as *const Closure),
            TAG_CELL => Rc::decrement_strong_count(payload as *const CellObj),
            t => unreachable!("corrupt heap tag {t}"),
        }
    }
}

impl Default for Value {
    fn default() -> Self {
        Value::NULL
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::int(i)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::int(i as i64)
    }
}
impl From<u32> for Value {
    fn from(i: u32) -> Self {
        Value::int(i as i64)
    }
}
impl From<usize> for Value {
    fn from(i: usize) -> Self {
        Value::int(i as i64)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::str(s)
    }
}
impl From<()> for Value {
    fn from(_: ()) -> Self {
        Value::NULL
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::list(v)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind() {
            Kind::Str => write!(f, "{:?}", self.as_str().unwrap_or_default()),
            Kind::Undef => f.write_str("<undefined>"),
            _ => fmt::Display::fmt(self, f),
        }
    }
}
