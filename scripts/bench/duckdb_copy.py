"""DuckDB as people use it for a quick copy of a SQLite file into PostgreSQL or MariaDB/MySQL.

    python3 duckdb_copy.py SOURCE.sqlite pg|mysql CONNINFO

ATTACHes the file with DuckDB's sqlite scanner and the target with its postgres or mysql
scanner (the PyPI packages duckdb-ext-sqlite, -postgres, -mysql; nothing is downloaded at run
time), then copies every table with `CREATE TABLE target.t AS SELECT * FROM source.t`, one
table at a time, as the scanners' documentation shows. What that carries is the rows and
DuckDB's idea of each column's type: no keys, indexes, CHECKs, foreign keys, defaults or views.
Prints one line, `tables=N` (the rows are counted on the target by the caller), or the first
error and exits 1.
"""
import os
import sys

import duckdb


def extension_dir():
    import importlib.util
    spec = importlib.util.find_spec("duckdb_ext_sqlite") or importlib.util.find_spec("duckdb_ext")
    if spec is not None and spec.submodule_search_locations:
        base = list(spec.submodule_search_locations)[0]
    else:
        base = os.path.join(os.path.dirname(os.path.dirname(duckdb.__file__)), "duckdb_ext")
    return os.path.join(base, "extensions")


def lit(s):
    return "'" + s.replace("'", "''") + "'"


def main():
    source, kind, conninfo = sys.argv[1], sys.argv[2], sys.argv[3]
    con = duckdb.connect()
    con.execute("SET extension_directory = ?", [extension_dir()])
    con.execute("SET autoinstall_known_extensions = false")
    scanner = {"pg": "postgres", "mysql": "mysql"}[kind]
    for ext in ("sqlite", scanner):
        con.execute(f"LOAD {ext}")
    con.execute(f"ATTACH {lit(source)} AS src (TYPE sqlite, READ_ONLY)")
    con.execute(f"ATTACH {lit(conninfo)} AS dst (TYPE {scanner})")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_type = 'BASE TABLE' AND NOT starts_with(table_name, 'sqlite_') ORDER BY 1").fetchall()]
    skipped = []
    for t in tables:
        q = '"' + t.replace('"', '""') + '"'
        try:
            con.execute(f"CREATE TABLE dst.{q} AS SELECT * FROM src.{q}")
        except duckdb.Error as e:
            first = str(e).splitlines()[0]
            # The sqlite scanner reads by ROWID, which a WITHOUT ROWID table lacks: such a
            # table is left out (said), as a user would, and the rest copied.
            if "ROWID" in first:
                skipped.append(t)
                continue
            print(f"table {t}: {first}")
            return 1
    print(f"tables={len(tables) - len(skipped)}" + (f" skipped={','.join(skipped)}" if skipped else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
