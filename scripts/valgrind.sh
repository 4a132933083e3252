#!/bin/sh
# Runs the JIT tests and a JIT-heavy example under valgrind (memcheck): no invalid reads or
# writes, no uses of uninitialised values, no definite or indirect leaks. Exits non-zero on
# the first failure. Needs `valgrind` (Debian: apt-get install -y valgrind).
#
#   scripts/valgrind.sh            # the JIT tests and examples/hot_function, hot_loop
#   VALGRIND_TESTS="jit_exits" scripts/valgrind.sh   # a subset
#
# The tests run with --test-threads=1 (valgrind serialises threads anyway). Memory still
# reachable at exit (thread-locals, lazily built statics) is not a leak and is not counted.
set -eu
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install -y valgrind)"; exit 2; }
TESTS=${VALGRIND_TESTS:-"jit_exits jit_functions jit_report"}
EXAMPLES=${VALGRIND_EXAMPLES:-"hot_function hot_loop"}
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-origins=no"
LOG=${VALGRIND_LOG:-target/valgrind.log}
: > "$LOG"
cargo build --release --examples >/dev/null 2>&1
# The integration tests are one binary (`tests/main.rs`); each name selects its file's tests.
bin=$(cargo test --release --test main --no-run 2>&1 | sed -n 's/.*(\(target\/release\/deps\/[^)]*\)).*/\1/p' | tail -n 1)
[ -n "$bin" ] || { echo "no test binary"; exit 2; }
for t in $TESTS; do
    echo "== $t ($bin $t)" | tee -a "$LOG"
    if $VG "$bin" "$t::" --test-threads=1 -q >>"$LOG" 2>&1; then
        echo "   ok: no errors, no leaks" | tee -a "$LOG"
    else
        echo "   FAILED (exit $?): see $LOG" | tee -a "$LOG"
        exit 1
    fi
done
for e in $EXAMPLES; do
    echo "== example $e" | tee -a "$LOG"
    if $VG "target/release/examples/$e" >>"$LOG" 2>&1; then
        echo "   ok: no errors, no leaks" | tee -a "$LOG"
    else
        echo "   FAILED (exit $?): see $LOG" | tee -a "$LOG"
        exit 1
    fi
done
echo "valgrind: all clean"
