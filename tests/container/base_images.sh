#!/usr/bin/env bash
# Creates the Dockerfile's base images, debian:bookworm and debian:bookworm-slim, in
# podman's local store when they are missing or were made from other inputs, from the
# machine's Debian mirror with mmdebstrap (no image registry needed). The slim one leaves out documentation,
# manuals and translations the way the official slim image does, and keeps that rule
# for packages installed later.
# usage: tests/container/base_images.sh
set -euo pipefail

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
slim_rules=(
  path-exclude=/usr/share/doc/* path-include=/usr/share/doc/*/copyright
  path-exclude=/usr/share/man/* path-exclude=/usr/share/groff/* path-exclude=/usr/share/info/*
  path-exclude=/usr/share/lintian/* path-exclude=/usr/share/linda/* path-exclude=/usr/share/locale/*
)

# The inputs of a base image: its name, the mirror, its dpkg rules and this recipe. Their
# hash is a label of the image; an image with the same label is reused, any other remade.
recipe=$(sha256sum "$0" | cut -c1-16)
inputs_of() { printf '%s\n' "$recipe" "$mirror" "$@" | sha256sum | cut -c1-16; }

make_base() { # NAME [dpkg options…]
  local name=$1; shift
  local want have
  want=$(inputs_of "$name" "$@")
  have=$(podman image inspect --format '{{index .Labels "plane-teams.base-inputs"}}' "docker.io/library/$name" 2>/dev/null || true)
  if [ "$have" = "$want" ]; then return 0; fi
  local opts=() rule start log
  for rule in "$@"; do opts+=(--dpkgopt="$rule"); done
  start=$(date +%s)
  log=$(mktemp)
  # merged /usr made by the hook, as in the official image (not the usrmerge package and Perl)
  # shellcheck disable=SC2016  # $1 is for the hook, not this shell
  mmdebstrap --quiet --variant=minbase --format=tar "${opts[@]}" \
      --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
      --customize-hook='rm -f "$1"/var/cache/apt/*.bin; rm -rf "$1"/var/lib/apt/lists/*' \
      bookworm - "deb $mirror bookworm main" 2>"$log" \
    | podman import --quiet --change 'CMD ["bash"]' --change "LABEL plane-teams.base-inputs=$want" - \
        "docker.io/library/$name" >/dev/null \
    || { cat "$log"; rm -f "$log"; echo "base image $name: mmdebstrap or podman import failed"; exit 1; }
  rm -f "$log"
  echo "base image $name: made with mmdebstrap in $(( $(date +%s) - start )) s"
}

make_base debian:bookworm
make_base debian:bookworm-slim "${slim_rules[@]}"
