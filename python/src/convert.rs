//! Values between Python and Zexus: `None`, `bool`, `int`, `float`, `str`, lists (and
//! tuples) and dicts go both ways; objects come back as dicts of their fields, and functions
//! and other internal values as their display text.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use zexus::profile::Level;
use zexus::report::Format;
use zexus_runtime::heap::{Key, MapObj};
use zexus_runtime::{Kind, Value};

/// Nesting deeper than this is refused (a list that contains itself would never end).
const MAX_DEPTH: usize = 512;

/// A Zexus value as a Python object.
pub fn to_py(py: Python<'_>, v: &Value) -> PyResult<PyObject> {
    to_py_at(py, v, 0)
}

fn to_py_at(py: Python<'_>, v: &Value, depth: usize) -> PyResult<PyObject> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(
            "value nested too deeply to convert (a list or map that contains itself?)",
        ));
    }
    Ok(match v.kind() {
        Kind::Int => v
            .as_int()
            .unwrap_or(0)
            .into_pyobject(py)?
            .into_any()
            .unbind(),
        Kind::Float => PyFloat::new(py, v.as_float().unwrap_or(f64::NAN))
            .into_any()
            .unbind(),
        Kind::Bool => PyBool::new(py, v.as_bool().unwrap_or(false))
            .to_owned()
            .into_any()
            .unbind(),
        Kind::Null | Kind::Undef => py.None(),
        Kind::Str => PyString::new(py, v.as_str().unwrap_or(""))
            .into_any()
            .unbind(),
        Kind::List => {
            let items = v.as_list().map(|l| l.to_vec()).unwrap_or_default();
            let out = PyList::empty(py);
            for item in &items {
                out.append(to_py_at(py, item, depth + 1)?)?;
            }
            out.into_any().unbind()
        }
        Kind::Map => {
            let entries: Vec<(Value, Value)> = v
                .as_map()
                .map(|m| {
                    m.borrow()
                        .iter()
                        .map(|(k, v)| (k.value().clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let out = PyDict::new(py);
            for (k, val) in &entries {
                out.set_item(to_py_at(py, k, depth + 1)?, to_py_at(py, val, depth + 1)?)?;
            }
            out.into_any().unbind()
        }
        Kind::Obj => {
            let fields: Vec<(Value, Value)> = v.as_obj().map(|o| o.fields()).unwrap_or_default();
            let out = PyDict::new(py);
            for (k, val) in &fields {
                out.set_item(to_py_at(py, k, depth + 1)?, to_py_at(py, val, depth + 1)?)?;
            }
            out.into_any().unbind()
        }
        Kind::Func | Kind::Iter | Kind::Class | Kind::Cell => {
            PyString::new(py, &v.to_string()).into_any().unbind()
        }
    })
}

/// A Python object as a Zexus value (a constant for `emit_load_const`).
pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    from_py_at(obj, 0)
}

fn from_py_at(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(
            "value nested too deeply to convert (a list or dict that contains itself?)",
        ));
    }
    if obj.is_none() {
        return Ok(Value::from(()));
    }
    // `bool` before `int`: Python's bool is an int.
    if let Ok(b) = obj.downcast::<PyBool>() {
        return Ok(Value::bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return obj.extract::<i64>().map(Value::int).map_err(|_| {
            PyOverflowError::new_err("int too large for a Zexus int (64-bit signed)")
        });
    }
    if let Ok(f) = obj.downcast::<PyFloat>() {
        return Ok(Value::float(f.value()));
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(Value::str(s.to_cow()?.as_ref()));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(from_py_at(&item?, depth + 1)?);
        }
        return Ok(Value::list(items));
    }
    if let Ok(d) = obj.downcast::<PyDict>() {
        let map = MapObj::new();
        for (k, v) in d.iter() {
            let key_value = from_py_at(&k, depth + 1)?;
            let key = Key::new(&key_value).ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "a Zexus map key must be an int, float, bool, None or str, not {}",
                    k.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            map.borrow_mut().insert(key, from_py_at(&v, depth + 1)?);
        }
        return Ok(Value::map(map));
    }
    Err(PyTypeError::new_err(format!(
        "cannot convert a {} to a Zexus value (expected None, bool, int, float, str, list, \
         tuple or dict)",
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

/// A profiling level from a string (`"DETAILED"`, any case), a `ProfilingLevel` member (by its
/// `name`) or an int 0-3.
pub fn level(obj: &Bound<'_, PyAny>) -> PyResult<Level> {
    let text: String = if let Ok(s) = obj.downcast::<PyString>() {
        s.to_cow()?.into_owned()
    } else if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        let n: i64 = obj.extract()?;
        return match n {
            0 => Ok(Level::None),
            1 => Ok(Level::Basic),
            2 => Ok(Level::Detailed),
            3 => Ok(Level::Full),
            _ => Err(PyValueError::new_err(format!(
                "unknown profiling level {n} (expected 0-3: NONE, BASIC, DETAILED, FULL)"
            ))),
        };
    } else if let Ok(name) = obj.getattr("name") {
        name.extract::<String>().map_err(|_| {
            PyTypeError::new_err("profiling_level must be a str, an int or a ProfilingLevel")
        })?
    } else {
        return Err(PyTypeError::new_err(
            "profiling_level must be a str, an int or a ProfilingLevel",
        ));
    };
    text.parse::<Level>().map_err(|_| {
        PyValueError::new_err(format!(
            "unknown profiling level '{text}' (expected NONE, BASIC, DETAILED or FULL)"
        ))
    })
}

/// A report format from its name (`text`, `json`, `html`, `folded`, `flamegraph`, `dot`).
pub fn format(name: &str) -> PyResult<Format> {
    name.parse::<Format>().map_err(|_| {
        PyValueError::new_err(format!(
            "unknown report format '{name}' (expected text, json, html, folded, flamegraph or dot)"
        ))
    })
}

/// A JSON value (a serialized summary or stats) as Python objects.
pub fn json_to_py(py: Python<'_>, v: &serde_json::Value) -> PyResult<PyObject> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => py.None(),
        J::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any().unbind()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any().unbind()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN))
                    .into_any()
                    .unbind()
            }
        }
        J::String(s) => PyString::new(py, s).into_any().unbind(),
        J::Array(items) => {
            let out = PyList::empty(py);
            for item in items {
                out.append(json_to_py(py, item)?)?;
            }
            out.into_any().unbind()
        }
        J::Object(map) => {
            let out = PyDict::new(py);
            for (k, item) in map {
                out.set_item(k, json_to_py(py, item)?)?;
            }
            out.into_any().unbind()
        }
    })
}

/// Any serializable value (summary, stats) as Python objects, through JSON.
pub fn serde_to_py<T: serde::Serialize>(py: Python<'_>, v: &T) -> PyResult<PyObject> {
    let json = serde_json::to_value(v)
        .map_err(|e| PyValueError::new_err(format!("cannot serialize: {e}")))?;
    json_to_py(py, &json)
}
