//! Declared objects: `contract`, `entity` and `data` types ([`Class`]) and their instances
//! ([`Instance`]).
//!
//! A class is made once by the compiler and is immutable; it is a constant of the bytecode that
//! the `NEW_OBJECT` instruction reads, never a value a program can hold. An instance is shared
//! by reference, like a list or a map. Its declared fields live in slots, in declaration order,
//! so that a field is found by its position in the class; a field a program assigns without
//! declaring it goes to a map of extra fields, in insertion order, after the declared ones.
//!
//! Field and method names are string values. The compiler makes every string of a program once
//! (`BytecodeBuilder` interns them), so a name in a `GET_ATTR` or `CALL_METHOD` instruction is
//! usually the very value the class holds, and a lookup compares pointers before contents.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use crate::heap::{Key, MapObj};
use crate::value::Value;

/// Which declaration made a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// `contract Name { state x = ...; action m() {} }`: state and actions, built by calling
    /// `Name(args)`, which runs `init(args)` when the contract declares one.
    Contract,
    /// `entity Name { x: type = default, ... }`: a record built with `Name(a, b)` or
    /// `Name{x: a}`.
    Entity,
    /// `data Name { x: type, ... }`: a record, as an entity.
    Data,
}

impl ClassKind {
    /// The keyword that declares it.
    pub fn keyword(self) -> &'static str {
        match self {
            ClassKind::Contract => "contract",
            ClassKind::Entity => "entity",
            ClassKind::Data => "data",
        }
    }
    /// What `type()` says of an instance (the original implementation's names).
    pub fn instance_type_name(self) -> &'static str {
        match self {
            ClassKind::Contract => "SmartContract",
            ClassKind::Entity | ClassKind::Data => "EntityInstance",
        }
    }
}

/// A declared type: its name, fields and methods.
#[derive(Debug)]
pub struct Class {
    /// The declared name.
    pub name: String,
    /// The declaring keyword.
    pub kind: ClassKind,
    /// Declared field names (strings), in order.
    fields: Vec<Value>,
    /// Methods: name (a string) and the function index of its code (whose parameter 0 is
    /// `this`).
    methods: Vec<(Value, u32)>,
}

impl PartialEq for Class {
    fn eq(&self, other: &Class) -> bool {
        self.name == other.name
            && self.kind == other.kind
            && self.fields().eq(other.fields())
            && self.methods().eq(other.methods())
    }
}

/// Whether `a` and `b` are the same name: the same string value (the common case, names being
/// interned by the compiler) or equal strings.
#[inline]
fn same_name(a: &Value, b: &Value) -> bool {
    a.payload == b.payload || a.as_str() == b.as_str()
}

impl Class {
    /// A class whose field and method names are the string values given (share them with the
    /// program's constants, so that lookups compare pointers).
    pub fn new(
        name: impl Into<String>,
        kind: ClassKind,
        fields: Vec<Value>,
        methods: Vec<(Value, u32)>,
    ) -> Class {
        debug_assert!(fields.iter().all(|f| f.as_str().is_some()));
        debug_assert!(methods.iter().all(|(m, _)| m.as_str().is_some()));
        Class {
            name: name.into(),
            kind,
            fields,
            methods,
        }
    }

    /// A class from plain names.
    pub fn from_names<S: AsRef<str>>(
        name: impl Into<String>,
        kind: ClassKind,
        fields: &[S],
        methods: &[(S, u32)],
    ) -> Class {
        Class::new(
            name,
            kind,
            fields.iter().map(|f| Value::str(f.as_ref())).collect(),
            methods
                .iter()
                .map(|(m, i)| (Value::str(m.as_ref()), *i))
                .collect(),
        )
    }

    /// The declared field names, in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> + '_ {
        self.fields.iter().map(|f| f.as_str().unwrap_or_default())
    }

    /// How many fields are declared.
    pub fn field_count(&self) -> usize {
        self.fields.len()
    }

    /// The methods: name and function index, in declaration order.
    pub fn methods(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.methods
            .iter()
            .map(|(m, i)| (m.as_str().unwrap_or_default(), *i))
    }

    /// The position of declared field `name` (a string value).
    #[inline]
    pub fn field_index(&self, name: &Value) -> Option<usize> {
        if let Some(i) = self.fields.iter().position(|f| f.payload == name.payload) {
            return Some(i);
        }
        self.fields.iter().position(|f| same_name(f, name))
    }

    /// The position of declared field `name`.
    pub fn field_index_str(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.as_str() == Some(name))
    }

    /// The function index of method `name`.
    pub fn method(&self, name: &str) -> Option<u32> {
        self.methods
            .iter()
            .find(|(n, _)| n.as_str() == Some(name))
            .map(|&(_, index)| index)
    }

    /// The function index of method `name` (a string value).
    #[inline]
    pub fn method_of(&self, name: &Value) -> Option<u32> {
        if let Some(&(_, index)) = self.methods.iter().find(|(n, _)| n.payload == name.payload) {
            return Some(index);
        }
        self.methods
            .iter()
            .find(|(n, _)| same_name(n, name))
            .map(|&(_, index)| index)
    }
}

/// An object: its class and its fields.
#[derive(Debug)]
pub struct Instance {
    /// The class it was made from.
    pub class: Rc<Class>,
    /// The declared fields, in the class's order.
    slots: RefCell<Vec<Value>>,
    /// Fields assigned without being declared, in insertion order (made on the first).
    extra: OnceCell<MapObj>,
}

/// Heap bytes of an object's slots (for the heap meter).
fn slot_bytes(n: usize) -> usize {
    n * std::mem::size_of::<Value>()
}

impl Instance {
    /// A new instance of `class` with every declared field `null`.
    pub fn new(class: Rc<Class>) -> Instance {
        let n = class.fields.len();
        crate::meter::new_object(crate::meter::AllocKind::Object, slot_bytes(n));
        Instance {
            class,
            slots: RefCell::new(vec![Value::NULL; n]),
            extra: OnceCell::new(),
        }
    }

    /// The field `name`, if the instance has it.
    pub fn get(&self, name: &str) -> Option<Value> {
        match self.class.field_index_str(name) {
            Some(i) => Some(self.slots.borrow()[i].clone()),
            None => self.extra.get()?.get_str(name),
        }
    }

    /// The field `name` (a string value), if the instance has it: as [`Self::get`], faster
    /// when `name` is the class's own name value.
    #[inline]
    pub fn get_by(&self, name: &Value) -> Option<Value> {
        match self.class.field_index(name) {
            Some(i) => Some(self.slots.borrow()[i].clone()),
            None => self.extra.get()?.get_str(name.as_str()?),
        }
    }

    /// Where field `name` (a string value) is stored, and its size, if the instance has it:
    /// for the cache simulation (`crate::address`).
    pub fn field_addr(&self, name: &Value) -> Option<(usize, usize)> {
        match self.class.field_index(name) {
            Some(i) => {
                let slots = self.slots.borrow();
                Some((
                    &slots[i] as *const Value as usize,
                    std::mem::size_of::<Value>(),
                ))
            }
            None => self.extra.get()?.entry_addr(&Key::new(name)?),
        }
    }

    /// Sets field `name` (adding it if the instance does not have it yet).
    pub fn set(&self, name: &str, v: Value) {
        match self.class.field_index_str(name) {
            Some(i) => self.set_slot(i, v),
            None => self.set_extra(Key::str(name), v),
        }
    }

    /// Sets field `name` (a string value), as [`Self::set`].
    #[inline]
    pub fn set_by(&self, name: &Value, v: Value) {
        match self.class.field_index(name) {
            Some(i) => self.set_slot(i, v),
            None => match Key::new(name) {
                Some(k) => self.set_extra(k, v),
                None => debug_assert!(false, "a field name is a string"),
            },
        }
    }

    /// Sets the declared field at position `i`.
    #[inline]
    fn set_slot(&self, i: usize, v: Value) {
        let old = std::mem::replace(&mut self.slots.borrow_mut()[i], v);
        // Dropped after the borrow ends: the old value may be the last reference to an object
        // whose drop reads this one.
        drop(old);
    }

    fn set_extra(&self, k: Key, v: Value) {
        let old = self
            .extra
            .get_or_init(|| MapObj::with_kind(Default::default(), crate::meter::AllocKind::Object))
            .borrow_mut()
            .insert(k, v);
        drop(old);
    }

    /// How many fields the instance has (declared and extra).
    pub fn len(&self) -> usize {
        self.class.fields.len() + self.extra.get().map_or(0, |m| m.borrow().len())
    }

    /// Whether the instance has no fields at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the fields, name (a string value) and value, declared ones first, in order.
    pub fn fields(&self) -> Vec<(Value, Value)> {
        let mut out: Vec<(Value, Value)> = self
            .class
            .fields
            .iter()
            .cloned()
            .zip(self.slots.borrow().iter().cloned())
            .collect();
        if let Some(m) = self.extra.get() {
            out.extend(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.value().clone(), v.clone())),
            );
        }
        out
    }

    /// Takes every field value out (leaving nulls), for a drop that must not recurse.
    pub(crate) fn take_values(&self) -> Vec<Value> {
        let mut out: Vec<Value> = self
            .slots
            .borrow_mut()
            .iter_mut()
            .map(|v| std::mem::replace(v, Value::NULL))
            .collect();
        if let Some(m) = self.extra.get() {
            out.extend(m.borrow_mut().drain(..).map(|(_, v)| v));
        }
        out
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let slots = std::mem::take(self.slots.get_mut());
        crate::meter::release(slot_bytes(slots.len()));
        // A long chain of objects (a linked list) must not drop recursively.
        if slots.iter().any(|v| v.is_heap()) {
            crate::heap::drop_iteratively(slots);
        }
    }
}
