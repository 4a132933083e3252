//! Shrinking: the smallest program that still fails a check.
//!
//! Works on program text laid out as [`super::gen`] writes it (one statement per line, a
//! block's `{` ending its header line, its `}` alone or starting an `} else {` line, every
//! binary operation in parentheses). Repeatedly, while the check still fails, it tries:
//! deleting a statement (a block statement with its whole block), replacing a block statement
//! with its body, and replacing a parenthesised operation with one of its operands or an
//! integer literal with `0` or `1`. It stops when no single step keeps the failure. A `while`
//! loop's condition and counter step (`k = (k + 1)`, as the generator writes it) are never
//! simplified, so every candidate still terminates.
//!
//! ```
//! use zexus::reference::shrink::shrink;
//! let src = "let a = 1\nlet b = 0\nprint(a)\nprint((a / b))\n";
//! // "fails" = divides by zero; the shrunk program keeps only what that needs.
//! let small = shrink(src, |s| zexus::reference::run(s).error.is_some_and(|e| e.0 == "division by zero"));
//! assert_eq!(small, "let a = 0\nlet b = 0\nprint((a / b))\n");
//! ```

/// Shrinks `source` while `fails` holds; returns the smallest failing program found (the
/// source itself if no smaller one fails). `fails(source)` should be true.
pub fn shrink(source: &str, mut fails: impl FnMut(&str) -> bool) -> String {
    let mut cur: Vec<String> = source.lines().map(str::to_string).collect();
    loop {
        let mut progressed = false;
        for cand in candidates(&cur) {
            if cand.len() <= cur.len() && cand != cur && fails(&text(&cand)) {
                cur = cand;
                progressed = true;
                break;
            }
        }
        if !progressed {
            return text(&cur);
        }
    }
}

fn text(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// The line that closes the block opened at line `i`: the first later line at the same
/// indentation that starts with `}` and does not reopen a block.
fn block_end(lines: &[String], i: usize) -> Option<usize> {
    let indent = indent_of(&lines[i]);
    (i + 1..lines.len()).find(|&j| indent_of(&lines[j]) == indent && lines[j].trim() == "}")
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn opens(line: &str) -> bool {
    line.trim_end().ends_with('{') && !line.trim_start().starts_with('}')
}

/// Every one-step simplification of `lines`, biggest deletions first.
fn candidates(lines: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // Delete a statement (a block statement with its block).
    for i in 0..lines.len() {
        let l = lines[i].trim_start();
        if l.starts_with('}') || is_counter_step(l) {
            continue;
        }
        let end = if opens(&lines[i]) {
            match block_end(lines, i) {
                Some(e) => e,
                None => continue,
            }
        } else {
            i
        };
        let mut c = lines[..i].to_vec();
        c.extend_from_slice(&lines[end + 1..]);
        out.push(c);
    }
    out.sort_by_key(|c| c.len());
    // Replace a block statement with the statements of its first block.
    for i in 0..lines.len() {
        if !opens(&lines[i]) {
            continue;
        }
        let Some(end) = block_end(lines, i) else {
            continue;
        };
        let indent = indent_of(&lines[i]);
        let first_end = (i + 1..=end)
            .find(|&j| indent_of(&lines[j]) == indent && lines[j].trim_start().starts_with('}'))
            .unwrap_or(end);
        let mut c = lines[..i].to_vec();
        c.extend(lines[i + 1..first_end].iter().map(|l| {
            let cut = l.len().min(4).min(indent_of(l));
            l[cut..].to_string()
        }));
        c.extend_from_slice(&lines[end + 1..]);
        out.push(c);
    }
    // Simplify one expression of one line.
    let fixed = |l: &str| is_counter_step(l) || l.trim_start().starts_with("while");
    for i in (0..lines.len()).filter(|&i| !fixed(&lines[i])) {
        for simpler in simplify_line(&lines[i]) {
            let mut c = lines.to_vec();
            c[i] = simpler;
            out.push(c);
        }
    }
    out
}

/// Whether `line` is a `while` loop's counter step, `k = (k + 1)`, which shrinking keeps as
/// it is so that every loop still ends.
fn is_counter_step(line: &str) -> bool {
    let l = line.trim();
    match l.split_once(" = (") {
        Some((k, rest)) => rest == format!("{k} + 1)") && k.starts_with('k'),
        None => false,
    }
}

/// Each way to simplify one operation or literal of `line`.
fn simplify_line(line: &str) -> Vec<String> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    for (open, _) in line.match_indices('(') {
        // Only a parenthesised operation `(a op b)`, not a call's argument list.
        if open > 0 && (b[open - 1].is_ascii_alphanumeric() || b[open - 1] == b'_') {
            continue;
        }
        let Some(close) = matching(line, open) else {
            continue;
        };
        let inner = &line[open + 1..close];
        for operand in operands(inner) {
            out.push(format!(
                "{}{}{}",
                &line[..open],
                operand,
                &line[close + 1..]
            ));
        }
    }
    // Integer literals (not part of a name) to 0 and 1.
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0
                || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b'.'))
        {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let lit = &line[i..j];
            if j < b.len() && b[j] == b'.' {
                i = j + 1;
                continue;
            }
            // Strictly smaller, so that shrinking always ends.
            for small in ["0", "1"] {
                if lit != small && lit != "0" && !(lit == "1" && small == "1") {
                    out.push(format!("{}{small}{}", &line[..i], &line[j..]));
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// The index of the `)` matching the `(` at `open` (strings skipped).
fn matching(line: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut in_str: Option<char> = None;
    for (i, c) in line[open..].char_indices() {
        match (in_str, c) {
            (Some(q), c) if c == q => in_str = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => in_str = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The operands of `a op b` (split at a top-level ` op `), or of `? :`; empty otherwise.
fn operands(inner: &str) -> Vec<String> {
    let mut depth = 0;
    let mut in_str: Option<char> = None;
    let bytes = inner.as_bytes();
    for (i, c) in inner.char_indices() {
        match (in_str, c) {
            (Some(q), c) if c == q => in_str = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => in_str = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ' ') if depth == 0 && i > 0 => {
                // `a OP b`: the operator is the next word, followed by a space.
                let rest = &inner[i + 1..];
                if let Some(sp) = rest.find(' ') {
                    let op = &rest[..sp];
                    let is_op = !op.is_empty()
                        && (op.bytes().all(|b| b"+-*/%<>=!&|?".contains(&b))
                            || op == "and"
                            || op == "or");
                    if is_op && bytes[i - 1] != b' ' {
                        let (a, b) = (&inner[..i], &rest[sp + 1..]);
                        return vec![a.to_string(), format!("({b})")]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect();
                    }
                }
            }
            _ => {}
        }
    }
    Vec::new()
}
