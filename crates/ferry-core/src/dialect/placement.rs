//! Where a sharding engine put a run's tables, as the target's catalog says it (Citus:
//! `citus_shards`, each shard counted on its node), before the report sums it up
//! (`report::Placement`).

/// One placement of one shard: a shard of a distributed table sits on one node, a reference
/// table's one shard on every node.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardRow {
    /// The table (target name, without its schema).
    pub table: String,
    pub shard_id: i64,
    /// `distributed`, `reference` or `local` (Citus's `citus_table_type`).
    pub kind: String,
    pub colocation_id: i64,
    /// `host:port` of the node.
    pub node: String,
    /// The shard's size on that node, as the server gives it (`shard_size`).
    pub bytes: u64,
    /// Rows counted in the shard (`count(*)` on it).
    pub rows: u64,
    /// Where a hash-distributed shard's range starts: the shards of co-located tables with
    /// the same start hold the same tenants, on the same node.
    pub range_start: Option<i64>,
}

/// One value of the distribution column with the rows that have it.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantRow {
    pub value: String,
    pub rows: u64,
    /// The shard that holds it (of the first table of `Placed::tenant_tables`).
    pub shard_id: Option<i64>,
}

/// What the catalog says, read in one go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placed {
    pub shards: Vec<ShardRow>,
    /// The largest values of the distribution column by rows (at most `TOP_TENANTS`), over
    /// the co-located distributed tables that hold the most rows (`tenant_tables`).
    pub tenants: Vec<TenantRow>,
    pub tenant_tables: Vec<String>,
    /// Distinct values over those tables.
    pub tenants_distinct: u64,
}

/// Tenants the report names.
pub const TOP_TENANTS: usize = 10;
