#!/usr/bin/env bash
# Installs what the service and its tests need beyond the .NET 10 SDK, on Debian/Ubuntu:
# the Fashion-MNIST files (package dataset-fashion-mnist); with --bench, the load generator wrk; with --test, the
# chromium browser the page's tests drive (Debian's package; Playwright's own browser download is not used) and
# python3-onnx, whose onnx.checker validates the ONNX export, and python3-grpcio with python3-grpc-tools, an independent
# gRPC client for the Open Inference Protocol, and kubectl, whose `kubectl kustomize` renders deploy/kubernetes offline
# for the deployment tests (package kubectl, from the Kubernetes or Google Cloud apt repository the machine has).
# Safe to run again: it installs only what is missing.
set -euo pipefail

packages=()
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || packages+=(dataset-fashion-mnist)
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null || packages+=(wrk)
  command -v curl >/dev/null || packages+=(curl)
fi
if [ "${1:-}" = "--test" ]; then
  [ -x "${FASHIONAPI_CHROMIUM:-/usr/bin/chromium}" ] || packages+=(chromium)
  /usr/bin/python3 -c "import onnx" 2>/dev/null || packages+=(python3-onnx)
  /usr/bin/python3 -c "import grpc, grpc_tools.protoc" 2>/dev/null || packages+=(python3-grpcio python3-grpc-tools)
  command -v kubectl >/dev/null || packages+=(kubectl)
fi
[ ${#packages[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${packages[*]} with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
