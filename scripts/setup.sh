#!/usr/bin/env bash
# Installs and starts what Ferry's build and tests need on a Debian 12 machine, as root:
# system packages, PostgreSQL and MariaDB running, tauri-driver, and the built front end
# (ui/dist, which the desktop app embeds at compile time). Idempotent: it only installs what
# is missing and only starts what is not running. Quiet unless a step fails; then it prints
# that step's output and exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

# Runs a step with its output kept back, shown only if it fails.
quietly() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    echo "setup.sh: failed: $*" >&2
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
}

# --- system packages -------------------------------------------------------------------------
# Tauri's build (webkit2gtk, ssl, appindicator, rsvg), the GUI test (webkit2gtk-driver gives
# WebKitWebDriver; xvfb, xauth), icons and screenshots (imagemagick), the databases and their
# tools, chromium for front-end tests, and GNOME Keyring (a real Secret Service for the test
# of saved passwords, run in its own D-Bus session). sqlx's TLS is OpenSSL (libssl-dev,
# pkg-config); the TLS tests make their certificates with `openssl`, start their own clusters
# with `runuser` (util-linux) and type a password into `ferry` under `script` (bsdutils); the
# pooler tests run their own `pgbouncer` (a host's "pooled" URL, in transaction mode); the
# package's test (scripts/test-deb.sh) installs the .deb on a clean Debian made by `debootstrap`.
packages=(
  build-essential libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth imagemagick
  sqlite3 pgloader postgresql postgresql-contrib mariadb-server pgbouncer
  pkg-config openssl bsdutils util-linux
  chromium
  gnome-keyring dbus-daemon
  debootstrap
)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  quietly apt-get update -q
  quietly apt-get install -y -q "${missing[@]}"
fi

# --- PostgreSQL ------------------------------------------------------------------------------
for version in $(ls /etc/postgresql); do
  if ! pg_lsclusters -h "$version" main 2>/dev/null | grep -q online; then
    quietly pg_ctlcluster --skip-systemctl-redirect "$version" main start
  fi
done

# --- MariaDB ---------------------------------------------------------------------------------
mariadb_up() { mariadb-admin --silent ping >/dev/null 2>&1; }
if ! mariadb_up; then
  install -d -o mysql -g mysql /run/mysqld
  quietly start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do
    mariadb_up && break
    sleep 0.5
  done
  if ! mariadb_up; then
    echo "setup.sh: MariaDB did not answer within 30 s of starting" >&2
    tail -n 30 /var/log/mysql/error.log 2>/dev/null >&2 || true
    exit 1
  fi
fi

# --- statement statistics for `ferry monitor` (and its tests) --------------------------------
# PostgreSQL needs pg_stat_statements preloaded, MariaDB needs performance_schema on; both only
# take effect at server start. Each server is changed and restarted only when its setting is not
# already active, then waited for until it answers again.
for version in $(ls /etc/postgresql); do
  port=$(pg_lsclusters -h "$version" main | awk '{print $3}')
  pg() { runuser -u postgres -- psql -X -q -At -p "$port" -c "$1"; }
  preload=$(pg 'SHOW shared_preload_libraries')
  if [[ ",${preload// /}," != *,pg_stat_statements,* ]]; then
    # Keep whatever the server already preloads, one quoted name each: a single quoted string
    # is read as one library's name ('a, b' would stop the server at its start).
    libs=$(for l in ${preload//,/ } pg_stat_statements; do printf "'%s', " "$l"; done)
    quietly pg "ALTER SYSTEM SET shared_preload_libraries = ${libs%, }"
    quietly pg_ctlcluster --skip-systemctl-redirect "$version" main restart
    for _ in $(seq 1 60); do
      pg_isready -q -p "$port" && break
      sleep 0.5
    done
    if ! pg_isready -q -p "$port"; then
      echo "setup.sh: PostgreSQL $version did not answer within 30 s of restarting" >&2
      exit 1
    fi
  fi
done

if [[ $(mariadb -N -B -e 'SELECT @@performance_schema') != 1 ]]; then
  install -d /etc/mysql/mariadb.conf.d
  printf '[mariadbd]\nperformance_schema=ON\n' >/etc/mysql/mariadb.conf.d/90-ferry.cnf
  # A my.cnf that does not read mariadb.conf.d (Debian's does) is told to.
  if ! grep -Eq '^\s*!includedir\s+/etc/mysql/mariadb.conf.d/?\s*$' /etc/mysql/my.cnf; then
    printf '\n!includedir /etc/mysql/mariadb.conf.d/\n' >>/etc/mysql/my.cnf
  fi
  quietly mariadb-admin shutdown
  for _ in $(seq 1 60); do
    start-stop-daemon --status --exec /usr/sbin/mariadbd || break
    sleep 0.5
  done
  install -d -o mysql -g mysql /run/mysqld
  quietly start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do
    mariadb_up && break
    sleep 0.5
  done
  if ! mariadb_up || [[ $(mariadb -N -B -e 'SELECT @@performance_schema') != 1 ]]; then
    echo "setup.sh: MariaDB did not come back with performance_schema on within 30 s" >&2
    tail -n 30 /var/log/mysql/error.log 2>/dev/null >&2 || true
    exit 1
  fi
fi

# --- tauri-driver (the WebDriver server the GUI test talks to) --------------------------------
if ! command -v tauri-driver >/dev/null; then
  quietly cargo install tauri-driver --locked --version '^2'
fi

# --- the front end: dependencies exactly as locked, then ui/dist -----------------------------
# `npm ci` only when package-lock.json changed since the last one (it wipes node_modules).
lock_sum=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
stamp=ui/node_modules/.ferry-npm-ci
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
  quietly npm --prefix ui ci --no-audit --no-fund
  echo "$lock_sum" >"$stamp"
fi
quietly npm --prefix ui run build
