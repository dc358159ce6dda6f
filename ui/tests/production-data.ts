// Canned production proposals (`ferry plan --production`) on the demo-like tables of
// demo-data.ts, as the engine writes them: figures in the evidence, a trade-off in the note
// where there is one (and then not taken), the SQL as PostgreSQL spells it. Also one on the
// hostile table name, which must show as text.
import type { Proposal } from '../src/lib/bindings/Proposal';
import { HOSTILE } from './demo-data';

export const proposals: Proposal[] = [
  {
    table: 'orders', kind: 'partial_index', accept: true,
    evidence: "7,412 of 8,000 rows (93%) are 'shipped' or 'cancelled': queries for the open ones read 588",
    columns: ['status'], predicate: "status IN ('new','paid')", replaces: ['orders_by_status'],
    note: 'replaces the SQLite index orders_by_status on every row',
    sql: ["CREATE INDEX orders_open_status ON orders (status) WHERE status IN ('new', 'paid')"],
  },
  {
    table: 'orders', kind: 'partition', accept: false,
    evidence: '8,000 rows from 2019-01-02 to 2025-12-30, about 95 a month; nothing references orders by key alone',
    columns: ['placed_at'], using: 'month',
    note: 'the primary key becomes (id, placed_at), and a row’s placed_at can then not change partition cheaply',
    sql: ['CREATE TABLE orders (…) PARTITION BY RANGE (placed_at)', 'CREATE TABLE orders_2025_12 PARTITION OF orders FOR VALUES FROM (\'2025-12-01\') TO (\'2026-01-01\')'],
  },
  {
    table: 'products', kind: 'json_index', accept: true,
    evidence: '396 of 400 documents (99%) are objects; 380 (95%) hold key `color`, 362 (91%) `size`',
    columns: ['attrs'], using: 'jsonb_path_ops',
    sql: ['CREATE INDEX products_attrs_gin ON products USING gin (attrs jsonb_path_ops)'],
  },
  {
    table: 'events', kind: 'search', accept: false,
    evidence: '4,100 notes, 12 words on average, 97% reading as English prose',
    columns: ['note'], using: 'english',
    note: 'a generated tsvector column and its GIN index: about 18% more space, and slower writes',
    sql: ["ALTER TABLE events ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(note, ''))) STORED", 'CREATE INDEX events_search_vector ON events USING gin (search_vector)'],
  },
  {
    table: 'events', kind: 'default', accept: true,
    evidence: '9,600 of 9,600 uuid values are version 4',
    columns: ['uuid'], using: 'uuid',
    sql: ['ALTER TABLE events ALTER COLUMN uuid SET DEFAULT gen_random_uuid()'],
  },
  {
    table: HOSTILE, kind: 'covering_index', accept: false,
    evidence: '<b>3 rows</b> read by <script>alert(1)</script>',
    columns: ['"; DROP TABLE x; --'], include: ['<i>x</i>'],
    sql: ['CREATE INDEX x ON "<img src=x onerror=alert(1)>" ("""; DROP TABLE x; --") INCLUDE ("<i>x</i>")'],
  },
  {
    table: '', kind: 'extension', accept: true,
    evidence: 'the search and default proposals need it',
    using: 'pgcrypto',
    sql: ['CREATE EXTENSION IF NOT EXISTS pgcrypto'],
  },
];
