#!/usr/bin/env bash
# Ferry on its demo database. Installs what is needed (scripts/setup.sh), makes the local
# PostgreSQL database `ferry_demo` (dropped and made anew: it is Ferry's own; with
# FERRY_DEMO_TARGET=mysql the local MariaDB's instead), then:
#  - with a display: starts the desktop app on the demo database (`cargo run -- --demo`) with
#    the target filled in (`--to URL`) — press "Test connection", review the types, run, read the report;
#  - without one (a server, CI) or with FERRY_DEMO_CLI=1: the same migration through the
#    `ferry` command (100,000 rows by default, FERRY_DEMO_ROWS to change), printing the summary
#    and writing demo-out/report.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh

case "${FERRY_DEMO_TARGET:-postgres}" in
  mysql|mariadb)
    mariadb -uroot -e 'DROP DATABASE IF EXISTS ferry_demo; CREATE DATABASE ferry_demo CHARACTER SET utf8mb4'
    url="mysql://root@127.0.0.1:3306/ferry_demo" ;;
  *)
    psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS ferry_demo' -qc 'CREATE DATABASE ferry_demo'
    url="postgres://postgres@127.0.0.1:5432/ferry_demo" ;;
esac

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${FERRY_DEMO_CLI:-}" ]; then
  # The first build compiles the app and its dependencies (minutes on a small machine):
  # cargo's own progress shows it moving; later runs build nothing and go straight on.
  echo "== building the desktop app (the first build takes a few minutes; cargo's progress below)"
  cargo build
  echo "== starting the desktop app on the demo database (target: $url)"
  exec cargo run -q -- --demo --to "$url"
fi

rows="${FERRY_DEMO_ROWS:-100000}"
echo "== no display: the same migration with the ferry command"
echo "== building ferry (release; the first build takes a few minutes; cargo's progress below)"
cargo build --release -p ferry-cli
ferry=target/release/ferry
mkdir -p demo-out
echo "== ferry demo: $rows rows"
"$ferry" demo --out demo-out/demo.sqlite --scale "$rows" --force
echo "== ferry migrate demo-out/demo.sqlite --to $url"
set +e
"$ferry" migrate demo-out/demo.sqlite --to "$url" --report demo-out/report.json --jobs 2
code=$?
set -e
echo
echo "report: demo-out/report.json (exit status $code: 0 every row arrived exactly, 2 completed with values or objects listed in the report; \`ferry migrate --help\` lists every status)"
[ "$code" -eq 0 ] || [ "$code" -eq 2 ]
