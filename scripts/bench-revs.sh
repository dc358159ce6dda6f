#!/usr/bin/env bash
# Ferry against an earlier Ferry, in the same run: for a change that should not move the
# figures (a refactor), or one that should. Builds `ferry` (release) at REV in a worktree beside
# this checkout, builds this checkout's, makes one demo database, then migrates it into
# PostgreSQL and into MariaDB with each build in turn, REPEAT times, and prints the median
# seconds and rows/s of each beside the other.
#
#   scripts/bench-revs.sh REV            e.g. scripts/bench-revs.sh e4377d9
#
# Environment:
#   FERRY_BENCH_ROWS    demo size (default 1000000)
#   FERRY_BENCH_REPEAT  runs of each build per target, taken in turn (default 3)
#   FERRY_BENCH_JOBS    --jobs (default 2)
#   FERRY_BENCH_DIR     work dir (default bench-out/revs, git-ignored)
#   FERRY_TEST_PG_URL / FERRY_TEST_MYSQL_URL  servers (the tests' defaults)
# Every database it creates (ferry_revs_<pid>_*) is dropped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

REV=${1:?usage: scripts/bench-revs.sh REV}
ROWS=${FERRY_BENCH_ROWS:-1000000}
REPEAT=${FERRY_BENCH_REPEAT:-3}
JOBS=${FERRY_BENCH_JOBS:-2}
W=${FERRY_BENCH_DIR:-bench-out/revs}
PG=${FERRY_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
MY=${FERRY_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}
mkdir -p "$W"
W=$(cd "$W" && pwd)

say() { printf '%s\n' "$*"; }
# A server URL with the database part replaced.
with_db() { local u=${1%/}; case ${u#*://*/} in "$u" | "${u#*://}") ;; *) u=${u%/*} ;; esac; printf '%s/%s' "$u" "$2"; }

OLD_TREE=$W/tree-$REV
if [ ! -d "$OLD_TREE" ]; then
    git worktree add --detach "$OLD_TREE" "$REV" >/dev/null
fi
say "building ferry at $REV (release)"
(cd "$OLD_TREE" && CARGO_TARGET_DIR=$W/target-old cargo build --release -q -p ferry-cli)
say "building ferry here ($(git rev-parse --short HEAD)$(git diff --quiet || echo ', with changes'))"
cargo build --release -q -p ferry-cli
OLD=$W/target-old/release/ferry
NEW=target/release/ferry

DEMO=$W/demo.sqlite
"$NEW" demo --out "$DEMO" --scale "$ROWS" --force >/dev/null
say "demo: $ROWS rows, $(( $(stat -c %s "$DEMO") / 1000000 )) MB; --jobs $JOBS; $REPEAT runs each, in turn; $(nproc) CPUs"

# Runs happen in subshells: the databases are found by name, not remembered.
cleanup() {
    for db in $(psql "$PG" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'ferry_revs_$$\_%'" 2>/dev/null); do
        psql "$PG" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
    for db in $(mariadb -h 127.0.0.1 -u root -N -e "SHOW DATABASES LIKE 'ferry\_revs\_$$\_%'" 2>/dev/null); do
        mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# One timed migration: prints seconds, or FAILED.
run_one() {
    local bin=$1 target=$2 n=$3 db url start end
    db=ferry_revs_$$_$n
    if [ "$target" = pg ]; then
        psql "$PG" -qc "CREATE DATABASE $db" >/dev/null
        url=$(with_db "$PG" "$db")
    else
        mariadb -h 127.0.0.1 -u root -e "CREATE DATABASE $db" >/dev/null
        url=$(with_db "$MY" "$db")
    fi
    sync
    start=$(date +%s.%N)
    local rc=0
    "$bin" migrate "$DEMO" --to "$url" --jobs "$JOBS" --report "$W/$db.json" >"$W/$db.log" 2>&1 || rc=$?
    end=$(date +%s.%N)
    # 2: the run completed with something left behind or changed (the demo's trigger), said
    # in the report.
    if [ "$rc" = 0 ] || [ "$rc" = 2 ]; then
        jq "[.tables[].rows_written] | add" "$W/$db.json" > "$W/rows"
        printf '%.2f\n' "$(echo "$end - $start" | bc)"
    else
        echo FAILED
    fi
    if [ "$target" = pg ]; then psql "$PG" -qc "DROP DATABASE $db" >/dev/null; else mariadb -h 127.0.0.1 -u root -e "DROP DATABASE $db" >/dev/null; fi
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf '\n%-10s %-22s %10s %12s   %s\n' target build seconds rows/s runs
for target in pg my; do
    old_s="" new_s=""
    for i in $(seq "$REPEAT"); do
        old_s="$old_s $(run_one "$OLD" "$target" "${target}_old_$i")"
        new_s="$new_s $(run_one "$NEW" "$target" "${target}_new_$i")"
    done
    for which in old new; do
        if [ $which = old ]; then runs=$old_s; label="$REV"; else runs=$new_s; label="here"; fi
        case "$runs" in *FAILED*) printf '%-10s %-22s %10s\n' "$target" "$label" FAILED; continue ;; esac
        m=$(echo "$runs" | median)
        TOTAL=$(cat "$W/rows")
        printf '%-10s %-22s %10s %12s   %s\n' "$target" "$label" "$m" "$(echo "$TOTAL / $m" | bc)" "$runs"
    done
done
