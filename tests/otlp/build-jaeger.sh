#!/usr/bin/env bash
# Builds the Jaeger binary the full tier's OTLP round trip uses, as tests/otlp/jaeger.ts would (same
# version, same cache folder), so that .ci/run builds it before the tests start rather than inside
# one test while the others run. Does nothing when the binary is cached.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(sed -n "s/^export const JAEGER_VERSION = '\(.*\)';/\1/p" tests/otlp/jaeger.ts)
home="${XDG_CACHE_HOME:-$HOME/.cache}/telemetry-injector/jaeger-$version"
[ -x "$home/jaeger" ] && exit 0
mkdir -p "$home/module"
cd "$home/module"
[ -f go.mod ] || printf 'module jaeger-build\n\ngo 1.24\n' > go.mod
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off
started=$SECONDS
go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$version"
go build -o "$home/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger
echo "[ci] jaeger $version built in $((SECONDS - started)) s"
