#!/usr/bin/env bash
# make demo: the whole job on the bundled example data, without credentials.
# A fake Plane (serving examples/plane-data.json) and a fake Teams run on loopback;
# plane-teams fetches, renders and posts through real HTTP; the demo shows what
# Teams received, then stops both.
set -euo pipefail
bin=$(realpath "${1:-build/plane-teams}")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
# Every process the demo starts, stopped on any exit: the end, a failure, Ctrl-C or
# SIGTERM. Children run in the background and the script waits for them with `wait`,
# which a signal interrupts at once (a foreground child would delay the trap until it
# ended), and which in a script ignore SIGINT: so the trap stops them, with SIGTERM.
pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=
start_fake() { # name args... -> sets $port. Not in $( ): a subshell would keep the pid.
  python3 "tests/fakes/$1.py" "${@:2}" >"$work/$1.port" 2>"$work/$1.err" &
  pids+=($!)
  for _ in $(seq 50); do
    [ -s "$work/$1.port" ] && { port=$(head -1 "$work/$1.port"); return; }
    sleep 0.1
  done
  echo "demo: $1 did not start" >&2; cat "$work/$1.err" >&2; exit 1
}
start_fake fake_plane --data examples/plane-data.json
plane_port=$port
start_fake fake_teams --record "$work/teams.jsonl"
teams_port=$port

echo "== fake Plane on 127.0.0.1:$plane_port (workspace acme, 2 projects, 17 issues)"
echo "== fake Teams on 127.0.0.1:$teams_port"
echo "== plane-teams once"
PLANE_BASE_URL="http://127.0.0.1:$plane_port" \
TEAMS_WEBHOOK_URL="http://127.0.0.1:$teams_port/workflows/demo/triggers/manual/paths/invoke?sig=demo" \
STATE_FILE="$work/state.json" "$bin" -c examples/config.lua once &
pids+=($!)
wait $!
echo
echo "== what Teams received"
python3 - "$work/teams.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
env = json.loads(lines[-1])
card = env["attachments"][0]["content"]
print(json.dumps(env, ensure_ascii=False)[:240] + " …")
print()
def text(t):  # a TextBlock, or a RichTextBlock's runs
    return t["text"] if "text" in t else "".join(r["text"] for r in t.get("inlines", []))
for el in card["body"]:
    if el["type"] == "Container":
        for t in el["items"]:
            print("  " + text(t))
    elif el["type"] == "ColumnSet":
        c = el["columns"]
        print("  %-4s %-10s %s" % (text(c[0]["items"][0]), text(c[1]["items"][0]), text(c[2]["items"][0])))
        detail = text(c[2]["items"][1]) if len(c[2]["items"]) > 1 else ""
        print("  %16s %s  → %s" % ("", detail, el["selectAction"]["url"]))
    else:
        print("  " + text(el))
print()
print("%d message(s), %d bytes" % (len(lines), len(lines[-1].encode())))
PY
echo
echo "== state file"
cat "$work/state.json"
