//! Property access, `obj.name` (the `GET_ATTR` and `SET_ATTR` instructions), shared by the
//! interpreter and the reference evaluator.
//!
//! As in the original's VM: a map's property is its entry under the string key `name`, and
//! `null` when there is none; an object's property is its field (`null` when it has none);
//! reading a property of any other value gives `null`. Setting a property of a map sets that
//! entry, of an object its field (added if absent); setting one of any other value is an error.

use crate::heap::Key;
use crate::ops::{a_type, OpError, OpResult};
use crate::value::{Value, TAG_MAP, TAG_OBJ};

/// `obj.name`: a map's entry `"name"` or `null`; `null` for every other value.
pub fn get_attr(obj: &Value, name: &str) -> OpResult {
    if obj.tag == TAG_MAP {
        let key = Key::new(&Value::str(name)).expect("a string is a key");
        let entries = obj.as_map().expect("map").borrow();
        return Ok(entries.get(&key).cloned().unwrap_or(Value::NULL));
    }
    if obj.tag == TAG_OBJ {
        let o = obj.as_obj().expect("object");
        return Ok(o.get(name).unwrap_or(Value::NULL));
    }
    Ok(Value::NULL)
}

/// `obj.name = v`: sets a map's entry `"name"`; an error for any other value.
pub fn set_attr(obj: &Value, name: &str, v: Value) -> Result<(), OpError> {
    if obj.tag == TAG_MAP {
        let key = Key::new(&Value::str(name)).expect("a string is a key");
        obj.as_map().expect("map").borrow_mut().insert(key, v);
        return Ok(());
    }
    if obj.tag == TAG_OBJ {
        obj.as_obj().expect("object").set(name, v);
        return Ok(());
    }
    Err(OpError::Other(format!(
        "cannot set property '{name}' of {}",
        a_type(obj)
    )))
}
