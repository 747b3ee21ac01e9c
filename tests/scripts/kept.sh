#!/bin/bash
# The specs a team keeps when it rewrites a script: in a copy of the tree, scripts/card.lua
# (then scripts/transform.lua) is replaced by a very different valid one (tests/scripts/kept/),
# and each spec file is run on its own. Only the specs of the replaced script may fail:
#   card.lua rewritten      -> card_spec.lua
#   transform.lua rewritten -> transform_spec.lua and card_spec.lua (its rows come from transform)
# The host's own specs (cardcheck, batch, dates, onboard) pass whatever scripts/ holds.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
busted=${BUSTED:-/usr/bin/busted}

# run_specs LABEL EXPECTED_FAILING...: every spec of the copy, one at a time
run_specs() {
  local label=$1 bad=0 f name
  shift
  for f in "$tmp"/tests/scripts/*_spec.lua; do
    name=$(basename "$f")
    if (cd "$tmp/tests/scripts" && lua5.4 "$busted" --lpath='../../scripts/?.lua;../../host/?.lua;./?.lua' "$name" >/dev/null 2>&1); then
      result=pass
    else
      result=fail
    fi
    expected=pass
    for want in "$@"; do [ "$want" = "$name" ] && expected=fail; done
    if [ "$result" != "$expected" ]; then
      echo "kept: with $label, $name should $expected but did $result" >&2
      bad=1
    fi
  done
  return $bad
}

# the rewritten script itself is valid: its card passes the host's checker
check_card() {
  (cd "$tmp/tests/scripts" && lua5.4 -e '
    package.path = "../../scripts/?.lua;../../host/?.lua;./?.lua;" .. package.path
    local H, cjson = require("helpers"), require("cjson")
    local T, C, K = require("transform"), require("card"), require("cardcheck")
    local issues = { H.issue({ priority = "high" }), H.issue({ name = "Été 🎯" }) }
    local ctx = H.ctx()
    local rows, total = T.transform(issues, ctx)
    ctx.total = total
    local err = K.check(cjson.decode(cjson.encode(C.card(rows, ctx))))
    if err then io.stderr:write("kept: the rewritten script gives a bad card: ", err, "\n") os.exit(1) end')
}

copy_tree() {
  rm -rf "${tmp:?}"/*
  mkdir -p "$tmp/tests"
  cp -r "$root/scripts" "$root/host" "$tmp/"
  cp -r "$root/tests/scripts" "$root/tests/data" "$tmp/tests/"
}

status=0
copy_tree
run_specs "the shipped scripts" || status=1
cp "$root/tests/scripts/kept/card.lua" "$tmp/scripts/card.lua"
check_card || status=1
run_specs "a rewritten card.lua" card_spec.lua || status=1
copy_tree
cp "$root/tests/scripts/kept/transform.lua" "$tmp/scripts/transform.lua"
check_card || status=1
run_specs "a rewritten transform.lua" transform_spec.lua card_spec.lua || status=1
[ $status = 0 ] && echo "kept: a rewritten card.lua breaks only card_spec.lua; a rewritten transform.lua only transform_spec.lua and card_spec.lua"
exit $status
