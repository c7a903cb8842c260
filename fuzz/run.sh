#!/usr/bin/env bash
# fuzz/run.sh MODE SECONDS — runs the libFuzzer harnesses built in build/fuzz/, one at a time,
# one process each (no -jobs/-workers: the machine is shared).
#   fuzz   fuzz each harness for SECONDS on build/fuzz/corpus-work/<harness>/ (the committed
#          corpus copied in and kept between runs), so findings never dirty the repo
#   smoke  replay the committed corpus and every reproducer in fuzz/regressions/<harness>/,
#          then fuzz each harness for SECONDS on a fresh copy of its committed corpus
# Full logs go to build/fuzz/logs/; crashes to build/fuzz/artifacts/<harness>/.  The last line
# is "fuzz: <harness> N runs, ..." from libFuzzer's "Done N runs" lines (or what failed).
# Exits non-zero when any harness crashed, leaked, hit UB, timed out or broke an invariant.
# FUZZ_KEEP_GOING=1 fuzzes in libFuzzer's fork mode (-fork=1, still one process at a time) with
# -ignore_crashes/-ignore_timeouts/-ignore_ooms, so a known bug does not end the run: every
# crash found is written to the artifacts, counted and still fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:?usage: fuzz/run.sh fuzz|smoke SECONDS}
secs=${2:?usage: fuzz/run.sh fuzz|smoke SECONDS}
read -r -a harnesses <<<"${FUZZ_HARNESSES:-config catalog events snapshot import merge}"
bin=build/fuzz
mkdir -p "$bin/logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
shopt -s nullglob

status=0
results=()

dict_for() { case $1 in snapshot | merge) echo fuzz/snapshot.dict ;; *) echo fuzz/json.dict ;; esac; }
max_len_for() { case $1 in catalog | import | merge) echo 16384 ;; events) echo 4096 ;; *) echo 8192 ;; esac; }

# Prints the last lines of a failed run's log: the sanitizer report or broken invariant and its stack.
show_failure() {
  echo "---- $2 (full log: $1)"
  grep -nE 'ERROR: |INVARIANT FAILED|runtime error|SUMMARY|Test unit written|^    #[0-9]+ ' "$1" | head -n 60
}

for h in "${harnesses[@]}"; do
  name=fuzz_$h exe=$bin/fuzz_$h
  if [ ! -x "$exe" ]; then
    echo "$name: $exe is not built (make fuzz-build)"
    results+=("$name not built")
    status=1
    continue
  fi
  failed=""
  common=(-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len_for "$h")" -dict="$(dict_for "$h")")

  if [ "$mode" = smoke ]; then
    # 1. every committed input once (files, not a directory: libFuzzer then writes nothing)
    corpus=(fuzz/corpus/$name/*)
    log=$bin/logs/$name.replay.log
    if [ ${#corpus[@]} -gt 0 ] && ! "$exe" "${common[@]}" "${corpus[@]}" >"$log" 2>&1; then
      show_failure "$log" "$name: the committed corpus fails"
      failed="corpus fails"
    fi
    # 2. each reproducer on its own, so every one that still fails is named
    for r in fuzz/regressions/$name/*; do
      log=$bin/logs/$name.$(basename "$r").log
      if ! "$exe" "${common[@]}" "$r" >"$log" 2>&1; then
        show_failure "$log" "$name: regression $r fails"
        failed="${failed:+$failed; }regression $(basename "$r") fails"
      fi
    done
    work=$bin/corpus-smoke/$name
    rm -rf "$work"
  else
    work=$bin/corpus-work/$name
  fi

  # 3. fuzz (a crash ends this harness only)
  mkdir -p "$work" "$bin/artifacts/$name"
  cp -n fuzz/corpus/$name/* "$work"/ 2>/dev/null
  log=$bin/logs/$name.$mode.log
  echo "== $name: fuzzing for ${secs}s ($(ls "$work" | wc -l) inputs in $work)"
  if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
    before=$(ls "$bin/artifacts/$name" | wc -l)
    "$exe" "${common[@]}" -max_total_time="$secs" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -artifact_prefix="$bin/artifacts/$name/" "$work" >"$log" 2>&1
    rc=$?
    # fork mode prints "#N: cov: ... oom/timeout/crash: a/b/c time: ..." instead of "Done N runs"
    runs=$(sed -nE 's/^#([0-9]+): cov: .*/\1/p' "$log" | tail -n 1)
    found=$(($(ls "$bin/artifacts/$name" | wc -l) - before))
    if [ "$found" -gt 0 ]; then
      show_failure "$log" "$name: $found new crash/timeout/oom inputs in $bin/artifacts/$name/"
      failed="${failed:+$failed; }$found new findings"
    fi
  else
    "$exe" "${common[@]}" -max_total_time="$secs" -print_final_stats=1 \
      -artifact_prefix="$bin/artifacts/$name/" "$work" >"$log" 2>&1
    rc=$?
    runs=$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$log" | tail -n 1)
  fi
  if [ $rc -ne 0 ] || [ -z "$runs" ]; then
    show_failure "$log" "$name: fuzzing failed (exit $rc)"
    last=$(grep -oE '^#[0-9]+' "$log" | tail -n 1)
    failed="${failed:+$failed; }fuzzing failed after ${last:-#0} runs"
  fi
  grep -E '^(stat::|#[0-9]+[[:space:]]+DONE)' "$log" | sed "s/^/  /"
  if [ -n "$failed" ]; then
    status=1
    results+=("$name FAILED (${failed}${runs:+; $runs runs})")
  else
    results+=("$name $runs runs")
  fi
done

summary=$(printf '%s, ' "${results[@]}")
echo "fuzz: ${summary%, }"
exit $status
