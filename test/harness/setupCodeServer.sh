#!/usr/bin/env bash
# Installs what Trackside's integration and e2e tests need, on a machine whose only network is the npm
# registry and Debian's apt mirrors:
#   - Debian packages: chromium (the browser the tests drive), ripgrep (stands in for the rg binary that
#     @vscode/ripgrep would download from GitHub), libkrb5-dev (headers for VS Code's 'kerberos' addon);
#   - optional Debian packages: python3-sklearn and python3-pandas for Debian's /usr/bin/python3 (the
#     scikit-learn model flavor's tests and bench use them when they install, and are skipped otherwise);
#   - code-server (VS Code 1.100.3 in a Node 20 server) from npm, in its own folder with its own
#     package.json, never in the project's node_modules.
# Idempotent: a second run only checks and prints where things are.
#
# Usage: test/harness/setupCodeServer.sh
# Env:   TRACKSIDE_CS_DIR      install folder   (default: $HOME/.cache/trackside/code-server)
#        TRACKSIDE_CS_VERSION  code-server version (default: 4.100.3; 4.104+ needs Node 22)
set -euo pipefail

csDir="${TRACKSIDE_CS_DIR:-$HOME/.cache/trackside/code-server}"
csVersion="${TRACKSIDE_CS_VERSION:-4.100.3}"
started=$(date +%s)

log() { printf '[setupCodeServer] %s\n' "$*"; }

# 1. Debian packages.
missing=()
for package in chromium ripgrep libkrb5-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudoCommand=()
  [ "$(id -u)" -eq 0 ] || sudoCommand=(sudo)
  log "installing Debian packages: ${missing[*]}"
  "${sudoCommand[@]}" apt-get update -qq
  "${sudoCommand[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present: chromium ripgrep libkrb5-dev"
fi

# 1b. Optional Debian packages: a failure here is reported, not fatal.
optional=()
for package in python3-sklearn python3-pandas; do
  dpkg -s "$package" >/dev/null 2>&1 || optional+=("$package")
done
if [ ${#optional[@]} -gt 0 ]; then
  sudoCommand=()
  [ "$(id -u)" -eq 0 ] || sudoCommand=(sudo)
  log "installing optional Debian packages: ${optional[*]} (about a minute)"
  if ! { "${sudoCommand[@]}" apt-get update -qq && "${sudoCommand[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null; }; then
    log "could not install ${optional[*]}: the scikit-learn model tests will be skipped"
  fi
else
  log "optional Debian packages present: python3-sklearn python3-pandas"
fi

# 2. code-server in its own folder.
mkdir -p "$csDir"
cat > "$csDir/package.json.new" <<JSON
{
  "name": "trackside-code-server",
  "private": true,
  "version": "0.0.0",
  "description": "code-server for Trackside's integration and e2e tests (installed by test/harness/setupCodeServer.sh)",
  "dependencies": { "code-server": "$csVersion" }
}
JSON
if cmp -s "$csDir/package.json.new" "$csDir/package.json"; then
  rm "$csDir/package.json.new"
else
  mv "$csDir/package.json.new" "$csDir/package.json"
fi

csBin="$csDir/node_modules/.bin/code-server"
# spdlog.node is built by code-server's own postinstall: if it is missing, a previous install stopped halfway.
spdlogAddon="$csDir/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
installedVersion=""
if [ -f "$csDir/node_modules/code-server/package.json" ]; then
  installedVersion=$(node -p "require(process.argv[1]).version" "$csDir/node_modules/code-server/package.json")
fi

if [ -x "$csBin" ] && [ -e "$spdlogAddon" ] && [ "$installedVersion" = "$csVersion" ]; then
  log "code-server $installedVersion already installed"
else
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this asset in
  # $TMPDIR/vscode-ripgrep-cache-<its version>/: hand it Debian's rg instead.
  export TMPDIR="$csDir/.tmp"
  ripgrepCache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$ripgrepCache/stage"
  cp /usr/bin/rg "$ripgrepCache/stage/rg"
  tar czf "$ripgrepCache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$ripgrepCache/stage" rg
  log "installing code-server $csVersion into $csDir (about a minute)"
  # npm_config_yes: node-pty's postinstall runs 'npx node-gyp' (a machine npmrc may say yes=false).
  # npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
  (cd "$csDir" && npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --no-audit --no-fund --no-package-lock --loglevel=error)
  rm -rf "$TMPDIR"
  if [ ! -e "$spdlogAddon" ]; then
    log "code-server's postinstall did not finish (no $spdlogAddon)" >&2
    exit 1
  fi
fi

log "code-server $(node -p "require(process.argv[1]).version" "$csDir/node_modules/code-server/package.json") at $csBin"
log "chromium at $(command -v chromium)"
log "done in $(( $(date +%s) - started )) s"
