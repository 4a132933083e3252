//! Where an access to a container touches memory: the addresses and sizes the cache
//! simulation (`zx profile --cache-sim`) feeds its model. Each function answers for the
//! element, entry or field the access reads or writes, or `None` when the access touches no
//! stored element (an index out of range, a missing key, a value of another type: the
//! operation then fails or reads `null`). Hash tables' index arrays, the containers' headers
//! and reference counts are not included.

use crate::heap::Key;
use crate::ops::list_index;
use crate::value::{Value, TAG_LIST, TAG_MAP, TAG_OBJ, TAG_STR};

/// `obj[key]`: a list's element, a map's entry, or a string's byte at a character's index
/// (the first byte of the character, for strings of one-byte characters exact).
pub fn of_element(obj: &Value, key: &Value) -> Option<(usize, usize)> {
    match obj.tag() {
        TAG_LIST => {
            let list = obj.as_list()?;
            list.element_addr(list_index(list.len(), key).ok()?)
        }
        TAG_MAP => obj.as_map()?.entry_addr(&Key::new(key)?),
        TAG_STR => {
            let s = obj.as_str()?;
            let i = list_index(s.len(), key).ok()?;
            Some((s.as_ptr() as usize + i, 1))
        }
        _ => None,
    }
}

/// `obj.name`: an object's field (declared or extra) or a map's entry `"name"`.
pub fn of_attr(obj: &Value, name: &Value) -> Option<(usize, usize)> {
    match obj.tag() {
        TAG_OBJ => obj.as_obj()?.field_addr(name),
        TAG_MAP => obj.as_map()?.entry_addr(&Key::new(name)?),
        _ => None,
    }
}
