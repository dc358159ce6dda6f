#!/usr/bin/env python3
"""Writes the benchmark's heavier SQLite file (scripts/bench.sh, issue 15): tables whose rows
carry JSON documents of a few KB and long text, where the demo's rows are small. What a bulk
path must carry there is bytes, not rows: escaping, long values, 4-byte UTF-8.

    heavy.py OUT.sqlite DOCUMENTS

DOCUMENTS rows in `documents` (a title, a body of 1-6 KB of prose, a JSON document of 1-5 KB,
a timestamp), two `revisions` per document (a JSON patch of 0.5-2 KB and a note), 200 tenants
and 50 authors, with foreign keys between them and a secondary index or two, as an
application would have. The text holds what LOAD DATA must escape: tabs, newlines, carriage
returns, backslashes (`\\N` too, as text), quotes, and now and then a 4-byte character.
Deterministic: the same DOCUMENTS gives the same file.
"""
import json
import random
import sqlite3
import sys
import time

WORDS = (
    "order stock price tenant invoice shipment customer warehouse refund ledger carrier parcel "
    "quantity discount voucher region currency payment balance account report export upload "
    "catalogue variant colour size weight fragile express standard return label barcode pallet "
    "über café naïve façade smörgåsbord déjà crème brûlée jalapeño piñata"
).split()
ODD = ["\t", "\n", "\r\n", "\\", "\\N", '"', "'", "😀", "𝄞", "C:\\temp\\new", "50%", "a,b;c"]


def prose(rng, lo, hi):
    n = rng.randint(lo, hi)
    out, size = [], 0
    while size < n:
        w = rng.choice(WORDS)
        if rng.random() < 0.01:
            w += rng.choice(ODD)
        out.append(w)
        size += len(w) + 1
        if rng.random() < 0.06:
            out.append(".\n" if rng.random() < 0.5 else ". ")
    return " ".join(out)[:n]


def document(rng, lo, hi, i):
    doc = {"id": i, "source": rng.choice(["web", "api", "import", "pos"]), "tags": [rng.choice(WORDS) for _ in range(rng.randint(1, 6))]}
    items = []
    size = len(json.dumps(doc))
    target = rng.randint(lo, hi)
    while size < target:
        item = {
            "sku": "SKU-%06d" % rng.randint(0, 999999),
            "name": prose(rng, 10, 60),
            "qty": rng.randint(1, 20),
            "price": round(rng.uniform(0.5, 999.99), 2),
            "attrs": {"colour": rng.choice(WORDS), "fragile": rng.random() < 0.2, "note": None if rng.random() < 0.7 else prose(rng, 5, 40)},
        }
        items.append(item)
        size += len(json.dumps(item, ensure_ascii=False))
    doc["items"] = items
    return json.dumps(doc, ensure_ascii=False)


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(15)
    db = sqlite3.connect(out)
    db.executescript(
        """
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, settings JSON);
        CREATE TABLE authors (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id), name TEXT NOT NULL, bio TEXT);
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            tenant_id INTEGER NOT NULL REFERENCES tenants(id),
            author_id INTEGER REFERENCES authors(id),
            title TEXT NOT NULL,
            body TEXT,
            meta JSON,
            created_at TIMESTAMP NOT NULL
        );
        CREATE INDEX idx_documents_tenant_created ON documents (tenant_id, created_at);
        CREATE TABLE revisions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            patch JSON NOT NULL,
            note TEXT,
            created_at TIMESTAMP NOT NULL
        );
        CREATE INDEX idx_revisions_document ON revisions (document_id);
        """
    )
    db.executemany("INSERT INTO tenants VALUES (?, ?, ?)", [(t, "tenant %03d %s" % (t, rng.choice(WORDS)), json.dumps({"plan": rng.choice(["free", "pro"]), "seats": rng.randint(1, 50)})) for t in range(1, 201)])
    db.executemany("INSERT INTO authors VALUES (?, ?, ?, ?)", [(a, rng.randint(1, 200), "author %d" % a, prose(rng, 200, 2000)) for a in range(1, 51)])
    base = 1_700_000_000
    batch = []
    for i in range(1, n + 1):
        at = base + i * 37 + rng.randint(0, 30)
        stamp = "%s.%03dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)), rng.randint(0, 999))
        batch.append((i, rng.randint(1, 200), rng.randint(1, 50) if rng.random() < 0.9 else None, prose(rng, 20, 120), prose(rng, 1000, 6000), document(rng, 1000, 5000, i), stamp))
        if len(batch) == 2000:
            db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
    batch = []
    for i in range(1, 2 * n + 1):
        d = (i + 1) // 2
        batch.append((i, d, document(rng, 500, 2000, d), None if rng.random() < 0.3 else prose(rng, 20, 400), "2024-%02d-%02d %02d:%02d:%02d" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))))
        if len(batch) == 4000:
            db.executemany("INSERT INTO revisions VALUES (?, ?, ?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO revisions VALUES (?, ?, ?, ?, ?)", batch)
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
