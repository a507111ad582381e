#!/usr/bin/env bash
# Benchmarks FashionApi and prints a markdown table (also written to bench/results/latest.md):
# training time and accuracy, POST /predict and /predict/batch over HTTP (wrk, loopback), the in-process predictor,
# memory during training and under load, and start-up time with a persisted model. Takes a few minutes.
#   bash bench/run.sh            (BENCH_PORT=... to use another loopback port than 5899)
source "$(dirname "$0")/common.sh"
url=http://127.0.0.1:${BENCH_PORT:-5899}
grpc=http://127.0.0.1:${BENCH_GRPC_PORT:-$((${BENCH_PORT:-5899} + 1))} # the Open Inference Protocol's gRPC endpoint
# The benchmark posts training jobs back to back from one address: lift the per-client limit on management routes.
export FashionApi__ManagementRequestsPerMinute=0
measurements=$results/measurements.txt
work=$(mktemp -d)
server_pid=""

log() { echo "[bench ${SECONDS}s] $*" >&2; }
record() { echo "$1=$2" >>"$measurements"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
own_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat"; }            # this script and its children
status_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$server_pid/status"; }

start_server() { # MODEL_DIR TRAIN_ON_STARTUP LOG_NAME
  # Two Kestrel endpoints, as the image has them: REST on $url, gRPC (HTTP/2 only) on $grpc.
  (cd "$work" && Kestrel__Endpoints__Http__Url=$url Kestrel__Endpoints__Grpc__Url=$grpc Kestrel__Endpoints__Grpc__Protocols=Http2 \
    FashionApi__ModelDirectory=$1 FashionApi__TrainOnStartup=$2 \
    FashionApi__DataDirectory=$dataset Logging__LogLevel__Default=Warning \
    exec dotnet "$publish/FashionApi.dll") >"$results/server-$3.log" 2>&1 &
  server_pid=$!
}
wait_ready() { # TIMEOUT_SECONDS
  local deadline=$(($(now_ms) + $1 * 1000))
  until curl -sf -o /dev/null "$url/health/ready"; do
    kill -0 "$server_pid" 2>/dev/null || { log "server exited; see $results/server-*.log"; exit 1; }
    [ "$(now_ms)" -lt "$deadline" ] || { log "server not ready after $1 s"; exit 1; }
    sleep 0.02
  done
}
# Waits for a training job to end by following its event stream, which closes after the job does: one request per job
# rather than a poll every few milliseconds, whose process starts would compete with the server for the cores.
wait_job() { curl -sfN -o /dev/null --max-time 600 "${key_header[@]}" "$url/train/$1/events" || true; }
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
ceiling_pid=""
trap 'stop_server; [ -z "$ceiling_pid" ] || kill "$ceiling_pid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if curl -s -o /dev/null "$url/"; then log "something already listens on $url; set BENCH_PORT"; exit 1; fi

log "building in Release (artifacts under $artifacts)"
dotnet publish src/FashionApi/FashionApi.csproj -c Release --artifacts-path "$artifacts" -o "$publish" --disable-build-servers -nologo -v quiet
dotnet build bench/FashionApi.Benchmarks/FashionApi.Benchmarks.csproj -c Release --artifacts-path "$artifacts" --disable-build-servers -nologo -v quiet
bench() { dotnet "$artifacts/bin/FashionApi.Benchmarks/release/FashionApi.Benchmarks.dll" "$@"; }

rm -f "$measurements" "$results"/wrk-*.txt "$results"/server-*.log
record machine_nproc "$(nproc)"
record machine_cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
record machine_memory "$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
record machine_date "$(date -u '+%Y-%m-%d %H:%M UTC')"
record dotnet_version "$(dotnet --version)"
record commit "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted changes in src')"
machine_busy_start=$(busy_ticks) own_start=$(own_ticks) elapsed_start=$(now_ms)

log "in-process: training (warm-up + 5 runs per preset) and SoftmaxClassifier throughput"
bench inprocess "$dataset" "$measurements"
log "product photos: accuracy of every kind (1,000 test images each) and the time to prepare a 1-megapixel JPEG"
bench photos "$dataset" 1000 "$measurements" >"$results/photos.md"
bench prepare "$dataset" "$work/bodies"
pngs=("$work"/bodies/png/*.png)

# Memory during training: a fresh server trains the default preset on start-up; then 10 more jobs via POST /train,
# one after the other (the peak settles after a few jobs, so one job alone would understate it).
models=$work/models
log "server with an empty model directory: training on start-up, then 10 POST /train jobs"
start_server "$models" true training
wait_ready 180
record server_startup_training_peak_rss_kb "$(status_kb VmHWM)"
for _ in $(seq 1 10); do
  job=$(curl -sf -X POST "${key_header[@]}" -H 'Content-Type: application/json' -d '{"preset":"default"}' "$url/train" |
    sed -E 's/.*"id":"([^"]+)".*/\1/')
  wait_job "$job"
  curl -sf "$url/train/$job" | grep -q '"status":"succeeded"' || { log "training job $job did not succeed"; exit 1; }
done
record server_train_peak_rss_kb "$(status_kb VmHWM)"
stop_server

# Start-up with the persisted model: process start to the first 200 from /health/ready, three times.
startups=()
for i in 1 2 3; do
  started=$(now_ms)
  FashionApi__TrainAtLowPriority=false start_server "$models" false "startup-$i" # normal priority, for comparison
  wait_ready 30
  startups+=($(($(now_ms) - started)))
  log "start-up $i: ${startups[-1]} ms"
  [ "$i" -eq 3 ] || stop_server
done
record startup_ms_all "${startups[*]}"
record startup_ms "$(printf '%s\n' "${startups[@]}" | sort -n | sed -n 2p)"

# The last server keeps running for the HTTP measurements. Memory first: RSS after exactly 1,000, 100,000 and 200,000
# single-image predictions (sent by the helper with 32 connections, every answer checked); then wrk measures.
log "POST /predict: 1,000 requests, RSS, 99,000 more, RSS, 100,000 more, RSS, then a measured 10 s wrk run"
bench http-load "$url/predict" "$work/bodies/png" 1000
record rss_after_first_kb "$(status_kb VmRSS)"
bench http-load "$url/predict" "$work/bodies/png" 99000
record rss_after_many_kb "$(status_kb VmRSS)"
bench http-load "$url/predict" "$work/bodies/png" 100000
record rss_after_more_kb "$(status_kb VmRSS)"
run_wrk() { # NAME WRK_ARGS... : saves wrk's output for the report
  local out=$results/wrk-$1.txt
  shift
  { echo "# wrk $*"; wrk "$@"; } >"$out"
}
run_wrk single -t2 -c32 -d10s --latency -s bench/post-files.lua "$url/predict" -- image/png "${pngs[@]}"
# The same from a client that accepts compressed answers, as browsers and most HTTP libraries do.
run_wrk single-accept-encoding -t2 -c32 -d10s --latency -s bench/post-files.lua "$url/predict" -- image/png \
  "Accept-Encoding: br, gzip" "${pngs[@]}"

# The ceiling: an ASP.NET Core endpoint that does no work (reads the body, answers a fixed prediction-sized JSON;
# bench/FashionApi.Benchmarks/Ceiling.cs), hosted as the service is, under the same wrk load, while the service idles.
log "the ceiling: a no-work ASP.NET Core POST /predict, the same wrk load"
ceiling_url=http://127.0.0.1:${BENCH_CEILING_PORT:-$((${BENCH_PORT:-5899} + 2))} # + 1 is the gRPC endpoint
(DOTNET_gcServer=1 exec dotnet "$artifacts/bin/FashionApi.Benchmarks/release/FashionApi.Benchmarks.dll" ceiling "$ceiling_url") \
  >"$results/server-ceiling.log" 2>&1 &
ceiling_pid=$!
until curl -sf -o /dev/null -H 'Content-Type: image/png' --data-binary "@${pngs[0]}" "$ceiling_url/predict"; do
  kill -0 "$ceiling_pid" 2>/dev/null || { log "the ceiling server exited; see $results/server-ceiling.log"; exit 1; }
  sleep 0.05
done
wrk -t2 -c32 -d5s -s bench/post-files.lua "$ceiling_url/predict" -- image/png "${pngs[@]}" >/dev/null # warm-up
run_wrk ceiling -t2 -c32 -d10s --latency -s bench/post-files.lua "$ceiling_url/predict" -- image/png "${pngs[@]}"
kill "$ceiling_pid"
wait "$ceiling_pid" 2>/dev/null || true

# The same load while training jobs (default preset) run back to back: one job at a time is queued as soon as the
# previous one ends. The jobs finished meanwhile are read from the service's own metrics.
succeeded_jobs() { curl -sf "$url/metrics" | awk '/^fashionapi_training_jobs_total\{.*outcome="succeeded"/ { n += $NF } END { print n + 0 }'; }
train_back_to_back() { # BODY
  while :; do
    local job
    job=$(curl -sf -X POST "${key_header[@]}" -H 'Content-Type: application/json' -d "$1" "$url/train" |
      sed -E 's/.*"id":"([^"]+)".*/\1/') || return 0
    wait_job "$job"
  done
}
wrk_while_training() { # NAME [BODY]
  local trainer before body=${2:-'{"preset":"default"}'}
  before=$(succeeded_jobs)
  train_back_to_back "$body" &
  trainer=$!
  sleep 1 # the first job is running
  run_wrk "$1" -t2 -c32 -d10s --latency -s bench/post-files.lua "$url/predict" -- image/png "${pngs[@]}"
  kill "$trainer" 2>/dev/null || true # it ends once its current command does:
  pkill -P "$trainer" 2>/dev/null || true # the curl following the current job
  wait "$trainer" 2>/dev/null || true
  record "$1_jobs" $(($(succeeded_jobs) - before))
}
log "POST /predict while training jobs run back to back (training at normal priority, TrainAtLowPriority=false)"
wrk_while_training single-training-normal
# scratch and builtin cannot train below request handling (TorchSharp Scalars, see FashionApiOptions.TrainAtLowPriority):
# outside Development they are refused unless TrainAtLowPriority=false, so this is the cost they would have.
log "POST /predict while scratch, then builtin, jobs (default preset's settings) run back to back at normal priority"
wrk_while_training single-training-scratch '{"preset":"default","implementation":"scratch"}'
wrk_while_training single-training-builtin '{"preset":"default","implementation":"builtin"}'

log "POST /predict/batch: 256 images per request, JSON and multipart PNG"
curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary "@$work/bodies/batch.json" "$url/predict/batch"
curl -sf -o /dev/null -H 'Content-Type: multipart/form-data; boundary=fashionapi-bench' \
  --data-binary "@$work/bodies/batch.multipart" "$url/predict/batch"
run_wrk batch-json -t2 -c4 -d10s --latency -s bench/post-files.lua "$url/predict/batch" -- \
  application/json "$work/bodies/batch.json"
run_wrk batch-multipart -t2 -c4 -d10s --latency -s bench/post-files.lua "$url/predict/batch" -- \
  "multipart/form-data; boundary=fashionapi-bench" "$work/bodies/batch.multipart"
log "Open Inference Protocol: 256 UINT8 images per infer request, binary tensor data over REST (wrk), raw contents over gRPC"
infer_header=$(cat "$work/bodies/infer-binary.header-length")
curl -sf -o /dev/null -H 'Content-Type: application/octet-stream' -H "Inference-Header-Content-Length: $infer_header" \
  --data-binary "@$work/bodies/infer-binary.body" "$url/v2/models/fashion-mnist/infer"
run_wrk infer-binary -t2 -c4 -d10s --latency -s bench/post-infer.lua "$url/v2/models/fashion-mnist/infer" -- \
  "$work/bodies/infer-binary.body" "$infer_header"
bench grpc-load "$grpc" "$dataset" 10 4 "$measurements"
stop_server

# The same with training below request handling in the scheduler (TrainAtLowPriority=true, the default).
log "POST /predict while training jobs run back to back, training at low priority"
FashionApi__TrainAtLowPriority=true start_server "$models" false low-priority
wait_ready 30
# A fresh process is slower until the JIT has settled: warm it up with 100,000 requests, and measure its own idle
# figures right before, so that the comparison is between two warm runs of one process.
bench http-load "$url/predict" "$work/bodies/png" 100000
run_wrk single-low-priority-idle -t2 -c32 -d10s --latency -s bench/post-files.lua "$url/predict" -- image/png "${pngs[@]}"
wrk_while_training single-training
# With training at low priority they are refused (400) rather than run above their budget.
for implementation in scratch builtin; do
  record "low_priority_${implementation}_status" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "${key_header[@]}" \
    -H 'Content-Type: application/json' -d "{\"preset\":\"default\",\"implementation\":\"$implementation\"}" "$url/train")"
done
stop_server

# Memory under hostile input: a fresh server (persisted model), its RSS once ready, then the test suite's hostile
# corpus (about 1,300 malformed requests) ten times over 4 connections, then its RSS and peak again.
log "hostile corpus: 10 passes against a fresh server"
start_server "$models" false hostile
wait_ready 30
record hostile_rss_start_kb "$(status_kb VmRSS)"
bench hostile "$url/" "$dataset" 10
record hostile_rss_after_kb "$(status_kb VmRSS)"
record hostile_peak_rss_kb "$(status_kb VmHWM)"
stop_server

# CPU time the rest of the machine used meanwhile, as a share of all cores: other processes skew every figure.
other_ticks=$(($(busy_ticks) - machine_busy_start - ($(own_ticks) - own_start)))
record other_cpu_percent "$(awk -v t="$other_ticks" -v hz="$(getconf CLK_TCK)" -v ms=$(($(now_ms) - elapsed_start)) \
  -v n="$(nproc)" 'BEGIN { p = 100 * t / hz / (ms / 1000 * n); printf "%.0f", p < 0 ? 0 : p }')"
bench report "$results" | tee "$results/latest.md"

# Scale-out: one serving replica against two, the same wrk load (README "Scaling out").
bash bench/scale-out.sh
