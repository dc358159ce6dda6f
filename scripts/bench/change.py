"""Changes about 1% of every table's rows in a copy of the demo, as an application writing during
the copy would, for the benchmark's `ferry sync` figure.

    python3 change.py FILE.sqlite [PERCENT]

In each table it picks one numeric column that no key, index, foreign key or CHECK names and
that is not a 0/1 flag, and adds 1 to it in every row whose rowid falls in the percent, so
each changed row stays a value the plan's type takes. Tables without such a column are left
as they are. Prints `changed=N` (rows changed) and one line per table.
"""
import sqlite3
import sys


def main():
    path = sys.argv[1]
    pct = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    every = max(1, round(100 / pct))
    db = sqlite3.connect(path)
    total = 0
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    for t in tables:
        q = '"' + t.replace('"', '""') + '"'
        sql = (db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0] or "").lower()
        if "without rowid" in sql:
            continue
        check_text = " ".join(checks(sql))
        named = set()
        for (ix,) in db.execute(f"SELECT name FROM pragma_index_list({lit(t)})"):
            named.update(r[0] for r in db.execute(f"SELECT name FROM pragma_index_info({lit(ix)})") if r[0])
        named.update(r[0] for r in db.execute(f"SELECT \"from\" FROM pragma_foreign_key_list({lit(t)})"))
        pick = None
        for cid, name, decl, notnull, dflt, pk in db.execute(f"SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info({lit(t)})"):
            d = (decl or "").upper()
            if pk or name in named or name.lower() in check_text:
                continue
            if not any(k in d for k in ("INT", "REAL", "NUM", "DEC", "DOUBLE", "FLOAT")) or "BOOL" in d:
                continue
            c = '"' + name.replace('"', '""') + '"'
            lo, hi, kinds = db.execute(f"SELECT min({c}), max({c}), count(DISTINCT typeof({c})) FROM {q} WHERE {c} IS NOT NULL").fetchone()
            if hi is None or (lo >= 0 and hi <= 1) or kinds != 1:
                continue
            pick = c
            break
        if pick is None:
            print(f"  {t}: no column to change")
            continue
        n = db.execute(f"UPDATE {q} SET {pick} = {pick} + 1 WHERE {pick} IS NOT NULL AND rowid % {every} = {7 % every}").rowcount
        total += n
        print(f"  {t}: {n} rows, column {pick}")
    db.commit()
    print(f"changed={total}")


def checks(sql):
    """The text of each CHECK (...) in a CREATE TABLE statement, parentheses balanced."""
    out, i = [], 0
    while True:
        i = sql.find("check", i)
        if i < 0:
            return out
        j = i + 5
        while j < len(sql) and sql[j].isspace():
            j += 1
        if j < len(sql) and sql[j] == "(":
            depth, k = 0, j
            while k < len(sql):
                depth += {"(": 1, ")": -1}.get(sql[k], 0)
                if depth == 0:
                    break
                k += 1
            out.append(sql[j:k + 1])
            i = k
        else:
            i = j


def lit(s):
    return "'" + s.replace("'", "''") + "'"


if __name__ == "__main__":
    main()
