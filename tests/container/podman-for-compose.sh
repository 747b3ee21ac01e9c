#!/usr/bin/env bash
# podman as the container suite gives it to podman-compose (--podman-path):
#  - the machine's settings: runc (crun refuses hybrid cgroups), cgroupfs, explicit ulimits;
#  - a work-around for podman-compose 1.0.3, which adds `--net <project>_default
#    --network-alias <service>` to every container, even one with `network_mode: host` or
#    `none`, and podman refuses that pair. Here that pair is dropped when the container
#    has its own network mode, and the project network it would create is not made.
# Every other call goes to podman unchanged.
set -euo pipefail
podman=(podman --runtime runc --cgroup-manager=cgroupfs)

if [ "${1:-}" = network ] && [ "${2:-}" = exists ]; then
  exit 0 # "it exists": podman-compose does not create a bridge network nobody uses
fi
if [ "${1:-}" != run ] && [ "${1:-}" != create ]; then
  exec "${podman[@]}" "$@"
fi

args=("$@")
own_mode=0
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[i]}" = --network ] && [[ "${args[i + 1]:-}" =~ ^(host|none)$ ]]; then own_mode=1; fi
done
out=("${args[0]}" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
for ((i = 1; i < ${#args[@]}; i++)); do
  if [ $own_mode = 1 ] && { [ "${args[i]}" = --net ] || [ "${args[i]}" = --network-alias ]; }; then
    i=$((i + 1))
    continue
  fi
  out+=("${args[i]}")
done
exec "${podman[@]}" "${out[@]}"
