CREATE INDEX idx_products_tenant_active ON products (tenant_id, is_active);
CREATE INDEX idx_customers_tenant_created ON customers (tenant_id, created_at);
CREATE INDEX idx_customers_email_lower ON customers (lower(email));
CREATE INDEX idx_orders_tenant_created ON orders (tenant_id, created_at);
CREATE INDEX idx_orders_customer ON orders (customer_id);
CREATE INDEX idx_orders_pending ON orders (tenant_id, created_at) WHERE status = 'pending';
CREATE UNIQUE INDEX ux_orders_tenant_number ON orders (tenant_id, order_number);
CREATE INDEX idx_order_items_order ON order_items (order_id);
CREATE INDEX idx_order_items_product ON order_items (product_id);
CREATE INDEX idx_stock_events_tenant_product_created ON stock_events (tenant_id, product_id, created_at);
CREATE INDEX idx_price_history_product_from ON price_history (product_id, valid_from DESC);
CREATE INDEX idx_price_events_product_occurred ON price_events (product_id, occurred_at);
CREATE INDEX idx_idempotency_keys_expires ON idempotency_keys (expires_at);
CREATE INDEX idx_ingest_uploads_tenant_status ON ingest_uploads (tenant_id, status);
CREATE INDEX idx_export_jobs_tenant_created ON export_jobs (tenant_id, created_at);
CREATE INDEX idx_export_chunks_job ON export_chunks (job_id, chunk_no);
CREATE INDEX idx_audit_logs_tenant_created ON audit_logs (tenant_id, created_at);
CREATE INDEX idx_audit_logs_entity ON audit_logs (entity_type, entity_id);

CREATE VIEW order_totals AS
SELECT o.id AS order_id,
       o.tenant_id,
       o.customer_id,
       o.status,
       o.currency,
       COUNT(i.id) AS item_count,
       COALESCE(SUM(i.quantity), 0) AS units,
       COALESCE(SUM(i.line_total), 0) AS items_total,
       o.total
FROM orders o
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY o.id;

CREATE TRIGGER trg_products_updated_at
AFTER UPDATE ON products
FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE products SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = NEW.id;
END;
