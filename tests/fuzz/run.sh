#!/usr/bin/env bash
# Run the fuzz targets built in BUILD (default build-fuzz) from the repository root.
#   tests/fuzz/run.sh SECONDS [TARGET...]   every target (or the ones named) for SECONDS each
# FUZZ_JOBS targets run at a time (default 1). New inputs go to BUILD/corpus/<target>/ (the
# seeds in tests/fuzz/corpus/<target>/ are read, never written); a finding is saved as
# BUILD/findings/<target>/crash-… (or leak-, timeout-, oom-) and the run fails.
# FUZZ_REPLAY=1: start from an empty work corpus (the seeds only), as `make test` does.
set -euo pipefail
BUILD=${BUILD:-build-fuzz}
SECONDS_EACH=${1:?seconds}
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(json state time url redact teams render config)
JOBS=${FUZZ_JOBS:-1}

max_len() {
  case $1 in
    time) echo 64 ;; url) echo 512 ;; redact | teams) echo 2048 ;;
    state | config) echo 4096 ;; json) echo 16384 ;; render) echo 32768 ;;
  esac
}

one() {
  local t=$1 work=$BUILD/corpus/$1 found=$BUILD/findings/$1
  if [ "${FUZZ_REPLAY:-0}" = 1 ]; then work=$(mktemp -d); fi
  mkdir -p "$work" "$found"
  local log=$BUILD/fuzz-$t.log rc=0 dict=()
  case $t in json | state | render) dict=(-dict=tests/fuzz/json.dict) ;; config) dict=(-dict=tests/fuzz/lua.dict) ;; esac
  nice -n 10 "$BUILD/fuzz_$t" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$t")" \
    -timeout=30 -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$found/" "${dict[@]}" \
    "$work" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  if [ "${FUZZ_REPLAY:-0}" = 1 ]; then rm -rf "$work"; fi
  local cov execs speed
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  if [ "$rc" != 0 ]; then
    echo "fuzz_$t: FINDING (exit $rc), see $log and $found/"
    grep -E 'invariant failed|ERROR: |SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/  /'
    return 1
  fi
  printf 'fuzz_%-7s %4ss  cov: %-5s execs: %-10s exec/s: %s\n' "$t" "$SECONDS_EACH" "$cov" "$execs" "$speed"
}
export -f one max_len
export BUILD SECONDS_EACH

printf '%s\n' "${TARGETS[@]}" | xargs -P "$JOBS" -I{} bash -c 'one {}'
