#!/usr/bin/env bash
# make demo: the main job on the bundled example data, without credentials.
set -euo pipefail
bin=$(realpath "${1:-build/plane-teams}")
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "== plane-teams preview on examples/issues.json (a saved Plane page of two projects)"
LOG_FILE= "$bin" -c examples/config.lua preview --issues examples/issues.json --output build/demo-envelope.json
python3 - build/demo-envelope.json <<'PY'
import json, sys
env = json.load(open(sys.argv[1], encoding="utf-8"))
card = env["attachments"][0]["content"]
print(json.dumps(env, ensure_ascii=False)[:300] + " …")
print()
print("The card, as Teams would list it:")
for el in card["body"]:
    if el["type"] == "Container":
        for t in el["items"]:
            print("  " + t["text"])
    elif el["type"] == "ColumnSet":
        c = el["columns"]
        print("  %-4s %-10s %s" % (c[0]["items"][0]["text"], c[1]["items"][0]["text"], c[2]["items"][0]["text"]))
        print("                  %s" % c[2]["items"][1]["text"].split("](")[0].replace("[", ""))
    else:
        print("  " + el["text"])
print()
import os
print("%d bytes; the full envelope is in %s" % (os.path.getsize(sys.argv[1]) - 1, sys.argv[1]))
PY
