#!/usr/bin/env bash
# Ferry's benchmark: migrates the demo database and prints Ferry's figures beside baselines
# measured in the same run, on the same SQLite file, into the same servers. It is a
# measurement, not a test: it passes or fails only on whether Ferry itself ran.
#
#   PostgreSQL (127.0.0.1:5432, user postgres):
#     ferry      `ferry migrate --jobs N` into a fresh database, then `ferry validate` of it
#                (timed beside the migration; it must find every row equal), then `ferry
#                preflight` of the same file for the same target (timed beside the migration:
#                it reads the source's profile and checks every value, key and foreign key), then
#                `ferry plan` (the profile of every column and the proposal) timed likewise,
#                then `ferry plan --production` beside it, and `ferry migrate` with every
#                production proposal the target takes accepted, validated clean; then
#                `ferry plan --mask-pii` and the masked migration it plans (a made-up key),
#                timed beside the plain one and validated clean through the same masks; and
#                `ferry advise` of the migrated database (issue 20: within a few seconds).
#     ctrl-c     the same migration sent SIGINT mid-load (at 40% of the plain run's time): the
#                seconds from the signal to the exit, then `--resume` timed and validated clean.
#     pooler     the same migration through Debian's pgbouncer in transaction mode (4 server
#                connections in rotation), beside the direct one, validated through it.
#     citus      the same migration with --distribute tenant_id into a fresh database of the
#                Citus test cluster (shared/citus/cluster.sh: coordinator + 2 workers on the
#                same cores, fsync off), timed beside the plain run and validated; skipped
#                without the script.
#     raw limit  Ferry's own result, re-created from `pg_dump --schema-only` (custom format):
#                pre-data (tables, typed columns, CHECKs, identities), then every table's CSV
#                loaded with psql `\copy ... (FORMAT csv, NULL '\N')`, N at a time, then
#                post-data (primary keys, uniques, indexes, foreign keys) with
#                `pg_restore --section=post-data -j N`, then `vacuumdb --analyze-only -j N`
#                (Ferry analyzes each table it loads). Timed: the loads + post-data + analyze;
#                the sqlite3 -> CSV export is timed and printed separately.
#     pgloader   `pgloader sqlite:///demo.sqlite postgresql://.../db`. If it fails as is, the
#                reason is printed and it is run again with the workarounds it needs (said so).
#     ferry sync `ferry sync` of a copy of the demo with 1% of the rows changed in each table
#                that has a numeric column no key, index or CHECK names (scripts/bench/change.py;
#                most of the demo's tables) into what `ferry migrate` just loaded, timed beside
#                `ferry validate` (the issue's bar: no longer than validate), then validated clean.
#     duckdb     DuckDB (PyPI `duckdb` + `duckdb-ext-sqlite`/`-postgres`/`-mysql`, in a venv in the
#                work dir) copying every table with CREATE TABLE ... AS SELECT through its sqlite
#                and postgres scanners (scripts/bench/duckdb_copy.py): the quick copy people reach
#                for. It carries rows and its own column types only: no keys, indexes, CHECKs,
#                foreign keys, defaults or views (said in the notes).
#   MariaDB/MySQL (127.0.0.1:3306, user root, no password):
#     ferry      as above.
#     raw limit  `mariadb-dump --no-data` of Ferry's result, split: tables with their columns,
#                primary key and CHECKs first; `LOAD DATA LOCAL INFILE` of each CSV (N at a
#                time, foreign_key_checks=0, unique_checks=0); then each table's UNIQUE and
#                secondary keys in one ALTER TABLE (N tables at a time); then the foreign keys
#                (foreign_key_checks=0, as Ferry adds them); then ANALYZE TABLE of every table
#                (as Ferry's run does). Timed: loads + keys + foreign keys + analyze.
#     ferry sync, duckdb  as above (duckdb through its mysql scanner).
#     sqlite3-to-mysql  (PyPI; installed into a venv in the work dir if missing). Slow, so it
#                runs on a smaller demo (FERRY_BENCH_S2M_ROWS) and is compared with Ferry on
#                that same smaller file.
#     heavier file  Ferry and the raw limit again (validated, in turn, medians) on a second file
#                whose rows carry JSON documents of a few KB and long text with tabs, newlines
#                and backslashes in it (scripts/bench/heavy.py; FERRY_BENCH_HEAVY_DOCS).
#   Optionally Ferry alone at a bigger scale (FERRY_BENCH_ROWS_BIG), into PostgreSQL: its time
#   and peak memory.
#
# Before each tool's first timed step the machine settles (`sync`, a PostgreSQL CHECKPOINT):
# no tool pays for what the one before it left to flush. A shared 2-core machine varies by
# ±10% from one minute to the next, so Ferry and the raw limit each run FERRY_BENCH_REPEAT
# times, in turn, and the figures are medians.
#
# Columns: seconds (wall), rows/s, MB/s (SQLite file bytes / 10^6 / seconds), peak MB (maximum
# resident set of the tool's own processes, from /usr/bin/time -v: for the raw limit that is the
# largest psql/mariadb/pg_restore client; server memory is not counted for anyone), and
# "ferry ÷" = Ferry's rows/s on the same file / the line's rows/s (above 1: Ferry is faster).
# Every baseline's row count is checked against Ferry's.
#
# Environment:
#   FERRY_BENCH_ROWS      demo size (default 1000000)
#   FERRY_BENCH_DIR       work dir (default bench-out, git-ignored); logs, reports, schemas stay
#   FERRY_BENCH_JOBS      Ferry's --jobs and the baselines' parallelism (default 2)
#   FERRY_BENCH_REPEAT    runs of Ferry and of the raw limit per target, taken in turn (Ferry, raw,
#                         Ferry, raw, ...); each figure is the median, every run's seconds listed
#                         in the notes (default 3; 1 = one run each)
#   FERRY_BENCH_S2M_ROWS  demo size for sqlite3-to-mysql (default 100000)
#   FERRY_BENCH_SKIP_S2M=1       skip sqlite3-to-mysql
#   FERRY_BENCH_SKIP_DUCKDB=1    skip DuckDB
#   FERRY_BENCH_HEAVY_DOCS  documents in the heavier file for MariaDB (default 40000, about
#                         470 MB; 0 skips it)
#   FERRY_BENCH_ROWS_BIG  also measure Ferry (PostgreSQL) at this many rows, e.g. 10000000
#   FERRY_BENCH_TIMEOUT   seconds any one baseline tool may run (default 3600)
#   FERRY_BENCH_NO_BUILD=1       use the existing target/release/ferry
#   FERRY_BENCH_KEEP=1           keep the databases and CSVs (to inspect them; drop them yourself)
#
# Every database it creates (ferry_bench_<pid>_*) is dropped on exit. Exit status: 0 when Ferry
# ran (baselines that are missing or fail are reported, not fatal); 1 when Ferry failed or a
# server could not be reached.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
export PGTZ=UTC # text instants without an offset are UTC, as Ferry reads them

ROWS=${FERRY_BENCH_ROWS:-1000000}
JOBS=${FERRY_BENCH_JOBS:-2}
REPEAT=${FERRY_BENCH_REPEAT:-3}
S2M_ROWS=${FERRY_BENCH_S2M_ROWS:-100000}
SKIP_S2M=${FERRY_BENCH_SKIP_S2M:-0}
BIG=${FERRY_BENCH_ROWS_BIG:-}
HEAVY_DOCS=${FERRY_BENCH_HEAVY_DOCS:-40000}
LIMIT=${FERRY_BENCH_TIMEOUT:-3600}
PGH=127.0.0.1 PGP=5432 PGU=postgres
MYH=127.0.0.1 MYP=3306 MYU=root
PG_URL=postgres://$PGU@$PGH:$PGP
MY_URL=mysql://$MYU@$MYH:$MYP
PREFIX=ferry_bench_$$
BENCH=$ROOT/scripts/bench

T_START=$(date +%s.%N)
mkdir -p "${FERRY_BENCH_DIR:-bench-out}"
W=$(cd "${FERRY_BENCH_DIR:-bench-out}" && pwd)
rm -rf "$W/logs" "$W/pg" "$W/mysql" "$W/s2m" "$W/big" "$W/results-"*.tsv
mkdir -p "$W/logs" "$W/pg" "$W/mysql" "$W/s2m" "$W/big"

# ------------------------------------------------------------------------------------------
# helpers

say() { printf '%s\n' "$*"; }
section() { printf '\n== %s\n' "$*"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + b }'; }
maxn() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
have() { command -v "$1" >/dev/null 2>&1; }
group() { printf '%s' "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }

pg() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGH" -p "$PGP" -U "$PGU" "$@"; }
my() { mariadb -h "$MYH" -P "$MYP" -u "$MYU" "$@"; }

PG_DBS=()
MY_DBS=()
CITUS_DBS=()
# The Citus test cluster's script (as scripts/test.sh finds it): FERRY_CITUS_SH, else
# shared/citus/cluster.sh in the nearest folder above the project that has one.
CITUS_SH=${FERRY_CITUS_SH:-}
if [ -z "$CITUS_SH" ]; then
    d=$ROOT
    while [ "$d" != / ]; do
        d=$(dirname "$d")
        if [ -f "$d/shared/citus/cluster.sh" ]; then CITUS_SH=$d/shared/citus/cluster.sh; break; fi
    done
fi
new_pg_db() { pg -d postgres -c "CREATE DATABASE \"$1\"" && PG_DBS+=("$1"); }
new_my_db() { my -e "CREATE DATABASE \`$1\` CHARACTER SET utf8mb4" && MY_DBS+=("$1"); }

cleanup() {
    local rc=$?
    set +e
    stop_pooler
    local d dropped=()
    if [ "${FERRY_BENCH_KEEP:-0}" = 1 ]; then
        say "FERRY_BENCH_KEEP=1: kept databases: ${PG_DBS[*]} ${MY_DBS[*]}; CSVs in $W/pg/csv, $W/mysql/csv"
        exit "$rc"
    fi
    for d in "${PG_DBS[@]}"; do
        if pg -d postgres -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null 2>&1; then dropped+=("pg:$d"); else say "warning: could not drop PostgreSQL database $d"; fi
    done
    for d in "${MY_DBS[@]}"; do
        if my -e "DROP DATABASE IF EXISTS \`$d\`" >/dev/null 2>&1; then dropped+=("mysql:$d"); else say "warning: could not drop MariaDB database $d"; fi
    done
    for d in "${CITUS_DBS[@]}"; do
        if bash "$CITUS_SH" dropdb "$d" >/dev/null 2>&1; then dropped+=("citus:$d"); else say "warning: could not drop Citus database $d"; fi
    done
    [ ${#dropped[@]} -eq 0 ] || say "dropped ${#dropped[@]} benchmark databases (${PREFIX}_*)"
    rm -rf "$W/pg/csv" "$W/mysql/csv" "$W/big/demo.sqlite"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# measure NAME CMD...: runs CMD under /usr/bin/time -v, stdout+stderr to $W/logs/NAME.log.
# Sets M_RC (exit status), M_SEC (wall seconds), M_KB (peak RSS in KiB of CMD and its children).
measure() {
    local name=$1 t0
    shift
    t0=$(now)
    if /usr/bin/time -v -o "$W/logs/$name.time" "$@" >"$W/logs/$name.log" 2>&1; then M_RC=0; else M_RC=$?; fi
    M_SEC=$(since "$t0")
    M_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$W/logs/$name.time" 2>/dev/null || true)
}

# settle: every tool starts from the same quiet machine — the page cache's dirty pages (the
# demo just written, the last tool's files) on disk, and a PostgreSQL checkpoint taken (the
# last tool's WAL would otherwise be checkpointed during the next one's run). Called before
# each tool's first timed step, never between the steps of one figure.
settle() {
    sync
    pg -d postgres -c CHECKPOINT >/dev/null 2>&1 || true
    sleep 1
}

# result FILE ROLE GROUP LABEL SECONDS ROWS PEAK_KB SQLITE_BYTES NOTE (SECONDS empty: did not run)
result() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" >>"$1"; }

first_error() { grep -m1 -E "$2" "$1" | cut -c1-240 || true; }

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { printf "%.2f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
# runs_note SECONDS...: "3 runs: 3.41, 3.52, 3.38 s (median 3.41 s)" when there was more than one.
runs_note() { [ $# -gt 1 ] && printf '%s runs: %s s (median %s s); ' "$#" "$(printf '%s, ' "$@" | sed 's/, $//')" "$(median "$@")"; }

# again_ferry NAME URL_BASE DB NEWDB DROPDB: one more `ferry migrate` (of $AGAIN_SRC, else the
# demo) into a fresh database, for the median; appends to FERRY_SECS, raises FERRY_KB.
again_ferry() {
    local name=$1 url=$2 db=$3
    "$4" "$db"
    settle
    measure "$name" "$FERRY" migrate "${AGAIN_SRC:-$DEMO}" --to "$url/$db" --report "$W/logs/$name.report.json" --jobs "$JOBS"
    case $M_RC in 0 | 2) ;; *) tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry migrate failed (exit $M_RC); log: $W/logs/$name.log" ;; esac
    FERRY_SECS+=("$M_SEC")
    FERRY_KB=$(maxn "$FERRY_KB" "$M_KB")
    "$5" "$db"
}
# more_pairs TAG URL RAW NEWDB DROPDB DETAIL: runs 2 to FERRY_BENCH_REPEAT, each Ferry then the raw
# limit (function RAW); appends to FERRY_SECS and RAW_SECS, raises FERRY_KB and RAW_PEAK; DETAIL
# prints the raw run's steps.
more_pairs() {
    local tag=$1 url=$2 raw=$3 newdb=$4 dropdb=$5 detail=$6 i
    for i in $(seq 2 "$REPEAT"); do
        again_ferry "$tag-ferry-$i" "$url" "${PREFIX}_${tag}_ferry_$i" "$newdb" "$dropdb"
        "$raw" "$tag-raw-$i" "${PREFIX}_${tag}_raw_$i"
        [ "$RAW_OK" = 1 ] || die "raw limit run $i failed: $RAW_ERR"
        "$dropdb" "${PREFIX}_${tag}_raw_$i"
        RAW_SECS+=("$RAW_SEC") RAW_PEAK=$(maxn "$RAW_PEAK" "$RAW_KB")
        say "  run $i: ferry ${FERRY_SECS[-1]} s, raw $RAW_SEC s ($("$detail"))"
    done
}
drop_pg_db() { pg -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }
drop_my_db() { my -e "DROP DATABASE IF EXISTS \`$1\`"; }

# Exact row count over every base table of a database.
pg_rows() {
    pg -d "$1" -Atc "SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint), 0)
                     FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"
}
my_rows() {
    local q
    q=$(my -N -B -e "SELECT CONCAT('SELECT 0', GROUP_CONCAT(CONCAT(' + (SELECT COUNT(*) FROM \`', table_schema, '\`.\`', table_name, '\`)') SEPARATOR ''))
                     FROM information_schema.tables WHERE table_schema = '$1' AND table_type = 'BASE TABLE'")
    my -N -B -e "$q"
}
count_note() { # count_note ACTUAL EXPECTED
    if [ "$1" = "$2" ]; then echo ""; else echo "ROW COUNT $1 != Ferry's $2; "; fi
}

# run_ferry NAME SOURCE URL REPORT: Ferry must succeed (exit 0, or 2 = completed with objects
# left behind / values changed, listed in the report); anything else ends the benchmark.
run_ferry() {
    local name=$1 src=$2 url=$3 rep=$4
    settle
    measure "$name" "$FERRY" migrate "$src" --to "$url" --report "$rep" --jobs "$JOBS"
    case $M_RC in
        0) ;;
        2) say "  ferry exit 2 (completed; the report lists $(jq '.warnings | length' "$rep") object(s) left behind and $(jq '[.tables[] | (.rejected | length) + (.changed | length)] | add' "$rep") rejected/changed value(s))" ;;
        *)
            tail -20 "$W/logs/$name.log" | sed 's/^/  | /'
            die "ferry migrate failed (exit $M_RC); log: $W/logs/$name.log"
            ;;
    esac
    F_ROWS=$(jq '[.tables[].rows_written] | add' "$rep")
    say "  ferry: $M_SEC s, $(group "$F_ROWS") rows, peak $((M_KB / 1024)) MB"
}

# run_validate NAME SOURCE URL RUN_REPORT: `ferry validate` of what run_ferry just loaded, timed
# beside the migration (it must find everything equal: exit 0).
run_validate() {
    local name=$1 src=$2 url=$3 rep=$4 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC
    settle
    measure "$name" "$FERRY" validate "$src" --to "$url" --run-report "$rep" --report "${rep%.json}.validation.json" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry validate did not find the target equal (exit $M_RC); log: $W/logs/$name.log"; }
    say "  ferry validate: $M_SEC s (the migration took $migrate_sec s), $(jq .rows_compared "${rep%.json}.validation.json") rows compared, peak $((M_KB / 1024)) MB"
    V_SEC=$M_SEC
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_sync NAME SOURCE URL RUN_REPORT: `ferry sync` of a copy of SOURCE with 1% of each table's
# rows changed into what run_ferry loaded, timed beside validate (V_SEC, set by run_validate),
# then `ferry validate` of the changed copy, which must find every row equal.
run_sync() {
    local name=$1 src=$2 url=$3 rep=$4 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC
    local changed=$W/logs/$name.sqlite
    cp "$src" "$changed"
    python3 "$BENCH/change.py" "$changed" 1 >"$W/logs/$name.change.log"
    settle
    measure "$name" "$FERRY" sync "$changed" --to "$url" --run-report "$rep" --report "$W/logs/$name.json" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry sync failed (exit $M_RC); log: $W/logs/$name.log"; }
    local sync_sec=$M_SEC sync_kb=$M_KB
    measure "$name-validate" "$FERRY" validate "$changed" --to "$url" --run-report "$rep" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-validate.log" | sed 's/^/  | /'; die "after ferry sync, ferry validate did not find the target equal (exit $M_RC); log: $W/logs/$name-validate.log"; }
    say "  ferry sync: $sync_sec s for $(group "$(sed -n 's/^changed=//p' "$W/logs/$name.change.log")") changed rows ($(jq '[.tables[] | .updated] | add' "$W/logs/$name.json") updated; ferry validate took $V_SEC s), peak $((sync_kb / 1024)) MB; validated clean after it"
    rm -f "$changed"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_duckdb RES GROUP KIND DB CONNINFO EXPECTED_ROWS: DuckDB's quick copy into the new database DB
# (made by the caller), one result line.
DUCKDB_PY=""
run_duckdb() {
    local res=$1 group=$2 kind=$3 db=$4 conn=$5 expect=$6 n
    if [ "${FERRY_BENCH_SKIP_DUCKDB:-0}" = 1 ]; then
        result "$res" base "$group" "duckdb" "" "" "" "" "skipped (FERRY_BENCH_SKIP_DUCKDB=1)"
        return
    fi
    if [ -z "$DUCKDB_PY" ]; then
        if [ ! -x "$W/venv-duckdb/bin/python" ] || ! "$W/venv-duckdb/bin/python" -c 'import duckdb' 2>/dev/null; then
            say "  installing duckdb and its scanners (pip, into $W/venv-duckdb)"
            { python3 -m venv "$W/venv-duckdb" && "$W/venv-duckdb/bin/pip" install -q duckdb==1.4.4 duckdb-ext-sqlite duckdb-ext-postgres duckdb-ext-mysql; } >"$W/logs/pip-duckdb.log" 2>&1 || true
        fi
        "$W/venv-duckdb/bin/python" -c 'import duckdb' 2>/dev/null && DUCKDB_PY=$W/venv-duckdb/bin/python
    fi
    if [ -z "$DUCKDB_PY" ]; then
        result "$res" base "$group" "duckdb" "" "" "" "" "not installed (pip install duckdb duckdb-ext-*: see $W/logs/pip-duckdb.log): skipped"
        return
    fi
    local version
    version=$("$DUCKDB_PY" -c 'import duckdb; print(duckdb.__version__)')
    settle
    measure "$group-duckdb" timeout -k 10 "$LIMIT" "$DUCKDB_PY" "$BENCH/duckdb_copy.py" "$DEMO" "$kind" "$conn"
    if [ "$M_RC" -eq 0 ]; then
        if [ "$kind" = pg ]; then n=$(pg_rows "$db"); else n=$(my_rows "$db"); fi
        local skipped star=""
        skipped=$(sed -n 's/.* skipped=//p' "$W/logs/$group-duckdb.log")
        [ -z "$skipped" ] || star="*"
        result "$res" base "$group" "duckdb $version (scanners)$star" "$M_SEC" "$n" "$M_KB" "$SIZE" \
            "$(count_note "$n" "$expect")$([ -z "$skipped" ] || echo "WITHOUT ROWID table(s) $skipped left out: its sqlite scanner reads by ROWID and fails on them; ")rows and DuckDB's column types only (CREATE TABLE AS SELECT): no keys, indexes, CHECKs, foreign keys, defaults or views"
    else
        local err
        err=$(tail -1 "$W/logs/$group-duckdb.log" | cut -c1-200)
        say "  duckdb: FAILED (exit $M_RC) after $M_SEC s: $err"
        result "$res" base "$group" "duckdb $version" "" "" "" "" "fails on this database: $err"
    fi
}

# run_preflight NAME SOURCE URL: `ferry preflight` of the same file for the same target, timed
# beside the migration run_ferry just made (the issue's bar: no longer than the migration).
# Exit 0 (ready) or 2 (groups to choose for) both count as having run; its JSON stays in the log.
run_preflight() {
    local name=$1 src=$2 url=$3 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC
    settle
    measure "$name" "$FERRY" preflight "$src" --to "$url" --json
    case $M_RC in
        0 | 2) ;;
        *) tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry preflight failed (exit $M_RC); log: $W/logs/$name.log" ;;
    esac
    local ratio groups
    ratio=$(awk -v p="$M_SEC" -v m="$migrate_sec" 'BEGIN { printf "%.2f", (m > 0 ? p / m : 0) }')
    groups=$(jq '.groups | length' "$W/logs/$name.log" 2>/dev/null || echo "?")
    say "  ferry preflight: $M_SEC s (the migration took $migrate_sec s: ${ratio}x), $(group "$(jq .rows_checked "$W/logs/$name.log")") rows checked, $groups group(s), peak $((M_KB / 1024)) MB"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_profile NAME SOURCE URL: `ferry plan` of the same file for the same target — the schema
# read and every column profiled, the proposal made — timed beside the migration run_ferry just
# made (a migration without a plan does the same work first: its "source" phase).
run_profile() {
    local name=$1 src=$2 url=$3 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC
    settle
    measure "$name" "$FERRY" plan "$src" --to "$url" --out "$W/$name.plan.toml"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry plan failed (exit $M_RC); log: $W/logs/$name.log"; }
    local ratio
    ratio=$(awk -v p="$M_SEC" -v m="$migrate_sec" 'BEGIN { printf "%.2f", (m > 0 ? p / m : 0) }')
    say "  ferry plan (profile every column + propose): $M_SEC s (the migration took $migrate_sec s: ${ratio}x), peak $((M_KB / 1024)) MB"
    P_SEC=$M_SEC
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_advise NAME URL: `ferry advise` of the database the plain run filled, timed (its findings
# counted; exit 0 whatever it finds).
run_advise() {
    local name=$1 url=$2 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC
    settle
    measure "$name" "$FERRY" advise "$url" --json
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry advise failed (exit $M_RC); log: $W/logs/$name.log"; }
    say "  ferry advise: $M_SEC s, $(jq '.findings | length' "$W/logs/$name.log" 2>/dev/null || echo '?') findings, peak $((M_KB / 1024)) MB"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_production NAME SOURCE URL_BASE NEWDB DROPDB: `ferry plan --production` timed beside the
# plain `ferry plan` run_profile just timed (P_SEC; the issue's bar: no more than 20% over it),
# then `ferry migrate` with every proposal the target takes accepted (MySQL/MariaDB have no
# partial indexes: those stay unaccepted), into a fresh database, timed beside the plain
# migration, and validated clean through the same plan.
run_production() {
    local name=$1 src=$2 url=$3 newdb=$4 dropdb=$5 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC db=${PREFIX}_$1
    local plan="$W/$name.plan.toml" ratio n taken
    settle
    measure "$name-plan" "$FERRY" plan "$src" --to "$url/x" --production --out "$plan"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-plan.log" | sed 's/^/  | /'; die "ferry plan --production failed (exit $M_RC); log: $W/logs/$name-plan.log"; }
    ratio=$(awk -v p="$M_SEC" -v m="$P_SEC" 'BEGIN { printf "%.2f", (m > 0 ? p / m : 0) }')
    n=$(grep -c '^\[\[production\]\]' "$plan" || true)
    say "  ferry plan --production: $M_SEC s for $n proposals (ferry plan took $P_SEC s: ${ratio}x), peak $((M_KB / 1024)) MB"
    # Each proposal is read whole before it is written: one listed without SQL (a MySQL JSON
    # column no key is common enough in, saying how to take one) is not one the target takes.
    awk -v my="$([ "$newdb" = new_my_db ] && echo 1)" '
        function flush(   i) {
            for (i = 1; i <= n; i++) {
                if (lines[i] == "accept = false" && inside && !(my && kind == "\"partial_index\"") && made) print "accept = true"
                else print lines[i]
            }
            n = 0
        }
        /^\[\[production\]\]/ { flush(); inside = 1; kind = ""; made = 0 }
        /^\[/ && !/^\[\[production\]\]/ { flush(); inside = 0 }
        inside && /^kind = / { kind = $3 }
        inside && /^sql = / { made = 1 }
        { lines[++n] = $0 }
        END { flush() }' "$plan" >"$plan.all"
    taken=$(grep -c '^accept = true' "$plan.all" || true)
    "$newdb" "$db"
    settle
    measure "$name-migrate" "$FERRY" migrate "$src" --to "$url/$db" --plan "$plan.all" --report "$W/logs/$name.report.json" --jobs "$JOBS"
    case $M_RC in 0 | 2) ;; *) tail -20 "$W/logs/$name-migrate.log" | sed 's/^/  | /'; die "ferry migrate with the production proposals failed (exit $M_RC); log: $W/logs/$name-migrate.log" ;; esac
    say "  ferry migrate with $taken of $n proposals accepted: $M_SEC s (the plain migration took $migrate_sec s), peak $((M_KB / 1024)) MB"
    measure "$name-validate" "$FERRY" validate "$src" --to "$url/$db" --plan "$plan.all" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-validate.log" | sed 's/^/  | /'; die "ferry validate with the production proposals did not find the target equal (exit $M_RC); log: $W/logs/$name-validate.log"; }
    say "  validated clean through the same plan ($M_SEC s)"
    "$dropdb" "$db"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_masked NAME SOURCE URL_BASE NEWDB DROPDB: `ferry plan --mask-pii`, then a masked migration
# of SOURCE into a fresh database with that plan (the key from $FERRY_MASK_KEY, made up here),
# timed beside the plain migration run_ferry just made (issue 16's goal: at most 1.3x), then
# validated through the same masks. Leaves run_ferry's M_SEC/M_KB/M_RC as they were.
run_masked() {
    local name=$1 src=$2 url=$3 newdb=$4 dropdb=$5 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC db=${PREFIX}_$1
    local plan="$W/$name.plan.toml" ratio
    export FERRY_MASK_KEY="bench-mask-key-$$-0123456789"
    measure "$name-plan" "$FERRY" plan "$src" --to "$url/x" --mask-pii --out "$plan"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-plan.log" | sed 's/^/  | /'; die "ferry plan --mask-pii failed (exit $M_RC); log: $W/logs/$name-plan.log"; }
    "$newdb" "$db"
    settle
    measure "$name-migrate" "$FERRY" migrate "$src" --to "$url/$db" --plan "$plan" --report "$W/logs/$name.report.json" --jobs "$JOBS"
    case $M_RC in 0 | 2) ;; *) tail -20 "$W/logs/$name-migrate.log" | sed 's/^/  | /'; die "the masked migration failed (exit $M_RC); log: $W/logs/$name-migrate.log" ;; esac
    ratio=$(awk -v a="$M_SEC" -v b="$migrate_sec" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    say "  ferry migrate, masked ($(jq '[.tables[].masked // [] | length] | add' "$W/logs/$name.report.json") columns): $M_SEC s (the plain migration took $migrate_sec s: ${ratio}x; goal <= 1.3x), $(group "$(jq '[.tables[].rows_written] | add' "$W/logs/$name.report.json")") rows, peak $((M_KB / 1024)) MB"
    measure "$name-validate" "$FERRY" validate "$src" --to "$url/$db" --plan "$plan" --run-report "$W/logs/$name.report.json" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-validate.log" | sed 's/^/  | /'; die "ferry validate through the masks did not find the target equal (exit $M_RC); log: $W/logs/$name-validate.log"; }
    say "  validated clean through the same masks ($M_SEC s)"
    unset FERRY_MASK_KEY
    "$dropdb" "$db"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_citus NAME SOURCE: the same migration into a fresh database of the Citus test cluster
# (shared/citus/cluster.sh: a coordinator and 2 workers on this machine) with --distribute
# tenant_id, timed beside the plain PostgreSQL run run_ferry just made (issue 17's goal: at most
# 1.5x, peak memory as for plain PostgreSQL), then validated. Skipped without the script.
# Leaves run_ferry's M_SEC/M_KB/M_RC as they were.
run_citus() {
    local name=$1 src=$2 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC db=${PREFIX}_citus url ratio
    if [ -z "$CITUS_SH" ]; then
        say "  Citus: no shared/citus/cluster.sh above $ROOT and FERRY_CITUS_SH unset: skipped"
        return
    fi
    bash "$CITUS_SH" start >/dev/null || die "cluster.sh start failed"
    url=$(bash "$CITUS_SH" createdb "$db" | tail -1) || die "cluster.sh createdb $db failed"
    CITUS_DBS+=("$db")
    settle
    measure "$name" "$FERRY" migrate "$src" --to "$url" --distribute tenant_id --report "$W/logs/$name.report.json" --jobs "$JOBS"
    case $M_RC in 0 | 2) ;; *) tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry migrate into Citus failed (exit $M_RC); log: $W/logs/$name.log" ;; esac
    ratio=$(awk -v a="$M_SEC" -v b="$migrate_sec" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    say "  ferry migrate --distribute tenant_id into Citus $(psql -X -At "$url" -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'") (coordinator + 2 workers, all on these $(nproc) cores, fsync off): $M_SEC s (plain PostgreSQL took $migrate_sec s: ${ratio}x; goal <= 1.5x), $(group "$(jq '[.tables[].rows_written] | add' "$W/logs/$name.report.json")") rows, peak $((M_KB / 1024)) MB (plain: $((migrate_kb / 1024)) MB)"
    measure "$name-validate" "$FERRY" validate "$src" --to "$url" --run-report "$W/logs/$name.report.json" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-validate.log" | sed 's/^/  | /'; die "ferry validate of the Citus copy did not find it equal (exit $M_RC); log: $W/logs/$name-validate.log"; }
    say "  validated clean through the coordinator ($M_SEC s)"
    bash "$CITUS_SH" dropdb "$db" >/dev/null && unset 'CITUS_DBS[-1]'
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_cancel NAME URL_BASE NEWDB DROPDB: issue 14's "Ctrl-C stops within a second and leaves a
# resumable target", measured: the demo's migration into a fresh database is sent SIGINT when
# 40% of the plain run's time (run_ferry's) has passed, mid-load; the seconds from the signal
# to the process's exit, then `--resume` timed to the end and validated clean. Leaves
# run_ferry's M_SEC/M_KB/M_RC as they were.
run_cancel() {
    local name=$1 url=$2 newdb=$3 dropdb=$4 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC db=${PREFIX}_$1 at pid t0 rc stop
    at=$(awk -v s="$migrate_sec" 'BEGIN { printf "%.2f", s * 0.4 }')
    "$newdb" "$db"
    settle
    "$FERRY" migrate "$DEMO" --to "$url/$db" --report "$W/logs/$name.report.json" --jobs "$JOBS" >"$W/logs/$name.log" 2>&1 &
    pid=$!
    sleep "$at"
    t0=$(now)
    kill -INT "$pid" 2>/dev/null || true
    if wait "$pid"; then rc=0; else rc=$?; fi
    stop=$(since "$t0")
    [ "$rc" = 130 ] || { tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry migrate sent SIGINT at $at s ended with exit $rc, not 130; log: $W/logs/$name.log"; }
    measure "$name-resume" "$FERRY" migrate "$DEMO" --to "$url/$db" --resume --report "$W/logs/$name-resume.report.json" --jobs "$JOBS"
    case $M_RC in 0 | 2) ;; *) tail -20 "$W/logs/$name-resume.log" | sed 's/^/  | /'; die "ferry migrate --resume after Ctrl-C failed (exit $M_RC); log: $W/logs/$name-resume.log" ;; esac
    say "  Ctrl-C at $at s (mid-load): the run stopped $stop s after the signal (goal: within 1 s); --resume then took $M_SEC s (the whole plain run took $migrate_sec s)"
    measure "$name-validate" "$FERRY" validate "$DEMO" --to "$url/$db" --run-report "$W/logs/$name-resume.report.json" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-validate.log" | sed 's/^/  | /'; die "ferry validate after Ctrl-C and --resume did not find the target equal (exit $M_RC); log: $W/logs/$name-validate.log"; }
    say "  validated clean after the resume ($M_SEC s)"
    "$dropdb" "$db"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}

# run_pooler NAME: issue 22's cost of being correct through a transaction pooler, measured: the
# demo's migration into a fresh database through Debian's pgbouncer in transaction mode (4
# server connections in rotation, as the tests run it) beside the direct run run_ferry just
# made, then validated through the pooler. Skipped without pgbouncer. Leaves run_ferry's
# M_SEC/M_KB/M_RC as they were.
run_pooler() {
    local name=$1 migrate_sec=$M_SEC migrate_kb=$M_KB migrate_rc=$M_RC db=${PREFIX}_$1 dir=$W/pgbouncer port ratio
    if ! have pgbouncer; then
        say "  pgbouncer: not installed (scripts/setup.sh installs it): skipped"
        return
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    printf '"%s" ""\n' "$PGU" >"$dir/users.txt"
    printf '[databases]\n* = host=%s port=%s\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = %s\nunix_socket_dir =\nauth_type = trust\nauth_file = %s\npool_mode = transaction\ndefault_pool_size = 4\nmin_pool_size = 4\nserver_round_robin = 1\nmax_client_conn = 100\nlogfile = %s\npidfile = %s\n' \
        "$PGH" "$PGP" "$port" "$dir/users.txt" "$dir/pgbouncer.log" "$dir/pgbouncer.pid" >"$dir/pgbouncer.ini"
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- pgbouncer -d "$dir/pgbouncer.ini" >/dev/null 2>&1 || die "pgbouncer did not start: $(tail -3 "$dir/pgbouncer.log")"
    POOLER_PID_FILE=$dir/pgbouncer.pid
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
    new_pg_db "$db"
    settle
    measure "$name" "$FERRY" migrate "$DEMO" --to "postgres://$PGU@127.0.0.1:$port/$db" --report "$W/logs/$name.report.json" --jobs "$JOBS"
    case $M_RC in 0 | 2) ;; *) tail -20 "$W/logs/$name.log" | sed 's/^/  | /'; die "ferry migrate through pgbouncer failed (exit $M_RC); log: $W/logs/$name.log" ;; esac
    ratio=$(awk -v a="$M_SEC" -v b="$migrate_sec" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    say "  ferry migrate through pgbouncer $(pgbouncer --version | head -1 | grep -oE '[0-9]+\.[0-9.]+') (transaction mode, 4 server connections in rotation): $M_SEC s (direct: $migrate_sec s: ${ratio}x), $(group "$(jq '[.tables[].rows_written] | add' "$W/logs/$name.report.json")") rows, peak $((M_KB / 1024)) MB"
    measure "$name-validate" "$FERRY" validate "$DEMO" --to "postgres://$PGU@127.0.0.1:$port/$db" --run-report "$W/logs/$name.report.json" --jobs "$JOBS"
    [ "$M_RC" = 0 ] || { tail -20 "$W/logs/$name-validate.log" | sed 's/^/  | /'; die "ferry validate through pgbouncer did not find the target equal (exit $M_RC); log: $W/logs/$name-validate.log"; }
    say "  validated clean through the pooler ($M_SEC s)"
    stop_pooler
    drop_pg_db "$db"
    M_SEC=$migrate_sec M_KB=$migrate_kb M_RC=$migrate_rc
}
stop_pooler() {
    [ -n "${POOLER_PID_FILE:-}" ] && [ -f "$POOLER_PID_FILE" ] && kill "$(cat "$POOLER_PID_FILE")" 2>/dev/null
    POOLER_PID_FILE=""
}

ferry_detail() { # ferry_detail REPORT: the phases and the slowest tables, from Ferry's report
    say "  Ferry's report: $(jq -r '.seconds | . * 100 | round / 100' "$1") s; phases (seconds summed over tables where they overlap):"
    jq -r '.phases | to_entries | sort_by(-.value)[] | "\(.key)\t\(.value)"' "$1" | awk -F'\t' '{ printf "    %-14s %8.2f\n", $1, $2 }'
    say "  slowest tables (rows written, seconds, rows/s):"
    jq -r '.tables | to_entries | sort_by(-.value.seconds)[:6][] | "\(.key)\t\(.value.rows_written)\t\(.value.seconds)"' "$1" |
        awk -F'\t' '{ printf "    %-22s %10d %8.2f %10.0f\n", $1, $2, $3, ($3 > 0 ? $2 / $3 : 0) }'
}

# export_csv PLAN_DIR SQLITE: runs every table's export script; prints the seconds.
export_csv() {
    local t t0
    t0=$(now)
    while IFS= read -r t; do
        sqlite3 -readonly -bail "$2" <"$1/$t.export" || die "CSV export of $t failed"
    done <"$1/tables.txt"
    since "$t0"
}

# ------------------------------------------------------------------------------------------
# prerequisites and services

section "setup"
for t in sqlite3 psql pg_dump pg_restore pg_isready mariadb mariadb-dump python3 jq awk timeout; do
    have "$t" || die "$t is missing (PostgreSQL and MariaDB clients, sqlite3, python3 and jq are needed)"
done
if [ ! -x /usr/bin/time ]; then
    say "installing Debian's time package (for peak memory)"
    { apt-get install -y -q time >"$W/logs/apt-time.log" 2>&1 || { apt-get update -q && apt-get install -y -q time; } >>"$W/logs/apt-time.log" 2>&1; } || die "/usr/bin/time is missing and apt-get install time failed"
fi

if ! pg_isready -q -h "$PGH" -p "$PGP"; then
    say "PostgreSQL is not answering: starting cluster 15/main"
    pg_ctlcluster --skip-systemctl-redirect 15 main start || true
    for _ in $(seq 30); do pg_isready -q -h "$PGH" -p "$PGP" && break; sleep 1; done
    pg_isready -q -h "$PGH" -p "$PGP" || die "PostgreSQL at $PGH:$PGP is not up"
fi
if ! mariadb-admin -h "$MYH" -P "$MYP" -u "$MYU" ping >/dev/null 2>&1; then
    say "MariaDB is not answering: starting mariadbd"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql || true
    for _ in $(seq 60); do mariadb-admin -h "$MYH" -P "$MYP" -u "$MYU" ping >/dev/null 2>&1 && break; sleep 1; done
    mariadb-admin -h "$MYH" -P "$MYP" -u "$MYU" ping >/dev/null 2>&1 || die "MariaDB at $MYH:$MYP is not up"
fi
PG_VERSION=$(pg -d postgres -Atc "SHOW server_version")
MY_VERSION=$(my -N -B -e "SELECT VERSION()")

if [ "${FERRY_BENCH_NO_BUILD:-0}" != 1 ]; then
    say "building ferry (release)"
    t0=$(now)
    cargo build --release -q -p ferry-cli >"$W/logs/build.log" 2>&1 || { tail -30 "$W/logs/build.log"; die "cargo build failed"; }
    say "  built in $(since "$t0") s"
fi
FERRY=${CARGO_TARGET_DIR:-$ROOT/target}/release/ferry
[ -x "$FERRY" ] || die "no ferry binary at $FERRY"

DEMO=$W/demo.sqlite
say "building the demo: $(group "$ROWS") rows"
"$FERRY" demo --out "$DEMO" --scale "$ROWS" --force | sed 's/^/  /'
SIZE=$(stat -c %s "$DEMO")

say "ferry $("$FERRY" --version | awk '{print $2}') ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ', with uncommitted changes')), PostgreSQL $PG_VERSION, MariaDB $MY_VERSION"
say "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); demo $(mb "$SIZE") MB; --jobs $JOBS; work dir $W"
BUSY=$(ps -eo comm= | grep -cE '^(rustc|cargo|cc1|cc1plus|ld|node)$' || true)
[ "$BUSY" -eq 0 ] || say "NOTE: $BUSY compiler/build processes are running beside the benchmark: figures may be noisy"

PG_RES=$W/results-pg.tsv
MY_RES=$W/results-mysql.tsv
: >"$PG_RES"
: >"$MY_RES"

# ------------------------------------------------------------------------------------------
# PostgreSQL

section "PostgreSQL: ferry"
DB_PF=${PREFIX}_pg_ferry
new_pg_db "$DB_PF"
run_ferry pg-ferry "$DEMO" "$PG_URL/$DB_PF" "$W/pg/report.json"
PG_FERRY_ROWS=$F_ROWS
FERRY_SECS=("$M_SEC") FERRY_KB=$M_KB
ferry_detail "$W/pg/report.json"
run_validate pg-validate "$DEMO" "$PG_URL/$DB_PF" "$W/pg/report.json"
run_sync pg-sync "$DEMO" "$PG_URL/$DB_PF" "$W/pg/report.json"
run_preflight pg-preflight "$DEMO" "$PG_URL/$DB_PF"
run_profile pg-profile "$DEMO" "$PG_URL/$DB_PF"
run_advise pg-advise "$PG_URL/$DB_PF"
run_production pg-production "$DEMO" "$PG_URL" new_pg_db drop_pg_db
run_masked pg-masked "$DEMO" "$PG_URL" new_pg_db drop_pg_db
run_citus pg-citus "$DEMO"
run_cancel pg-cancel "$PG_URL" new_pg_db drop_pg_db
run_pooler pg-pooler

section "PostgreSQL: raw limit (pg_dump sections of Ferry's result + psql \\copy CSV)"
pg_dump -h "$PGH" -p "$PGP" -U "$PGU" -Fc --schema-only -f "$W/pg/schema.dump" "$DB_PF"
pg_restore --section=pre-data -f "$W/pg/pre-data.sql" "$W/pg/schema.dump"
pg_restore --section=post-data -f "$W/pg/post-data.sql" "$W/pg/schema.dump"
pg -d "$DB_PF" -At -F $'\t' -c "SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public' AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position" >"$W/pg/columns.tsv"
python3 "$BENCH/loadplan.py" pg "$W/pg/report.json" "$W/pg/columns.tsv" "$W/pg/csv" "$W/pg/plan"
mkdir -p "$W/pg/csv"
PG_EXPORT=$(export_csv "$W/pg/plan" "$DEMO")
say "  CSV export (sqlite3 -csv, not part of the figure): $PG_EXPORT s, $(du -sm "$W/pg/csv" | cut -f1) MB of CSV"
# pg_raw NAME DB: the raw limit once into a new database DB: its pre-data, then (timed) every
# CSV loaded, the post-data and the statistics (Ferry's run analyzes each table). Sets RAW_OK
# (1 when every step ran), RAW_SEC, RAW_KB, RAW_ERR, RAW_LOAD, RAW_POST, RAW_ANALYZE.
pg_raw() {
    local name=$1 db=$2
    RAW_OK=0 RAW_ERR=""
    new_pg_db "$db"
    pg_restore -h "$PGH" -p "$PGP" -U "$PGU" --section=pre-data --exit-on-error -d "$db" "$W/pg/schema.dump"
    settle
    measure "$name-load" xargs -d '\n' -P "$JOBS" -I{} psql -X -q -v ON_ERROR_STOP=1 -h "$PGH" -p "$PGP" -U "$PGU" -d "$db" -f "$W/pg/plan/{}.load" <"$W/pg/plan/tables.txt"
    if [ "$M_RC" -ne 0 ]; then
        RAW_ERR="load failed (exit $M_RC): $(first_error "$W/logs/$name-load.log" 'ERROR|error'); see $W/logs/$name-load.log"
        return
    fi
    RAW_LOAD=$M_SEC RAW_KB=$M_KB
    measure "$name-post" pg_restore -h "$PGH" -p "$PGP" -U "$PGU" --section=post-data -j "$JOBS" --exit-on-error -d "$db" "$W/pg/schema.dump"
    if [ "$M_RC" -ne 0 ]; then
        RAW_ERR="post-data failed (exit $M_RC): $(first_error "$W/logs/$name-post.log" 'error'); see $W/logs/$name-post.log"
        return
    fi
    RAW_POST=$M_SEC RAW_KB=$(maxn "$RAW_KB" "$M_KB")
    measure "$name-analyze" vacuumdb -h "$PGH" -p "$PGP" -U "$PGU" --analyze-only -q -j "$JOBS" -d "$db"
    if [ "$M_RC" -ne 0 ]; then
        RAW_ERR="analyze failed (exit $M_RC): $(first_error "$W/logs/$name-analyze.log" 'error'); see $W/logs/$name-analyze.log"
        return
    fi
    RAW_ANALYZE=$M_SEC RAW_SEC=$(add "$(add "$RAW_LOAD" "$RAW_POST")" "$M_SEC") RAW_OK=1
}

pg_raw_detail() { echo "load $RAW_LOAD s + post-data $RAW_POST s + analyze $RAW_ANALYZE s"; }

DB_PR=${PREFIX}_pg_raw
pg_raw pg-raw "$DB_PR"
if [ "$RAW_OK" != 1 ]; then
    say "  raw: $RAW_ERR"
    result "$PG_RES" ferry pg "ferry" "$(median "${FERRY_SECS[@]}")" "$PG_FERRY_ROWS" "$FERRY_KB" "$SIZE" ""
    result "$PG_RES" base pg "raw: \\copy + post-data + analyze" "" "" "" "" "$RAW_ERR"
else
    N=$(pg_rows "$DB_PR")
    say "  $(pg_raw_detail)"
    RAW_SECS=("$RAW_SEC") RAW_PEAK=$RAW_KB FIRST_LOAD=$RAW_LOAD FIRST_POST=$RAW_POST FIRST_ANALYZE=$RAW_ANALYZE
    more_pairs pg "$PG_URL" pg_raw new_pg_db drop_pg_db pg_raw_detail
    result "$PG_RES" ferry pg "ferry" "$(median "${FERRY_SECS[@]}")" "$PG_FERRY_ROWS" "$FERRY_KB" "$SIZE" "$(runs_note "${FERRY_SECS[@]}" | sed 's/; $//')"
    result "$PG_RES" base pg "raw: \\copy + post-data + analyze" "$(median "${RAW_SECS[@]}")" "$N" "$RAW_PEAK" "$SIZE" \
        "$(count_note "$N" "$PG_FERRY_ROWS")$(runs_note "${RAW_SECS[@]}")first run: load $FIRST_LOAD s ($JOBS tables at a time) + post-data $FIRST_POST s (pg_restore -j $JOBS) + analyze $FIRST_ANALYZE s (vacuumdb -j $JOBS); CSV export ${PG_EXPORT} s not included"
fi

section "PostgreSQL: pgloader"
if ! have pgloader; then
    say "  pgloader is missing: apt-get install pgloader"
    { apt-get install -y -q pgloader || { apt-get update -q && apt-get install -y -q pgloader; }; } >"$W/logs/apt-pgloader.log" 2>&1 || true
fi
if ! have pgloader; then
    say "  pgloader: not installed (apt-get install pgloader failed), skipped"
    result "$PG_RES" base pg "pgloader" "" "" "" "" "not installed (apt-get install pgloader failed): skipped"
else
    PGL_VERSION=$(pgloader --version 2>/dev/null | sed -n '1s/.*version "\(.*\)".*/\1/p' || true)
    DB_PL=${PREFIX}_pg_pgloader
    new_pg_db "$DB_PL"
    settle
    measure pg-pgloader timeout -k 10 "$LIMIT" pgloader "sqlite://$DEMO" "postgresql://$PGU@$PGH:$PGP/$DB_PL"
    if [ "$M_RC" -eq 0 ] && ! grep -qE 'FATAL|KABOOM' "$W/logs/pg-pgloader.log"; then
        N=$(pg_rows "$DB_PL")
        result "$PG_RES" base pg "pgloader $PGL_VERSION" "$M_SEC" "$N" "$M_KB" "$SIZE" "$(count_note "$N" "$PG_FERRY_ROWS")"
    else
        ERR=$(first_error "$W/logs/pg-pgloader.log" 'FATAL|KABOOM|ERROR')
        say "  pgloader as is: FAILED (exit $M_RC) after $M_SEC s: $ERR"
        # What it trips on: SQLite strftime(...) defaults on TIMESTAMP/DATETIME columns (it
        # copies them as timestamp literals) and expression indexes (it crashes). Retry with its
        # own options, on a copy of the file without the expression indexes.
        EXPR_IX=$(sqlite3 -readonly "$DEMO" "SELECT DISTINCT il.name FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_xinfo(il.name) x WHERE m.type = 'table' AND x.cid = -2 ORDER BY 1" | paste -sd, -)
        cp "$DEMO" "$W/pg/pgloader-src.sqlite"
        if [ -n "$EXPR_IX" ]; then
            for ix in ${EXPR_IX//,/ }; do sqlite3 "$W/pg/pgloader-src.sqlite" "DROP INDEX \"$ix\""; done
        fi
        DB_PL2=${PREFIX}_pg_pgloader2
        new_pg_db "$DB_PL2"
        CASTS=(--cast "type timestamp to timestamptz drop default" --cast "type datetime to timestamptz drop default")
        say "  retrying: pgloader ${CASTS[*]}, on a copy without the expression index(es) ${EXPR_IX:-none}"
        settle
        measure pg-pgloader2 timeout -k 10 "$LIMIT" pgloader "${CASTS[@]}" "sqlite://$W/pg/pgloader-src.sqlite" "postgresql://$PGU@$PGH:$PGP/$DB_PL2"
        rm -f "$W/pg/pgloader-src.sqlite"
        if [ "$M_RC" -eq 0 ] && ! grep -qE 'FATAL|KABOOM' "$W/logs/pg-pgloader2.log"; then
            N=$(pg_rows "$DB_PL2")
            NERR=$(grep -cE ' ERROR ' "$W/logs/pg-pgloader2.log" || true)
            result "$PG_RES" base pg "pgloader* $PGL_VERSION" "$M_SEC" "$N" "$M_KB" "$SIZE" \
                "$(count_note "$N" "$PG_FERRY_ROWS")as is it fails ($ERR); figure is with ${CASTS[*]} and without the expression index(es) ${EXPR_IX:-none}, which crash it$([ "$NERR" -eq 0 ] || echo "; $NERR ERROR line(s) in its log")"
        else
            say "  pgloader retry: FAILED too (exit $M_RC): $(first_error "$W/logs/pg-pgloader2.log" 'FATAL|KABOOM|ERROR')"
            result "$PG_RES" base pg "pgloader $PGL_VERSION" "" "" "" "" "fails on this database: $ERR (see $W/logs/pg-pgloader*.log)"
        fi
    fi
fi

section "PostgreSQL: duckdb (sqlite + postgres scanners)"
DB_PD=${PREFIX}_pg_duckdb
new_pg_db "$DB_PD"
run_duckdb "$PG_RES" pg pg "$DB_PD" "host=$PGH port=$PGP user=$PGU dbname=$DB_PD" "$PG_FERRY_ROWS"

# ------------------------------------------------------------------------------------------
# MariaDB / MySQL

section "MariaDB: ferry"
DB_MF=${PREFIX}_my_ferry
new_my_db "$DB_MF"
run_ferry my-ferry "$DEMO" "$MY_URL/$DB_MF" "$W/mysql/report.json"
MY_FERRY_ROWS=$F_ROWS
FERRY_SECS=("$M_SEC") FERRY_KB=$M_KB
ferry_detail "$W/mysql/report.json"
run_validate my-validate "$DEMO" "$MY_URL/$DB_MF" "$W/mysql/report.json"
run_sync my-sync "$DEMO" "$MY_URL/$DB_MF" "$W/mysql/report.json"
run_preflight my-preflight "$DEMO" "$MY_URL/$DB_MF"
run_profile my-profile "$DEMO" "$MY_URL/$DB_MF"
run_advise my-advise "$MY_URL/$DB_MF"
run_production my-production "$DEMO" "$MY_URL" new_my_db drop_my_db
run_masked my-masked "$DEMO" "$MY_URL" new_my_db drop_my_db
run_cancel my-cancel "$MY_URL" new_my_db drop_my_db

section "MariaDB: raw limit (mariadb-dump of Ferry's result, split + LOAD DATA LOCAL INFILE)"
mariadb-dump -h "$MYH" -P "$MYP" -u "$MYU" --no-data --compact --skip-add-drop-table --skip-triggers "$DB_MF" >"$W/mysql/schema.sql"
python3 "$BENCH/mysql_split.py" "$W/mysql/schema.sql" "$W/mysql/split"
my -N -B -e "SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = '$DB_MF' AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position" >"$W/mysql/columns.tsv"
python3 "$BENCH/loadplan.py" mysql "$W/mysql/report.json" "$W/mysql/columns.tsv" "$W/mysql/csv" "$W/mysql/plan"
mkdir -p "$W/mysql/csv"
MY_EXPORT=$(export_csv "$W/mysql/plan" "$DEMO")
say "  CSV export (sqlite3 -csv, not part of the figure): $MY_EXPORT s, $(du -sm "$W/mysql/csv" | cut -f1) MB of CSV"
MYCLI="mariadb -h $MYH -P $MYP -u $MYU"
MYW=$W/mysql
# my_raw NAME DB: the raw limit once into a new database DB (its schema, CSVs and scripts in
# $MYW): tables with their primary keys and
# CHECKs, then (timed) every CSV by LOAD DATA, the unique/secondary keys, the foreign keys. Sets
# RAW_OK, RAW_SEC, RAW_KB, RAW_ERR, RAW_LOAD, RAW_KEYS, RAW_FKS, RAW_ANALYZE, RAW_WARN (LOAD
# DATA's warnings). Last, ANALYZE TABLE of every table, as Ferry's run does.
my_raw() {
    local name=$1 db=$2
    RAW_OK=0 RAW_ERR=""
    new_my_db "$db"
    my "$db" <"$MYW/split/pre.sql"
    settle
    measure "$name-load" xargs -d '\n' -P "$JOBS" -I{} sh -c "$MYCLI --local-infile=1 \"\$1\" < \"\$2\"" sh "$db" "$MYW/plan/{}.load" <"$MYW/plan/tables.txt"
    if [ "$M_RC" -ne 0 ]; then
        RAW_ERR="load failed (exit $M_RC): $(first_error "$W/logs/$name-load.log" 'ERROR'); see $W/logs/$name-load.log"
        return
    fi
    RAW_LOAD=$M_SEC RAW_KB=$M_KB
    RAW_WARN=$(grep -c . "$W/logs/$name-load.log" || true)
    measure "$name-keys" sh -c "ls \"\$1\"/*.sql 2>/dev/null | xargs -d '\n' -P $JOBS -I{} sh -c '$MYCLI \"\$0\" < \"\$1\"' \"\$2\" {}" sh "$MYW/split/keys" "$db"
    local k_rc=$M_RC
    RAW_KEYS=$M_SEC RAW_KB=$(maxn "$RAW_KB" "$M_KB")
    measure "$name-fks" sh -c "$MYCLI \"\$1\" < \"\$2\"" sh "$db" "$MYW/split/fks.sql"
    if [ "$k_rc" -ne 0 ] || [ "$M_RC" -ne 0 ]; then
        RAW_ERR="keys or foreign keys failed: $(first_error "$W/logs/$name-keys.log" 'ERROR') $(first_error "$W/logs/$name-fks.log" 'ERROR'); see $W/logs/$name-keys.log, $name-fks.log"
        return
    fi
    RAW_FKS=$M_SEC RAW_KB=$(maxn "$RAW_KB" "$M_KB")
    measure "$name-analyze" sh -c "$MYCLI \"\$1\" -e \"\$2\"" sh "$db" "ANALYZE TABLE $(sed 's/.*/`&`/' "$MYW/plan/tables.txt" | paste -sd, -)"
    if [ "$M_RC" -ne 0 ]; then
        RAW_ERR="analyze failed (exit $M_RC): $(first_error "$W/logs/$name-analyze.log" 'ERROR'); see $W/logs/$name-analyze.log"
        return
    fi
    RAW_ANALYZE=$M_SEC RAW_SEC=$(add "$(add "$(add "$RAW_LOAD" "$RAW_KEYS")" "$RAW_FKS")" "$M_SEC") RAW_OK=1
}

my_raw_detail() { echo "load $RAW_LOAD s + keys $RAW_KEYS s + foreign keys $RAW_FKS s + analyze $RAW_ANALYZE s"; }

DB_MR=${PREFIX}_my_raw
my_raw my-raw "$DB_MR"
if [ "$RAW_OK" != 1 ]; then
    say "  raw: $RAW_ERR"
    result "$MY_RES" ferry my "ferry" "$(median "${FERRY_SECS[@]}")" "$MY_FERRY_ROWS" "$FERRY_KB" "$SIZE" ""
    result "$MY_RES" base my "raw: LOAD DATA + keys + analyze" "" "" "" "" "$RAW_ERR"
else
    [ "$RAW_WARN" -eq 0 ] || say "  LOAD DATA warnings: $(head -3 "$W/logs/my-raw-load.log" | tr '\n' ' ')"
    N=$(my_rows "$DB_MR")
    say "  $(my_raw_detail)"
    RAW_SECS=("$RAW_SEC") RAW_PEAK=$RAW_KB FIRST="load $RAW_LOAD s ($JOBS tables at a time) + unique/secondary keys $RAW_KEYS s (one ALTER per table, $JOBS at a time) + foreign keys $RAW_FKS s + ANALYZE TABLE $RAW_ANALYZE s"
    FIRST_WARN=$RAW_WARN
    more_pairs my "$MY_URL" my_raw new_my_db drop_my_db my_raw_detail
    result "$MY_RES" ferry my "ferry" "$(median "${FERRY_SECS[@]}")" "$MY_FERRY_ROWS" "$FERRY_KB" "$SIZE" "$(runs_note "${FERRY_SECS[@]}" | sed 's/; $//')"
    result "$MY_RES" base my "raw: LOAD DATA + keys + analyze" "$(median "${RAW_SECS[@]}")" "$N" "$RAW_PEAK" "$SIZE" \
        "$(count_note "$N" "$MY_FERRY_ROWS")$(runs_note "${RAW_SECS[@]}")first run: $FIRST; PK and CHECKs created with the tables; $([ "$FIRST_WARN" -eq 0 ] && echo 'no LOAD DATA warnings' || echo "LOAD DATA warnings: see $W/logs/my-raw-load.log"); CSV export ${MY_EXPORT} s not included"
fi

section "MariaDB: duckdb (sqlite + mysql scanners)"
DB_MD=${PREFIX}_my_duckdb
new_my_db "$DB_MD"
run_duckdb "$MY_RES" my mysql "$DB_MD" "host=$MYH port=$MYP user=$MYU database=$DB_MD" "$MY_FERRY_ROWS"

section "MariaDB: sqlite3-to-mysql"
if [ "$SKIP_S2M" = 1 ]; then
    say "  skipped (FERRY_BENCH_SKIP_S2M=1)"
    result "$MY_RES" base my "sqlite3-to-mysql" "" "" "" "" "skipped (FERRY_BENCH_SKIP_S2M=1)"
else
    S2M=$(command -v sqlite3mysql || true)
    if [ -z "$S2M" ]; then
        if [ ! -x "$W/venv-s2m/bin/sqlite3mysql" ]; then
            say "  installing sqlite3-to-mysql (pip, into $W/venv-s2m)"
            { python3 -m venv "$W/venv-s2m" && "$W/venv-s2m/bin/pip" install -q sqlite3-to-mysql; } >"$W/logs/pip-s2m.log" 2>&1 || true
        fi
        [ -x "$W/venv-s2m/bin/sqlite3mysql" ] && S2M=$W/venv-s2m/bin/sqlite3mysql
    fi
    if [ -z "$S2M" ]; then
        say "  sqlite3-to-mysql: not installed (pip install sqlite3-to-mysql failed: $W/logs/pip-s2m.log), skipped"
        result "$MY_RES" base my "sqlite3-to-mysql" "" "" "" "" "not installed (pip install sqlite3-to-mysql failed): skipped"
    else
        S2M_VERSION=$("$S2M" --version 2>/dev/null | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | sed -n 1p || true)
        if [ "$S2M_ROWS" -lt "$ROWS" ]; then
            S2M_DEMO=$W/s2m/demo.sqlite
            say "  on a smaller demo: $(group "$S2M_ROWS") rows (FERRY_BENCH_S2M_ROWS), with Ferry run on that same file"
            "$FERRY" demo --out "$S2M_DEMO" --scale "$S2M_ROWS" --force | sed 's/^/  /'
            S2M_SIZE=$(stat -c %s "$S2M_DEMO")
            DB_MF2=${PREFIX}_my_ferry_small
            new_my_db "$DB_MF2"
            run_ferry my-ferry-small "$S2M_DEMO" "$MY_URL/$DB_MF2" "$W/s2m/report.json"
            S2M_FERRY_ROWS=$F_ROWS
            S2M_GROUP=my-small
            result "$MY_RES" ferry "$S2M_GROUP" "ferry ($(group "$S2M_ROWS")-row demo)" "$M_SEC" "$F_ROWS" "$M_KB" "$S2M_SIZE" ""
        else
            S2M_DEMO=$DEMO S2M_SIZE=$SIZE S2M_FERRY_ROWS=$MY_FERRY_ROWS S2M_GROUP=my
        fi
        S2M_LABEL="sqlite3-to-mysql $S2M_VERSION"
        [ "$S2M_GROUP" = my ] || S2M_LABEL="$S2M_LABEL ($(group "$S2M_ROWS")-row demo)"
        S2M_ARGS=(-f "$S2M_DEMO" -u "$MYU" -h "$MYH" -P "$MYP" -q)
        "$S2M" --help 2>/dev/null | grep -q -- '--skip-ssl' && S2M_ARGS+=(-S)
        DB_MS=${PREFIX}_my_s2m
        new_my_db "$DB_MS"
        settle
        measure my-s2m timeout -k 10 "$LIMIT" "$S2M" "${S2M_ARGS[@]}" -d "$DB_MS"
        if [ "$M_RC" -eq 0 ]; then
            N=$(my_rows "$DB_MS")
            result "$MY_RES" base "$S2M_GROUP" "$S2M_LABEL" "$M_SEC" "$N" "$M_KB" "$S2M_SIZE" "$(count_note "$N" "$S2M_FERRY_ROWS")"
        else
            ERR=$(first_error "$W/logs/my-s2m.log" '[0-9]{4} \(|rror|failed')
            say "  sqlite3-to-mysql as is: FAILED (exit $M_RC) after $M_SEC s: $ERR"
            # Two things stop it on this database: TEXT keys become TEXT columns with a PRIMARY KEY
            # (id(255)) prefix, which a foreign key cannot reference; and Python's sqlite3
            # "timestamp" converter (it reads with detect_types) cannot parse ISO-8601 text
            # (2024-03-05T14:22:01.123Z) in columns declared TIMESTAMP. Retry on a copy whose
            # TIMESTAMP columns hold the same instants as 'YYYY-MM-DD HH:MM:SS.SSS', without FKs.
            cp "$S2M_DEMO" "$W/s2m/s2m-src.sqlite"
            TS_COLS=$(sqlite3 -readonly "$S2M_DEMO" "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND upper(p.type) LIKE 'TIMESTAMP%' ORDER BY 1" | paste -sd, -)
            for tc in ${TS_COLS//,/ }; do
                sqlite3 "$W/s2m/s2m-src.sqlite" "UPDATE \"${tc%%.*}\" SET \"${tc#*.}\" = strftime('%Y-%m-%d %H:%M:%f', \"${tc#*.}\") WHERE \"${tc#*.}\" IS NOT NULL"
            done
            S2M_ARGS[1]=$W/s2m/s2m-src.sqlite
            DB_MS2=${PREFIX}_my_s2m2
            new_my_db "$DB_MS2"
            say "  retrying with --without-foreign-keys, on a copy with TIMESTAMP columns ($TS_COLS) as 'YYYY-MM-DD HH:MM:SS.SSS'"
            settle
            measure my-s2m2 timeout -k 10 "$LIMIT" "$S2M" "${S2M_ARGS[@]}" --without-foreign-keys -d "$DB_MS2"
            rm -f "$W/s2m/s2m-src.sqlite"
            S2M_SKIPPED=$(grep -m3 -E '^Failed' "$W/logs/my-s2m2.log" | cut -c1-120 | paste -sd';' - || true)
            if [ "$M_RC" -eq 0 ]; then
                N=$(my_rows "$DB_MS2")
                result "$MY_RES" base "$S2M_GROUP" "$S2M_LABEL*" "$M_SEC" "$N" "$M_KB" "$S2M_SIZE" \
                    "$(count_note "$N" "$S2M_FERRY_ROWS")as is it fails ($ERR); figure is with --without-foreign-keys (no FKs created), on a copy whose TIMESTAMP columns were rewritten as 'YYYY-MM-DD HH:MM:SS.SSS' (its Python sqlite3 timestamp converter cannot read ISO 'T...Z' text)$([ -z "$S2M_SKIPPED" ] || echo "; it also logged: $S2M_SKIPPED")"
            else
                say "  retry: FAILED too (exit $M_RC): $(first_error "$W/logs/my-s2m2.log" 'rror|failed')"
                result "$MY_RES" base "$S2M_GROUP" "$S2M_LABEL" "" "" "" "" "fails on this database: $ERR (see $W/logs/my-s2m*.log)"
            fi
        fi
    fi
fi

# ------------------------------------------------------------------------------------------
# MariaDB: the heavier file (issue 15): rows of KB-sized JSON and text, where the demo's are
# small; Ferry beside the same raw LOAD DATA path, both made from Ferry's result as above.

if [ "$HEAVY_DOCS" -gt 0 ]; then
    section "MariaDB: a heavier file ($(group "$HEAVY_DOCS") documents, KB-sized JSON and text: scripts/bench/heavy.py)"
    HEAVY=$W/heavy/heavy.sqlite
    MYW=$W/heavy/mysql
    mkdir -p "$MYW/csv"
    rm -f "$HEAVY"
    t0=$(now)
    python3 "$BENCH/heavy.py" "$HEAVY" "$HEAVY_DOCS" || die "heavy.py failed"
    HEAVY_SIZE=$(stat -c %s "$HEAVY")
    say "  $(mb "$HEAVY_SIZE") MB SQLite, written in $(since "$t0") s (not part of any figure)"
    DB_HF=${PREFIX}_heavy_ferry
    new_my_db "$DB_HF"
    run_ferry my-heavy-ferry "$HEAVY" "$MY_URL/$DB_HF" "$MYW/report.json"
    HEAVY_ROWS=$F_ROWS
    FERRY_SECS=("$M_SEC") FERRY_KB=$M_KB
    ferry_detail "$MYW/report.json"
    run_validate my-heavy-validate "$HEAVY" "$MY_URL/$DB_HF" "$MYW/report.json"
    mariadb-dump -h "$MYH" -P "$MYP" -u "$MYU" --no-data --compact --skip-add-drop-table --skip-triggers "$DB_HF" >"$MYW/schema.sql"
    python3 "$BENCH/mysql_split.py" "$MYW/schema.sql" "$MYW/split"
    my -N -B -e "SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = '$DB_HF' AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position" >"$MYW/columns.tsv"
    python3 "$BENCH/loadplan.py" mysql "$MYW/report.json" "$MYW/columns.tsv" "$MYW/csv" "$MYW/plan"
    HEAVY_EXPORT=$(export_csv "$MYW/plan" "$HEAVY")
    say "  CSV export (sqlite3 -csv, not part of the figure): $HEAVY_EXPORT s, $(du -sm "$MYW/csv" | cut -f1) MB of CSV"
    my_raw my-heavy-raw "${PREFIX}_heavy_raw"
    if [ "$RAW_OK" != 1 ]; then
        say "  raw: $RAW_ERR"
        result "$MY_RES" ferry my-heavy "ferry (heavier file)" "$(median "${FERRY_SECS[@]}")" "$HEAVY_ROWS" "$FERRY_KB" "$HEAVY_SIZE" ""
        result "$MY_RES" base my-heavy "raw: LOAD DATA + keys + analyze (heavier file)" "" "" "" "" "$RAW_ERR"
    else
        N=$(my_rows "${PREFIX}_heavy_raw")
        say "  $(my_raw_detail)"
        RAW_SECS=("$RAW_SEC") RAW_PEAK=$RAW_KB FIRST="load $RAW_LOAD s + keys $RAW_KEYS s + foreign keys $RAW_FKS s + analyze $RAW_ANALYZE s"
        FIRST_WARN=$RAW_WARN
        AGAIN_SRC=$HEAVY more_pairs my-heavy "$MY_URL" my_raw new_my_db drop_my_db my_raw_detail
        result "$MY_RES" ferry my-heavy "ferry (heavier file)" "$(median "${FERRY_SECS[@]}")" "$HEAVY_ROWS" "$FERRY_KB" "$HEAVY_SIZE" "$(runs_note "${FERRY_SECS[@]}" | sed 's/; $//')"
        result "$MY_RES" base my-heavy "raw: LOAD DATA + keys + analyze (heavier file)" "$(median "${RAW_SECS[@]}")" "$N" "$RAW_PEAK" "$HEAVY_SIZE" \
            "$(count_note "$N" "$HEAVY_ROWS")$(runs_note "${RAW_SECS[@]}")first run: $FIRST; $([ "$FIRST_WARN" -eq 0 ] && echo 'no LOAD DATA warnings' || echo "LOAD DATA warnings: see $W/logs/my-heavy-raw-load.log"); CSV export ${HEAVY_EXPORT} s not included"
    fi
    rm -rf "$MYW/csv"
fi

# ------------------------------------------------------------------------------------------
# Ferry at a bigger scale (optional)

BIG_LINE=""
if [ -n "$BIG" ]; then
    section "Ferry at $(group "$BIG") rows (FERRY_BENCH_ROWS_BIG), PostgreSQL"
    "$FERRY" demo --out "$W/big/demo.sqlite" --scale "$BIG" --force | sed 's/^/  /'
    BIG_SIZE=$(stat -c %s "$W/big/demo.sqlite")
    DB_PB=${PREFIX}_pg_big
    new_pg_db "$DB_PB"
    run_ferry pg-ferry-big "$W/big/demo.sqlite" "$PG_URL/$DB_PB" "$W/big/report.json"
    ferry_detail "$W/big/report.json"
    BIG_LINE=$(awk -v r="$F_ROWS" -v s="$M_SEC" -v b="$BIG_SIZE" -v k="$M_KB" \
        'BEGIN { printf "ferry -> PostgreSQL at %d rows (%.0f MB SQLite): %.2f s, %.0f rows/s, %.1f MB/s, peak %.0f MB", r, b / 1e6, s, r / s, b / 1e6 / s, k / 1024 }')
    pg -d postgres -c "DROP DATABASE \"$DB_PB\" WITH (FORCE)" && unset 'PG_DBS[-1]'
    rm -f "$W/big/demo.sqlite"
fi

# ------------------------------------------------------------------------------------------
# Results

section "Results: $(group "$ROWS")-row demo ($(mb "$SIZE") MB SQLite), --jobs $JOBS, $(nproc) CPUs"
say "MB/s = SQLite file bytes / 10^6 / s; peak MB = max RSS of the tool's own process(es); ferry ÷ = Ferry rows/s / that line's rows/s on the same file (>1: Ferry faster); * = needed a workaround (see notes)"
say ""
say "PostgreSQL $PG_VERSION"
python3 "$BENCH/table.py" "$PG_RES"
say ""
say "MariaDB $MY_VERSION"
python3 "$BENCH/table.py" "$MY_RES"
if [ -n "$BIG_LINE" ]; then
    say ""
    say "$BIG_LINE"
fi
say ""
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); logs, reports and schemas in $W"
say "benchmark took $(since "$T_START") s"
