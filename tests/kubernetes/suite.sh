#!/usr/bin/env bash
# The Kubernetes suite: dist/kubernetes built with kubectl kustomize, every object checked
# against Kubernetes' own schemas (tools/k8scheck), and the Deployment run with
# `podman kube play` against the fake Plane and fake Teams on the host's loopback. One line
# per step. Needs root, kubectl, Node with tools/k8scheck's modules, podman, runc,
# catatonit, mmdebstrap (make test-kubernetes installs them); a missing one is a failure.
# usage: tests/kubernetes/suite.sh          (docs/kubernetes.md, "tests")
# shellcheck disable=SC2015  # "A && B || die": die when either fails, as meant
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root_dir"
suite_start=$(date +%s)

say() { echo "kubernetes: $*"; }
die() { say "FAILED: $*"; exit 1; }

# shellcheck source=tests/container/common.sh
. tests/container/common.sh

missing=()
need kubectl node podman runc catatonit mmdebstrap python3
[ -d tools/k8scheck/node_modules/kubernetes-models ] || missing+=("tools/k8scheck/node_modules (npm ci --prefix tools/k8scheck)")
needs_met "make test-kubernetes installs them"

tag=pt-k8s-$$
image=$(suite_image) # the container suite's: shared by both suites
work=$(suite_folder)
fakes=()
# runc and the cgroupfs manager, as the container suite (docs/docker.md); kube play takes
# no --ulimit, so the limits runc needs come from a containers.conf of the suite's own
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$work/containers.conf"
pm() { CONTAINERS_CONF="$work/containers.conf" podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
left_behind() { # everything of this suite podman still has
  pm pod ps -q --filter "name=^$tag" 2>/dev/null
  pm ps -aq --filter "name=^$tag" 2>/dev/null
  pm volume ls -q --filter "name=^$tag" 2>/dev/null
  pm secret ls --format '{{.Name}}' 2>/dev/null | grep "^$tag" || true
}

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local rc=$? f
  trap - EXIT INT TERM
  set +e # remove everything that can be removed
  for f in "$work"/play-*.json; do [ -f "$f" ] && pm kube down "$f" >/dev/null 2>&1; done
  # shellcheck disable=SC2046
  pm pod rm -f $(pm pod ps -q --filter "name=^$tag") >/dev/null 2>&1
  # shellcheck disable=SC2046
  pm volume rm -f $(pm volume ls -q --filter "name=^$tag") >/dev/null 2>&1
  for f in $(pm secret ls --format '{{.Name}}' 2>/dev/null | grep "^$tag"); do pm secret rm "$f" >/dev/null 2>&1; done
  for pid in "${fakes[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$(left_behind)" ]; then say "FAILED: pods, containers, volumes or secrets left behind"; rc=1; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { node tools/k8scheck/check.mjs "$@"; }

# ---- kustomize --------------------------------------------------------------------------
kubectl kustomize dist/kubernetes >"$work/base.yaml" 2>"$work/kustomize.err" || { cat "$work/kustomize.err"; die "kubectl kustomize dist/kubernetes"; }
[ ! -s "$work/kustomize.err" ] || { cat "$work/kustomize.err"; die "kubectl kustomize dist/kubernetes printed warnings"; }
kversion=$(kubectl version --client 2>/dev/null | grep -o 'v[0-9][0-9.]*' | sed -n 1p)
say "kubectl kustomize dist/kubernetes: builds, no warning ($kversion)"

# a team's own card: the overlay of docs/kubernetes.md, made here from the repository's
# config.lua and scripts, the card's title changed so that the posted card shows which
# scripts ran
mkdir -p "$work/card/scripts"
python3 - docs/kubernetes.md "$root_dir/dist/kubernetes" "$work/card" <<'EOF' || die "the overlay of docs/kubernetes.md"
import os, re, sys
doc, base, out = sys.argv[1:]
blocks = re.findall(r"```yaml\n(.*?)```", open(doc, encoding="utf-8").read(), re.S)
text, = [b for b in blocks if b.startswith("# my-plane-teams/kustomization.yaml: your own card")]
assert "  - ../plane-teams/dist/kubernetes\n" in text, text
text = text.replace("../plane-teams/dist/kubernetes", os.path.relpath(base, out))
open(os.path.join(out, "kustomization.yaml"), "w", encoding="utf-8").write(text)
EOF
cp config.lua "$work/card/"
cp scripts/transform.lua "$work/card/scripts/"
sed 's/title = "🎯 Top priority issues",/title = "📌 From the ConfigMap",/' scripts/card.lua >"$work/card/scripts/card.lua"
! cmp -s scripts/card.lua "$work/card/scripts/card.lua" || die "scripts/card.lua has no title \"🎯 Top priority issues\" to change"
kubectl kustomize "$work/card" >"$work/card.yaml" 2>"$work/kustomize.err" || { cat "$work/kustomize.err"; die "kubectl kustomize of the overlay of docs/kubernetes.md"; }
[ ! -s "$work/kustomize.err" ] || { cat "$work/kustomize.err"; die "the overlay of docs/kubernetes.md printed warnings"; }
say "kubectl kustomize of the overlay of docs/kubernetes.md (its own config.lua and card, made from the repository's): builds, no warning"

# the CronJob: the component next to the base, in an overlay as docs/kubernetes.md shows
mkdir "$work/cronjob"
rel=$(python3 -c 'import os,sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$root_dir/dist/kubernetes" "$work/cronjob")
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\ncomponents:\n  - %s/components/cronjob\n' \
  "$rel" "$rel" >"$work/cronjob/kustomization.yaml"
if kubectl kustomize "$work/cronjob" >"$work/cronjob.yaml" 2>"$work/kustomize.err"; then
  [ ! -s "$work/kustomize.err" ] || { cat "$work/kustomize.err"; die "the cronjob overlay printed warnings"; }
  cron_files=("$work/cronjob.yaml")
  say "kubectl kustomize of an overlay with components/cronjob: builds, no warning"
elif grep -q 'json: unknown field "components"\|must resolve to a file\|must be a file' "$work/kustomize.err"; then
  # Debian bookworm's kubectl is 1.20 (kustomize 2.0.3): no components, no folder as a resource
  cron_files=(dist/kubernetes/components/cronjob/cronjob.yaml)
  say "SKIP: the cronjob overlay: this kubectl's kustomize is too old for components ($kversion); cronjob.yaml checked alone"
else
  cat "$work/kustomize.err"; die "kubectl kustomize of the cronjob overlay"
fi

# ---- the schemas -------------------------------------------------------------------------
check --json "$work/base.json" "$work/base.yaml" >"$work/check.out" || { cat "$work/check.out"; die "the base's objects"; }
check --json "$work/cronjob.json" "${cron_files[@]}" >>"$work/check.out" || { cat "$work/check.out"; die "the cronjob's objects"; }
check --json "$work/card.json" "$work/card.yaml" >>"$work/check.out" || { cat "$work/check.out"; die "the overlay's objects"; }
# the checker itself refuses a misspelt field and a wrong type
sed 's/readOnlyRootFilesystem/readOnlyRootFileSystem/' "$work/base.yaml" >"$work/typo.yaml"
{ check "$work/typo.yaml" 2>&1 || true; } | grep -q "FAIL Deployment plane-teams (apps/v1): unknown field .*readOnlyRootFileSystem" \
  || die "k8scheck accepts a misspelt field"
sed 's/concurrencyPolicy: Forbid/concurrencyPolicy: 1/' "${cron_files[0]}" >"$work/type.yaml"
{ check "$work/type.yaml" 2>&1 || true; } | grep -q "FAIL CronJob plane-teams (batch/v1): .*concurrencyPolicy must be string" \
  || die "k8scheck accepts a wrong type"
say "schemas (kubernetes-models $(node -p 'require("./tools/k8scheck/node_modules/kubernetes-models/package.json").version')): $(grep -c '^ok ' "$work/check.out") objects valid; a misspelt field and a wrong type are refused"

# ---- what the objects say ----------------------------------------------------------------------
python3 - "$work/base.json" "$work/cronjob.json" config.lua "$work/card.json" <<'EOF' || die "the manifests"
import json, re, sys
base, cron = (json.load(open(p)) for p in sys.argv[1:3])
reads = set(re.findall(r'env\("([A-Z_]+)"', open(sys.argv[3]).read()))
card = json.load(open(sys.argv[4]))
settings = next(o for o in base if o["metadata"]["name"].startswith("plane-teams-settings-"))["data"]
assert set(settings) <= reads, f"settings config.lua does not read: {set(settings) - reads}"
assert not {"PLANE_API_TOKEN", "TEAMS_WEBHOOK_URL"} & set(settings), "a secret among the settings"
kinds = sorted(o["kind"] for o in base)
assert kinds == ["ConfigMap", "Deployment", "PersistentVolumeClaim"], kinds
dep = next(o for o in base if o["kind"] == "Deployment")
spec = dep["spec"]
assert spec["replicas"] == 1 and spec["strategy"] == {"type": "Recreate"}, spec
pod = spec["template"]["spec"]
c, = pod["containers"]
assert c["args"] == ["run"], c["args"]
assert c["livenessProbe"]["exec"]["command"] == ["plane-teams", "status", "--alive"]
assert c["readinessProbe"]["exec"]["command"] == ["plane-teams", "status"]
def hardened(pod, c):
    psc, sc = pod["securityContext"], c["securityContext"]
    assert psc["runAsNonRoot"] and psc["runAsUser"] == 10001 and psc["runAsGroup"] == 10001, psc
    assert psc["seccompProfile"] == {"type": "RuntimeDefault"}, psc
    assert sc["readOnlyRootFilesystem"] and sc["allowPrivilegeEscalation"] is False, sc
    assert sc["capabilities"] == {"drop": ["ALL"]}, sc
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["PLANE_API_TOKEN_FILE"].startswith("/run/secrets/plane-teams/"), env
    assert env["TEAMS_WEBHOOK_URL_FILE"].startswith("/run/secrets/plane-teams/"), env
    assert "PLANE_API_TOKEN" not in env and "TEAMS_WEBHOOK_URL" not in env, env
    assert {"cpu", "memory"} <= set(c["resources"]["requests"]) and {"cpu", "memory"} <= set(c["resources"]["limits"])
    vols = {v["name"]: v for v in pod["volumes"]}
    assert vols["data"]["persistentVolumeClaim"]["claimName"] == "plane-teams-data"
    assert vols["secrets"]["secret"]["secretName"] == "plane-teams-secrets"
    return vols
vols = hardened(pod, c)
# the base runs the image's config.lua and scripts: no ConfigMap mounted, the image's PLANE_TEAMS_CONFIG
assert set(vols) == {"data", "secrets"}, vols
assert "PLANE_TEAMS_CONFIG" not in {e["name"] for e in c["env"]}, c["env"]
# the overlay of docs/kubernetes.md: its ConfigMaps mounted over the image's, by their generated names
maps = {o["metadata"]["name"]: o for o in card if o["kind"] == "ConfigMap"}
cdep, = [o for o in card if o["kind"] == "Deployment"]
cpod = cdep["spec"]["template"]["spec"]
cvols = {v["name"]: v for v in cpod["volumes"]}
mounts = {m["name"]: m for m in cpod["containers"][0]["volumeMounts"]}
assert mounts["scripts"]["mountPath"] == "/app/scripts" and mounts["config"]["mountPath"] == "/etc/plane-teams", mounts
assert mounts["scripts"]["readOnly"] and mounts["config"]["readOnly"], mounts
scripts = maps[cvols["scripts"]["configMap"]["name"]]["data"]
assert sorted(scripts) == ["card.lua", "transform.lua"], sorted(scripts)
assert 'title = "📌 From the ConfigMap",' in scripts["card.lua"]
assert "config.lua" in maps[cvols["config"]["configMap"]["name"]]["data"]
csettings = next(o for n, o in maps.items() if n.startswith("plane-teams-settings-"))["data"]
assert csettings["PLANE_TEAMS_CONFIG"] == "/etc/plane-teams/config.lua", csettings
assert {k: v for k, v in csettings.items() if k != "PLANE_TEAMS_CONFIG"} == settings, csettings
hardened(cpod, cpod["containers"][0])
cj = next(o for o in cron if o["kind"] == "CronJob")
assert not any(o["kind"] == "Deployment" for o in cron), "the cronjob overlay keeps the Deployment"
s = cj["spec"]
assert s["timeZone"] and s["concurrencyPolicy"] == "Forbid" and s["startingDeadlineSeconds"] > 0, s
jpod = s["jobTemplate"]["spec"]["template"]["spec"]
jc, = jpod["containers"]
assert jc["args"] == ["once"], jc["args"]
hardened(jpod, jc)
EOF
say "base: the image's config.lua and scripts (no ConfigMap of them); overlay: its ConfigMaps over /app/scripts and /etc/plane-teams, the changed title; settings: only variables config.lua reads, no secret; Deployment: 1 replica, Recreate, run, liveness 'status --alive', readiness 'status', hardened, secrets as _FILE; CronJob: once, timeZone, Forbid, startingDeadlineSeconds, the same volume"

# ---- the image ---------------------------------------------------------------------------
build_start=$(date +%s)
build_image "$image"
say "image $image built in $(( $(date +%s) - build_start )) s (the container suite's build, from its layer cache when warm)"

# ---- the fakes and the pod's manifests -----------------------------------------------------
start_fakes
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# a zone where it is about noon: the 06:00 digest is due now and today does not end here
off=$((12 - 10#$(date -u +%H)))
if ((off > 0)); then tz="Etc/GMT-$off"; else tz="Etc/GMT+$((-off))"; fi

# podman keeps Secrets in its own store: a secret volume reads the podman secret of that
# name, whose content is a Secret object (podman 4.3 uses its data values as they are)
make_secret() { # NAME WEBHOOK
  python3 -c 'import json,sys; print(json.dumps({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": sys.argv[1]},
    "data": {"plane_api_token": sys.argv[2], "teams_webhook_url": sys.argv[3]}}))' "$1" "$token" "$2" >"$work/$1.json"
  pm secret create "$1" "$work/$1.json" >/dev/null || die "podman secret create $1"
}
# the overlay of docs/kubernetes.md as built above, with the suite's names (unique: other podman users on this
# machine), its image, the fakes' settings and MAX_RETRIES
play_file() { # NAME [SETTING=VALUE…]: writes $work/play-NAME.json
  local name=$1; shift
  python3 - "$work/card.json" "$work/play-$name.json" "$tag-$name" "$image" "$@" <<'EOF'
import json, sys
src, out, prefix, image, *settings = sys.argv[1:]
objs = json.load(open(src))
renamed = {}
for o in objs:
    old = o["metadata"]["name"]
    o["metadata"]["name"] = renamed[old] = f"{prefix}-{old}"
renamed["plane-teams-secrets"] = f"{prefix}-secrets"
for o in objs:
    if o["kind"] == "ConfigMap" and o["metadata"]["name"].startswith(f"{prefix}-plane-teams-settings"):
        o["data"].update(s.split("=", 1) for s in settings)
    if o["kind"] != "Deployment":
        continue
    pod = o["spec"]["template"]["spec"]
    c = pod["containers"][0]
    c["image"] = image
    c["envFrom"][0]["configMapRef"]["name"] = renamed[c["envFrom"][0]["configMapRef"]["name"]]
    for v in pod["volumes"]:
        for kind, key in (("configMap", "name"), ("persistentVolumeClaim", "claimName"), ("secret", "secretName")):
            if kind in v:
                v[kind][key] = renamed[v[kind][key]]
with open(out, "w", encoding="utf-8") as f:  # a YAML stream of JSON documents
    f.write("".join("---\n" + json.dumps(o, ensure_ascii=False) + "\n" for o in objs))
EOF
}
settings=(PLANE_BASE_URL="http://127.0.0.1:$plane_port" PLANE_WORKSPACE=acme
  "PLANE_PROJECT_ID=4af68566-94a4-4eb3-94aa-50dc9427067b,b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13"
  NOTIFICATION_HOUR=06:00 TZ="$tz")
play() { # NAME: kube play on the host's network (loopback reaches the fakes)
  pm kube play --network host "$work/play-$1.json" >"$work/play-$1.out" 2>&1 || { cat "$work/play-$1.out"; die "podman kube play ($1)"; }
}
down() { # NAME
  pm kube down "$work/play-$1.json" >>"$work/play-$1.out" 2>&1 || { cat "$work/play-$1.out"; die "podman kube down ($1)"; }
  rm "$work/play-$1.json"
}

# ---- the Deployment under podman kube play ----------------------------------------------------
d=$tag-daemon
ctr=$d-plane-teams-pod-0-plane-teams
make_secret "$d-secrets" "$teams_url"
play_file daemon "${settings[@]}"
cp "$work/play-daemon.json" "$work/play-daemon.keep"
start=$(date +%s%N)
play daemon
wait_for 60 posts_are 1 && wait_for 10 settled_as "$d-plane-teams-data" success || { pm logs "$ctr"; die "the Deployment posted no card"; }
say "podman kube play: the Deployment posted its card $(( ($(date +%s%N) - start) / 1000000 )) ms after the play"
[ "$(pm exec "$ctr" id -u)" = 10001 ] || die "the pod does not run as uid 10001"
! pm exec "$ctr" touch /app/x 2>/dev/null || die "the root filesystem is writable"
[ "$(card_title)" = "📌 From the ConfigMap" ] || die "the card is \"$(card_title)\": not from the ConfigMap's scripts"
pm exec "$ctr" plane-teams check >"$work/check.out" 2>&1 || { cat "$work/check.out"; die "exec check"; }
grep -q "^config: /etc/plane-teams/config.lua$" "$work/check.out" || { cat "$work/check.out"; die "check: not the ConfigMap's config.lua"; }
pm exec "$ctr" plane-teams status >"$work/status.out" 2>&1 || { cat "$work/status.out"; die "exec status"; }
grep -q "last status: success" "$work/status.out" || { cat "$work/status.out"; die "exec status"; }
pm exec "$ctr" plane-teams status --alive >"$work/alive.out" 2>&1 || { cat "$work/alive.out"; die "exec status --alive"; }
grep -q "alive: plane-teams (pid 1) holds /data/state.json.lock" "$work/alive.out" || { cat "$work/alive.out"; die "status --alive"; }
health=$(pm healthcheck run "$ctr" 2>&1) || die "the liveness probe (a podman healthcheck) after a post: $health"
grep -r -q -e "$token" -e S3cr3tS1gnature "$(vol_dir "$d-plane-teams-data")" && die "a secret reached /data"
sleep 3
posts_are 1 || die "the Deployment posted $(posts) cards, not 1"
say "the pod: the ConfigMaps' config.lua and scripts (check, the card's title), uid 10001, read-only root, status and status --alive, the liveness probe passes, exactly 1 card, no secret in /data"

down daemon
[ -z "$(pm pod ps -q --filter "name=^$d")$(pm ps -aq --filter "name=^$d")" ] || die "podman kube down left a pod or a container"
mapfile -t kept < <(pm volume ls -q --filter "name=^$d")
python3 - "$work/play-daemon.keep" "$d" "${kept[@]}" <<'EOF' || die "podman kube down kept: ${kept[*]}"
import json, sys
text, prefix, kept = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sorted(sys.argv[3:])
objs = [json.loads(doc) for doc in text.split("---\n") if doc.strip()]
# what a cluster keeps after the Deployment goes: the claim (the state); podman also
# keeps its copies of the ConfigMaps and of the Secret as volumes
want = sorted([o["metadata"]["name"] for o in objs if o["kind"] in ("ConfigMap", "PersistentVolumeClaim")] + [f"{prefix}-secrets"])
want = [n for n in want if not n.startswith(f"{prefix}-plane-teams-settings")]  # env, not a volume
assert kept == want, (kept, want)
EOF
say "podman kube down: no pod, no container left; kept only the claim's volume (the state) and podman's copies of the ConfigMaps and the Secret"

# a new rollout on the same claim: the state says today's card went out (the claim is
# there already, as in a cluster: the objects again, without it)
python3 -c 'import sys; docs = open(sys.argv[1], encoding="utf-8").read().split("---\n")
print("".join("---\n" + d for d in docs if d.strip() and "\"kind\": \"PersistentVolumeClaim\"" not in d), end="")' \
  "$work/play-daemon.keep" >"$work/play-daemon.json"
play daemon
wait_for 30 logs_have "$ctr" " running (pid" || { pm logs "$ctr"; die "the second rollout did not start"; }
sleep 3
posts_are 1 || die "a new rollout on the same claim posted again"
down daemon
say "a new rollout on the same claim: nothing posted a second time"

# ---- a failing digest: not ready, still alive -----------------------------------------------
f=$tag-failing
fctr=$f-plane-teams-pod-0-plane-teams
make_secret "$f-secrets" "${teams_url/:$teams_port/:$closed_port}"
play_file failing "${settings[@]}" MAX_RETRIES=0
cp "$work/play-failing.json" "$work/play-failing.keep"
play failing
wait_for 60 settled_as "$f-plane-teams-data" error || { pm logs "$fctr"; die "the sync to a closed port did not fail"; }
pm exec "$fctr" plane-teams status >/dev/null 2>&1 && die "readiness (status) passes while the digest fails"
health=$(pm healthcheck run "$fctr" 2>&1) || die "the liveness probe fails while the daemon runs: $health"
down failing
say "a failing digest: the readiness command (status) fails, the liveness probe (status --alive) passes: not ready, never restarted"

# ---- nothing left ------------------------------------------------------------------------
# shellcheck disable=SC2046
pm volume rm $(pm volume ls -q --filter "name=^$tag") >/dev/null || die "removing the volumes"
for s in "$d-secrets" "$f-secrets"; do pm secret rm "$s" >/dev/null || die "podman secret rm $s"; done
[ -z "$(left_behind)" ] || die "left behind: $(left_behind | tr '\n' ' ')"
say "all steps passed in $(( $(date +%s) - suite_start )) s"
