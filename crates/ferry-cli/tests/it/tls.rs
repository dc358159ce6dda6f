//! TLS against PostgreSQL clusters of the test's own (`pg_cluster`): `verify-full` checks the
//! CA and the host name, `require` takes any certificate (an X.509 v1 one included, as libpq
//! does), and a native backup and restore keep the URL's certificates.

use crate::common::*;
use crate::pg_cluster::{Certs, PgCluster, Setup, PASSWORD};
use serde_json::Value;

fn connect(url: &str) -> (Run, Value) {
    let run = ferry(&["connect", "--to", url, "--json"]);
    let info = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, info)
}

/// A refusal is one line on stderr, exit 1, that says what to do.
fn refused(run: &Run, words: &[&str]) {
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    for w in words {
        assert!(run.stderr.contains(w), "{w:?} not in {}", run.stderr);
    }
}

#[test]
fn verify_full_checks_the_ca_and_the_host_name() {
    let dir = Scratch::new();
    let certs = Certs::new(&dir.path("certs"));
    let ca = certs.ca("ferry-test-ca");
    let other_ca = certs.ca("other-ca");
    let server = certs.server("server", &ca, "IP:127.0.0.1");
    // TLS only: a connection without it is refused by pg_hba.conf.
    let pg = PgCluster::start(Setup { tls: Some(server), hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()], ..Setup::default() });
    let who = format!("postgres:{PASSWORD}");
    let root = |ca: &crate::pg_cluster::Pem| format!("sslrootcert={}", ca.cert.display());

    let (run, info) = connect(&pg.url(&who, "127.0.0.1", &format!("sslmode=verify-full&{}", root(&ca))));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(info["tls"], true, "{info}");
    // verify-ca checks the CA only: another name for the same server is fine.
    let (run, _) = connect(&pg.url(&who, "localhost", &format!("sslmode=verify-ca&{}", root(&ca))));
    assert_eq!(run.code, 0, "{}", run.stderr);

    // A CA that did not sign the server's certificate.
    let (run, _) = connect(&pg.url(&who, "127.0.0.1", &format!("sslmode=verify-full&{}", root(&other_ca))));
    refused(&run, &["TLS with the PostgreSQL server", "not signed by a CA trusted here", "sslrootcert="]);
    // The right CA, the wrong name: the certificate is for 127.0.0.1, not localhost.
    let (run, _) = connect(&pg.url(&who, "localhost", &format!("sslmode=verify-full&{}", root(&ca))));
    refused(&run, &["TLS with the PostgreSQL server", "not for the name localhost"]);
    // No CA given: the test's CA is in no store here.
    let (run, _) = connect(&pg.url(&who, "127.0.0.1", "sslmode=verify-full"));
    refused(&run, &["TLS with the PostgreSQL server", "not signed by a CA trusted here"]);
    // `require` with a root certificate checks against it, as libpq does (verify-ca).
    let (run, _) = connect(&pg.url(&who, "localhost", &format!("sslmode=require&{}", root(&other_ca))));
    refused(&run, &["TLS with the PostgreSQL server", "not signed by a CA trusted here"]);
    let (run, _) = connect(&pg.url(&who, "localhost", &format!("sslmode=require&{}", root(&ca))));
    assert_eq!(run.code, 0, "{}", run.stderr);
    // `require` and `prefer` without one encrypt without checking, as libpq does.
    for mode in ["require", "prefer"] {
        let (run, info) = connect(&pg.url(&who, "localhost", &format!("sslmode={mode}")));
        assert_eq!(run.code, 0, "{mode}: {}", run.stderr);
        assert_eq!(info["tls"], true, "{mode}: {info}");
    }
}

/// A self-signed X.509 version 1 certificate (what a Citus node makes for itself): `psql`
/// connects with `sslmode=require`, and so does Ferry.
#[test]
fn require_accepts_an_x509_v1_certificate() {
    let dir = Scratch::new();
    let certs = Certs::new(&dir.path("certs"));
    let v1 = certs.v1_self_signed("citus-like");
    let pg = PgCluster::start(Setup { tls: Some(v1.clone()), hba: vec!["hostssl all all 127.0.0.1/32 scram-sha-256".into()], ..Setup::default() });
    let who = format!("postgres:{PASSWORD}");
    for mode in ["require", "prefer"] {
        let (run, info) = connect(&pg.url(&who, "127.0.0.1", &format!("sslmode={mode}")));
        assert_eq!(run.code, 0, "{mode}: {}", run.stderr);
        assert_eq!(info["tls"], true, "{mode}: {info}");
    }
    // Verifying still verifies: the certificate is signed by no CA trusted here.
    let (run, _) = connect(&pg.url(&who, "127.0.0.1", "sslmode=verify-full"));
    refused(&run, &["TLS with the PostgreSQL server", "not signed by a CA trusted here"]);
}

/// A native backup and restore through a server that takes only clients with a certificate
/// from the test's CA (`cert` in pg_hba.conf), over verify-full: pg_dump and pg_restore get
/// in only if the URL's sslrootcert, sslcert and sslkey reach them (PGSSLROOTCERT, …).
#[test]
fn native_backup_and_restore_keep_the_urls_certificates() {
    if !["pg_dump", "pg_restore"].iter().all(|t| std::process::Command::new(t).arg("--version").output().is_ok_and(|o| o.status.success())) {
        panic!("pg_dump and pg_restore are needed (postgresql-client; scripts/setup.sh installs them)");
    }
    let dir = Scratch::new();
    let certs = Certs::new(&dir.path("certs"));
    let ca = certs.ca("ferry-test-ca");
    let server = certs.server("server", &ca, "IP:127.0.0.1");
    let client = certs.server("postgres", &ca, "DNS:postgres");
    let pg = PgCluster::start(Setup { tls: Some(server), client_ca: Some(ca.cert.clone()), hba: vec!["hostssl all all 127.0.0.1/32 cert".into()] });
    pg.psql("CREATE TABLE kept (id int PRIMARY KEY, name text); INSERT INTO kept SELECT g, 'row ' || g FROM generate_series(1, 25) g");
    let query = format!("sslmode=verify-full&sslrootcert={}&sslcert={}&sslkey={}", ca.cert.display(), client.cert.display(), client.key.display());
    let url = pg.url("postgres", "127.0.0.1", &query);
    // Without the client certificate the server refuses: the test shows what the tools need.
    let (run, _) = connect(&pg.url("postgres", "127.0.0.1", &format!("sslmode=verify-full&sslrootcert={}", ca.cert.display())));
    assert_eq!(run.code, 1, "{}", run.stdout);

    let out = dir.path("backups");
    let r = ferry(&["backup", "--to", &url, "--out", out.to_str().unwrap(), "--engine", "native"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let rec = r.stdout.lines().find_map(|l| l.strip_prefix("record: ")).unwrap_or_else(|| panic!("no record line in {}", r.stdout)).trim().to_string();
    let record: Value = serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    assert_eq!((record["engine"].as_str(), record["tables"].clone()), (Some("native"), serde_json::json!(["kept"])), "{record}");

    pg.psql("DROP TABLE kept");
    let r = ferry(&["restore", &rec, "--to", &url]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(pg.psql("SELECT count(*) || ' ' || max(name) FROM kept").trim(), "25 row 9");
}

fn record_of(r: &Run) -> String {
    r.stdout.lines().find_map(|l| l.strip_prefix("record: ")).unwrap_or_else(|| panic!("no record line in {}{}", r.stdout, r.stderr)).trim().to_string()
}

/// MariaDB's own tools get the URL's TLS settings: through a server of the test's own whose
/// user must show a client certificate from the test's CA (`REQUIRE X509`), over
/// VERIFY_IDENTITY, `mariadb-dump` and `mariadb` get in only with `--ssl-cert`/`--ssl-key`
/// and, checking the server, `--ssl-ca`. `ssl-mode=REQUIRED`, which MariaDB's client cannot
/// insist on, backs up with Ferry's own dump, and refuses `--engine native` and a native
/// restore.
#[test]
fn mariadb_native_backup_and_restore_keep_the_urls_tls_or_are_refused() {
    if !["mariadb-dump", "mariadb"].iter().all(|t| std::process::Command::new(t).arg("--version").output().is_ok_and(|o| o.status.success())) {
        panic!("mariadb-dump and mariadb are needed (mariadb-client; scripts/setup.sh installs them)");
    }
    let dir = Scratch::new();
    let certs = Certs::new(&dir.path("certs"));
    let ca = certs.ca("ferry-test-ca");
    let server = certs.server("server", &ca, "DNS:localhost,IP:127.0.0.1");
    let client = certs.server("client", &ca, "DNS:client");
    let my = crate::my_server::MyServer::start(&server, &ca);
    my.sql("CREATE DATABASE shop; CREATE TABLE shop.kept (id INT PRIMARY KEY, name TEXT); INSERT INTO shop.kept VALUES (1, 'a'), (2, 'b'); CREATE DATABASE shop2; CREATE DATABASE shop3; CREATE USER 'certy'@'%' REQUIRE X509; GRANT ALL ON *.* TO 'certy'@'%'").unwrap();
    let certs_q = format!("ssl-ca={}&ssl-cert={}&ssl-key={}", ca.cert.display(), client.cert.display(), client.key.display());
    let url = |db: &str, mode: &str| format!("mysql://certy@localhost:{}/{db}?ssl-mode={mode}&{certs_q}", my.port);

    let (run, info) = connect(&url("shop", "VERIFY_IDENTITY"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(info["tls"], true, "{info}");
    let out = dir.path("backups");
    let r = ferry(&["backup", "--to", &url("shop", "VERIFY_IDENTITY"), "--out", out.to_str().unwrap(), "--engine", "native"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let native = record_of(&r);
    let r = ferry(&["restore", &native, "--to", &url("shop2", "VERIFY_IDENTITY")]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(my.sql("SELECT COUNT(*), MAX(name) FROM shop2.kept").unwrap().trim(), "2\tb");

    // REQUIRED: Ferry's own dump when no engine is chosen; native refused, in one line.
    let r = ferry(&["backup", "--to", &url("shop", "REQUIRED"), "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let record: Value = serde_json::from_str(&std::fs::read_to_string(record_of(&r)).unwrap()).unwrap();
    assert_eq!(record["engine"], "ferry", "{record}");
    let r = ferry(&["backup", "--to", &url("shop", "REQUIRED"), "--out", out.to_str().unwrap(), "--engine", "native"]);
    refused(&r, &["ssl-mode=REQUIRED", "--engine ferry"]);
    let r = ferry(&["restore", &native, "--to", &url("shop3", "REQUIRED")]);
    refused(&r, &["ssl-mode=REQUIRED", "--engine ferry"]);
    assert_eq!(my.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'shop3'").unwrap().trim(), "0");
}
