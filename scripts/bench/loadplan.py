#!/usr/bin/env python3
"""Writes, for each table Ferry migrated, the sqlite3 script that exports it to CSV and the
script that loads that CSV into a copy of Ferry's own target schema (scripts/bench.sh's "raw
limit" baseline).

    loadplan.py pg|mysql REPORT.json COLUMNS.tsv CSV_DIR OUT_DIR

COLUMNS.tsv: `table<TAB>column<TAB>data_type` for every non-generated column of Ferry's result,
in each table's column order (from information_schema). The SQLite column behind each target
column comes from the report (`tables.<sqlite>.target` and `renames`).

Writes OUT_DIR/<target>.export (sqlite3 dot-commands + SELECT, columns in the target's order),
OUT_DIR/<target>.load (psql \\copy, or MariaDB LOAD DATA LOCAL INFILE) and OUT_DIR/tables.txt
(target table names, most rows first, for scheduling two loads at a time).

CSV conventions: NULL is `\\N` (unquoted); PostgreSQL loads with FORMAT csv, NULL '\\N'. For
MariaDB, text has its backslashes doubled at export and is loaded with ESCAPED BY '\\\\' (so `\\N`
is NULL and any other backslash survives), instants are normalised by SQLite's strftime to
`YYYY-MM-DD HH:MM:SS.SSS` (DATETIME takes no `T`/`Z`), and blobs travel as hex (UNHEX on load).
PostgreSQL bytea travels as `\\x<hex>`. (SQLite's hex(NULL) is '', hence the CASEs.)
"""
import json
import os
import sys
from collections import OrderedDict


def sq(name):  # SQLite / PostgreSQL identifier
    return '"' + name.replace('"', '""') + '"'


def bq(name):  # MySQL identifier
    return "`" + name.replace("`", "``") + "`"


MYSQL_TEXT = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json", "enum", "set", "uuid"}
MYSQL_BLOB = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
MYSQL_INSTANT = {"datetime", "timestamp"}


def main():
    dialect, report_path, columns_path, csv_dir, out_dir = sys.argv[1:6]
    report = json.load(open(report_path))
    csv_dir = os.path.abspath(csv_dir)
    os.makedirs(out_dir, exist_ok=True)

    target_of = {}  # target table -> sqlite table
    rows = {}
    for src, t in report["tables"].items():
        target_of[t["target"]] = src
        rows[t["target"]] = t.get("rows_written", 0)
    col_source = {}  # (sqlite table, target column) -> sqlite column
    for r in report.get("renames", []):
        if r.get("table"):
            col_source[(r["table"], r["to"])] = r["from"]

    columns = OrderedDict()
    for line in open(columns_path):
        line = line.rstrip("\n")
        if not line:
            continue
        table, column, dtype = line.split("\t")
        columns.setdefault(table, []).append((column, dtype.lower()))

    missing = sorted(set(target_of) - set(columns))
    if missing:
        sys.exit(f"loadplan: tables in the report but not in the target: {', '.join(missing)}")

    for table, src in target_of.items():
        select, load_cols, sets = [], [], []
        for i, (col, dtype) in enumerate(columns[table]):
            scol = sq(col_source.get((src, col), col))
            if dialect == "pg":
                select.append("CASE WHEN %s IS NULL THEN NULL ELSE '\\x' || hex(%s) END" % (scol, scol) if dtype == "bytea" else scol)
                load_cols.append(sq(col))
            else:
                if dtype in MYSQL_BLOB:
                    select.append("CASE WHEN %s IS NULL THEN NULL ELSE hex(%s) END" % (scol, scol))
                    load_cols.append("@v%d" % i)
                    sets.append("%s = UNHEX(@v%d)" % (bq(col), i))
                elif dtype in MYSQL_INSTANT:
                    select.append("strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s)" % scol)
                    load_cols.append(bq(col))
                elif dtype in MYSQL_TEXT:
                    select.append("replace(%s, '\\', '\\\\')" % scol)
                    load_cols.append(bq(col))
                else:
                    select.append(scol)
                    load_cols.append(bq(col))
        csv = os.path.join(csv_dir, table + ".csv")
        with open(os.path.join(out_dir, table + ".export"), "w") as f:
            f.write(".mode csv\n.nullvalue '\\N'\n.separator , \"\\n\"\n")
            f.write(".output '%s'\n" % csv)
            f.write("SELECT %s FROM %s;\n" % (", ".join(select), sq(src)))
            f.write(".output stdout\n")
        with open(os.path.join(out_dir, table + ".load"), "w") as f:
            if dialect == "pg":
                f.write("\\copy %s (%s) FROM '%s' WITH (FORMAT csv, NULL '\\N')\n" % (sq(table), ", ".join(load_cols), csv))
            else:
                f.write(
                    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', "
                    "time_zone = '+00:00', foreign_key_checks = 0, unique_checks = 0;\n"
                )
                f.write(
                    "LOAD DATA LOCAL INFILE '%s' INTO TABLE %s CHARACTER SET utf8mb4 "
                    "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '\\\\' "
                    "LINES TERMINATED BY '\\n' (%s)%s;\n"
                    % (csv, bq(table), ", ".join(load_cols), (" SET " + ", ".join(sets)) if sets else "")
                )
                f.write("SHOW WARNINGS LIMIT 5;\n")
    with open(os.path.join(out_dir, "tables.txt"), "w") as f:
        for t in sorted(target_of, key=lambda t: (-rows[t], t)):
            f.write(t + "\n")


if __name__ == "__main__":
    main()
