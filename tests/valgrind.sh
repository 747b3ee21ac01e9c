#!/usr/bin/env bash
# Runs check and preview (good and failing scripts) under valgrind: no leak, no error.
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/scripts" "$root/config.lua" "$work/"
cd "$work"
export PLANE_API_TOKEN=plane_api_0123456789abcdef0123456789abcdef PLANE_WORKSPACE=acme \
  PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b LOG_FILE= \
  TEAMS_WEBHOOK_URL=https://example.webhook.office.com/x
vg=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=42)
fail=0
run() { # expected-exit description args...
  local want=$1 what=$2; shift 2
  local rc=0
  "${vg[@]}" "$bin" "$@" >/dev/null 2>"$work/err" || rc=$?
  if [ "$rc" != "$want" ]; then
    echo "valgrind: $what: exit $rc, expected $want"; cat "$work/err"; fail=1
  else
    echo "valgrind: $what: clean"
  fi
}
run 0 "check" check
run 0 "preview" preview --issues "$root/examples/issues.json"
run 2 "bad config" check --config /nonexistent.lua
NOTIFICATION_HOUR=25 run 2 "bad hour" check
printf 'return { transform = function() error("boom") end }\n' > scripts/transform.lua
run 2 "failing transform" preview --issues "$root/examples/issues.json"
exit $fail
