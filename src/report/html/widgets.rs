//! The HTML report's building blocks: escaping, the page's style and script, sortable tables,
//! bar charts, the "more rows" note and the table of contents.

use std::fmt::Display;
use std::io::{self, Write};

use crate::report::{num, thousands};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) const STYLE: &str = r#"
body { margin: 0; background: #f4f6f8; color: #1d2125;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.container { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #4CAF50; color: #2e7d32; }
h3 { font-size: 16px; margin: 18px 0 6px; }
.meta, .note { color: #5f6b76; font-size: 13px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
.card { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.card .label { color: #5f6b76; font-size: 13px; }
.card .value { font-size: 20px; font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.12); font-size: 14px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e3e7eb; text-align: left; white-space: nowrap; }
th { background: #4CAF50; color: #fff; cursor: pointer; user-select: none; position: sticky; top: 0; }
th[data-dir="asc"]::after { content: " \25B2"; }
th[data-dir="desc"]::after { content: " \25BC"; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: #f1f8f1; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
svg { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); max-width: 100%; height: auto; }
nav.contents { background: #fff; border-radius: 8px; padding: 8px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.12); margin-top: 12px; }
nav.contents a { display: inline-block; margin: 2px 12px 2px 0; color: #2e7d32; text-decoration: none; font-size: 14px; }
nav.contents a:hover { text-decoration: underline; }
img.flame { max-width: 100%; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #1d2125; }
"#;

pub(super) const SCRIPT: &str = r#"
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.querySelectorAll('th');
  heads.forEach(function (th, col) {
    th.title = 'Click to sort';
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var asc = th.getAttribute('data-dir') !== 'asc';
      heads.forEach(function (h) { h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', asc ? 'asc' : 'desc');
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var xs = x.getAttribute('data-sort'), ys = y.getAttribute('data-sort');
        var r = (xs !== null && ys !== null) ? parseFloat(xs) - parseFloat(ys)
                                             : x.textContent.localeCompare(y.textContent);
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"#;

/// One table cell: its text, and a numeric sort key for number columns.
pub(super) struct Cell(pub String, pub Option<f64>);

pub(super) fn txt(s: impl Display) -> Cell {
    Cell(s.to_string(), None)
}

pub(super) fn int(n: u64) -> Cell {
    Cell(thousands(n), Some(n as f64))
}

pub(super) fn float(x: f64, digits: usize) -> Cell {
    let x = num(x);
    Cell(format!("{x:.digits$}"), Some(x))
}

pub(super) fn table(w: &mut dyn Write, heads: &[&str], rows: &[Vec<Cell>]) -> io::Result<()> {
    let numeric: Vec<bool> = (0..heads.len())
        .map(|i| {
            rows.first()
                .is_some_and(|r| r.get(i).is_some_and(|c| c.1.is_some()))
        })
        .collect();
    writeln!(
        w,
        "<div class=\"scroll\"><table class=\"sortable\"><thead><tr>"
    )?;
    for (h, n) in heads.iter().zip(&numeric) {
        let class = if *n { " class=\"num\"" } else { "" };
        write!(w, "<th{class}>{}</th>", escape(h))?;
    }
    writeln!(w, "</tr></thead><tbody>")?;
    for row in rows {
        write!(w, "<tr>")?;
        for c in row {
            match c.1 {
                Some(k) => write!(
                    w,
                    "<td class=\"num\" data-sort=\"{k}\">{}</td>",
                    escape(&c.0)
                )?,
                None => write!(w, "<td>{}</td>", escape(&c.0))?,
            }
        }
        writeln!(w, "</tr>")?;
    }
    writeln!(w, "</tbody></table></div>")
}

/// A horizontal bar chart as inline SVG: one bar per `(label, value, value text)`.
pub(super) fn bar_chart(
    w: &mut dyn Write,
    title: &str,
    bars: &[(String, f64, String)],
    color: &str,
) -> io::Result<()> {
    let (width, label_w, bar_w, row_h) = (900.0, 230.0, 540.0, 24.0);
    let height = row_h * bars.len() as f64 + 16.0;
    let max = bars.iter().map(|b| num(b.1)).fold(0.0, f64::max);
    writeln!(
        w,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    )?;
    for (i, (label, value, text)) in bars.iter().enumerate() {
        let y = 8.0 + row_h * i as f64;
        let len = if max > 0.0 {
            (num(*value) / max * bar_w).max(1.0)
        } else {
            1.0
        };
        let (label, text) = (escape(label), escape(text));
        writeln!(
            w,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{}\" width=\"{len:.1}\" height=\"16\" rx=\"3\" fill=\"{color}\">\
             <title>{label}: {text}</title></rect><text x=\"{:.1}\" y=\"{}\">{text}</text>",
            label_w - 8.0,
            y + 13.0,
            y + 1.0,
            label_w + len + 6.0,
            y + 13.0
        )?;
    }
    writeln!(w, "</svg>")
}

/// The note under a table `--top` cut, if it cut it.
pub(super) fn more(w: &mut dyn Write, total: usize, top_n: usize) -> io::Result<()> {
    match crate::report::more_rows(total, top_n) {
        Some(note) => writeln!(w, "<p class=\"note\">{}</p>", escape(&note)),
        None => Ok(()),
    }
}

/// Writes the table of contents: a link to every `<h2 id="...">` section of `body`, in order.
pub(super) fn contents(body: &str, w: &mut dyn Write) -> io::Result<()> {
    write!(w, "<nav class=\"contents\" aria-label=\"Sections\">")?;
    let mut rest = body;
    while let Some(at) = rest.find("<h2 id=\"") {
        rest = &rest[at + 8..];
        let Some(end_id) = rest.find('"') else { break };
        let id = &rest[..end_id];
        let Some(open) = rest.find('>') else { break };
        let Some(close) = rest.find("</h2>") else {
            break;
        };
        // The heading's text is already escaped markup; links show it as it is.
        write!(w, "<a href=\"#{id}\">{}</a>", &rest[open + 1..close])?;
        rest = &rest[close..];
    }
    writeln!(w, "</nav>")
}

/// Percent-encodes `bytes` for a `data:` URL in a double-quoted attribute: everything but
/// letters, digits and `-._~/:=;,` becomes `%XX`.
pub(super) fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/:=;,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn contents_link_every_section_in_order() {
        let body = "<h2 id=\"a\">First &amp; one</h2><p>x</p><h2 id=\"b-2\">Second</h2>";
        let mut out = Vec::new();
        contents(body, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<nav class=\"contents\" aria-label=\"Sections\"><a href=\"#a\">First &amp; one</a><a href=\"#b-2\">Second</a></nav>\n"
        );
    }

    #[test]
    fn percent_encoding_keeps_quotes_and_markup_out_of_the_attribute() {
        assert_eq!(
            percent_encode(b"<a x=\"1\">#%"),
            "%3Ca%20x=%221%22%3E%23%25"
        );
    }
}
