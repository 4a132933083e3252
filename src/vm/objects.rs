//! Fields and entries by name: `GET_ATTR` / `SET_ATTR` on objects (contract, entity and data
//! instances) and maps, and `NEW_OBJECT`. Shared by the interpreter, the JIT's exits and the
//! reference evaluator, so all three agree on what `o.name` means.

use zexus_runtime::{ops, Instance, Key, Kind, OpError, Value};

/// `o.name`: an object's field, or a map's entry under the string key `name`; `null` when
/// the object or map has no such field or entry (as the original implementation does).
pub(crate) fn get_attr(o: &Value, name: &str) -> Result<Value, OpError> {
    match o.kind() {
        Kind::Obj => Ok(o
            .as_obj()
            .expect("object kind")
            .get(name)
            .unwrap_or(Value::NULL)),
        Kind::Map => Ok(o
            .as_map()
            .expect("map kind")
            .borrow()
            .get(&Key::str(name))
            .cloned()
            .unwrap_or(Value::NULL)),
        _ => Err(OpError::Other(format!(
            "cannot read field '{name}' of {}",
            ops::a_type(o)
        ))),
    }
}

/// `o.name = v`: sets an object's field or a map's entry (adding it if absent).
pub(crate) fn set_attr(o: &Value, name: &str, v: Value) -> Result<(), OpError> {
    match o.kind() {
        Kind::Obj => {
            o.as_obj().expect("object kind").set(name, v);
            Ok(())
        }
        Kind::Map => {
            let old = o
                .as_map()
                .expect("map kind")
                .borrow_mut()
                .insert(Key::str(name), v);
            drop(old);
            Ok(())
        }
        _ => Err(OpError::Other(format!(
            "cannot set field '{name}' of {}",
            ops::a_type(o)
        ))),
    }
}

/// A new object of the declared type `class` (a `NEW_OBJECT` constant), its fields null.
pub(crate) fn new_object(class: &Value) -> Value {
    let c = class
        .as_class()
        .expect("verified: NEW_OBJECT's constant is a type");
    Value::obj(Instance::new(c))
}

/// The function index of method `name` of object `o`, if `o` is an object with that method.
pub(crate) fn method_of(o: &Value, name: &str) -> Option<u32> {
    o.as_obj().and_then(|obj| obj.class.method(name))
}
