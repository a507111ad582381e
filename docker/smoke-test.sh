#!/usr/bin/env bash
# Builds both images and checks them for real, with a container engine:
#   1. the all-in-one image (default target): healthy, classifies, trains, exits 0 on stop, and a new container on
#      the same volume serves the saved model at once;
#   2. the serve image (--target serve): no libtorch in it, one trainer (all-in-one image, Role train) and two serve
#      containers on one volume: the replicas become ready with the trainer's first model, a job on the trainer
#      reaches both, and after serving predictions no replica process has libtorch (nor TorchSharp) in its memory maps.
# Run from anywhere:  bash docker/smoke-test.sh
# Environment (the defaults suit Docker; some hosts need extra flags, which belong here, not in the Dockerfile):
#   CONTAINER_ENGINE       docker (default) or podman
#   CONTAINER_ENGINE_ARGS  global engine flags, e.g. "--runtime runc"
#   CONTAINER_BUILD_ARGS   extra build flags, e.g. "--pull=never --format docker"
#   CONTAINER_RUN_ARGS     extra run flags, e.g. "--ulimit nofile=16384:16384"
#   IMAGE / SERVE_IMAGE    image names (fashionapi-smoke, fashionapi-smoke-serve)
#   SKIP_BUILD=1           use the images as they are
set -euo pipefail
cd "$(dirname "$0")/.."

read -r -a engine <<<"${CONTAINER_ENGINE:-docker} ${CONTAINER_ENGINE_ARGS:-}"
read -r -a build_args <<<"${CONTAINER_BUILD_ARGS:-}"
read -r -a run_args <<<"${CONTAINER_RUN_ARGS:-}"
image=${IMAGE:-fashionapi-smoke}
serve_image=${SERVE_IMAGE:-fashionapi-smoke-serve}
prefix="fashionapi-smoke-$$"
# Every container gets this run's API key (management routes need one outside Development); the curls send it.
api_key=${FASHIONAPI_API_KEY:-smoke-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
containers=() volumes=()

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; for c in "${containers[@]}"; do "${engine[@]}" logs --tail 40 "$c" >&2 2>&1 || true; done; exit 1; }
cleanup() {
  for c in "${containers[@]}"; do "${engine[@]}" rm -f "$c" >/dev/null 2>&1 || true; done
  for v in "${volumes[@]}"; do "${engine[@]}" volume rm -f "$v" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# run NAME IMAGE VOLUME [ENV=VALUE ...]: starts a container publishing 8080 on a free loopback port.
run() {
  local name=$1 img=$2 volume=$3; shift 3
  local env=(-e "FashionApi__ApiKey=$api_key"); for e in "$@"; do env+=(-e "$e"); done
  containers+=("$name")
  "${engine[@]}" run -d "${run_args[@]}" --name "$name" -p 127.0.0.1::8080 -v "$volume:/app/data/models" "${env[@]}" "$img" >/dev/null
}
url() { echo "http://$("${engine[@]}" port "$1" 8080 | head -n1)"; }
volume() { volumes+=("$1"); "${engine[@]}" volume create "$1" >/dev/null; }

# wait_for DESCRIPTION SECONDS COMMAND...: retries COMMAND every second.
wait_for() {
  local what=$1 seconds=$2; shift 2
  for ((i = 0; i < seconds; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "no $what within $seconds s"
}
ready() { curl -fsS "$(url "$1")/health/ready"; }
serving() { curl -fsS "$(url "$1")/status" | grep -q "\"modelVersion\":\"$2\""; }
job_done() { curl -fsS "$1" | grep -q '"status":"succeeded"'; }
json() { sed -E "s/.*\"$1\":\"([^\"]*)\".*/\1/"; }

# A 784-pixel image as JSON: a bright block in the middle, enough for a real forward pass.
pixels=$(for ((i = 0; i < 784; i++)); do r=$((i / 28)) c=$((i % 28)); if ((r > 6 && r < 22 && c > 8 && c < 20)); then printf '200,'; else printf '0,'; fi; done)
predict() { curl -fsS -H 'Content-Type: application/json' -d "{\"pixels\":[${pixels%,}]}" "$(url "$1")/predict"; }

healthy() {
  if [[ ${engine[0]} == podman ]]; then "${engine[@]}" healthcheck run "$1"
  else [[ $("${engine[@]}" inspect --format '{{.State.Health.Status}}' "$1") == healthy ]]; fi
}

train() { # train CONTAINER → prints the new model version
  local location
  location=$(curl -fsS -D - -o /dev/null -H "X-Api-Key: $api_key" -H 'Content-Type: application/json' -d '{"preset":"seed","epochs":2}' "$(url "$1")/train" \
             | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
  [[ -n $location ]] || fail "POST /train on $1 gave no Location"
  wait_for "finished job on $1" 180 job_done "$(url "$1")$location"
  curl -fsS "$(url "$1")$location" | json modelVersion
}

# Files mapped by the container's PID 1 (dotnet) whose name mentions torch: libtorch, or even the managed TorchSharp.dll.
torch_maps() { "${engine[@]}" exec "$1" sh -c 'grep -ci torch /proc/1/maps || true'; }

if [[ -z ${SKIP_BUILD:-} ]]; then
  say "Building $image (default target) and $serve_image (--target serve) with ${engine[*]}"
  "${engine[@]}" build "${build_args[@]}" -f docker/Dockerfile -t "$image" .
  "${engine[@]}" build "${build_args[@]}" -f docker/Dockerfile --target serve -t "$serve_image" .
fi
size() { "${engine[@]}" image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1000000 }'; }
say "Image sizes: $image $(size "$image"), $serve_image $(size "$serve_image")"

say "1. All-in-one: healthy, classifies, trains, stops cleanly, a new container serves the saved model"
volume "$prefix-models"
run "$prefix-all" "$image" "$prefix-models"
wait_for "ready all-in-one container (first start trains the default preset)" 240 ready "$prefix-all"
wait_for "healthy HEALTHCHECK" 30 healthy "$prefix-all"
predict "$prefix-all" | grep -q '"className"' || fail "POST /predict did not classify"
trained=$(train "$prefix-all")
serving "$prefix-all" "$trained" || fail "the trained model $trained is not active"
"${engine[@]}" stop -t 10 "$prefix-all" >/dev/null
code=$("${engine[@]}" inspect --format '{{.State.ExitCode}}' "$prefix-all")
[[ $code == 0 ]] || fail "the all-in-one container exited with $code on stop"
run "$prefix-again" "$image" "$prefix-models"
wait_for "second container serving $trained" 60 serving "$prefix-again" "$trained"
echo "ok: healthy, classified, trained $trained, exit code 0 on stop, served again by a new container"
"${engine[@]}" rm -f "$prefix-all" "$prefix-again" >/dev/null

say "2. Serve image: no libtorch in it"
if "${engine[@]}" run --rm "${run_args[@]}" --entrypoint sh "$serve_image" -c 'ls /app | grep -i torch | grep "\.so"'; then
  fail "the serve image contains libtorch libraries"
fi
echo "ok: no libtorch library in $serve_image"

say "3. One trainer and two serve replicas on one volume"
volume "$prefix-shared"
run "$prefix-trainer" "$image" "$prefix-shared" FashionApi__Role=train FashionApi__TrainOnStartup=false
run "$prefix-replica-1" "$serve_image" "$prefix-shared"
run "$prefix-replica-2" "$serve_image" "$prefix-shared"
live() { curl -fsS "$(url "$1")/health/live"; }
for r in 1 2; do
  wait_for "replica $r answering" 60 live "$prefix-replica-$r"
  status=$(curl -s -o /dev/null -w '%{http_code}' "$(url "$prefix-replica-$r")/health/ready" || true)
  [[ $status == 503 ]] || fail "replica $r on an empty volume answered $status, not 503"
done
first=$(train "$prefix-trainer")
for r in 1 2; do wait_for "replica $r serving $first" 30 serving "$prefix-replica-$r" "$first"; done
wait_for "healthy replica" 30 healthy "$prefix-replica-1"
second=$(train "$prefix-trainer")
for r in 1 2; do wait_for "replica $r serving $second" 10 serving "$prefix-replica-$r" "$second"; done
for r in 1 2; do
  for _ in 1 2 3 4 5; do predict "$prefix-replica-$r" | grep -q "\"modelVersion\":\"$second\"" || fail "replica $r did not classify with $second"; done
  [[ $(torch_maps "$prefix-replica-$r") == 0 ]] || fail "replica $r has TorchSharp or libtorch in its memory maps"
done
[[ $(torch_maps "$prefix-trainer") -gt 0 ]] || fail "the trainer shows no libtorch in its maps: the check cannot see it"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "X-Api-Key: $api_key" -H 'Content-Type: application/json' -d '{}' "$(url "$prefix-replica-1")/train" || true)
[[ $code == 409 ]] || fail "POST /train on a replica answered $code, not 409"
echo "ok: replicas not ready on an empty volume, ready with $first, switched to $second, neither libtorch nor TorchSharp mapped after predictions, 409 on POST /train"

say "Smoke test passed"
