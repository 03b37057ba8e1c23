#!/usr/bin/env bash
# Installs the real n8n app (2.8.4, the newest that runs on Node 20) into a cache folder outside the repo, the
# offline way real-n8n.md describes. Idempotent: a second run only checks. Prints the path of the n8n binary.
set -euo pipefail
VERSION="${N8N_VERSION:-2.8.4}"
DIR="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-fintech-identity}/n8n-$VERSION"
MARK="$DIR/.installed"
SQLITE="$DIR/node_modules/sqlite3/build/Release/node_sqlite3.node"
if [ -f "$MARK" ] && [ -f "$SQLITE" ]; then echo "$DIR/node_modules/.bin/n8n"; exit 0; fi
mkdir -p "$DIR" && cd "$DIR"
# overrides: 2.8.x's n8n-nodes-base points xlsx at a CDN tarball. allowScripts: npm 11 builds sqlite3 only if approved.
printf '{"private":true,"overrides":{"xlsx":"0.18.5"},"allowScripts":{"sqlite3":true}}\n' > package.json
export npm_config_nodedir=/usr npm_config_loglevel=error
# Under `npm run …` this project's .npmrc (ignore-scripts=true) reaches us as npm_config_ignore_scripts, and then
# `npm rebuild sqlite3` "succeeds" building nothing: n8n cannot start. Seen on a fresh machine; not wanted here.
unset npm_config_ignore_scripts
# --ignore-scripts: postinstall steps that download prebuilt binaries fail offline; sqlite3 is built just below.
npm install --no-audit --no-fund --ignore-scripts "n8n@$VERSION" >&2
npm rebuild --ignore-scripts=false sqlite3 >&2
test -f "$SQLITE" || { echo "sqlite3 did not build: n8n cannot start" >&2; exit 1; }
touch "$MARK"
echo "$DIR/node_modules/.bin/n8n"
