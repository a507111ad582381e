#!/usr/bin/env bash
# The project's test command: installs prerequisites if missing, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh --test

log=$(mktemp)
set +e
dotnet test FashionApi.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One plain summary line that any CI can read: "tests: N passed, N failed, N skipped".
summary=$(grep -E '(Passed|Failed)!  - Failed:' "$log" | tail -n 1 || true)
rm -f "$log"
if [ -n "$summary" ]; then
  failed=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary")
  passed=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary")
  skipped=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$summary")
  echo "tests: $passed passed, $failed failed, $skipped skipped"
elif [ "$status" -eq 0 ]; then
  echo "tests: no test summary found; treating as a failure" >&2
  exit 1
fi
exit "$status"
