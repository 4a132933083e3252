#!/usr/bin/env python3
"""Source rules CI enforces (CONTRIBUTING, issue 14 item 8), beside fmt and clippy:

* no Rust source file over 800 lines (src, runtime, python, tests, benches, examples);
* every `unsafe` block has a `// SAFETY:` comment in the lines just above it (or on its line),
  and every `unsafe fn` a `# Safety` section (or a `SAFETY:` comment) in the comments or
  attributes directly above it.

Prints each violation as `file:line: what` and exits 1 if there is any.
"""

import os
import re
import sys
from pathlib import Path

MAX_LINES = 800
ROOTS = ["src", "runtime/src", "python/src", "tests", "benches", "examples"]
BLOCK = re.compile(r"\bunsafe\s*\{")
FN = re.compile(r"\bunsafe\s+(extern\s+\"C\"\s+)?fn\s+\w")
# How far above an `unsafe` block its SAFETY comment may start (a comment of a few lines,
# or a statement header such as `let x = unsafe {` under it).
BLOCK_REACH = 8


def comment_or_attr(line: str) -> bool:
    s = line.strip()
    return s.startswith("//") or s.startswith("#[") or s.startswith("#!")


def check(path: Path) -> list:
    lines = path.read_text(encoding="utf-8").split("\n")
    out = []
    if len(lines) - 1 > MAX_LINES:
        out.append(f"{path}:1: {len(lines) - 1} lines, over {MAX_LINES}")
    for i, line in enumerate(lines):
        code = line.split("//", 1)[0]
        if BLOCK.search(code):
            above = "\n".join(lines[max(0, i - BLOCK_REACH) : i + 1])
            if "SAFETY" not in above:
                out.append(f"{path}:{i + 1}: unsafe block without a SAFETY comment")
        if FN.search(code):
            j, doc = i - 1, []
            while j >= 0 and comment_or_attr(lines[j]):
                doc.append(lines[j])
                j -= 1
            text = "\n".join(doc)
            if "# Safety" not in text and "SAFETY" not in text:
                out.append(f"{path}:{i + 1}: unsafe fn without a # Safety section")
    return out


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    os.chdir(root)
    problems = []
    for r in ROOTS:
        for p in sorted((root / r).rglob("*.rs")):
            problems += check(p.relative_to(root))
    for p in problems:
        print(p)
    print(f"check_source: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
