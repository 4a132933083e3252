//! Objects in the interpreter: `NEW_OBJECT` and finding an object's action (fields are read
//! and written by `zexus_runtime::attr`, shared with the reference evaluator).

use zexus_runtime::{Instance, Value};

/// A new object of the declared type `class` (a `NEW_OBJECT` constant), its fields null.
pub(crate) fn new_object(class: &Value) -> Value {
    let c = class
        .as_class()
        .expect("verified: NEW_OBJECT's constant is a type");
    Value::obj(Instance::new(c))
}

/// The function index of method `name` (a string constant) of object `o`, if `o` is an object
/// with that method.
#[inline]
pub(crate) fn method_of(o: &Value, name: &Value) -> Option<u32> {
    o.as_obj().and_then(|obj| obj.class.method_of(name))
}
