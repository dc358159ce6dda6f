//! The bulk path into MySQL/MariaDB: `LOAD DATA LOCAL INFILE` answered from memory. The
//! server asks the client for the "file"; the answer is one batch of rows as `InfileRows`
//! encodes them, so no file is written and memory stays as flat as the INSERT path's.
//!
//! sqlx cannot answer that request, so this path alone goes through `mysql_async`, on a
//! connection of its own per loading table (kept for the next table), set up as
//! `mysql::connect` sets sqlx's: the same URL, password, TLS and session settings. sqlx stays
//! for everything else (moving the dialect wholesale would touch every query for no gain).
//!
//! LOAD DATA LOCAL turns every refusal into a warning (a duplicate key skips the row, a value
//! too long is clipped), so each batch runs in a transaction of its own and is committed only
//! when the server took every row without a warning. Otherwise it is rolled back and sent
//! again through the INSERT path (`Loader::insert_rows`), which refuses and reports exactly
//! as without this path. MariaDB's LOAD DATA also gives a 0 in an AUTO_INCREMENT column a new
//! number without a warning (NO_AUTO_VALUE_ON_ZERO is not applied): such a batch goes by
//! INSERT too.

use super::flavor::Flavor;
use crate::convert::{Encoder, MySqlLiteral};
use crate::dialect::write::{OffOnce, RowFormat, Sent, WithRowFormat};
use crate::dialect::TargetUrl;
use crate::plan::resolve::PlannedTable;
use crate::schema::LogicalType;
use mysql_async::prelude::Queryable;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlSslMode};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Rows as LOAD DATA reads them: fields split by tab, rows ended by newline, each value as
/// `convert::MySqlLoadData` writes it.
pub struct InfileRows;

impl RowFormat for InfileRows {
    /// A row too big for one statement could not go by INSERT when the batch is sent again.
    const BOUNDED_BY_STATEMENT: bool = true;
    fn row_start(_buf: &mut Vec<u8>, _columns: usize) {}
    fn value_start(buf: &mut Vec<u8>, n: usize) {
        if n > 0 {
            buf.push(b'\t');
        }
    }
    fn row_end(buf: &mut Vec<u8>) {
        buf.push(b'\n');
    }
    fn write(v: rusqlite::types::ValueRef<'_>, ty: &LogicalType, transform: Option<crate::convert::Transform>, dialect: crate::dialect::Dialect, buf: &mut Vec<u8>) -> Result<Option<crate::convert::Change>, crate::convert::Refusal> {
        crate::convert::convert_with(v, ty, transform, dialect, &mut crate::convert::MySqlLoadData { buf })
    }
}

/// The reader's row format for the bulk path (a token the reader thread can take along).
#[derive(Clone, Copy)]
pub struct LoadDataFormat;

impl LoadDataFormat {
    pub fn with_row_format<W: WithRowFormat>(self, work: W) -> W::Output {
        work.run::<InfileRows>()
    }
}

/// How a column's field is written back as an INSERT literal: the `Encoder` method its
/// logical type calls (`convert::convert`).
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Field {
    /// `number`, `boolean`: the same text bare.
    Number,
    /// `text` (and the typed ones that default to it): quoted as `MySqlLiteral` quotes.
    Text,
    /// `bytes`: hex digits here, `0x…` there.
    Hex,
}

fn field_of(ty: &LogicalType) -> Field {
    match ty {
        LogicalType::Integer { .. } | LogicalType::Decimal { .. } | LogicalType::Float | LogicalType::Boolean => Field::Number,
        LogicalType::Bytes => Field::Hex,
        _ => Field::Text,
    }
}

fn q(s: &str) -> String {
    crate::sqlexpr::quote_ident(s, crate::dialect::Dialect::MySql)
}

/// `LOAD DATA LOCAL INFILE` into the table's loaded (not generated) columns, a bytes column
/// through a variable and `UNHEX`. The separators are hex literals: they read the same
/// whether or not the session has NO_BACKSLASH_ESCAPES.
pub fn load_statement(t: &PlannedTable) -> String {
    let mut cols = vec![];
    let mut sets = vec![];
    for (i, c) in t.columns.iter().filter(|c| c.generated_sql.is_none()).enumerate() {
        if field_of(&c.logical) == Field::Hex {
            cols.push(format!("@ferry_{i}"));
            sets.push(format!("{} = UNHEX(@ferry_{i})", q(&c.name)));
        } else {
            cols.push(q(&c.name));
        }
    }
    let set = if sets.is_empty() { String::new() } else { format!(" SET {}", sets.join(", ")) };
    format!(
        "LOAD DATA LOCAL INFILE 'ferry' INTO TABLE {} CHARACTER SET utf8mb4 FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A' ({}){set}",
        q(&t.name),
        cols.join(", ")
    )
}

/// One field's bytes unescaped (the inverse of `MySqlLoadData::text`).
fn unescape(f: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < f.len() {
        if f[i] == b'\\' && i + 1 < f.len() {
            out.push(match f[i + 1] {
                b't' => b'\t',
                b'n' => b'\n',
                b'r' => b'\r',
                b'0' => 0,
                other => other,
            });
            i += 2;
        } else {
            out.push(f[i]);
            i += 1;
        }
    }
}

/// Rows of `InfileRows` as `write::ValuesRows` writes them, appended to `data`, with where
/// each ends (offsets in `data`) in `ends`.
pub(crate) fn to_values(rows: &[&[u8]], fields: &[Field], data: &mut Vec<u8>, ends: &mut Vec<usize>) {
    let mut text = vec![];
    for row in rows {
        let row = row.strip_suffix(b"\n").unwrap_or(row);
        for (n, f) in row.split(|&b| b == b'\t').enumerate() {
            data.push(if n == 0 { b'(' } else { b',' });
            let mut lit = MySqlLiteral { buf: data };
            match fields.get(n).copied().unwrap_or(Field::Text) {
                _ if f == b"\\N" => lit.null(),
                Field::Number => lit.number(std::str::from_utf8(f).expect("numbers are ASCII")),
                Field::Hex if f.is_empty() => lit.bytes(&[]),
                Field::Hex => {
                    data.extend_from_slice(b"0x");
                    data.extend_from_slice(f);
                }
                Field::Text => {
                    text.clear();
                    unescape(f, &mut text);
                    lit.text(std::str::from_utf8(&text).expect("text was UTF-8"));
                }
            }
        }
        data.push(b')');
        ends.push(data.len());
    }
}

/// Whether field `k` of any row is the number 0.
fn any_zero(rows: &[&[u8]], k: usize) -> bool {
    rows.iter().any(|row| row.strip_suffix(b"\n").unwrap_or(row).split(|&b| b == b'\t').nth(k) == Some(b"0"))
}

/// The run's bulk path: how to connect, the connections between tables, and whether it is
/// off (the server refused it, or it cannot be set up as the URL asks).
pub struct Infile {
    opts: Result<mysql_async::Opts, String>,
    setup: String,
    idle: Mutex<Vec<mysql_async::Conn>>,
    off: OffOnce,
    /// Where each connection's id goes, so a cancel stops its LOAD DATA (`Target::interrupt`).
    ids: crate::dialect::ids::SessionIds,
}

/// Error numbers of a server that refuses LOAD DATA LOCAL: ER_NOT_ALLOWED_COMMAND 1148
/// (MariaDB, older MySQL), ER_CLIENT_LOCAL_FILES_DISABLED 3948 (MySQL 8), and MariaDB's
/// ER_LOAD_INFILE_CAPABILITY_DISABLED 4166.
pub(crate) fn refuses_local_infile(code: u16) -> bool {
    matches!(code, 1148 | 3948 | 4166)
}

impl Infile {
    /// The bulk path for the server `conn` is connected to. Off where the server's
    /// `local_infile` is, or where the URL names a client certificate (mysql_async over
    /// native-tls takes only a PKCS#12 archive).
    pub async fn new(url: &TargetUrl, conn: &mut MySqlConnection, flavor: &Flavor, ids: crate::dialect::ids::SessionIds) -> Infile {
        let setup = format!("SET SESSION sql_mode = '{}', time_zone = '+00:00', autocommit = 0, NAMES utf8mb4 COLLATE {}", super::SQL_MODE, flavor.binary_collation());
        let mut opts = options(url, conn).await;
        let server_on: Option<i64> = sqlx::query_scalar("SELECT CAST(@@GLOBAL.local_infile AS SIGNED)").fetch_one(&mut *conn).await.ok();
        if server_on == Some(0) {
            opts = Err(format!("the server's local_infile is OFF: {}", loading_by_insert()));
        }
        if std::env::var("FERRY_TEST_REFUSE_LOCAL_INFILE").is_ok_and(|v| v == "1") {
            opts = Err(format!("refused for this test (FERRY_TEST_REFUSE_LOCAL_INFILE): {}", loading_by_insert()));
        }
        Infile { off: OffOnce::default(), opts, setup, idle: Mutex::new(vec![]), ids }
    }

    /// Turns the path off; the reason the first time.
    fn refuse(&self, reason: String) -> Option<String> {
        self.off.refuse(reason)
    }

    /// A loader for table `t` on the database `conn` is in; None where the path is off (and
    /// it was said). `check_fks`: foreign keys are checked while loading (`--data-only`).
    pub async fn loader(self: &Arc<Self>, conn: &mut MySqlConnection, t: &PlannedTable, check_fks: bool) -> Option<Loader> {
        let loaded: Vec<_> = t.columns.iter().filter(|c| c.generated_sql.is_none()).collect();
        let mut l = Loader {
            infile: self.clone(),
            conn: None,
            statement: super::marked(&load_statement(t)),
            fields: loaded.iter().map(|c| field_of(&c.logical)).collect(),
            identity: t.identity.as_ref().and_then(|(name, _)| loaded.iter().position(|c| c.name == *name)),
            to_say: None,
        };
        if self.off.is_off() {
            return None;
        }
        let opts = match &self.opts {
            Ok(o) => o.clone(),
            Err(why) => {
                l.to_say = self.refuse(why.clone());
                return l.to_say.is_some().then_some(l);
            }
        };
        let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()").fetch_one(&mut *conn).await.ok().flatten();
        let idle = self.idle.lock().expect("idle").pop();
        let c = match idle {
            Some(c) => Ok(c),
            None => match tokio::time::timeout(Duration::from_secs(20), mysql_async::Conn::new(opts)).await {
                Ok(r) => r.map(|c| {
                    self.ids.add(i64::from(c.id()));
                    c
                }).map_err(|e| e.to_string()),
                Err(_) => Err("no answer within 20 seconds".into()),
            },
        };
        let setup = format!("{}, foreign_key_checks = {}", self.setup, check_fks as u8);
        let c = match c {
            Ok(mut c) => match c.query_drop(&setup).await {
                Ok(()) => match database {
                    Some(db) => c.query_drop(format!("USE {}", q(&db))).await.map(|_| c).map_err(|e| e.to_string()),
                    None => Ok(c),
                },
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e),
        };
        match c {
            Ok(c) => l.conn = Some(c),
            Err(e) => {
                l.to_say = self.refuse(format!("its connection failed ({e}): {}", loading_by_insert()));
                if l.to_say.is_none() {
                    return None;
                }
            }
        }
        Some(l)
    }
}

fn loading_by_insert() -> &'static str {
    "rows are loaded by INSERT instead of LOAD DATA LOCAL INFILE (slower, the same rows)"
}

/// The URL as mysql_async's options, read as sqlx reads it (`mysql::options`): host, port or
/// socket, user, password (`MYSQL_PWD` where the URL has none), database, and TLS as
/// `ssl-mode` asks. PREFERRED (sqlx's default) is TLS where the sqlx session got it.
async fn options(url: &TargetUrl, conn: &mut MySqlConnection) -> Result<mysql_async::Opts, String> {
    let o: MySqlConnectOptions = super::options(url).map_err(|e| e.to_string())?;
    let u = url::Url::parse(&url.url).map_err(|e| e.to_string())?;
    let param = |names: &[&str]| u.query_pairs().filter(|(k, _)| names.contains(&k.as_ref())).map(|(_, v)| v.into_owned()).last();
    if param(&["sslcert", "ssl-cert", "sslkey", "ssl-key"]).is_some() {
        return Err(format!("the URL names a client certificate (ssl-cert/ssl-key), which the LOAD DATA connection cannot present: {}", loading_by_insert()));
    }
    let own = u.password().map(|p| percent_decode(p)).filter(|p| !p.is_empty());
    let password = own.or_else(|| super::env_password(&url.url, std::env::var("MYSQL_PWD").ok()));
    let tls = match o.get_ssl_mode() {
        MySqlSslMode::Disabled => None,
        MySqlSslMode::Preferred => super::flavor::tls_in_use(conn).await.unwrap_or(false).then(|| mysql_async::SslOpts::default().with_danger_accept_invalid_certs(true).with_danger_skip_domain_validation(true)),
        MySqlSslMode::Required => Some(mysql_async::SslOpts::default().with_danger_accept_invalid_certs(true).with_danger_skip_domain_validation(true)),
        mode => {
            let mut s = mysql_async::SslOpts::default().with_danger_skip_domain_validation(matches!(mode, MySqlSslMode::VerifyCa));
            if let Some(ca) = param(&["sslca", "ssl-ca"]) {
                s = s.with_root_certs(vec![std::path::PathBuf::from(ca).into()]);
            }
            Some(s)
        }
    };
    let b = mysql_async::OptsBuilder::default()
        .ip_or_hostname(o.get_host())
        .tcp_port(o.get_port())
        .socket(o.get_socket().map(|s| s.to_string_lossy().into_owned()))
        .prefer_socket(false)
        .user(Some(o.get_username()))
        .pass(password)
        .db_name(o.get_database())
        .stmt_cache_size(0)
        .ssl_opts(tls);
    Ok(b.into())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 2 < b.len()).then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())).flatten();
        match hex {
            Some(x) => {
                out.push(x);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One table's bulk path: its connection, statement and the columns' field kinds.
pub struct Loader {
    infile: Arc<Infile>,
    /// None: the path went off (or the connection broke); every batch goes by INSERT.
    conn: Option<mysql_async::Conn>,
    statement: String,
    fields: Vec<Field>,
    /// The AUTO_INCREMENT column's field.
    identity: Option<usize>,
    /// Why the path is off, to be said once (`Sent::Off`).
    to_say: Option<String>,
}

impl Loader {
    pub fn format(&self) -> LoadDataFormat {
        LoadDataFormat
    }

    /// Sends `rows` (back to back in `data`) by LOAD DATA in a transaction of their own.
    pub async fn send(&mut self, data: &[u8], rows: &[&[u8]]) -> Sent {
        if let Some(why) = self.to_say.take() {
            return Sent::Off(why);
        }
        if self.infile.off.is_off() {
            self.conn = None;
        }
        let Some(c) = self.conn.as_mut() else { return Sent::Again };
        if self.identity.is_some_and(|k| any_zero(rows, k)) {
            return Sent::Again;
        }
        let n = rows.len() as u64;
        let data = bytes::Bytes::copy_from_slice(data);
        c.set_infile_handler(async move { Ok(Box::pin(futures_util::stream::once(async move { Ok(data) })) as mysql_async::InfileData) });
        let r = c.query_drop(&self.statement).await;
        let clean = r.is_ok() && c.affected_rows() == n && c.get_warnings() == 0;
        let end = if clean { "COMMIT" } else { "ROLLBACK" };
        let ended = c.query_drop(end).await;
        match (r, ended) {
            (Ok(()), Ok(())) if clean => Sent::Taken(n),
            (Err(mysql_async::Error::Server(e)), _) if refuses_local_infile(e.code) => {
                self.conn = None;
                match self.infile.refuse(format!("the server refuses it ({}): {}", e.message, loading_by_insert())) {
                    Some(why) => Sent::Off(why),
                    None => Sent::Again,
                }
            }
            (Err(mysql_async::Error::Server(_)), Ok(())) | (Ok(()), Ok(())) => Sent::Again,
            _ => {
                // The connection broke: this table goes on by INSERT, which meets whatever broke it.
                self.conn = None;
                Sent::Again
            }
        }
    }

    /// `rows` (as `InfileRows` wrote them) as the INSERT path writes them.
    pub fn insert_rows(&self, rows: &[&[u8]], data: &mut Vec<u8>, ends: &mut Vec<usize>) {
        to_values(rows, &self.fields, data, ends)
    }

    /// The table is loaded: its connection waits for the next table.
    pub fn done(self) {
        if let Some(c) = self.conn {
            self.infile.idle.lock().expect("idle").push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;
    use rusqlite::types::ValueRef;
    use LogicalType::*;

    fn field(v: ValueRef<'_>, ty: &LogicalType) -> Vec<u8> {
        let mut buf = vec![];
        InfileRows::write(v, ty, None, Dialect::MariaDb, &mut buf).expect("converts");
        buf
    }

    /// Each value as LOAD DATA reads it, and sent again by INSERT exactly as the INSERT path
    /// writes it.
    #[test]
    fn fields_are_escaped_and_go_back_to_the_insert_literals() {
        let dec = Decimal { precision: Some(65), scale: Some(30) };
        let cases: Vec<(ValueRef, LogicalType, &[u8])> = vec![
            (ValueRef::Null, Text { max: None }, b"\\N"),
            (ValueRef::Text(b"\\N"), Text { max: None }, b"\\\\N"),
            (ValueRef::Text(b"N"), Text { max: None }, b"N"),
            (ValueRef::Text(b"NULL"), Text { max: None }, b"NULL"),
            (ValueRef::Text(b""), Text { max: None }, b""),
            (ValueRef::Text(b"a\tb\nc\rd\\e'f\0g"), Text { max: None }, b"a\\tb\\nc\\rd\\\\e'f\\0g"),
            (ValueRef::Text(b"C:\\x\\"), Text { max: None }, b"C:\\\\x\\\\"),
            (ValueRef::Text("日本 🚀".as_bytes()), Text { max: Some(4) }, "日本 🚀".as_bytes()),
            (ValueRef::Blob(&[0, 9, 10, 92, 0xe0, 0xff]), Bytes, b"00090A5CE0FF"),
            (ValueRef::Blob(&[]), Bytes, b""),
            (ValueRef::Null, Bytes, b"\\N"),
            (ValueRef::Real(-0.0), Float, b"-0"),
            (ValueRef::Real(0.0), Float, b"0e0"),
            (ValueRef::Real(1e-300), Float, b"1e-300"),
            (ValueRef::Integer(i64::MIN), Integer { bits: 64 }, b"-9223372036854775808"),
            (ValueRef::Text(b"12345678901234567890123456789012345.123456789012345678901234567890"), dec.clone(), b"12345678901234567890123456789012345.12345678901234567890123456789"),
            (ValueRef::Integer(1), Boolean, b"1"),
            (ValueRef::Text(b"false"), Boolean, b"0"),
            (ValueRef::Text(b"2024-03-05"), Date, b"2024-03-05"),
            (ValueRef::Text(b"2024-03-05T14:22:01.5+01:00"), Timestamp { tz: true }, b"2024-03-05 13:22:01.500000"),
            (ValueRef::Text(b"{\"a\": \"x\\ty\"}"), Json, b"{\"a\": \"x\\\\ty\"}"),
            (ValueRef::Text(b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10"), Uuid, b"0b9e1d6c-9f0a-4c1e-8d43-5a2b7e3f9c10"),
        ];
        for (v, ty, want) in cases {
            let f = field(v, &ty);
            assert_eq!(String::from_utf8_lossy(&f), String::from_utf8_lossy(want), "{v:?} {ty:?}");
            let mut literal = vec![];
            crate::dialect::mysql::write::ValuesRows::value_start(&mut literal, 0);
            crate::dialect::mysql::write::ValuesRows::write(v, &ty, None, Dialect::MariaDb, &mut literal).expect("converts");
            crate::dialect::mysql::write::ValuesRows::row_end(&mut literal);
            let (mut data, mut ends) = (vec![], vec![]);
            let row = [f.as_slice(), b"\n"].concat();
            to_values(&[&row], &[field_of(&ty)], &mut data, &mut ends);
            assert_eq!(String::from_utf8_lossy(&data), String::from_utf8_lossy(&literal), "{v:?} {ty:?}");
            assert_eq!(ends, vec![data.len()]);
        }
    }

    #[test]
    fn rows_split_on_tabs_and_an_identity_zero_is_found() {
        let rows: [&[u8]; 2] = [b"1\ta\\tb\t\\N\n", b"0\tc\t00FF\n"];
        let (mut data, mut ends) = (vec![], vec![]);
        to_values(&rows, &[Field::Number, Field::Text, Field::Hex], &mut data, &mut ends);
        assert_eq!(String::from_utf8(data).unwrap(), "(1,'a\tb',NULL)(0,'c',0x00FF)");
        assert_eq!(ends, vec![14, 28]);
        assert!(any_zero(&rows, 0));
        assert!(!any_zero(&rows[..1], 0));
        assert!(!any_zero(&rows, 1));
    }

    #[test]
    fn the_statement_names_the_loaded_columns_and_unhexes_bytes() {
        let col = |name: &str, i: usize, logical: LogicalType, generated: bool| crate::plan::resolve::PlannedColumn { source: name.into(), name: name.into(), logical, transform: None, type_sql: String::new(), not_null: false, source_index: i, default_sql: None, generated_sql: generated.then(|| ("1".to_string(), true)), narrower: None, case_insensitive: false };
        let t = PlannedTable { name: "t`x".into(), columns: vec![col("id", 0, Integer { bits: 64 }, false), col("g", 1, Integer { bits: 64 }, true), col("b", 2, Bytes, false)], ..Default::default() };
        assert_eq!(
            load_statement(&t),
            "LOAD DATA LOCAL INFILE 'ferry' INTO TABLE `t``x` CHARACTER SET utf8mb4 FIELDS TERMINATED BY X'09' ESCAPED BY X'5C' LINES TERMINATED BY X'0A' (`id`, @ferry_1) SET `b` = UNHEX(@ferry_1)"
        );
    }

    #[test]
    fn refusals_of_local_infile_are_known_by_number() {
        for (code, refuses) in [(1148, true), (3948, true), (4166, true), (1062, false), (1406, false)] {
            assert_eq!(refuses_local_infile(code), refuses, "{code}");
        }
    }

    #[test]
    fn passwords_are_percent_decoded() {
        for (s, want) in [("p%40ss", "p@ss"), ("plain", "plain"), ("50%", "50%"), ("%zz", "%zz"), ("%C3%A9", "é")] {
            assert_eq!(percent_decode(s), want);
        }
    }
}
