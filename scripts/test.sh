#!/usr/bin/env bash
# Runs every test runner (even after a failure), then repeats each runner's own summary at the
# end and exits non-zero if any runner failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/test-logs
status=0
summaries=()

run() { # name, command...
  local name=$1 log="build/test-logs/$1.log"
  shift
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || status=1
  summaries+=("$name (exit $rc):")
  if grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$log"; then
    summaries+=("  $(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)")
  elif grep -qE '^fuzz: ' "$log"; then
    summaries+=("  $(grep -E '^fuzz: ' "$log" | tail -n 1)")
  else
    while IFS= read -r line; do summaries+=("  $line"); done < <(grep -E '^# (tests|pass|fail|cancelled|skipped|todo|duration_ms) ' "$log" | tail -n 7)
  fi
}

ASAN_OPTIONS=detect_leaks=1 run "C unit tests (ASan+UBSan)" ./build/native/test_attune
run "C unit tests (valgrind)" ./scripts/valgrind.sh
run "JS tests (node --test)" node --test tests/js/
run "Browser tests (Chromium)" node --test --test-concurrency=1 tests/browser/
run "Fuzz smoke (libFuzzer)" make --no-print-directory fuzz-smoke

echo
echo "== Summary"
printf '%s\n' "${summaries[@]}"
exit $status
