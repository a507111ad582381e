# Sourced by bench/run.sh and bench/scale-out.sh: strict mode, the repository root as working directory, wrk and curl
# installed, and where the builds, results and dataset are.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-prerequisites.sh --bench

results=$PWD/bench/results
artifacts=$results/artifacts
publish=$results/publish
dataset=/usr/share/datasets/fashion-mnist

busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; } # whole machine, all cores

# Outside Development the management routes and event streams need the API key: one per run, sent by the curls that
# train and follow jobs (the servers inherit it from the environment).
export FashionApi__ApiKey=${FashionApi__ApiKey:-bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')}
key_header=(-H "X-Api-Key: $FashionApi__ApiKey")
