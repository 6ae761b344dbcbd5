#!/usr/bin/env bash
# Starts the services the test suites talk to and exports where they are:
# MariaDB for the store and relay tests (KEYDEPOT_TEST_MYSQL_URL) and Chromium
# for the portal's browser test (KEYDEPOT_CHROMIUM), and pdftoppm for the export tests. Installs them with apt
# where they are missing. Source it; .ci/run does.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

mariadb_up() { mysqladmin --protocol=tcp -h127.0.0.1 -uroot --connect-timeout=2 ping >/dev/null 2>&1; }

ensure_mariadb() {
  if mariadb_up; then return 0; fi
  if [ ! -x /usr/sbin/mariadbd ]; then
    log "installing MariaDB (apt)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq mariadb-server >/dev/null
  fi
  log "starting MariaDB"
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do
    if mariadb_up; then break; fi
    # A fresh Debian install lets root in only over the unix socket.
    if mysql -uroot -e 'SELECT 1' >/dev/null 2>&1; then
      as_root mysql -uroot -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')" || true
    fi
    sleep 1
  done
  mariadb_up || { echo "MariaDB did not come up on 127.0.0.1:3306" >&2; return 1; }
  mysql --protocol=tcp -h127.0.0.1 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' 
}

# Debian's chromium, driven by playwright-core (which downloads no browser of its own).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  log "installing Chromium (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
  [ -x /usr/bin/chromium ] || { echo "Chromium did not install to /usr/bin/chromium" >&2; return 1; }
}

# Debian's pdftoppm (poppler-utils): the export tests render a page of each PDF kind to PNG with it.
ensure_pdftoppm() {
  if command -v pdftoppm >/dev/null 2>&1; then return 0; fi
  log "installing poppler-utils (apt)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq poppler-utils >/dev/null
  command -v pdftoppm >/dev/null 2>&1 || { echo "pdftoppm did not install" >&2; return 1; }
}

ensure_mariadb
ensure_chromium
ensure_pdftoppm
export KEYDEPOT_CHROMIUM=/usr/bin/chromium
export KEYDEPOT_TEST_MYSQL_URL="${KEYDEPOT_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}"
