CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    slug        VARCHAR(64) NOT NULL UNIQUE,
    plan        TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'enterprise')),
    currency    TEXT NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD','EUR','GBP')),
    is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    settings    TEXT DEFAULT '{}',
    created_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE products (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    sku          VARCHAR(32) NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT,
    price        REAL NOT NULL CHECK (price > 0),
    currency     TEXT NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD','EUR','GBP')),
    weight_grams INTEGER,
    attributes   JSON NOT NULL DEFAULT '{}',
    is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at   TEXT,
    UNIQUE (tenant_id, sku)
);

CREATE TABLE customers (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    email            VARCHAR(255) NOT NULL,
    full_name        TEXT,
    phone            TEXT,
    country          CHAR(2),
    marketing_opt_in BOOLEAN NOT NULL DEFAULT 0,
    notes            TEXT,
    created_at       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at     TIMESTAMP
);

CREATE TABLE orders (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    order_number INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','paid','shipped','cancelled','refunded')),
    currency     TEXT NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD','EUR','GBP')),
    subtotal     REAL NOT NULL DEFAULT 0,
    tax          REAL,
    total        REAL NOT NULL DEFAULT 0 CHECK (total >= 0),
    metadata     TEXT DEFAULT '{}',
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at   DATETIME,
    shipped_at   TIMESTAMP
);

CREATE TABLE order_items (
    id          TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id  TEXT NOT NULL REFERENCES products(id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  REAL NOT NULL CHECK (unit_price > 0),
    discount    REAL NOT NULL DEFAULT 0,
    line_total  REAL NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE stock_events (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    product_id     TEXT NOT NULL REFERENCES products(id),
    kind           TEXT NOT NULL CHECK (kind IN ('receive','sale','adjust','return')),
    quantity_delta INTEGER NOT NULL CHECK (quantity_delta <> 0),
    reference      TEXT,
    created_at     TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE stock_levels (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    product_id    TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    on_hand       INTEGER NOT NULL DEFAULT 0,
    reserved      INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    reorder_point INTEGER,
    updated_at    DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (tenant_id, product_id)
);

CREATE TABLE price_history (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    product_id  TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    price       REAL NOT NULL CHECK (price > 0),
    currency    TEXT NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD','EUR','GBP')),
    valid_from  TEXT NOT NULL,
    valid_to    TEXT
);

CREATE TABLE price_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    product_id  TEXT NOT NULL REFERENCES products(id),
    old_price   REAL NOT NULL,
    new_price   REAL NOT NULL CHECK (new_price > 0),
    reason      TEXT,
    changed_by  TEXT,
    occurred_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE idempotency_keys (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    key             TEXT NOT NULL,
    request_method  TEXT NOT NULL CHECK (request_method IN ('POST','PUT','PATCH','DELETE')),
    request_path    TEXT NOT NULL,
    request_hash    CHAR(64) NOT NULL,
    response_status INTEGER,
    response_body   JSON,
    created_at      TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    expires_at      TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, key)
);

CREATE TABLE ingest_uploads (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT 'text/csv',
    size_bytes   INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256       CHAR(64) NOT NULL,
    header       BLOB,
    status       TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received','processing','done','failed')),
    error        TEXT,
    uploaded_at  DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    processed_at DATETIME
);

CREATE TABLE order_ingest_chunks (
    id             TEXT PRIMARY KEY,
    upload_id      TEXT NOT NULL REFERENCES ingest_uploads(id) ON DELETE CASCADE,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    chunk_index    INTEGER NOT NULL CHECK (chunk_index >= 0),
    row_count      INTEGER NOT NULL DEFAULT 0,
    first_order_id TEXT REFERENCES orders(id) ON DELETE SET NULL,
    checksum       TEXT NOT NULL,
    is_final       BOOLEAN NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    UNIQUE (upload_id, chunk_index)
);

CREATE TABLE export_jobs (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    requested_by TEXT NOT NULL,
    format       TEXT NOT NULL DEFAULT 'csv' CHECK (format IN ('csv','jsonl','parquet')),
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed')),
    filters      JSON NOT NULL DEFAULT '{}',
    row_count    INTEGER,
    error        TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    started_at   TIMESTAMP,
    finished_at  TIMESTAMP
);

CREATE TABLE export_chunks (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES export_jobs(id) ON DELETE CASCADE,
    chunk_no    INTEGER NOT NULL,
    row_count   INTEGER NOT NULL DEFAULT 0,
    byte_size   INTEGER NOT NULL DEFAULT 0,
    storage_url TEXT NOT NULL,
    checksum    TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE metrics_preagg (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    metric       TEXT NOT NULL CHECK (metric IN ('orders','revenue','new_customers','refunds')),
    bucket_date  DATE NOT NULL,
    value        REAL NOT NULL DEFAULT 0,
    sample_count INTEGER NOT NULL DEFAULT 0,
    updated_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (tenant_id, metric, bucket_date)
) WITHOUT ROWID;

CREATE TABLE audit_logs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    actor       TEXT,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT,
    payload     JSON NOT NULL DEFAULT '{}',
    ip_address  TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
