#!/usr/bin/env bash
# Ferry's whole test suite, as CI runs it (.ci/run): setup, the front end's type check, its
# unit tests and its views in headless Chromium with the IPC mocked, then
# every Rust test of the workspace. That includes tests/gui.rs, which drives the real app
# through tauri-driver and starts its own Xvfb when DISPLAY is unset, and the end-to-end tests
# against the real PostgreSQL and MariaDB; then the .deb, installed on a clean Debian 12
# (scripts/test-deb.sh). Ends with one line adding up every test binary's
# results; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/setup.sh

# The Citus test cluster (crates/ferry-cli/tests/it/citus.rs): `shared/citus/cluster.sh` in the
# nearest folder above the project that has it, or FERRY_CITUS_SH; its tests skip without it.
citus_sh=${FERRY_CITUS_SH:-}
if [[ -z $citus_sh ]]; then
  d=$(pwd)
  while [[ $d != / ]]; do
    d=$(dirname "$d")
    if [[ -f $d/shared/citus/cluster.sh ]]; then citus_sh=$d/shared/citus/cluster.sh; break; fi
  done
fi
if [[ -n $citus_sh && -f $citus_sh ]]; then
  citus_url=$(bash "$citus_sh" start | tail -1)
  # Monitor reads citus_stat_statements, which needs pg_stat_statements loaded on every node
  # (after citus, which must come first): set once, then the nodes restart (about 5 s).
  preload=$(psql -X -q -At "$citus_url" -c 'SHOW shared_preload_libraries')
  if [[ ",${preload// /}," != *,pg_stat_statements,* ]]; then
    # One quoted name each: a single quoted string would be read as one library's name.
    libs=$(for l in ${preload//,/ } pg_stat_statements; do printf "'%s', " "$l"; done)
    for port in $(psql -X -q -At "$citus_url" -c 'SELECT DISTINCT nodeport FROM pg_dist_node'); do
      psql -X -q -At "${citus_url/:${citus_url##*:}/:$port/postgres}" \
        -c "ALTER SYSTEM SET shared_preload_libraries = ${libs%, }"
    done
    bash "$citus_sh" stop
    citus_url=$(bash "$citus_sh" start | tail -1)
  fi
  echo "== citus: $citus_url"
else
  echo "== citus: no shared/citus/cluster.sh above $(pwd) and FERRY_CITUS_SH unset: the Citus tests skip"
fi

echo "== ui: svelte-check"
npm --prefix ui run --silent check
echo "== ui: unit tests (vitest)"
npm --prefix ui run --silent test
echo "== ui: the built views in headless Chromium, IPC mocked (vitest + playwright-core)"
npm --prefix ui run --silent test:e2e

echo "== cargo test --workspace --no-fail-fast"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The package: built, installed with apt on a clean Debian 12, its app and `ferry` run there.
# FERRY_SKIP_DEB=1 leaves it out.
deb_status=0
if [[ -z ${FERRY_SKIP_DEB:-} ]]; then
  echo "== the .deb on a clean Debian 12 (scripts/test-deb.sh)"
  bash scripts/test-deb.sh || deb_status=$?
fi
passed=$(grep -oE '^test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -oE '[0-9]+ failed;' "$log" | awk '{s += $1} END {print s + 0}')
echo
echo "tests: $passed passed, $failed failed"
if [ "$deb_status" -ne 0 ]; then
  echo "the .deb test failed (exit $deb_status)"
fi
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ] || [ "$deb_status" -ne 0 ]; then
  exit 1
fi
