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
        let m = obj.as_map().expect("map");
        return Ok(m.get_str(name).unwrap_or(Value::NULL));
    }
    if obj.tag == TAG_OBJ {
        let o = obj.as_obj().expect("object");
        return Ok(o.get(name).unwrap_or(Value::NULL));
    }
    Ok(Value::NULL)
}

/// [`get_attr`] with the name as a string value (an instruction's constant), which finds an
/// object's declared field by pointer when the name is the class's own.
#[inline]
pub fn get_attr_by(obj: &Value, name: &Value) -> OpResult {
    if obj.tag == TAG_OBJ {
        let o = obj.as_obj().expect("object");
        return Ok(o.get_by(name).unwrap_or(Value::NULL));
    }
    get_attr(obj, name.as_str().unwrap_or_default())
}

/// `obj.name = v`: sets a map's entry `"name"`; an error for any other value.
pub fn set_attr(obj: &Value, name: &str, v: Value) -> Result<(), OpError> {
    if obj.tag == TAG_MAP {
        let old = obj
            .as_map()
            .expect("map")
            .borrow_mut()
            .insert(Key::str(name), v);
        drop(old);
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

/// [`set_attr`] with the name as a string value (see [`get_attr_by`]).
#[inline]
pub fn set_attr_by(obj: &Value, name: &Value, v: Value) -> Result<(), OpError> {
    if obj.tag == TAG_OBJ {
        obj.as_obj().expect("object").set_by(name, v);
        return Ok(());
    }
    if obj.tag == TAG_MAP {
        if let Some(k) = Key::new(name) {
            let old = obj.as_map().expect("map").borrow_mut().insert(k, v);
            drop(old);
            return Ok(());
        }
    }
    set_attr(obj, name.as_str().unwrap_or_default(), v)
}
