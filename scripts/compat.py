#!/usr/bin/env python3
"""Run the original Zexus implementation's programs in the original and here, and compare.

Usage:
    scripts/compat.py --original-src DIR --original-zx PATH [--zx target/release/zx]
                      [--jobs 2] [--timeout 30] [--cache DIR] [--only SUBSTRING]
                      [--list] [--write-list FILE] [--markdown FILE]

DIR is an extracted checkout of github.com/Zaidux/zexus-interpreter; PATH is the `zx` command
of the original's package (`python3 -m venv v && v/bin/pip install zexus==2.0.0`, then
`v/bin/zx`). Every `.zx` file under DIR is considered:

* programs that need a network, a server, a database or files are skipped;
* the rest run in the original (`zx run FILE`, with its own VM); a program whose run does not
  end cleanly there (non-zero exit, a VM error or a fall-back to its interpreter, an error
  report, a timeout) is counted as "original fails" and not compared;
* the programs the original runs cleanly run here twice, with the JIT (`zx run`) and without
  (`zx run --no-jit`), and their standard output is compared with the original's, line by
  line, after the original's banner is removed;
* where both tiers agree but print something else than the original's VM, the original's
  interpreter (`zx run --no-vm FILE`) is the second opinion: a program printing what it prints
  (when it runs cleanly) counts as the same, in a row of its own ("same as the original's
  interpreter"), as the language issue takes the interpreter as the specification where the
  VM is wrong;
* a program whose output differs only in how lists and maps print (quotes: the original's
  `['a', 1]`, `{'k': 'v'}` or `{k: v}` against `["a", 1]`, `{"k": "v"}` here, a deliberate
  difference) counts as the same, in a row of its own.

`--markdown FILE` writes the counts table and the table of every program that differs (with the
first reason) as `docs/COMPATIBILITY.md` shows them.

The original is slow, so its results are cached (keyed by the program's text and the
original's path) in the cache directory. The last line is `N same, M different`.
"""

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

# Builtins and names that reach outside one process: the network, servers, databases, files.
NEEDS_OUTSIDE = re.compile(
    r"\b(http_\w+|https?\.\w+|socket_\w+|tcp_\w+|udp_\w+|websocket\w*|file_(read|write|exists|"
    r"append|list|delete|remove|open|size)\w*|fs\.\w+|read_file|write_file|sqlite_\w+|db_\w+|"
    r"database\s*\(|open\s*\(|serve\s*\(|listen\s*\()"
)

# Lines the original prints before a program's own output.
BANNER_END = ("Executing on VM...",)
BANNER_PREFIXES = (
    "Warning: cryptography library",
    "Install with: pip install cryptography",
    "🚀 Running",
    "🔧 Execution mode",
    "📝 Syntax style",
    "🎯 Advanced parsing",
    "⚡ VM Mode",
    "🔍 Detected syntax style",
    "Validating syntax",
    "Compiling to bytecode",
    "Bytecode:",
    "Initializing VM",
    "⚠️  Rust VM",
    "speed)",
)
# Markers of a run that did not end cleanly in the original.
ORIGINAL_FAILURE = re.compile(
    r"VM Execution error|Falling back to interpreter|^ERROR:|❌|Traceback \(most recent call|"
    r"^Error:|RuntimeError|SyntaxError|Structural error",
    re.M,
)


SAME_AS_INTERPRETER = "same as the original's interpreter (its VM differs)"
SAME_BUT_DISPLAY = "same but for the display of containers (deliberate)"
SAME_STATUSES = ("same", SAME_AS_INTERPRETER, SAME_BUT_DISPLAY)


def same_but_display(got: str, want: str) -> bool:
    """Whether two outputs differ only in how containers print (a deliberate difference,
    docs/LANGUAGE.md): every differing line holds a list or map, and the pair is equal once
    quote characters are removed (the original prints `['a', 1]`, `{'k': 'v'}` or `{k: v}`
    where this VM prints `["a", 1]` and `{"k": "v"}`)."""
    g, w = got.splitlines(), want.splitlines()
    if len(g) != len(w) or g == w:
        return False
    unquote = str.maketrans("", "", "'\"")
    for a, b in zip(g, w):
        if a == b:
            continue
        if not any(c in a for c in "[{") or a.translate(unquote) != b.translate(unquote):
            return False
    return True


def strip_banner(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() in BANNER_END:
            return "\n".join(lines[i + 1 :])
    kept = [l for l in lines if not l.startswith(BANNER_PREFIXES)]
    return "\n".join(kept)


def normalise(text: str) -> str:
    return "\n".join(l.rstrip() for l in text.strip("\n").splitlines())


def run(cmd, cwd, timeout):
    try:
        p = subprocess.run(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
        return {
            "rc": p.returncode,
            "out": p.stdout.decode("utf-8", "replace"),
            "err": p.stderr.decode("utf-8", "replace"),
        }
    except subprocess.TimeoutExpired:
        return {"rc": None, "out": "", "err": "timeout"}


def original_result(path: Path, args, vm: bool = True) -> dict:
    """The original's run of `path`: with its VM (its default), or with its interpreter."""
    text = path.read_bytes()
    mode = b"" if vm else b" --no-vm"
    key = hashlib.sha256(text + args.original_zx.encode() + mode).hexdigest()[:24]
    cache = Path(args.cache) / f"{key}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    flags = [] if vm else ["--no-vm"]
    r = run([args.original_zx, "run"] + flags + [path.name], path.parent, args.timeout)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(r))
    return r


def classify_original(r) -> str:
    if r["rc"] is None:
        return "original times out"
    if r["rc"] != 0 or ORIGINAL_FAILURE.search(r["out"]) or ORIGINAL_FAILURE.search(r["err"]):
        return "original fails"
    return "clean"


def ours(path: Path, args, jit: bool) -> dict:
    cmd = [os.path.abspath(args.zx), "run"] + ([] if jit else ["--no-jit"]) + [path.name]
    return run(cmd, path.parent, args.timeout)


def classify_ours(r, expected: str) -> str:
    if r["rc"] is None:
        return "times out here"
    if r["rc"] < 0 or r["rc"] in (101, 134, 139):
        return "crashes here"
    if r["rc"] == 65:
        return "does not compile here"
    got = normalise(r["out"])
    if r["rc"] != 0:
        return "runtime error here"
    return "same" if got == expected else "prints something else"


def check(path: Path, args) -> dict:
    src = path.read_text("utf-8", "replace")
    rel = str(path.relative_to(args.original_src))
    if NEEDS_OUTSIDE.search(src):
        return {"file": rel, "status": "skipped (network, server, database or files)"}
    o = original_result(path, args)
    oc = classify_original(o)
    if oc != "clean":
        return {"file": rel, "status": oc}
    expected = normalise(strip_banner(o["out"]))
    jit = ours(path, args, True)
    interp = ours(path, args, False)
    sj, si = classify_ours(jit, expected), classify_ours(interp, expected)
    status = sj if sj == si else f"tiers differ: JIT {sj}, interpreter {si}"
    if status in ("prints something else", "runtime error here") and jit["out"] == interp["out"]:
        # The second opinion: where the original's VM and its interpreter disagree, the
        # interpreter is the specification (issue 12). Only a clean interpreter run counts.
        alt = original_result(path, args, vm=False)
        if classify_original(alt) == "clean" and status == "prints something else":
            if normalise(jit["out"]) == normalise(strip_banner(alt["out"])):
                status = SAME_AS_INTERPRETER
    if status == "prints something else" and same_but_display(normalise(jit["out"]), expected):
        status = SAME_BUT_DISPLAY
    detail = ""
    if status != "same":
        detail = (jit["err"].strip().splitlines() or [""])[0][:160]
        if status == "prints something else":
            got = normalise(jit["out"]).splitlines()
            want = expected.splitlines()
            for i in range(max(len(got), len(want))):
                g = got[i] if i < len(got) else "<end>"
                w = want[i] if i < len(want) else "<end>"
                if g != w:
                    detail = f"line {i + 1}: got {g[:70]!r}, original {w[:70]!r}"
                    break
    return {"file": rel, "status": status, "detail": detail}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--original-src", required=True)
    ap.add_argument("--original-zx", required=True)
    ap.add_argument("--zx", default="target/release/zx")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--cache", default="target/compat-cache")
    ap.add_argument("--only", default="")
    ap.add_argument("--list", action="store_true", help="print every program's status")
    ap.add_argument("--write-list", help="write every program's status as JSON to this file")
    ap.add_argument("--markdown", help="write the counts and the differing programs as Markdown")
    args = ap.parse_args()
    args.original_src = os.path.abspath(args.original_src)
    files = sorted(
        p
        for p in Path(args.original_src).rglob("*.zx")
        if args.only in str(p.relative_to(args.original_src))
    )
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        results = list(ex.map(lambda p: check(p, args), files))
    counts = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    if args.list:
        for r in results:
            if r["status"] not in ("skipped (network, server, database or files)",):
                print(f"{r['status']:<28} {r['file']}  {r.get('detail', '')}")
        print()
    if args.write_list:
        Path(args.write_list).write_text(json.dumps(results, indent=1))
    skipped = sum(v for k, v in counts.items() if k.startswith("skipped"))
    orig_bad = sum(v for k, v in counts.items() if k.startswith("original"))
    compared = len(results) - skipped - orig_bad
    print(f"{len(results)} programs")
    print(f"{skipped:>5}  skipped: need a network, a server, a database or files")
    print(f"{orig_bad:>5}  the original does not run cleanly (error, fall-back or timeout)")
    print(f"{compared:>5}  run cleanly by the original, compared here (JIT on and off):")
    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        if not k.startswith(("skipped", "original")):
            print(f"{v:>9}  {k}")
    same = sum(counts.get(k, 0) for k in SAME_STATUSES)
    pct = 100.0 * same / compared if compared else 0.0
    print(f"{same} same, {compared - same} different ({pct:.1f}% same)")
    if args.markdown:
        Path(args.markdown).write_text(markdown(results, counts, skipped, compared, same))


def markdown(results, counts, skipped, compared, same) -> str:
    """The counts table and the table of differing programs, as docs/COMPATIBILITY.md has them."""

    def cell(text: str) -> str:
        text = text.replace("|", "\\|")
        return text if len(text) <= 110 else text[:107] + "..."

    rows = [
        "| | programs |",
        "|---|---:|",
        f"| all `.zx` files | {len(results)} |",
        f"| skipped (network, server, database or files) | {skipped} |",
        f"| original fails | {counts.get('original fails', 0)} |",
        f"| original times out | {counts.get('original times out', 0)} |",
        f"| run cleanly by the original, compared | {compared} |",
    ]
    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        if not k.startswith(("skipped", "original")):
            rows.append(f"| &nbsp;&nbsp;{k} | {v} |")
    pct = 100.0 * same / compared if compared else 0.0
    rows += ["", f"**{same} same, {compared - same} different** ({pct:.1f}%).", ""]
    rows += ["| program | status | first reason |", "|---|---|---|"]
    for r in results:
        st = r["status"]
        if st in SAME_STATUSES or st.startswith(("skipped", "original")):
            continue
        rows.append(f"| `{r['file']}` | {st} | {cell(r.get('detail', ''))} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.exit(main())
