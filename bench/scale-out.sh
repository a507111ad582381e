#!/usr/bin/env bash
# Requests per second of POST /predict (single PNG images) with one serving replica against two, with the same wrk
# load (32 connections, 2 threads in all): the scaled-out setup of README "Scaling out" as processes on this machine,
# one trainer (Role train) and two replicas (Role serve) on one model directory. Each layout is measured twice,
# alternating, 10 s per run. Prints a markdown table (also written to bench/results/scale-out.md) with each replica's
# peak memory and the CPU the rest of the machine used meanwhile.
#   bash bench/scale-out.sh         (BENCH_PORT=... for another first loopback port than 5910; it uses three)
source "$(dirname "$0")/common.sh"
port=${BENCH_PORT:-5910}
trainer=http://127.0.0.1:$port replica1=http://127.0.0.1:$((port + 1)) replica2=http://127.0.0.1:$((port + 2))
work=$(mktemp -d)
pids=()

log() { echo "[scale-out ${SECONDS}s] $*" >&2; }
own_ticks() { # this script, its waited-for children (wrk) and the three servers
  local t; t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$$/stat")
  for pid in "${pids[@]}"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$t"
}
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # URL ROLE NAME; leaves the process id in $started_pid
  (cd "$work" && ASPNETCORE_URLS=$1 FashionApi__Role=$2 FashionApi__ModelDirectory=$work/models \
    FashionApi__DataDirectory=$dataset Logging__LogLevel__Default=Warning exec dotnet "$publish/FashionApi.dll") \
    >"$results/server-scale-out-$3.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}
wait_ready() { # URL
  for _ in $(seq 1 1800); do curl -sf -o /dev/null "$1/health/ready" && return 0; sleep 0.1; done
  log "$1 not ready after 180 s"; exit 1
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
errors() { awk '/Non-2xx|Socket errors/ { print }' "$1"; }

for url in "$trainer" "$replica1" "$replica2"; do
  if curl -s -o /dev/null "$url/"; then log "something already listens on $url; set BENCH_PORT"; exit 1; fi
done

log "building in Release (artifacts under $artifacts)"
dotnet publish src/FashionApi/FashionApi.csproj -c Release --artifacts-path "$artifacts" -o "$publish" --disable-build-servers -nologo -v quiet
dotnet build bench/FashionApi.Benchmarks/FashionApi.Benchmarks.csproj -c Release --artifacts-path "$artifacts" --disable-build-servers -nologo -v quiet
dotnet "$artifacts/bin/FashionApi.Benchmarks/release/FashionApi.Benchmarks.dll" prepare "$dataset" "$work/bodies"
pngs=("$work"/bodies/png/*.png)

log "trainer trains its first model; two replicas wait for it"
start "$trainer" train trainer
start "$replica1" serve replica-1; pid1=$started_pid
start "$replica2" serve replica-2; pid2=$started_pid
for url in "$trainer" "$replica1" "$replica2"; do wait_ready "$url"; done
for url in "$replica1" "$replica2"; do  # warm-up: JIT and connection set-up out of the measured runs
  wrk -t1 -c4 -d3s -s bench/post-files.lua "$url/predict" -- image/png "${pngs[@]}" >/dev/null
done

machine_start=$(busy_ticks) own_start=$(own_ticks) measuring_since=$(date +%s%N)
one=() two=()
for round in 1 2; do
  log "round $round: one replica, wrk -t2 -c32 -d10s"
  wrk -t2 -c32 -d10s -s bench/post-files.lua "$replica1/predict" -- image/png "${pngs[@]}" >"$results/wrk-scale-one-$round.txt"
  one+=("$(rps "$results/wrk-scale-one-$round.txt")")
  log "round $round: two replicas, wrk -t1 -c16 -d10s on each at once"
  wrk -t1 -c16 -d10s -s bench/post-files.lua "$replica1/predict" -- image/png "${pngs[@]}" >"$results/wrk-scale-two-$round-a.txt" &
  other_wrk=$!
  wrk -t1 -c16 -d10s -s bench/post-files.lua "$replica2/predict" -- image/png "${pngs[@]}" >"$results/wrk-scale-two-$round-b.txt"
  wait "$other_wrk"
  two+=("$(awk -v a="$(rps "$results/wrk-scale-two-$round-a.txt")" -v b="$(rps "$results/wrk-scale-two-$round-b.txt")" 'BEGIN { printf "%.0f", a + b }')")
done
failures=$(for f in "$results"/wrk-scale-*.txt; do errors "$f"; done)
other=$(awk -v t="$(($(busy_ticks) - machine_start - ($(own_ticks) - own_start)))" -v hz="$(getconf CLK_TCK)" \
  -v s="$(( ($(date +%s%N) - measuring_since) / 1000000 ))" -v n="$(nproc)" 'BEGIN { p = 100 * t / hz / (s / 1000 * n); printf "%.0f", p < 0 ? 0 : p }')
hwm() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

{
  echo "| layout (same wrk load: 2 threads, 32 connections, 10 s) | requests/s, round 1 | round 2 |"
  echo "| --- | --- | --- |"
  printf '| one replica | %.0f | %.0f |\n' "${one[0]}" "${one[1]}"
  printf '| two replicas (16 connections each) | %s | %s |\n' "${two[0]}" "${two[1]}"
  echo
  echo "Replica peak memory (VmHWM): $(hwm "$pid1") MiB and $(hwm "$pid2") MiB. Machine: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC');"
  echo "other processes used ${other}% of all cores during the runs.${failures:+ wrk reported: $failures}"
} | tee "$results/scale-out.md"
