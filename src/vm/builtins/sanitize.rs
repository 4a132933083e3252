//! `sanitize(value, context)`: a value's display form escaped for the place it goes, as the
//! original implementation's `sanitize` statement does (its `Sanitizer.sanitize_string`).
//!
//! Written here rather than taken from a crate: each context is a small character map (the
//! `percent-encoding` and `html-escape` crates would cover two of the six and add dependencies
//! for a few lines).

use std::fmt::Write;

use zexus_runtime::{OpError, Value};

use super::{arity_range, err, str_arg};

/// The contexts `sanitize` knows, as the error for an unknown one lists them.
const CONTEXTS: &str = "html, url, sql, javascript, csv or none";

/// `sanitize(value)` (for HTML) or `sanitize(value, context)`.
pub(super) fn call(name: &str, args: &[Value]) -> Result<Value, OpError> {
    arity_range(name, args, 1, 2)?;
    let text = args[0].to_string();
    let context = match args.get(1) {
        Some(c) => str_arg(name, c)?.to_ascii_lowercase(),
        None => "html".to_string(),
    };
    let out = match context.as_str() {
        "html" => html(&text),
        "url" => url(&text),
        "sql" => text.replace('\'', "''"),
        "javascript" | "js" => javascript(&text),
        "csv" => csv(&text),
        "none" => text,
        other => {
            return err(format!(
                "sanitize: unknown context '{other}' (expected {CONTEXTS})"
            ))
        }
    };
    Ok(Value::str(out))
}

/// HTML entities for `& < > " '` (Python's `html.escape(s, quote=True)`).
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encoding of every byte but ASCII letters, digits and `_.-~` (Python's
/// `urllib.parse.quote(s, safe='')`).
fn url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Backslash escapes for quotes, the backslash and control characters of a JavaScript string.
fn javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => out.push(c),
        }
    }
    out
}

/// A CSV field: quoted, with its quotes doubled, when it holds a quote, a comma or a newline.
fn csv(s: &str) -> String {
    if s.contains(['"', ',', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn san(v: &str, ctx: &str) -> String {
        call(
            "sanitize",
            &[Value::str(v.to_string()), Value::str(ctx.to_string())],
        )
        .expect("sanitize")
        .to_string()
    }

    #[test]
    fn escapes_each_context() {
        assert_eq!(
            san("<b a=\"1\">'&'</b>", "html"),
            "&lt;b a=&quot;1&quot;&gt;&#x27;&amp;&#x27;&lt;/b&gt;"
        );
        assert_eq!(san("a b/é?x=1", "URL"), "a%20b%2F%C3%A9%3Fx%3D1");
        assert_eq!(san("O'Brien", "sql"), "O''Brien");
        assert_eq!(san("a\\\"b'\n", "javascript"), "a\\\\\\\"b\\'\\n");
        assert_eq!(san("a,\"b\"", "csv"), "\"a,\"\"b\"\"\"");
        assert_eq!(san("plain", "csv"), "plain");
        assert_eq!(san("<x>", "none"), "<x>");
    }

    #[test]
    fn default_context_is_html_and_other_values_use_their_display() {
        let v = call("sanitize", &[Value::str("<i>".to_string())]).expect("html");
        assert_eq!(v.to_string(), "&lt;i&gt;");
        let n = call("sanitize", &[Value::int(42), Value::str("sql".to_string())]).expect("int");
        assert_eq!(n.to_string(), "42");
    }

    #[test]
    fn an_unknown_context_is_an_error() {
        let e = call("sanitize", &[Value::int(1), Value::str("xml".to_string())]);
        assert!(matches!(e, Err(OpError::Other(m)) if m.contains("unknown context 'xml'")));
    }
}
