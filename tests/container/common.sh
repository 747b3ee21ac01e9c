# shellcheck shell=bash disable=SC2154,SC2034,SC2015
# (root_dir and work are the sourcing suite's, the variables set here are for it, and
# "A && B || die" means: die when either fails)
# What the container suite (tests/container/suite.sh) and the Kubernetes suite
# (tests/kubernetes/suite.sh) do the same way, sourced by both after they define say, die
# and pm (podman as the suite runs it). $root_dir is the checkout, $work the suite's folder.

# need TOOL…: each tool the PATH lacks joins the array `missing`
need() {
  local tool
  for tool; do command -v "$tool" >/dev/null || missing+=("$tool"); done
}
# needs_met HINT: die naming what is missing (how to get it: HINT), or without root
needs_met() {
  [ ${#missing[@]} = 0 ] || die "missing ${missing[*]} ($1)"
  [ "$(id -u)" = 0 ] || die "needs root (podman builds and runs the image as root here)"
}

# the image both suites build: one tag per checkout (suites of two checkouts may run at the
# same time), so the second suite finds it in the layer cache
suite_image() { echo "localhost/plane-teams:test-$(printf '%s' "$root_dir" | cksum | cut -d' ' -f1)"; }
# suite_folder: a new folder that the containers' users can read
suite_folder() { local d; d=$(mktemp -d) && chmod 0755 "$d" && echo "$d"; }
# build_image IMAGE: the base images (made once), then the repository's Dockerfile
build_image() {
  bash "$root_dir/tests/container/base_images.sh"
  pm build -q -v /etc/apt:/etc/apt:ro --isolation=chroot --format docker -t "$1" "$root_dir" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; die "podman build"; }
}

# wait_for SECONDS COMMAND…: true once COMMAND succeeds, polled every 0.1 s
wait_for() {
  local n=$(($1 * 10)); shift
  while ((n-- > 0)); do "$@" && return 0; sleep 0.1; done
  return 1
}
# the cards the fake Teams received (it records one a line in $work/posts)
posts() { if [ -f "$work/posts" ]; then wc -l <"$work/posts"; else echo 0; fi; }
posts_are() { [ "$(posts)" = "$1" ]; }
card_title() { # the title of the last card Teams received
  tail -1 "$work/posts" | python3 -c 'import json,sys; t=json.load(sys.stdin)["attachments"][0]["content"]["body"][0]["items"][0]; print(t.get("text") or "".join(r["text"] for r in t["inlines"]))'
}
vol_dir() { pm volume inspect --format '{{.Mountpoint}}' "$1"; }
state_of() { # VOLUME KEY: a key of the state file in a volume
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]))' "$(vol_dir "$1")/state.json" "$2" 2>/dev/null
}
# settled_as VOLUME STATUS: the last sync ended with STATUS and no attempt is pending
settled_as() { [ "$(state_of "$1" last_sync_status)" = "$2" ] && [ "$(state_of "$1" attempt)" = None ]; }
logs_have() { local out; out=$(pm logs "$1" 2>&1); grep -q -- "$2" <<<"$out"; } # CONTAINER TEXT

# start_fakes: the fake Plane (examples/plane-data.json, the API key $token; one fake for
# every container of the suite, 1000 requests a minute: the 60-a-minute limit is the
# daemon tests') and the fake Teams (recording every card in $work/posts), on 127.0.0.1;
# sets token, plane_port, teams_port and teams_url (a workflow URL with its signature)
start_fakes() {
  token=plane_api_0123456789abcdef0123456789abcdef
  python3 "$root_dir/tests/fakes/fake_plane.py" --data "$root_dir/examples/plane-data.json" --token "$token" \
    --rate-limit 1000 >"$work/plane.port" &
  fakes+=($!)
  python3 "$root_dir/tests/fakes/fake_teams.py" --record "$work/posts" >"$work/teams.port" &
  fakes+=($!)
  wait_for 10 test -s "$work/plane.port" && wait_for 10 test -s "$work/teams.port" || die "the fake servers did not start"
  plane_port=$(head -1 "$work/plane.port")
  teams_port=$(head -1 "$work/teams.port")
  teams_url="http://127.0.0.1:$teams_port/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=S3cr3tS1gnature"
}
