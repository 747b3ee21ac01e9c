#!/usr/bin/env bash
# make test: runs each suite (a make target) in turn, even after one fails, then prints
# how long each took and fails when any failed.
# usage: tests/suites.sh SUITE…   (MAKE: the make to call; default make)
set -uo pipefail
make=${MAKE:-make}
names=() secs=() results=()
failed=0
total_start=$(date +%s%N)
for suite in "$@"; do
  start=$(date +%s%N)
  if "$make" --no-print-directory "$suite"; then result=ok; else result=FAILED; failed=1; fi
  names+=("$suite")
  secs+=("$(( ($(date +%s%N) - start) / 100000000 ))")
  results+=("$result")
done
tenths() { printf '%d.%d' $(($1 / 10)) $(($1 % 10)); }
echo
echo "suite              time  result"
for i in "${!names[@]}"; do
  printf '%-16s %6s s  %s\n' "${names[i]}" "$(tenths "${secs[i]}")" "${results[i]}"
done
printf '%-16s %6s s\n' total "$(tenths $(( ($(date +%s%N) - total_start) / 100000000 )))"
if [ "$failed" = 0 ]; then echo "make test: all suites passed"; else echo "make test: some suites FAILED"; fi
exit "$failed"
