#!/usr/bin/env bash
# Starts the service on http://localhost:5000 (Swagger UI at /swagger). Models are kept in data/models.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh
exec dotnet run --project src/FashionApi -c Release "$@"
