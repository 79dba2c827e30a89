#!/usr/bin/env bash
# Builds the static in-container supervisor for linux/amd64 and linux/arm64
# into agent/dist/ and prints the sizes. Stripped (-s -w) and -trimpath keep
# it small and reproducible; CGO_ENABLED=0 makes it static so it runs in
# FROM scratch and distroless images.
#   usage: agent/build.sh [VERSION]     (GO=/path/to/go to pick a toolchain)
set -euo pipefail
cd "$(dirname "$0")"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if ! [ -x "$GO" ] && ! command -v "$GO" >/dev/null 2>&1; then
  echo "agent: no Go toolchain found; skipping the supervisor build (the docker runtime needs it)" >&2
  exit 0
fi
version="${1:-0.1.0}"
mkdir -p dist

for arch in amd64 arm64; do
  out="dist/supervisor-linux-$arch"
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "$GO" build -trimpath \
    -ldflags "-s -w -X main.Version=$version" -o "$out" ./cmd/supervisor
  printf '%-28s %8d bytes\n' "$out" "$(stat -c %s "$out")"
done
