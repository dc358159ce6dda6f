//! Where the data goes: one module per dialect, the same file names in each.

use serde::{Deserialize, Serialize};

/// The target's SQL dialect. MySQL and MariaDB share a module (`dialect::mysql`) and differ
/// where `flavor` says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgres,
    MySql,
    MariaDb,
}

impl Dialect {
    pub fn is_mysql_family(self) -> bool {
        matches!(self, Dialect::MySql | Dialect::MariaDb)
    }
    /// The identifier limit a name broke, for a rename's reason (`longer than …`).
    pub fn identifier_limit(self) -> String {
        match self {
            Dialect::Postgres => "PostgreSQL's 63-byte identifier limit".into(),
            _ => format!("{}'s 64-character identifier limit, or ends in a space", self.name()),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
            Dialect::MariaDb => "MariaDB",
        }
    }
}

pub mod access;
mod choose;
pub mod ddl;
pub mod ids;
pub mod defaults;
pub mod dump;
pub mod errors;
pub mod existing;
pub mod expr;
pub mod inspect;
pub mod json_index;
mod limits;
mod partition;
pub mod placement;
pub mod mysql;
pub mod postgres;
pub mod preview;
pub mod probe;
pub mod read;
pub mod rehearse;
pub mod session;
pub mod sync;
pub mod write;

use crate::error::{FerryError, Result};
use std::collections::HashSet;

pub(crate) fn split_type(s: &str) -> (String, Vec<u32>) {
    let s = s.trim().to_ascii_lowercase();
    let (name, params) = match s.find('(') {
        Some(i) => {
            let close = s[i..].find(')').map(|j| i + j).unwrap_or(s.len());
            let rest = format!("{} {}", &s[..i], s.get(close + 1..).unwrap_or(""));
            (rest, s[i + 1..close].split(',').filter_map(|p| p.trim().parse().ok()).collect())
        }
        None => (s.clone(), vec![]),
    };
    (name.split_whitespace().collect::<Vec<_>>().join(" "), params)
}

/// `url` with `password` as its password (percent-encoded as a URL needs), for a password
/// given apart from the URL (`ferry --password-stdin`).
pub fn with_password(url: &str, password: &str) -> Result<String> {
    let bad = |detail: &str| FerryError::BadUrl { url: redact(url), detail: detail.into() };
    let mut u = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    u.set_password(Some(password)).map_err(|_| bad("it cannot carry a password"))?;
    Ok(u.to_string())
}

/// A type as a plan or an override may name it, read strictly: words (letters, digits, `_`),
/// at most one list of whole numbers in parentheses, and words after it (`unsigned`, `with
/// time zone`) — nothing else, so no text of a plan reaches DDL but what this reads. Returns
/// the words and the numbers; `None` for anything else (`varchar(10 /*`, `int; DROP …`).
pub(crate) fn split_type_strict(s: &str) -> Option<(String, Vec<u32>)> {
    let t = read_type_strictly(s)?;
    Some((format!("{} {}", t.head, t.tail).split_whitespace().collect::<Vec<_>>().join(" "), t.params))
}

/// A type read by `split_type_strict`'s grammar: its words before the numbers (lower case,
/// single-spaced), the numbers, and the words after them.
struct StrictType {
    head: String,
    params: Vec<u32>,
    tail: String,
}

fn read_type_strictly(s: &str) -> Option<StrictType> {
    let s = s.trim().to_ascii_lowercase();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ' ';
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let (head, rest) = match s.find('(') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s.as_str(), None),
    };
    if !head.chars().all(word) || !head.trim_start().starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut params = vec![];
    let mut tail = "";
    if let Some(rest) = rest {
        let close = rest.find(')')?;
        for p in rest[..close].split(',') {
            let p = p.trim();
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            params.push(p.parse().ok()?);
        }
        tail = &rest[close + 1..];
        if !tail.chars().all(word) {
            return None;
        }
    }
    Some(StrictType { head: words(head), params, tail: words(tail) })
}

/// A type a plan names, written again from what `split_type_strict` read of it: the words,
/// then the numbers. Words that follow the numbers in SQL (`unsigned`) stay after them.
pub(crate) fn clean_type(s: &str) -> Option<String> {
    let t = read_type_strictly(s)?;
    let mut out = t.head;
    if s.contains('(') {
        out.push_str(&format!("({})", t.params.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(",")));
    }
    if !t.tail.is_empty() {
        out.push(' ');
        out.push_str(&t.tail);
    }
    Some(out)
}

/// The longest identifier the dialect takes: PostgreSQL 63 bytes, MySQL 64 characters.
pub fn ident_fits(dialect: Dialect, name: &str) -> bool {
    match dialect {
        Dialect::Postgres => name.len() <= 63,
        _ => name.chars().count() <= 64 && !name.ends_with(' '),
    }
}

impl Dialect {
    /// `ident_fits`' limit in words, for messages: "63 bytes", "64 characters".
    pub fn ident_limit_words(self) -> &'static str {
        match self {
            Dialect::Postgres => "63 bytes",
            _ => "64 characters",
        }
    }
}

fn truncate_ident(dialect: Dialect, name: &str, room: usize) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let next_len = match dialect {
            Dialect::Postgres => out.len() + c.len_utf8(),
            _ => out.chars().count() + 1,
        };
        if next_len > room {
            break;
        }
        out.push(c);
    }
    if dialect.is_mysql_family() {
        out = out.trim_end_matches(' ').to_string();
    }
    out
}

/// Hands out target identifiers: the source name where it fits, else a shortened name made
/// unique with a short hash of the original. Compared case-insensitively, as MySQL does.
pub struct Names {
    dialect: Dialect,
    taken: HashSet<String>,
}

impl Names {
    pub fn new(dialect: Dialect) -> Names {
        Names { dialect, taken: HashSet::new() }
    }

    pub fn take(&mut self, name: &str) -> String {
        let mut candidate = if ident_fits(self.dialect, name) { name.to_string() } else { self.shorten(name, 0) };
        let mut n = 0;
        while self.taken.contains(&candidate.to_lowercase()) {
            n += 1;
            candidate = self.shorten(name, n);
        }
        self.taken.insert(candidate.to_lowercase());
        candidate
    }

    fn shorten(&self, name: &str, n: u32) -> String {
        use sha2::Digest;
        let h = sha2::Sha256::digest(format!("{name}\0{n}").as_bytes());
        let tag = format!("_{}", &crate::value::hex(&h)[..8]);
        let room = if self.dialect == Dialect::Postgres { 63 } else { 64 } - tag.len();
        format!("{}{tag}", truncate_ident(self.dialect, name, room))
    }
}

/// A name for an index or constraint built from parts, kept within the identifier limit.
pub fn derived_name(dialect: Dialect, parts: &[&str], suffix: &str) -> String {
    let full = format!("{}_{suffix}", parts.join("_"));
    if ident_fits(dialect, &full) {
        return full;
    }
    let names = Names::new(dialect);
    names.shorten(&full, 0)
}

/// A parsed target URL: which server, and the same URL with the password hidden.
#[derive(Debug, Clone)]
pub struct TargetUrl {
    pub dialect: Dialect,
    /// The URL with the secret, for connecting only.
    pub url: String,
    pub redacted: String,
    pub host: String,
    pub user: String,
    pub database: String,
}

impl TargetUrl {
    /// The server as a person would name it before connecting: a `mysql://` URL may lead to
    /// MySQL or MariaDB, so it is "MySQL/MariaDB" until the server says which.
    pub fn server_name(&self) -> &'static str {
        match self.dialect {
            Dialect::MySql => "MySQL/MariaDB",
            d => d.name(),
        }
    }

    pub fn parse(s: &str) -> Result<TargetUrl> {
        let bad = |detail: &str| FerryError::BadUrl { url: redact(s), detail: detail.into() };
        let mut u = url::Url::parse(s).map_err(|e| bad(&e.to_string()))?;
        let dialect = match u.scheme() {
            "postgres" | "postgresql" => Dialect::Postgres,
            "mysql" => Dialect::MySql,
            "mariadb" => Dialect::MariaDb,
            other => return Err(bad(&format!("unknown scheme {other:?}"))),
        };
        if dialect == Dialect::MariaDb {
            let rest = s.split_once(':').map(|x| x.1).unwrap_or("");
            u = url::Url::parse(&format!("mysql:{rest}")).map_err(|e| bad(&e.to_string()))?;
        }
        let host = u.host_str().ok_or_else(|| bad("no host"))?.to_string();
        let database = u.path().trim_start_matches('/').to_string();
        if database.is_empty() {
            return Err(bad("no database name after the host (…/database)"));
        }
        let user = if u.username().is_empty() {
            if dialect == Dialect::Postgres { "postgres".into() } else { "root".into() }
        } else {
            percent_decode(u.username())
        };
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(TargetUrl { dialect, redacted: redact(u.as_str()), url: u.to_string(), host: format!("{host}{port}"), user, database })
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_else(|| s.into())
}

/// The URL with any password replaced by `***`.
pub fn redact(s: &str) -> String {
    let Ok(mut u) = url::Url::parse(s) else { return "<unparsable URL>".into() };
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    // libpq and sqlx also read a password from the query (`?password=…`, `sslpassword`).
    let secret = |k: &str| k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("sslpassword");
    if u.query_pairs().any(|(k, _)| secret(&k)) {
        let pairs: Vec<(String, String)> = u.query_pairs().map(|(k, v)| (k.to_string(), if secret(&k) { "***".to_string() } else { v.to_string() })).collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// The server's error code: PostgreSQL's SQLSTATE (`23505`), MySQL's error number (`1062`).
pub fn error_code(e: &sqlx::Error) -> String {
    let Some(db) = e.as_database_error() else { return String::new() };
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return my.number().to_string();
    }
    db.code().map(|c| c.to_string()).unwrap_or_default()
}

/// What a failed certificate check means, in words, for the TLS library's text (OpenSSL's
/// `certificate verify failed: … (hostname mismatch)`); other texts are kept as they are.
fn tls_detail(text: &str, host: &str) -> String {
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    let lower = text.to_ascii_lowercase();
    if lower.contains("hostname mismatch") || lower.contains("notvalidforname") {
        format!("the server's certificate is not for the name {name} (verify-full checks the name; connect by a name the certificate has)")
    } else if ["unable to get local issuer", "self-signed certificate", "self signed certificate", "unknownissuer", "unable to verify the first certificate"].iter().any(|w| lower.contains(w)) {
        "the server's certificate is not signed by a CA trusted here (give the CA that signed it with sslrootcert=… / ssl-ca=…)".into()
    } else if lower.contains("certificate has expired") {
        "the server's certificate has expired".into()
    } else {
        text.to_string()
    }
}

/// Maps a connection error to one that names the server and says what to try.
pub fn connect_error(t: &TargetUrl, e: sqlx::Error) -> FerryError {
    let what = t.server_name().to_string();
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    let tls_words = lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl");
    if matches!(e, sqlx::Error::Tls(_)) || (!matches!(e, sqlx::Error::Database(_)) && tls_words) {
        return FerryError::Tls { what, host: t.host.clone(), detail: tls_detail(&text, &t.host) };
    }
    match &e {
        sqlx::Error::Io(io) => FerryError::Unreachable { what, host: t.host.clone(), detail: io.to_string() },
        sqlx::Error::Database(db) => {
            let code = error_code(&e);
            match code.as_str() {
                "28P01" | "28000" | "1045" | "1698" => FerryError::AuthFailed { what, host: t.host.clone(), user: t.user.clone(), detail: db.message().into() },
                "3D000" | "1049" => FerryError::NoDatabase {
                    host: t.host.clone(),
                    database: t.database.clone(),
                    hint: if t.dialect == Dialect::Postgres {
                        format!("createdb -h {} -U {} {}", t.host.split(':').next().unwrap_or(""), t.user, t.database)
                    } else {
                        format!("CREATE DATABASE `{}` CHARACTER SET utf8mb4", t.database)
                    },
                },
                _ => FerryError::Target { object: format!("the connection to {}", t.host), detail: db.message().into() },
            }
        }
        sqlx::Error::Configuration(c) => FerryError::BadUrl { url: t.redacted.clone(), detail: c.to_string() },
        _ => FerryError::Unreachable { what, host: t.host.clone(), detail: e.to_string() },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plan_types_are_read_strictly_and_written_from_what_was_read() {
        let cases: &[(&str, Option<&str>)] = &[
            ("bigint", Some("bigint")),
            ("VARCHAR(255)", Some("varchar(255)")),
            ("decimal( 20 , 6 )", Some("decimal(20,6)")),
            ("double precision", Some("double precision")),
            ("timestamp(3) with time zone", Some("timestamp(3) with time zone")),
            ("int(10) unsigned", Some("int(10) unsigned")),
            ("varchar(10 /*", None),
            ("varchar(10) /* x */", None),
            ("int; DROP TABLE t", None),
            ("text) ; DROP DATABASE d; -- (", None),
            ("varchar('x')", None),
            ("enum('a','b')", None),
            ("decimal(20,-1)", None),
            ("(10)", None),
            ("", None),
            ("9int", None),
        ];
        for (input, want) in cases {
            assert_eq!(super::clean_type(input).as_deref(), *want, "{input:?}");
            assert_eq!(super::split_type_strict(input).is_some(), want.is_some(), "{input:?}");
        }
        assert!(Dialect::MariaDb.parse_type("varchar(10 /*").is_none() && Dialect::Postgres.parse_type("int; DROP TABLE t").is_none());
    }

    #[test]
    fn a_failed_certificate_check_is_said_in_words() {
        let openssl = "error occurred while attempting to establish a TLS connection: error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889: ";
        let cases = [
            (format!("{openssl}(hostname mismatch)"), "not for the name db.example"),
            (format!("{openssl}(unable to get local issuer certificate)"), "not signed by a CA trusted here"),
            (format!("{openssl}(self-signed certificate)"), "not signed by a CA trusted here"),
            (format!("{openssl}(certificate has expired)"), "has expired"),
            ("server does not support TLS".to_string(), "server does not support TLS"),
        ];
        for (text, want) in cases {
            assert!(super::tls_detail(&text, "db.example:5432").contains(want), "{text}");
        }
    }

    #[test]
    fn redact_hides_every_password_a_url_can_carry() {
        let cases = [
            ("postgres://u:s3cret@h/d", "postgres://u:***@h/d"),
            ("postgres://u@h/d?password=s3cret&sslmode=require", "postgres://u@h/d?password=***&sslmode=require"),
            ("mysql://u@h/d?PassWord=s3cret", "mysql://u@h/d?PassWord=***"),
            ("postgres://u:a@h/d?sslpassword=s3cret", "postgres://u:***@h/d?sslpassword=***"),
            ("postgres://u@h/d?sslmode=require", "postgres://u@h/d?sslmode=require"),
            ("not a url", "<unparsable URL>"),
        ];
        for (url, want) in cases {
            let got = super::redact(url);
            assert_eq!(got, want, "{url}");
            assert!(!got.contains("s3cret"), "{url}");
        }
    }

    use super::*;

    #[test]
    fn urls_parse_and_hide_passwords() {
        let t = TargetUrl::parse("postgres://bob:s3cret@db.example:5433/shop?sslmode=require").unwrap();
        assert_eq!((t.dialect, t.host.as_str(), t.user.as_str(), t.database.as_str()), (Dialect::Postgres, "db.example:5433", "bob", "shop"));
        assert!(!t.redacted.contains("s3cret") && t.redacted.contains("sslmode=require"));
        let t = TargetUrl::parse("mariadb://root@127.0.0.1/shop?ssl-mode=REQUIRED").unwrap();
        assert_eq!(t.dialect, Dialect::MariaDb);
        assert!(t.url.starts_with("mysql://"));
        for bad in ["sqlite:///x.db", "postgres://host", "not a url"] {
            assert!(matches!(TargetUrl::parse(bad), Err(FerryError::BadUrl { .. })), "{bad}");
        }
    }

    #[test]
    fn names_fit_and_stay_unique() {
        let long_a = format!("{}_alpha", "x".repeat(70));
        let long_b = format!("{}_beta", "x".repeat(70));
        for d in [Dialect::Postgres, Dialect::MariaDb] {
            let mut n = Names::new(d);
            let a = n.take(&long_a);
            let b = n.take(&long_b);
            assert!(ident_fits(d, &a) && ident_fits(d, &b));
            assert_ne!(a, b);
            assert_eq!(n.take("user"), "user");
            assert_ne!(n.take("USER"), "USER", "case-insensitive clash gets a new name");
        }
        let mut n = Names::new(Dialect::Postgres);
        let e = "é".repeat(40); // 80 bytes
        assert!(n.take(&e).len() <= 63);
        assert_eq!(split_type("NUMERIC(20, 6)"), ("numeric".into(), vec![20, 6]));
        assert_eq!(split_type("timestamp(3) with time zone"), ("timestamp with time zone".into(), vec![3]));
    }
}
