# Shared by the entry-point scripts: find or install the pinned pnpm, set up
# native-addon builds, install dependencies. Source it; do not run it.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_VERSION="$(node -p "require('$REPO_ROOT/package.json').packageManager.split('@')[1]")"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

require_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "Node.js 20 is required (https://nodejs.org); 'node' was not found." >&2
    exit 1
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then
    echo "Node.js 20 or newer is required; found $(node --version)." >&2
    exit 1
  fi
}

# Sets PNPM to a command that runs the pinned pnpm version.
find_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    PNPM=(pnpm)
  elif npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
    say "installed pnpm $PNPM_VERSION"
    PNPM=(pnpm)
  else
    # No global install possible (no root): run it through npx instead.
    PNPM=(npx --yes "pnpm@$PNPM_VERSION")
  fi
}

install_dependencies() {
  require_node
  find_pnpm
  # Native addons (better-sqlite3, epoll) cannot download Node headers here:
  # build against the system's. This only works from the environment, not .npmrc.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
  fi
  say "installing dependencies (pnpm $PNPM_VERSION)"
  (cd "$REPO_ROOT" && "${PNPM[@]}" install --frozen-lockfile --reporter=append-only) >&2
}
