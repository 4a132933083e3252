//! Declared objects: `contract`, `entity` and `data` types ([`Class`]) and their instances
//! ([`Instance`]).
//!
//! A class is made once by the compiler and is immutable; it is a constant of the bytecode that
//! the `NEW_OBJECT` instruction reads, never a value a program can hold. An instance is shared
//! by reference, like a list or a map: its fields live in an insertion-ordered map from field
//! name to value, which starts with the declared fields (in declaration order) and grows when a
//! program assigns a field that was not declared.

use std::cell::Ref;
use std::rc::Rc;

use indexmap::IndexMap;

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
#[derive(Debug, PartialEq)]
pub struct Class {
    /// The declared name.
    pub name: String,
    /// The declaring keyword.
    pub kind: ClassKind,
    /// Declared fields, in order.
    pub fields: Vec<String>,
    /// Methods: name and the function index of its code (whose parameter 0 is `this`).
    pub methods: Vec<(String, u32)>,
}

impl Class {
    /// The function index of method `name`.
    pub fn method(&self, name: &str) -> Option<u32> {
        self.methods
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, index)| index)
    }
}

/// An object: its class and its fields.
#[derive(Debug)]
pub struct Instance {
    /// The class it was made from.
    pub class: Rc<Class>,
    fields: MapObj,
}

impl Instance {
    /// A new instance of `class` with every declared field `null`.
    pub fn new(class: Rc<Class>) -> Instance {
        let entries: IndexMap<Key, Value> = class
            .fields
            .iter()
            .map(|f| (Key::str(f), Value::NULL))
            .collect();
        Instance {
            class,
            fields: MapObj::with_kind(entries, crate::meter::AllocKind::Object),
        }
    }
    /// The field `name`, if the instance has it.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.fields.borrow().get(&Key::str(name)).cloned()
    }
    /// Sets field `name` (adding it if the instance does not have it yet).
    pub fn set(&self, name: &str, v: Value) {
        let old = self.fields.borrow_mut().insert(Key::str(name), v);
        drop(old);
    }
    /// Borrows the fields (name to value, in order).
    pub fn fields(&self) -> Ref<'_, IndexMap<Key, Value>> {
        self.fields.borrow()
    }
    /// Borrows the fields mutably.
    pub fn fields_mut(&self) -> crate::heap::MapMut<'_> {
        self.fields.borrow_mut()
    }
}
