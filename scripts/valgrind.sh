#!/usr/bin/env bash
# The C unit tests under valgrind (memcheck): the same sources and tests/c files as
# build/native/test_attune, with -DATT_TESTING, but built with gcc -O1 -g and no sanitizers
# (ASan and valgrind cannot share a process) into build/native/test_attune_vg.  Fails on any
# memcheck error and on definite or indirect leaks.  Prints the tests' "N passed, N failed"
# line and valgrind's summary; the full valgrind log is build/native/test_attune_vg.valgrind.log.
set -uo pipefail
cd "$(dirname "$0")/.."

CC=${CC:-gcc}
OUT=build/native/test_attune_vg
LOG=$OUT.valgrind.log
STDOUT=$OUT.out

command -v valgrind >/dev/null 2>&1 || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ -f build/cjson/cJSON.c ] || { echo "valgrind.sh: build/cjson/cJSON.c is missing; run make setup" >&2; exit 2; }
mkdir -p build/native

# the flags of the Makefile's test_attune rule, minus $(SAN)
COMMON=(-std=c99 -D_POSIX_C_SOURCE=200809L -Isrc -Ibuild/cjson)
WARN=(-Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -Wstrict-prototypes -Wmissing-prototypes)

echo "valgrind.sh: building $OUT"
$CC -O1 -g "${COMMON[@]}" -DCJSON_NESTING_LIMIT=32 -c build/cjson/cJSON.c -o build/native/cjson-vg.o || exit 1
$CC -O1 -g "${COMMON[@]}" "${WARN[@]}" -DATT_TESTING -Itests/c src/*.c tests/c/test_*.c build/native/cjson-vg.o \
  -lm -o "$OUT" || exit 1

echo "valgrind.sh: running $OUT under valgrind (this takes a while)"
start=$(date +%s)
valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --track-origins=yes --num-callers=30 --log-file="$LOG" \
  "./$OUT" >"$STDOUT" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))

# the tests' own failures (every line but the summary), then their summary line
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$STDOUT" | tail -n 40
last=$(tail -n 1 "$STDOUT")
echo "valgrind:"
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks were freed|in use at exit' "$LOG" \
  | sed -E 's/^==[0-9]+== +/  /'
if [ "$rc" -ne 0 ] && grep -qE 'ERROR SUMMARY: [1-9]' "$LOG"; then
  echo "valgrind.sh: memcheck errors; the first ones (full log: $LOG):"
  grep -vE '^==[0-9]+== *$' "$LOG" | sed -n '1,400p' | grep -A 25 -m 3 -E 'Invalid|uninitialised|Mismatched|definitely lost|indirectly lost|overlap|Syscall param' | head -n 90
fi
echo "valgrind.sh: ${secs}s, exit $rc"
echo "$last"
exit $rc
