#!/usr/bin/env python3
"""Splits `mariadb-dump --no-data` of Ferry's MariaDB result the way pg_dump's sections split a
PostgreSQL schema (scripts/bench.sh's "raw limit" baseline):

    mysql_split.py SCHEMA.sql OUT_DIR

- OUT_DIR/pre.sql: every statement of the dump, each CREATE TABLE keeping its columns
  (generated ones included), PRIMARY KEY (InnoDB clusters rows on it) and CHECK constraints
  (pg_dump's pre-data keeps CHECKs in CREATE TABLE too);
- OUT_DIR/keys/<table>.sql: one ALTER TABLE adding all of the table's UNIQUE and secondary
  keys at once (one scan of the table);
- OUT_DIR/fks.sql: one ALTER TABLE per table adding its foreign keys, with foreign_key_checks=0
  (as Ferry does: the keys are recorded, not re-validated).
"""
import os
import re
import sys


def main():
    src, out = sys.argv[1:3]
    os.makedirs(os.path.join(out, "keys"), exist_ok=True)
    lines = open(src, encoding="utf-8").read().split("\n")
    pre, fks = [], []
    i = 0
    while i < len(lines):
        m = re.match(r"CREATE TABLE (`(?:[^`]|``)+`) \($", lines[i])
        if not m:
            pre.append(lines[i])
            i += 1
            continue
        table = m.group(1)
        body = []
        i += 1
        while not lines[i].startswith(")"):
            body.append(lines[i].rstrip(","))
            i += 1
        tail = lines[i]
        i += 1
        keep, keys, fk = [], [], []
        for d in body:
            s = d.strip()
            if s.startswith("PRIMARY KEY"):
                keep.append(d)
            elif re.match(r"(UNIQUE |FULLTEXT |SPATIAL )?KEY ", s):
                keys.append("ADD " + s)
            elif re.match(r"CONSTRAINT `(?:[^`]|``)+` FOREIGN KEY", s):
                fk.append("ADD " + s)
            else:  # columns, CHECK constraints
                keep.append(d)
        pre.append("CREATE TABLE %s (" % table)
        pre.append(",\n".join(keep))
        pre.append(tail)
        if keys:
            name = table[1:-1].replace("``", "`")
            with open(os.path.join(out, "keys", name + ".sql"), "w", encoding="utf-8") as f:
                f.write("SET SESSION foreign_key_checks = 0, unique_checks = 1;\n")
                f.write("ALTER TABLE %s\n  %s;\n" % (table, ",\n  ".join(keys)))
        if fk:
            fks.append("ALTER TABLE %s\n  %s;" % (table, ",\n  ".join(fk)))
    with open(os.path.join(out, "pre.sql"), "w", encoding="utf-8") as f:
        f.write("SET SESSION foreign_key_checks = 0;\n" + "\n".join(pre) + "\n")
    with open(os.path.join(out, "fks.sql"), "w", encoding="utf-8") as f:
        f.write("SET SESSION foreign_key_checks = 0;\n" + "\n".join(fks) + "\n")


if __name__ == "__main__":
    main()
