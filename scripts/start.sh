#!/usr/bin/env bash
# Starts the service on http://localhost:5000 (Swagger UI at /swagger). Models are kept in data/models.
# Any setting can be overridden from the environment, e.g. FashionApi__ApiKey=... or ASPNETCORE_URLS=http://+:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh

export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:5000}"
export FashionApi__ModelDirectory="${FashionApi__ModelDirectory:-$PWD/data/models}"
export FashionApi__DatasetCacheDirectory="${FashionApi__DatasetCacheDirectory:-$PWD/data/fashion-mnist}"
# No launch profile: its settings would override the environment above.
exec dotnet run --project src/FashionApi -c Release --no-launch-profile "$@"
