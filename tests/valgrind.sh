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
  PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b LOG_FILE='' \
  TEAMS_WEBHOOK_URL=https://example.webhook.office.com/x
kinds=definite,indirect,possible
vg=(valgrind -q --leak-check=full "--show-leak-kinds=$kinds" "--errors-for-leak-kinds=$kinds" --error-exitcode=42)
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
NOTIFICATION_HOLIDAYS=2027-01-01,2026-12-25,2026-12-25 run 0 "holidays" check
NOTIFICATION_HOLIDAYS=2026-12-25,2026-02-30 run 2 "bad holiday" check
cat > mentions.lua <<'LUA'
return { plane_api_token = env("PLANE_API_TOKEN"), workspace = "acme", projects = env("PLANE_PROJECT_ID"),
  mentions = true, options = { stale_days = 3 },
  mention_ids = { ["zoe.martin"] = "zoe@contoso.example", ["Karim B."] = "4af68566-94a4-4eb3-94aa-50dc9427067b" },
  digests = { { name = "a" }, { name = "b", mention_ids = { ["léa"] = "lea@contoso.example" } } } }
LUA
run 0 "mentions" -c mentions.lua preview --issues "$root/examples/sync.json"
printf 'return { workspace = "acme", mention_ids = { a = "x@y", b = "not an id" } }\n' > bad-mentions.lua
run 2 "bad mention_ids" -c bad-mentions.lua check
cp scripts/card.lua card.lua.orig
sed -i 's/^local M = {}$/local M = { needs = { labels = true, cycles = true, modules = true } }/' scripts/card.lua
run 0 "needs, replayed by preview" preview --issues "$root/examples/sync.json"
sed -i 's/labels = true/label = true/' scripts/card.lua
run 2 "unknown need" check
cp card.lua.orig scripts/card.lua
printf 'return { transform = function() error("boom") end }\n' > scripts/transform.lua
run 2 "failing transform" preview --issues "$root/examples/issues.json"

# the daemon: a post, a reload (good, then a broken script), a stop — under valgrind
plane_port_file=$(mktemp) teams_port_file=$(mktemp)
python3 "$root/tests/fakes/fake_plane.py" --data "$root/examples/plane-data.json" --token "$PLANE_API_TOKEN" >"$plane_port_file" &
fp=$!
python3 "$root/tests/fakes/fake_teams.py" >"$teams_port_file" &
ft=$!
trap 'kill $fp $ft 2>/dev/null; rm -rf "$work" "$plane_port_file" "$teams_port_file"' EXIT
for _ in $(seq 50); do [ -s "$plane_port_file" ] && [ -s "$teams_port_file" ] && break; sleep 0.1; done
cp "$root/scripts/transform.lua" scripts/transform.lua
PLANE_BASE_URL="http://127.0.0.1:$(head -1 "$plane_port_file")"
TEAMS_WEBHOOK_URL="http://127.0.0.1:$(head -1 "$teams_port_file")/hook?sig=x"
export PLANE_BASE_URL TEAMS_WEBHOOK_URL NOTIFICATION_HOUR=00:00 STATE_FILE="$work/state.json"
# discover and check --online against the fake Plane (the example workspace's projects)
PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b,b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13 run 0 "check --online" check --online
run 0 "discover" discover
run 0 "discover --json" discover --json
PLANE_WORKSPACE=nope run 1 "discover, wrong workspace" discover
: > "$work/daemon.err"
"${vg[@]}" "$bin" run 2>"$work/daemon.err" &
pid=$!
for _ in $(seq 300); do grep -q "posted" "$work/daemon.err" && break; sleep 0.1; done
# each reload is awaited by its log line (under valgrind the daemon takes its time)
wait_log() { for _ in $(seq 300); do grep -q "$1" "$work/daemon.err" && return 0; sleep 0.1; done; return 1; }
kill -HUP $pid
wait_log "reloaded" || true
printf 'return {\n' > scripts/card.lua
kill -HUP $pid
wait_log "reload failed" || true
kill -TERM $pid
rc=0; wait $pid || rc=$?
if [ "$rc" = 0 ] && grep -q posted "$work/daemon.err" && grep -q "reload failed" "$work/daemon.err" \
   && grep -q "reloaded" "$work/daemon.err"; then
  echo "valgrind: daemon run, reload, broken reload, stop: clean"
else
  echo "valgrind: daemon: exit $rc"; cat "$work/daemon.err"; fail=1
fi
exit $fail
