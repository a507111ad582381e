#!/usr/bin/env bash
# Starts the service on http://localhost:5000 (Swagger UI at /swagger). Models are kept in data/models.
# Any setting can be overridden from the environment, e.g. FashionApi__ApiKey=... or ASPNETCORE_URLS=http://+:8080.
# Training, cancelling and activating need the API key (header X-Api-Key; the page asks for it): FashionApi__ApiKey when
# set, otherwise the key the service generates at first start into data/models/api-key (readable by you only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh

if [ -z "${ASPNETCORE_URLS:-}" ]; then
  export ASPNETCORE_URLS=http://localhost:5000
  # Answer only to the names of this machine's loopback, so a web page elsewhere cannot reach it by DNS rebinding.
  export AllowedHosts="${AllowedHosts:-localhost;127.0.0.1;[::1]}"
fi
export FashionApi__ModelDirectory="${FashionApi__ModelDirectory:-$PWD/data/models}"
export FashionApi__DatasetCacheDirectory="${FashionApi__DatasetCacheDirectory:-$PWD/data/fashion-mnist}"
if [ -z "${FashionApi__ApiKey:-}" ]; then
  echo "Management key: see $FashionApi__ModelDirectory/api-key once the service has started (cat it; the page asks for it)." >&2
fi
# No launch profile: its settings would override the environment above.
exec dotnet run --project src/FashionApi -c Release --no-launch-profile "$@"
