#!/usr/bin/env bash
# cmake --install into a scratch prefix: the binary in bin/, config.lua, scripts/ and the
# renderer in share/plane-teams/; the installed binary, run outside the source tree, finds
# that renderer by itself and its check says nothing of Node or make deps.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
renderer=$root/tools/cardcheck/node_modules/adaptivecards/dist/adaptivecards.min.js
[ -f "$renderer" ] || { echo "install: $renderer is missing: run 'make deps'"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake -S "$root" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DPT_TESTS=OFF -DPT_WERROR=ON \
  "-DCMAKE_INSTALL_PREFIX=$prefix" >/dev/null
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
cmake --install "$work/build" >/dev/null

fail=0
expect() { # description command...
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}
want=$(printf '%s\n' bin/plane-teams share/plane-teams/adaptivecards.min.js share/plane-teams/config.lua \
  share/plane-teams/lua/card_rules.lua share/plane-teams/lua/cardcheck.lua share/plane-teams/lua/helpers.lua \
  share/plane-teams/lua/pt/dates.lua \
  share/plane-teams/markdown-it.umd.min.js share/plane-teams/scripts/card.lua share/plane-teams/scripts/transform.lua)
got=$(cd "$prefix" && find . -type f | sed 's|^\./||' | sort)
expect "installed files" test "$got" = "$want"
[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") || true

data=$prefix/share/plane-teams
cd "$work"
export PLANE_API_TOKEN=plane_api_0123456789abcdef0123456789abcdef PLANE_WORKSPACE=acme \
  PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b LOG_FILE='' \
  TEAMS_WEBHOOK_URL=https://example.webhook.office.com/x
unset PLANE_TEAMS_RENDERER PLANE_TEAMS_CONFIG
pt=("$prefix/bin/plane-teams" -c "$data/config.lua" --scripts "$data/scripts")
expect "preview --html with the installed renderer" \
  "${pt[@]}" preview --issues "$root/examples/issues.json" --html page.html --output card.json 2>preview.err
expect "the page holds the renderer" grep -q "AdaptiveCards" page.html
expect "the page holds the message" grep -qF "var ENVELOPE = $(cat card.json);" page.html
expect "the page is bigger than the renderer" test "$(stat -c %s page.html)" -gt "$(stat -c %s "$renderer")"
"${pt[@]}" check >check.out 2>&1 || true
expect "check passes" grep -q "^check: ok$" check.out
expect "check says nothing of Node or make deps" bash -c '! grep -Eq "make deps|node|renderer" check.out'

# A team's own repository: its scripts and a spec, run with the command docs/scripting.md
# gives (its /usr/local prefix replaced by this one), on the spec the same page shows.
team=$work/my-team
mkdir -p "$team/spec"
cp -r "$data/scripts" "$team/scripts"
cp "$data/config.lua" "$team/config.lua"
python3 - "$root/docs/scripting.md" "$team/spec/card_spec.lua" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
block = next(b for b in re.findall(r"```lua\n(.*?)```", text, re.S) if b.startswith("-- spec/card_spec.lua"))
open(sys.argv[2], "w", encoding="utf-8").write(block)
PY
command=$(grep -m1 "^lua5.4 /usr/bin/busted --lpath='scripts/" "$root/docs/scripting.md")
command=${command//\/usr\/local\/share\/plane-teams/$data}
expect "the documented command runs a team's spec on the installed helpers" \
  bash -c "cd '$team' && $command >busted.out 2>&1 && grep -q '^1 success / 0 failures / 0 errors' busted.out"
# and fails when the spec does
sed -i 's/Zoé Martin, Ahmed/Ahmed, Zoé Martin/' "$team/spec/card_spec.lua"
expect "the same command fails on a failing spec" bash -c "cd '$team' && ! $command >/dev/null 2>&1"
[ "$fail" = 0 ] || { cat preview.err check.out "$team/busted.out"; exit 1; }
echo "install: all passed"
