#!/usr/bin/env bash
# Proves the image's runtime stage is complete without a Docker engine: builds a
# bookworm-slim-like root with mmdebstrap holding exactly the Dockerfile's runtime
# packages, puts the binary, config.lua and scripts where the Dockerfile does, and runs
# `check` and `once --dry-run` as the non-root user (uid 10001) against the fake Plane.
# usage: tests/container/runtime_root.sh build/plane-teams
set -euo pipefail
bin=$(realpath "$1")
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root_dir"

if ! command -v mmdebstrap >/dev/null; then
  echo "runtime root: SKIPPED: mmdebstrap is not installed (Debian package mmdebstrap)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "runtime root: SKIPPED: needs root (chroot)"
  exit 0
fi

packages=$(sed -n 's/^ARG RUNTIME_PACKAGES="\(.*\)"$/\1/p' Dockerfile)
[ -n "$packages" ] || { echo "runtime root: no ARG RUNTIME_PACKAGES line in the Dockerfile"; exit 1; }
cache=${PT_RUNTIME_ROOT_CACHE:-build/runtime-root.tar}
work=$(mktemp -d)
rootfs="$work/root"
fake_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
  umount -l "$rootfs/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# the root is cached per package list: a rebuild only when the Dockerfile's list changes
stamp="$cache.packages"
if [ ! -s "$cache" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$packages" ]; then
  echo "runtime root: mmdebstrap bookworm with: $packages"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  mmdebstrap --quiet --variant=essential --include="${packages// /,},passwd" bookworm "$cache" \
    "deb ${mirror:-http://deb.debian.org/debian} bookworm main"
  echo "$packages" > "$stamp"
fi
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$cache"

# what the Dockerfile does
install -m 0755 "$bin" "$rootfs/usr/local/bin/plane-teams"
mkdir -p "$rootfs/app" "$rootfs/data/logs"
cp config.lua "$rootfs/app/config.lua"
cp -r scripts "$rootfs/app/scripts"
chroot "$rootfs" groupadd --gid 10001 plane-teams
chroot "$rootfs" useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home \
  --shell /usr/sbin/nologin plane-teams
chown -R 10001:10001 "$rootfs/data"
mount -t proc proc "$rootfs/proc" 2>/dev/null || true

token=plane_api_0123456789abcdef0123456789abcdef
portfile="$work/port"
python3 tests/fakes/fake_plane.py --data examples/plane-data.json --token "$token" >"$portfile" &
fake_pid=$!
for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
port=$(head -1 "$portfile")

run() {
  chroot --userspec=10001:10001 "$rootfs" /usr/bin/env -i HOME=/data PATH=/usr/local/bin:/usr/bin:/bin \
    PLANE_TEAMS_CONFIG=/app/config.lua STATE_FILE=/data/state.json LOG_FILE=/data/logs/plane-teams.log \
    PLANE_API_TOKEN="$token" PLANE_WORKSPACE=acme TZ=Europe/Paris \
    PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b,b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13 \
    PLANE_BASE_URL="http://127.0.0.1:$port" PLANE_APP_URL=https://app.plane.so \
    TEAMS_WEBHOOK_URL=https://example.webhook.office.com/webhookb2/x \
    sh -c 'cd /data && exec plane-teams --scripts /app/scripts "$@"' plane-teams "$@"
}

fail=0
if out=$(run check 2>&1) && grep -q "check: ok" <<<"$out"; then
  echo "runtime root: check as uid 10001: ok"
else
  echo "runtime root: check failed:"; echo "$out"; fail=1
fi
if out=$(run once --dry-run 2>"$work/err") && grep -q '"type":"message"' <<<"$out" \
   && grep -q "13 matching, 10 on the card" "$work/err"; then
  echo "runtime root: once --dry-run against the fake Plane as uid 10001: ok (10 rows)"
else
  echo "runtime root: once --dry-run failed:"; cat "$work/err"; fail=1
fi
# the libraries the binary needs all come from the runtime packages
missing=$(chroot "$rootfs" /usr/bin/ldd /usr/local/bin/plane-teams 2>&1 | grep "not found" || true)
[ -z "$missing" ] || { echo "runtime root: missing libraries: $missing"; fail=1; }
exit $fail
