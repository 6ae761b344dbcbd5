#!/usr/bin/env bash
# Installs the keydepot depot firmware on Raspberry Pi OS (Debian bookworm or
# later) from the repository checkout this script sits in:
#   sudo scripts/install-depot.sh
# Safe to run again (an update runs the same steps). Prints what it did.
#   scripts/install-depot.sh --print-unit       shows the systemd unit it would install (no root needed)
#   scripts/install-depot.sh --print-watchdog   shows the hardware-watchdog setting it would install
set -euo pipefail

# ---- Everything a reader may want to change -------------------------------
PREFIX=/opt/keydepot
APP_DIR="$PREFIX/app"            # the copied checkout
RUNTIME_DIR="$PREFIX/runtime"    # build tools only: tsx and its esbuild bundle the daemon (not used at run time)
CONFIG_DIR=/etc/keydepot
DATA_DIR=/var/lib/keydepot
SERVICE_USER=keydepot
UNIT_NAME=keydepot-depot.service
RETRY_UNITS=(keydepot-depot-retry.service keydepot-depot-retry.timer)
# systemd feeds the Pi's hardware watchdog (bcm2835-wdt, at most ~15 s): a hung kernel or systemd reboots
# the Pi, and a reboot releases every relay.
RUNTIME_WATCHDOG_SEC=15s
WATCHDOG_CONF=/etc/systemd/system.conf.d/keydepot-watchdog.conf
BOOT_CONFIG=/boot/firmware/config.txt
NODE_MAJOR=20
NODE_BIN=/usr/bin/node
TSX_LOADER="$RUNTIME_DIR/node_modules/tsx/dist/loader.mjs"
# The daemon as plain JavaScript, bundled by scripts/build-depot.ts (under tsx it needs ~44 MB more RSS).
DAEMON_JS="$APP_DIR/firmware/dist/keydepot-depot.mjs"
# A small V8 young generation keeps the daemon's RSS under 80 MB (docs/benchmarks.md).
NODE_FLAGS="--max-semi-space-size=1"
# The daemon's command line, exactly as systemd runs it.
EXEC_START="$NODE_BIN $NODE_FLAGS $DAEMON_JS run --config-dir $CONFIG_DIR"
# ----------------------------------------------------------------------------

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UNIT_TEMPLATE="$REPO_ROOT/firmware/systemd/keydepot-depot.service"
DONE=()

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
did() { DONE+=("$*"); say "$*"; }
die() { printf 'install-depot: %s\n' "$*" >&2; exit 1; }

render_watchdog_conf() {
  cat <<CONF
# keydepot: systemd pets the hardware watchdog; if the kernel or systemd hangs, the Pi reboots.
# Installed by scripts/install-depot.sh (docs/hardware.md, "Watchdogs").
[Manager]
RuntimeWatchdogSec=$RUNTIME_WATCHDOG_SEC
RebootWatchdogSec=2min
CONF
}

render_unit() {
  # '|' as the sed delimiter: the command line is full of slashes.
  sed "s|@EXEC_START@|$EXEC_START|" "$UNIT_TEMPLATE"
}

json_field() { # json_field <file> <dotted.path>: prints the value or nothing
  node -e '
    const v = process.argv[2].split(".").reduce((o, k) => (o == null ? o : o[k]), require(process.argv[1]));
    if (v !== undefined) console.log(v);
  ' "$1" "$2"
}

node_major() {
  if command -v node >/dev/null 2>&1; then node -p 'process.versions.node.split(".")[0]'; else echo 0; fi
}

install_node() {
  if [ "$(node_major)" -ge "$NODE_MAJOR" ]; then
    say "Node $(node --version) already installed"
    return
  fi
  apt-get update -q
  # Debian's own nodejs where it is new enough (trixie); otherwise NodeSource.
  local candidate
  candidate="$(apt-cache policy nodejs | awk '/Candidate:/ { print $2 }' | sed -E 's/^[0-9]+://; s/[^0-9].*//')"
  if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && [ "$candidate" -ge "$NODE_MAJOR" ] 2>/dev/null; then
    # libnode-dev brings Node's headers for the native addons.
    apt-get install -y -q nodejs npm libnode-dev
    did "installed Node $(node --version) from Debian"
  else
    apt-get install -y -q ca-certificates curl gnupg
    install -d -m 0755 /etc/apt/keyrings
    curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key |
      gpg --dearmor --yes -o /etc/apt/keyrings/nodesource.gpg
    echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_$NODE_MAJOR.x nodistro main" \
      >/etc/apt/sources.list.d/nodesource.list
    apt-get update -q
    apt-get install -y -q nodejs
    did "installed Node $(node --version) from NodeSource (node_$NODE_MAJOR.x)"
  fi
  [ "$(node_major)" -ge "$NODE_MAJOR" ] || die "Node $NODE_MAJOR or newer is needed, got $(node --version)"
}

install_build_tools() {
  # better-sqlite3, epoll (onoff), @serialport/bindings-cpp and unix-dgram (sd_notify) compile on the Pi.
  local packages=(python3 make g++ pkg-config rsync)
  local missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get install -y -q "${missing[@]}"
    did "installed build tools: ${missing[*]}"
  else
    say "build tools present"
  fi
}

install_pnpm() {
  local version
  version="$(json_field "$REPO_ROOT/package.json" packageManager | sed 's/^pnpm@//')"
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$version" ]; then
    say "pnpm $version present"
  else
    npm install -g --no-fund --no-audit "pnpm@$version"
    did "installed pnpm $version"
  fi
}

create_user() {
  for group in gpio dialout; do
    # Raspberry Pi OS has both; elsewhere the group is created so the unit starts.
    getent group "$group" >/dev/null || { groupadd --system "$group"; did "created group $group"; }
  done
  if id "$SERVICE_USER" >/dev/null 2>&1; then
    say "user $SERVICE_USER exists"
  else
    useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    did "created system user $SERVICE_USER"
  fi
  usermod -a -G gpio,dialout "$SERVICE_USER"
  say "$SERVICE_USER is in groups: $(id -nG "$SERVICE_USER")"
}

create_dirs() {
  install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$CONFIG_DIR"
  install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA_DIR"
  # install -d leaves the mode of an existing folder alone.
  chmod 0700 "$CONFIG_DIR"
  chmod 0700 "$DATA_DIR"
  did "config folder $CONFIG_DIR (0700), data folder $DATA_DIR (0700), owned by $SERVICE_USER"
}

install_app() {
  install -d -m 0755 "$PREFIX" "$APP_DIR" "$RUNTIME_DIR"
  # --delete drops files removed upstream; node_modules stays so an update reuses built addons.
  rsync -a --delete \
    --exclude '.git' --exclude 'node_modules' --exclude 'test-results' --exclude 'bench/results' \
    --exclude '*.sqlite' --exclude '*.key' --exclude 'data' --exclude 'firmware/dist' \
    "$REPO_ROOT/" "$APP_DIR/"
  chown -R root:root "$APP_DIR"
  did "copied the firmware from $REPO_ROOT to $APP_DIR"

  # Native addons build against the installed Node's headers (no download).
  if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
  # Only the firmware and what it depends on: the cloud's addons are not needed on a depot.
  (cd "$APP_DIR" && CI=true pnpm install --prod --frozen-lockfile --filter '@keydepot/firmware...' --reporter=append-only)
  did "installed the firmware's production dependencies (pnpm install --prod --frozen-lockfile)"

  local tsx_version
  tsx_version="$(json_field "$REPO_ROOT/package.json" devDependencies.tsx)"
  if [ -f "$RUNTIME_DIR/node_modules/tsx/package.json" ] &&
    [ "$(json_field "$RUNTIME_DIR/node_modules/tsx/package.json" version)" = "$tsx_version" ]; then
    say "tsx $tsx_version present"
  else
    npm install --prefix "$RUNTIME_DIR" --no-save --no-fund --no-audit "tsx@$tsx_version"
    did "installed tsx $tsx_version (with its esbuild) in $RUNTIME_DIR to build the daemon"
  fi
  [ -f "$TSX_LOADER" ] || die "tsx loader missing at $TSX_LOADER"

  # The bundle refers to some packages by their path in node_modules: build it after every install.
  # NODE_PATH lets scripts/build-depot.ts find esbuild in the runtime folder.
  (cd "$APP_DIR" && NODE_PATH="$RUNTIME_DIR/node_modules" "$NODE_BIN" --import "$TSX_LOADER" scripts/build-depot.ts)
  [ -f "$DAEMON_JS" ] || die "the build did not write $DAEMON_JS"
  "$NODE_BIN" $NODE_FLAGS "$DAEMON_JS" help >/dev/null || die "$DAEMON_JS does not run"
  did "built $DAEMON_JS (plain JavaScript; tsx is not used at run time)"

  # The technician's command; runs as whoever calls it (use sudo -u $SERVICE_USER).
  cat >/usr/local/bin/keydepot-depot <<WRAPPER
#!/bin/sh
export MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2}
# Where the unit's daemon writes status.json (a tmpfs), so 'status' reads the same file.
export KEYDEPOT_STATUS_DIR=\${KEYDEPOT_STATUS_DIR:-/run/keydepot}
exec $NODE_BIN $NODE_FLAGS $DAEMON_JS "\$@"
WRAPPER
  chmod 0755 /usr/local/bin/keydepot-depot
  did "installed /usr/local/bin/keydepot-depot"
}

install_watchdog() {
  install -d -m 0755 "$(dirname "$WATCHDOG_CONF")"
  if [ -f "$WATCHDOG_CONF" ] && [ "$(render_watchdog_conf)" = "$(cat "$WATCHDOG_CONF")" ]; then
    say "hardware watchdog already configured ($WATCHDOG_CONF)"
  else
    render_watchdog_conf >"$WATCHDOG_CONF"
    chmod 0644 "$WATCHDOG_CONF"
    # systemd reads system.conf only when it (re-)executes.
    systemctl daemon-reexec
    did "hardware watchdog on: systemd pets it every $RUNTIME_WATCHDOG_SEC ($WATCHDOG_CONF)"
  fi
  # The Pi firmware enables the watchdog device on current images; say so explicitly where config.txt exists.
  if [ -f "$BOOT_CONFIG" ] && ! grep -qx 'dtparam=watchdog=on' "$BOOT_CONFIG"; then
    printf '\n# keydepot: hardware watchdog device (docs/hardware.md)\ndtparam=watchdog=on\n' >>"$BOOT_CONFIG"
    did "added dtparam=watchdog=on to $BOOT_CONFIG (takes effect at the next boot)"
  fi
  if [ -e /dev/watchdog ]; then say "watchdog device: /dev/watchdog"; else say "no /dev/watchdog yet (a reboot may bring it)"; fi
}

install_unit() {
  local target="/etc/systemd/system/$UNIT_NAME"
  render_unit >"$target.new"
  mv "$target.new" "$target"
  chmod 0644 "$target"
  for unit in "${RETRY_UNITS[@]}"; do
    install -m 0644 "$REPO_ROOT/firmware/systemd/$unit" "/etc/systemd/system/$unit"
  done
  systemctl daemon-reload
  systemctl enable "$UNIT_NAME" >/dev/null
  systemctl enable --now keydepot-depot-retry.timer >/dev/null
  did "installed and enabled $UNIT_NAME (ExecStart=$EXEC_START) and keydepot-depot-retry.timer"
  if [ -f "$CONFIG_DIR/depot.json" ]; then
    systemctl restart "$UNIT_NAME"
    did "(re)started $UNIT_NAME"
  else
    say "not started: $CONFIG_DIR holds no provisioned depot yet"
  fi
}

main() {
  case "${1:-}" in
    --print-unit)
      render_unit
      return
      ;;
    --print-watchdog)
      render_watchdog_conf
      return
      ;;
    -h | --help)
      sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      return
      ;;
    "") ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  [ "$(id -u)" -eq 0 ] || die "run as root: sudo $0"
  [ -f "$UNIT_TEMPLATE" ] || die "no $UNIT_TEMPLATE: run this from a keydepot checkout"
  command -v apt-get >/dev/null 2>&1 || die "this script is for Raspberry Pi OS / Debian (apt-get not found)"
  [ -x "$NODE_BIN" ] || [ "$(node_major)" -lt "$NODE_MAJOR" ] || die "node is not at $NODE_BIN; set NODE_BIN at the top of $0"

  install_node
  install_build_tools
  install_pnpm
  create_user
  create_dirs
  install_app
  install_watchdog
  install_unit

  echo
  say "done. What changed on this run:"
  if [ "${#DONE[@]}" -eq 0 ]; then echo "  nothing"; else printf '  - %s\n' "${DONE[@]}"; fi
  cat <<NEXT

Next steps:
  1. Provision:      sudo -u $SERVICE_USER keydepot-depot provision /path/to/bundle.json
  2. Wiring check:   sudo systemctl stop $UNIT_NAME && sudo -u $SERVICE_USER keydepot-depot test-hardware
  3. Start:          sudo systemctl start $UNIT_NAME && journalctl -u $UNIT_NAME -f
  Pull-ups and boot levels for the pins: see $APP_DIR/docs/hardware.md ("config.txt").
NEXT
}

main "$@"
