//! How values print: strings raw at top level and quoted inside containers, whole floats with
//! `.0`, lists and maps in insertion order. A container met again inside itself prints as
//! `[...]` / `{...}` (as Python does), so a cyclic value prints in linear size.

use std::fmt::{self, Write};

use crate::value::{Kind, Value};

/// Containers nested deeper than this print as `[...]` / `{...}` (a bound on the recursion of
/// printing for deep, acyclic nesting).
const MAX_DEPTH: usize = 64;

/// The containers being printed, outermost first (their object addresses): one met again
/// is a cycle.
type Path = Vec<u64>;

/// Writes a float the way Zexus prints it: shortest round-trip form, `.0` kept on whole numbers.
pub fn write_float(out: &mut impl Write, f: f64) -> fmt::Result {
    if f.is_nan() {
        return out.write_str("nan");
    }
    if f.is_infinite() {
        return out.write_str(if f > 0.0 { "inf" } else { "-inf" });
    }
    let start = format!("{f}");
    if start.contains(['.', 'e', 'E']) {
        out.write_str(&start)
    } else {
        write!(out, "{start}.0")
    }
}

fn write_quoted(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\t' => out.write_str("\\t")?,
            '\r' => out.write_str("\\r")?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

fn write_value(out: &mut impl Write, v: &Value, nested: bool, path: &mut Path) -> fmt::Result {
    let depth = path.len();
    match v.kind() {
        Kind::Int => write!(out, "{}", v.payload as i64),
        Kind::Float => write_float(out, f64::from_bits(v.payload)),
        Kind::Bool => out.write_str(if v.payload != 0 { "true" } else { "false" }),
        Kind::Null | Kind::Undef => out.write_str("null"),
        Kind::Func => write!(out, "<function #{}>", v.func_index().unwrap_or_default()),
        Kind::Cell => out.write_str("<cell>"),
        Kind::Iter => out.write_str("<iterator>"),
        Kind::Class => match v.as_class() {
            Some(c) => write!(out, "<{} {}>", c.kind.keyword(), c.name),
            None => out.write_str("<type>"),
        },
        Kind::Obj => {
            let o = v.as_obj().expect("object kind");
            if depth >= MAX_DEPTH || path.contains(&v.payload) {
                return write!(out, "{} {{...}}", o.class.name);
            }
            let fields = o.fields();
            write!(out, "{} {{", o.class.name)?;
            path.push(v.payload);
            for (i, (k, val)) in fields.iter().enumerate() {
                out.write_str(if i > 0 { ", " } else { " " })?;
                write_value(out, k, false, path)?;
                out.write_str(": ")?;
                write_value(out, val, true, path)?;
            }
            path.pop();
            out.write_str(if fields.is_empty() { "}" } else { " }" })
        }
        Kind::Str => {
            let s = v.as_str().unwrap_or_default();
            if nested {
                write_quoted(out, s)
            } else {
                out.write_str(s)
            }
        }
        Kind::List => {
            if depth >= MAX_DEPTH || path.contains(&v.payload) {
                return out.write_str("[...]");
            }
            let items = v.as_list().expect("list kind").to_vec();
            out.write_char('[')?;
            path.push(v.payload);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_value(out, item, true, path)?;
            }
            path.pop();
            out.write_char(']')
        }
        Kind::Map => {
            if depth >= MAX_DEPTH || path.contains(&v.payload) {
                return out.write_str("{...}");
            }
            let entries = v.as_map().expect("map kind").borrow();
            out.write_char('{')?;
            path.push(v.payload);
            for (i, (k, val)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_value(out, k.value(), true, path)?;
                out.write_str(": ")?;
                write_value(out, val, true, path)?;
            }
            path.pop();
            out.write_char('}')
        }
    }
}

impl fmt::Display for Value {
    /// The display form `print` uses (strings raw at top level).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(f, self, false, &mut Vec::new())
    }
}

impl Value {
    /// The form a value takes inside a container (strings quoted), as `repr` would.
    pub fn repr(&self) -> String {
        let mut s = String::new();
        write_value(&mut s, self, true, &mut Vec::new()).expect("writing to a String cannot fail");
        s
    }
}
