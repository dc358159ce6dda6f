//! A production proposal as the plan keeps it (`[[production]]`): the model alone, so that
//! the plan's model and each kind's file can import it without importing each other.

use serde::{Deserialize, Serialize};

/// What a proposal makes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    /// An index over a JSON column's documents (GIN) or one of its keys (MySQL, MariaDB).
    JsonIndex,
    /// Full-text search over text columns.
    Search,
    /// An index over the rows a skewed boolean or status column picks (`WHERE active`).
    PartialIndex,
    /// Range partitions by a time column.
    Partition,
    /// A column default the target generates (`gen_random_uuid()`, `now()`).
    Default,
    /// An extension the other proposals or the monitor need.
    Extension,
    /// An index that carries the extra columns a query reads (`INCLUDE`).
    CoveringIndex,
}

impl ProposalKind {
    pub fn name(self) -> &'static str {
        match self {
            ProposalKind::JsonIndex => "json_index",
            ProposalKind::Search => "search",
            ProposalKind::PartialIndex => "partial_index",
            ProposalKind::Partition => "partition",
            ProposalKind::Default => "default",
            ProposalKind::Extension => "extension",
            ProposalKind::CoveringIndex => "covering_index",
        }
    }
}

/// One proposal, as `[[production]]` in the plan. The fields after `evidence` are the
/// proposal's parameters; which ones a kind reads is said in its file. Every name is the
/// source's (table and columns), as everywhere else in the plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Proposal {
    /// The source table it is for; empty for the database as a whole (an extension).
    #[serde(default)]
    pub table: String,
    pub kind: Option<ProposalKind>,
    /// Taken: migrate builds it. Proposals with a trade-off are written not taken.
    #[serde(default)]
    pub accept: bool,
    /// The figures from the profile that justify it ("9,412 of 10,000 documents hold `source`").
    pub evidence: String,
    /// The trade-off, or what it replaces, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub note: Option<String>,
    /// The DDL it makes, as the dialect spells it (names unqualified; for reading: migrate
    /// builds from the parameters, not from this text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<String>,
    /// The columns it is about (source names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The access method or the form: a GIN operator class (`jsonb_path_ops`), a text search
    /// configuration (`english`), a partition interval (`month`, `year`), a default's kind
    /// (`uuid`, `now`), an extension's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub using: Option<String>,
    /// A JSON key path (`$.source`) the index reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key: Option<String>,
    /// A partial index's predicate, SQLite text (`is_active = 1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub predicate: Option<String>,
    /// The SQLite indexes it replaces (left out of the target when accepted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    /// A covering index's extra columns (source names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// A partition's first and last period (`["2024-01", "2025-02"]` by month, `["2024",
    /// "2025"]` by year): one partition each, and a default one for the rest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub span: Vec<String>,
}

impl Proposal {
    pub fn new(table: &str, kind: ProposalKind, evidence: impl Into<String>) -> Proposal {
        Proposal { table: table.into(), kind: Some(kind), accept: true, evidence: evidence.into(), ..Default::default() }
    }

    /// "orders.metadata" or "orders" or "the database", for messages.
    pub fn subject(&self) -> String {
        match (self.table.is_empty(), self.columns.as_slice()) {
            (true, _) => "the database".into(),
            (false, []) => self.table.clone(),
            (false, cols) => format!("{}.{}", self.table, cols.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proposal_reads_back_from_the_plan_file() {
        let mut p = Proposal::new("orders", ProposalKind::JsonIndex, "9 of 10 documents are objects");
        p.columns = vec!["metadata".into()];
        p.using = Some("jsonb_path_ops".into());
        p.sql = vec!["CREATE INDEX orders_metadata_gin ON orders USING gin (metadata jsonb_path_ops)".into()];
        #[derive(Serialize, Deserialize)]
        struct File {
            production: Vec<Proposal>,
        }
        let text = toml::to_string_pretty(&File { production: vec![p.clone()] }).unwrap();
        assert!(text.contains("[[production]]") && text.contains("kind = \"json_index\""), "{text}");
        let back: File = toml::from_str(&text).unwrap();
        assert_eq!(back.production, vec![p]);
        assert_eq!(back.production[0].subject(), "orders.metadata");
    }
}
