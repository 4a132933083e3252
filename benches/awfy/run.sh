#!/usr/bin/env bash
# Are We Fast Yet (micro benchmarks): Zexus, Lua and Python side by side.
#
#   benches/awfy/run.sh                    # every program in expected.txt
#   benches/awfy/run.sh Bounce NBody       # only these
#   ZX=target/release/zx RUNS=5 WARMUP=1 benches/awfy/run.sh
#   CHECK_ONLY=1 benches/awfy/run.sh       # only check the outputs
#
# Runtimes (each used when found): zx-jit (`zx run --jit`), zx-interp (`zx run --no-jit`),
# luajit, lua5.4, python3 (the real executable behind `python3`, so that a pyenv shim's start-up
# is not timed). ZX names the zx binary (default: target/release/zx of this checkout).
#
# First every program runs once in every runtime and its output is compared with its line in
# expected.txt (a tab separates the program's name from the line); any difference is reported
# and makes the script exit with status 1 at the end. Then each (program, runtime) is timed with
# `hyperfine -N` (no shell; WARMUP warm-up runs, then RUNS runs, one at a time), the output of
# the timed runs is checked again, and a markdown table is printed: median wall-clock seconds
# per runtime, the ratios zx-interp/lua5.4 and zx-jit/luajit, and their geometric means.
# Results (hyperfine JSON, outputs, table.md) go to benches/awfy/results/ (not committed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$here"

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
ZX=${ZX:-$root/target/release/zx}
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)}
CHECK_ONLY=${CHECK_ONLY:-0}

declare -A EXPECTED=()
ORDER=()
while IFS=$'\t' read -r name line; do
    [ -z "$name" ] && continue
    EXPECTED[$name]=$line
    ORDER+=("$name")
done < expected.txt

if [ $# -gt 0 ]; then
    for b in "$@"; do
        [ -n "${EXPECTED[$b]+x}" ] || { echo "unknown program '$b' (see expected.txt)" >&2; exit 2; }
    done
    BENCHES=("$@")
else
    BENCHES=("${ORDER[@]}")
fi

# The runtimes present on this machine, in table order.
RUNTIMES=()
if [ -x "$ZX" ]; then RUNTIMES+=(zx-jit zx-interp); else echo "no zx at '$ZX' (set ZX=path)" >&2; fi
command -v luajit >/dev/null && RUNTIMES+=(luajit)
command -v lua5.4 >/dev/null && RUNTIMES+=(lua5.4)
[ -n "$PYTHON" ] && command -v "$PYTHON" >/dev/null && RUNTIMES+=(python3)
[ ${#RUNTIMES[@]} -gt 0 ] || { echo "no runtime found" >&2; exit 2; }

cmd_for() {
    local rt=$1 b=$2
    case $rt in
        zx-jit)    echo "$ZX run --jit zx/$b.zx" ;;
        zx-interp) echo "$ZX run --no-jit zx/$b.zx" ;;
        luajit)    echo "luajit lua/$b.lua" ;;
        lua5.4)    echo "lua5.4 lua/$b.lua" ;;
        python3)   echo "$PYTHON python/$b.py" ;;
    esac
}

out=$here/results
rm -rf "$out"
mkdir -p "$out"
failures=0

# 1. Outputs.
for b in "${BENCHES[@]}"; do
    for rt in "${RUNTIMES[@]}"; do
        read -r -a cmd <<< "$(cmd_for "$rt" "$b")"
        if got=$("${cmd[@]}" 2>"$out/$b.$rt.stderr"); then status=0; else status=$?; fi
        got=$(printf '%s' "$got" | tr -d '\r')
        if [ "$status" -ne 0 ] || [ "$got" != "${EXPECTED[$b]}" ]; then
            echo "WRONG: $b on $rt (exit $status): got '$got', expected '${EXPECTED[$b]}'" >&2
            touch "$out/$b.$rt.wrong"
            failures=$((failures + 1))
        else
            echo "ok: $b on $rt" >&2
        fi
    done
done
if [ "$CHECK_ONLY" = 1 ]; then
    [ "$failures" -eq 0 ] || exit 1
    exit 0
fi

command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install -y hyperfine)" >&2; exit 2; }
{
    date -u
    "$ZX" --version 2>&1 || true
    command -v luajit >/dev/null && luajit -v
    command -v lua5.4 >/dev/null && lua5.4 -v
    [ -n "$PYTHON" ] && "$PYTHON" --version 2>&1
    uname -srm
    grep -m1 'model name' /proc/cpuinfo || true
    echo "nproc: $(nproc)  runs: $RUNS  warmup: $WARMUP  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    hyperfine --version
} > "$out/machine.txt" 2>&1

# 2. Times.
for b in "${BENCHES[@]}"; do
    for rt in "${RUNTIMES[@]}"; do
        [ -e "$out/$b.$rt.wrong" ] && continue
        cmd=$(cmd_for "$rt" "$b")
        echo ">> $b / $rt: $cmd" >&2
        hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --output "$out/$b.$rt.stdout" \
            --export-json "$out/$b.$rt.json" --command-name "$b/$rt" "$cmd" \
            >> "$out/hyperfine.log" 2>&1
        # hyperfine appends every run's output: each line must be the expected one.
        if tr -d '\r' < "$out/$b.$rt.stdout" | grep -qvxF -- "${EXPECTED[$b]}"; then
            echo "WRONG output in the timed runs: $b on $rt" >&2
            touch "$out/$b.$rt.wrong"
            failures=$((failures + 1))
        fi
    done
done

python3 - "$out" "${BENCHES[*]}" "${RUNTIMES[*]}" "$RUNS" <<'PY' | tee "$out/table.md"
import json, math, os, sys

out, benches, runtimes, runs = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4]


def median(b, rt):
    p = os.path.join(out, f"{b}.{rt}.json")
    if os.path.exists(os.path.join(out, f"{b}.{rt}.wrong")) or not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)["results"][0]["median"]


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


ratios = [("zx-interp/lua5.4", "zx-interp", "lua5.4"), ("zx-jit/luajit", "zx-jit", "luajit")]
ratios = [r for r in ratios if r[1] in runtimes and r[2] in runtimes]
print(f"Median wall-clock seconds of {runs} runs (hyperfine -N):\n")
print("| benchmark | " + " | ".join(runtimes + [r[0] for r in ratios]) + " |")
print("|---|" + "---:|" * (len(runtimes) + len(ratios)))
per_runtime = {rt: [] for rt in runtimes}
per_ratio = {r[0]: [] for r in ratios}
for b in benches:
    cells = []
    for rt in runtimes:
        m = median(b, rt)
        if m is None:
            cells.append("WRONG" if os.path.exists(os.path.join(out, f"{b}.{rt}.wrong")) else "n/a")
        else:
            per_runtime[rt].append(m)
            cells.append(f"{m:.3f}")
    for name, a, base in ratios:
        ma, mb = median(b, a), median(b, base)
        if ma is None or mb is None:
            cells.append("n/a")
        else:
            per_ratio[name].append(ma / mb)
            cells.append(f"{ma / mb:.2f}")
    print(f"| {b} | " + " | ".join(cells) + " |")
cells = []
for rt in runtimes:
    g = geomean(per_runtime[rt])
    cells.append("" if g is None else f"{g:.3f}")
for name, _, _ in ratios:
    g = geomean(per_ratio[name])
    cells.append("" if g is None else f"**{g:.2f}**")
print("| geometric mean | " + " | ".join(cells) + " |")
PY
[ "$failures" -eq 0 ] || { echo "$failures wrong output(s): see above" >&2; exit 1; }
