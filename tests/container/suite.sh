#!/usr/bin/env bash
# The container suite: builds the image from the repository's Dockerfile with podman and
# runs it, and the shipped compose file, against the fake Plane and fake Teams on
# loopback. One line per step. Needs root, podman, podman-compose, runc and mmdebstrap
# (make deps installs them); a missing one is a failure, not a skip.
# usage: tests/container/suite.sh          (docs/docker.md, "testing the image without Docker")
# shellcheck disable=SC2015  # "A && B || die": die when either fails, as meant
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root_dir"
here=tests/container
suite_start=$(date +%s)

say() { echo "container: $*"; }
die() { say "FAILED: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%0*d' $(($1 / 1000)) "${2:-1}" $(( ($1 % 1000) / (${2:-1} == 2 ? 10 : 100) )); } # MS [DIGITS]

# shellcheck source=tests/container/common.sh
. "$here/common.sh"

missing=()
need podman podman-compose runc mmdebstrap python3
faketime_lib=$(find /usr/lib -path '*/faketime/libfaketime.so.1' 2>/dev/null | head -1)
[ -n "$faketime_lib" ] || missing+=(faketime)
needs_met "Debian packages; make deps installs them"

tag=pt-test-$$
image=$(suite_image)
work=$(suite_folder)
fakes=()
pm() { podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
compose() {
  (cd "$work/compose" && podman-compose --podman-path "$root_dir/$here/podman-for-compose.sh" -p "$tag" \
    -f docker-compose.yml -f docker-compose.override.yml "$@")
}

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local rc=$? ids vols
  trap - EXIT INT TERM
  set +e # remove everything that can be removed
  [ -d "$work/compose" ] && compose down >/dev/null 2>&1
  ids=$(pm ps -aq --filter "label=plane-teams-test=$tag" 2>/dev/null; \
        pm ps -aq --filter "label=io.podman.compose.project=$tag" 2>/dev/null)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || pm rm -f -v -t 0 $ids >/dev/null 2>&1
  vols=$(pm volume ls -q --filter "label=plane-teams-test=$tag" 2>/dev/null; \
         pm volume ls -q --filter "label=io.podman.compose.project=$tag" 2>/dev/null)
  # shellcheck disable=SC2086
  [ -z "$vols" ] || pm volume rm -f $vols >/dev/null 2>&1
  for pid in "${fakes[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$(pm ps -aq --filter "label=plane-teams-test=$tag"; pm ps -aq --filter "label=io.podman.compose.project=$tag"
             pm volume ls -q --filter "label=plane-teams-test=$tag")" ]; then
    say "FAILED: containers or volumes left behind"; rc=1
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

new_volume() { pm volume create --label "plane-teams-test=$tag" "$tag-$1" >/dev/null; echo "$tag-$1"; }
# the scheduler's checks (LOG_LEVEL=debug): after one, the daemon has decided what was due
checks() { pm logs "$1" 2>&1 | grep -c "schedule checked" || true; }
checked_since() { (( $(checks "$1") > $2 )); } # CONTAINER COUNT
no_secret_in() { # FILE…: neither secret appears
  ! grep -q -e "$token" -e "S3cr3tS1gnature" "$@"
}

# ---- the image -----------------------------------------------------------------------
build_start=$(now_ms)
build_image "$image"
build_ms=$(( $(now_ms) - build_start ))
mb() { echo "$(( ($1 + 500000) / 1000000 ))"; }
size=$(pm image inspect --format '{{.Size}}' "$image")
base=$(pm image inspect --format '{{.Size}}' docker.io/library/debian:bookworm-slim)
documented=$(sed -n 's/.*runtime image is \([0-9]*\) MB.*/\1/p' docs/docker.md | head -1)
[ -n "$documented" ] || die "docs/docker.md does not give the image size (\"runtime image is N MB\")"
(( $(mb "$size") >= documented - 3 && $(mb "$size") <= documented + 3 )) \
  || die "the image is $(mb "$size") MB, docs/docker.md says $documented MB"
(( size - base < 35000000 )) || die "the image adds $(mb $((size - base))) MB to debian:bookworm-slim"
# shellcheck disable=SC2016  # $t is for the container's shell
extra=$(pm run --rm --network=none --label "plane-teams-test=$tag" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --entrypoint sh "$image" -c \
  'for t in cc gcc cmake make node npm python3 busted luacheck faketime; do command -v $t; done; ls -d /src 2>/dev/null; echo end' \
  2>/dev/null) || die "cannot run sh in the image"
[ "$extra" = end ] || die "build or test tools in the image: ${extra%end}"
say "image built in $(secs "$build_ms") s; $(mb "$size") MB ($(mb "$base") MB debian:bookworm-slim + $(mb $((size - base))) MB), as docs/docker.md says; no compiler, Node, Python or test tools"

# ---- the fakes, the secrets, the settings --------------------------------------------
start_fakes
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

mkdir -m 0755 "$work/secrets" "$work/bad-secrets"
printf '%s' "$token" >"$work/secrets/plane_api_token"
printf '%s' "$teams_url" >"$work/secrets/teams_webhook_url"
cp "$work/secrets/plane_api_token" "$work/bad-secrets/"
printf '%s' "${teams_url/:$teams_port/:$closed_port}" >"$work/bad-secrets/teams_webhook_url"
chmod 0444 "$work"/secrets/* "$work"/bad-secrets/*

# .env from .env.example as a user fills it in; a zone where it is about noon, so the
# 06:00 digest is due now and today does not end during the suite
off=$((12 - 10#$(date -u +%H)))
if ((off > 0)); then tz="Etc/GMT-$off"; else tz="Etc/GMT+$((-off))"; fi
sed -e "s|^PLANE_BASE_URL=.*|PLANE_BASE_URL=http://127.0.0.1:$plane_port|" \
    -e "s|^#PLANE_APP_URL=|PLANE_APP_URL=|" \
    -e "s|^PLANE_WORKSPACE=.*|PLANE_WORKSPACE=acme|" \
    -e "s|^PLANE_PROJECT_ID=.*|PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b,b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13|" \
    -e "s|^NOTIFICATION_HOUR=.*|NOTIFICATION_HOUR=06:00|" \
    -e "s|^TZ=.*|TZ=$tz|" -e "s|^LOG_LEVEL=.*|LOG_LEVEL=debug|" .env.example >"$work/env"
grep -q "^LOG_LEVEL=debug$" "$work/env" || die ".env.example has no LOG_LEVEL line"

common=(--label "plane-teams-test=$tag" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024
        --read-only --cap-drop=ALL --security-opt no-new-privileges --env-file "$work/env"
        -e PLANE_API_TOKEN_FILE=/run/secrets/plane_api_token -e TEAMS_WEBHOOK_URL_FILE=/run/secrets/teams_webhook_url)
secrets=(-v "$work/secrets:/run/secrets:ro")
hard="read-only root, no capabilities, no-new-privileges, secrets as files"

# ---- one-shot commands ---------------------------------------------------------------
uid=$(pm run --rm --network=none "${common[@]}" --entrypoint id "$image" -u 2>/dev/null)
gid=$(pm run --rm --network=none "${common[@]}" --entrypoint id "$image" -g 2>/dev/null)
[ "$uid:$gid" = 10001:10001 ] || die "the image runs as $uid:$gid, not 10001:10001"
say "runs as uid 10001, gid 10001"

pm run --rm --network=host "${common[@]}" "${secrets[@]}" "$image" check >"$work/check.out" 2>&1 \
  || { cat "$work/check.out"; die "check"; }
grep -q "check: ok" "$work/check.out" && no_secret_in "$work/check.out" || { cat "$work/check.out"; die "check"; }
! grep -q "make deps" "$work/check.out" || { cat "$work/check.out"; die "check in the image talks about make deps"; }
say "check ($hard): ok, no secret in its output"

vol_once=$(new_volume once)
# no tmpfs either: /data is the only place the container can write to
if ! pm run --rm --network=host "${common[@]}" --read-only-tmpfs=false "${secrets[@]}" -v "$vol_once:/data" \
     "$image" once >"$work/once.out" 2>&1; then
  cat "$work/once.out"; die "once"
fi
posts_are 1 || die "once: Teams received $(posts) cards, not 1"
settled_as "$vol_once" success || die "once: the state file does not record the success"
files=$(cd "$(vol_dir "$vol_once")" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$files" = "./logs ./logs/plane-teams.log ./state.json ./state.json.lock " ] || die "once wrote: $files"
no_secret_in "$work/once.out" "$(vol_dir "$vol_once")/state.json" "$(vol_dir "$vol_once")/logs/plane-teams.log" \
  || die "a secret reached the output, the state or the log"
say "once ($hard, no tmpfs): 1 card; it wrote /data/state.json, state.json.lock, logs/plane-teams.log and nothing else"

# a host folder at /data must belong to uid 10001 (docs/docker.md)
mkdir -m 0755 "$work/host-data"
if pm run --rm --network=host "${common[@]}" "${secrets[@]}" -v "$work/host-data:/data" "$image" once \
     >"$work/bind.out" 2>&1; then
  die "once ran in a host folder owned by root"
fi
grep -q "cannot create the folder /data/logs: Permission denied" "$work/bind.out" || { cat "$work/bind.out"; die "bind mount"; }
chown 10001:10001 "$work/host-data"
pm run --rm --network=host "${common[@]}" "${secrets[@]}" -v "$work/host-data:/data" "$image" once \
  >"$work/bind.out" 2>&1 || { cat "$work/bind.out"; die "once in a host folder owned by 10001"; }
posts_are 2 && [ -s "$work/host-data/state.json" ] || die "once in a host folder owned by 10001 posted no card"
say "a host folder at /data: refused while root owns it (\"Permission denied\"), works once chown 10001:10001"

# ---- the daemon ----------------------------------------------------------------------
vol_d=$(new_volume daemon)
d=$tag-daemon
start=$(now_ms)
pm run -d --name "$d" --network=host "${common[@]}" "${secrets[@]}" -v "$vol_d:/data" "$image" \
  >/dev/null 2>>"$work/podman.err" || die "podman run the daemon"
wait_for 30 posts_are 3 && wait_for 10 settled_as "$vol_d" success || { pm logs "$d"; die "no catch-up post"; }
say "daemon: catch-up post $(secs $(( $(now_ms) - start ))) s after the start (the hour had passed)"

pm exec "$d" plane-teams once --dry-run >"$work/dry.out" 2>"$work/dry.err" || { cat "$work/dry.err"; die "exec once --dry-run"; }
grep -q '"type":"message"' "$work/dry.out" || die "exec once --dry-run printed no message"
pm exec "$d" plane-teams check >"$work/check2.out" 2>&1 || { cat "$work/check2.out"; die "exec check"; }
posts_are 3 || die "exec once --dry-run posted"
say "exec plane-teams once --dry-run and exec plane-teams check: ok, nothing posted"

health=$(pm healthcheck run "$d" 2>&1) || die "healthcheck after a post: $health"
health=$(pm inspect --format '{{.State.Health.Status}}' "$d")
[ "$health" = healthy ] || die "healthcheck after a post: $health"
say "healthcheck after a post: healthy"

# idle: the scheduler has checked again since the post (the sync's memory is given back)
wait_for 10 checked_since "$d" 1 || die "the daemon did not check its schedule after the post"
pid=$(pm inspect --format '{{.State.Pid}}' "$d")
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
say "idle memory of the running daemon: $((rss / 1024)).$(( (rss % 1024) * 10 / 1024 )) MiB resident"

if pm run --rm --network=host "${common[@]}" "${secrets[@]}" -v "$vol_d:/data" "$image" >"$work/second.out" 2>&1; then
  die "a second container on the same volume ran"
fi
grep -q "another plane-teams .* is using the state file" "$work/second.out" || { cat "$work/second.out"; die "second container"; }
say "a second container on the same volume: refused (exit 2, the state file is locked)"

start=$(now_ms)
pm stop -t 10 "$d" >/dev/null 2>&1
stop_ms=$(( $(now_ms) - start ))
code=$(pm inspect --format '{{.State.ExitCode}}' "$d")
[ "$code" = 0 ] || die "stop: exit code $code"
((stop_ms < 2000)) || die "stop took $(secs "$stop_ms" 2) s"
logs_have "$d" "SIGTERM received" || die "stop: no SIGTERM in the log"
say "stop: $(secs "$stop_ms" 2) s, exit code 0"

last=$(state_of "$vol_d" last_sync)
seen=$(checks "$d")
pm start "$d" >/dev/null 2>>"$work/podman.err"
wait_for 10 test "$(pm logs "$d" 2>&1 | grep -c ' running (pid')" = 2 || die "restart"
wait_for 10 checked_since "$d" "$seen" || die "restart: the schedule was not checked"
posts_are 3 && [ "$(state_of "$vol_d" last_sync)" = "$last" ] || die "a restart posted again"
pm stop -t 10 "$d" >/dev/null 2>&1
say "restart after today's post: nothing posted a second time"

# ---- a failed sync -------------------------------------------------------------------
vol_f=$(new_volume failing)
f=$tag-failing
pm run -d --name "$f" --network=host "${common[@]}" -e MAX_RETRIES=0 -v "$work/bad-secrets:/run/secrets:ro" \
  -v "$vol_f:/data" "$image" >/dev/null 2>>"$work/podman.err" || die "podman run"
wait_for 30 settled_as "$vol_f" error || { pm logs "$f"; die "the sync to a closed port did not fail"; }
# (inside the image's 2-minute start period, podman inspect keeps saying "starting")
health=$(pm healthcheck run "$f" 2>&1) && die "healthcheck after a failed sync: $health"
[ "$health" = unhealthy ] || die "healthcheck after a failed sync: $health"
pm stop -t 10 "$f" >/dev/null 2>&1
say "healthcheck after a failed sync: unhealthy"

# ---- scripts mounted over /app/scripts, reloaded on SIGHUP ---------------------------
# the days pass on a clock the suite moves (libfaketime, as the daemon tests do)
cp -r scripts "$work/scripts"
mkdir -m 0755 "$work/clock"
set_clock() { echo "@$1 x60" >"$work/clock/.next" && mv "$work/clock/.next" "$work/clock/clock"; }
set_clock "2026-11-26 09:00:00"
vol_h=$(new_volume reload)
h=$tag-reload
card="$work/scripts/card.lua"
before=$(posts)
pm run -d --name "$h" --network=host "${common[@]}" "${secrets[@]}" -v "$vol_h:/data" \
  -v "$work/scripts:/app/scripts:ro" -v "$faketime_lib:/opt/faketime/libfaketime.so.1:ro" -v "$work/clock:/clock:ro" \
  -e LD_PRELOAD=/opt/faketime/libfaketime.so.1 -e FAKETIME_TIMESTAMP_FILE=/clock/clock -e FAKETIME_NO_CACHE=1 \
  -e TZ=UTC -e NOTIFICATION_HOUR=08:00 "$image" >/dev/null 2>>"$work/podman.err" || die "podman run"
wait_for 30 posts_are $((before + 1)) && wait_for 10 settled_as "$vol_h" success || { pm logs "$h"; die "reload: first card"; }
original=$(card_title)
cp "$card" "$work/card.lua.good"
sed -i 's/^local M = {}$/local M = {/' "$card"
cmp -s "$card" "$work/card.lua.good" && die "reload: the broken edit changed nothing"
pm kill -s HUP "$h" >/dev/null
wait_for 10 logs_have "$h" "reload failed, keeping the running configuration and scripts" || { pm logs "$h"; die "reload: broken edit"; }
set_clock "2026-11-27 09:00:00"
wait_for 30 posts_are $((before + 2)) && wait_for 10 settled_as "$vol_h" success || { pm logs "$h"; die "reload: second card"; }
[ "$(card_title)" = "$original" ] || die "reload: a broken edit changed the card"
sed 's/^    title = "🎯 Top priority issues",$/    title = "📌 Today",/' "$work/card.lua.good" >"$card"
pm kill -s HUP "$h" >/dev/null
wait_for 10 logs_have "$h" "reloaded /app/config.lua and the scripts in" || { pm logs "$h"; die "reload: good edit"; }
set_clock "2026-11-28 09:00:00"
wait_for 30 posts_are $((before + 3)) && wait_for 10 settled_as "$vol_h" success || { pm logs "$h"; die "reload: third card"; }
[ "$(card_title)" = "📌 Today" ] || die "reload: the card is \"$(card_title)\" after the edit and HUP"
pm stop -t 10 "$h" >/dev/null 2>&1
say "scripts mounted over /app/scripts: a broken edit + HUP keeps the old card; a good one + HUP changes the next card"

# ---- compose -------------------------------------------------------------------------
mkdir -p "$work/compose/secrets"
cp docker-compose.yml "$work/compose/"
cp "$work/env" "$work/compose/.env"
cp -p "$work"/secrets/* "$work/compose/secrets/"
# the suite's own image, container and volume names (a real plane-teams on this machine
# is left alone), and the host's loopback to reach the fakes
cat >"$work/compose/docker-compose.override.yml" <<EOF
services:
  plane-teams:
    image: $image
    container_name: $tag-compose
    network_mode: host
volumes:
  plane-teams-data:
    name: $tag-compose-data
EOF
before=$(posts)
compose up -d >"$work/compose.log" 2>&1 || { cat "$work/compose.log"; die "podman-compose up"; }
wait_for 30 posts_are $((before + 1)) && wait_for 10 settled_as "$tag-compose-data" success \
  || { pm logs "$tag-compose"; die "podman-compose up: no post"; }
compose logs plane-teams >"$work/compose-logs.out" 2>&1 || die "podman-compose logs"
grep -q "posted" "$work/compose-logs.out" || { cat "$work/compose-logs.out"; die "podman-compose logs: no post in them"; }
compose exec -T plane-teams plane-teams status >"$work/status.out" 2>&1 || { cat "$work/status.out"; die "podman-compose exec status"; }
grep -q "last status: success" "$work/status.out" || { cat "$work/status.out"; die "podman-compose exec status"; }
compose down >>"$work/compose.log" 2>&1 || die "podman-compose down"
[ -z "$(pm ps -aq --filter "name=^$tag-compose\$")" ] || die "podman-compose down left the container"
compose up -d >>"$work/compose.log" 2>&1 || { cat "$work/compose.log"; die "podman-compose up again"; }
wait_for 10 test "$(pm logs "$tag-compose" 2>&1 | grep -c ' running (pid')" = 1 || die "podman-compose up again"
wait_for 10 checked_since "$tag-compose" 0 || die "podman-compose up again: the schedule was not checked"
posts_are $((before + 1)) || die "podman-compose up again posted a second card"
compose down >>"$work/compose.log" 2>&1 || die "podman-compose down"
# the same named volume with the plain run command of docs/docker.md
pm run -d --name "$tag-plain" --network=host "${common[@]}" "${secrets[@]}" -v "$tag-compose-data:/data" "$image" \
  >/dev/null 2>>"$work/podman.err"
wait_for 10 logs_have "$tag-plain" " running (pid" || die "plain run on the compose volume"
wait_for 10 checked_since "$tag-plain" 0 || die "plain run on the compose volume: the schedule was not checked"
posts_are $((before + 1)) || die "a plain run on the compose volume posted a second card"
pm stop -t 10 "$tag-plain" >/dev/null 2>&1
# the documented copy of an older compose volume into plane-teams-data
vol_copy=$(new_volume copy)
pm run --rm --network=none --label "plane-teams-test=$tag" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -v "$tag-compose-data:/from:ro" -v "$vol_copy:/data" --entrypoint cp "$image" -a /from/. /data/ \
  >"$work/copy.out" 2>&1 || { cat "$work/copy.out"; die "copying a volume as docs/docker.md says"; }
cmp -s "$(vol_dir "$tag-compose-data")/state.json" "$(vol_dir "$vol_copy")/state.json" || die "the copied state differs"
say "podman-compose (shipped file, .env from .env.example): up posts, logs, exec status, down, up again and a plain run on its volume post nothing more; the volume copies as documented"

say "all steps passed in $(( $(date +%s) - suite_start )) s"
