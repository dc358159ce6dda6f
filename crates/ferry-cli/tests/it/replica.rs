//! `ferry advise` on a primary the test makes, with and without a streaming replica (#20): a
//! lone server gets `no_replica`; once a standby made with `pg_basebackup -R` streams from it
//! that finding is gone, and with the standby's replay paused while the primary writes,
//! `replica_lag` names it with its figures. The primary is a `PgCluster`; the standby runs as
//! the `postgres` OS user in a folder of its own on a free port, stopped (`-m immediate`) and
//! removed when dropped, also when the test fails. Every wait is bounded.

use crate::common::{ferry, unique_name};
use crate::pg_cluster::{run, PgCluster, Setup, PASSWORD};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's newest PostgreSQL programs (as `pg_cluster` finds them).
fn bin() -> String {
    let mut found: Vec<(u32, String)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, format!("{}/bin", e.path().display())))).collect())
        .unwrap_or_default();
    found.retain(|(_, b)| Path::new(b).join("pg_basebackup").exists());
    found.sort();
    found.pop().map(|(_, b)| b).expect("PostgreSQL's programs in /usr/lib/postgresql/N/bin")
}

struct Standby {
    root: PathBuf,
    started: bool,
}

impl Standby {
    fn data(&self) -> PathBuf {
        self.root.join("data")
    }
    /// A standby of the primary on `primary_port`, streaming, on a free port.
    fn start(primary_port: u16) -> Standby {
        let root = std::env::temp_dir().join(unique_name("standby"));
        std::fs::create_dir_all(&root).unwrap();
        let mut s = Standby { root, started: false };
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&s.root), 30);
        run(
            Command::new("runuser")
                .args(["-u", "postgres", "--", &format!("{}/pg_basebackup", bin()), "-h", "127.0.0.1", "-p", &primary_port.to_string(), "-U", "postgres", "-D", s.data().to_str().unwrap(), "-R", "-X", "stream", "--no-sync"])
                .env("PGPASSWORD", PASSWORD)
                .current_dir(&s.root),
            120,
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = s.root.join("log");
        let ok = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{}/pg_ctl", bin()), "-D", s.data().to_str().unwrap(), "-l", log.to_str().unwrap(), "-w", "-t", "60", "-o", &format!("-p {port} -c wal_receiver_status_interval=1"), "start"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|st| st.success());
        assert!(ok, "the standby did not start: {}", std::fs::read_to_string(&log).unwrap_or_default());
        s.started = true;
        s
    }
}

impl Drop for Standby {
    fn drop(&mut self) {
        if self.started {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--", &format!("{}/pg_ctl", bin()), "-D", self.data().to_str().unwrap(), "-m", "immediate", "-w", "-t", "30", "stop"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The codes `ferry advise --json` finds, with the findings themselves.
fn advise(url: &str) -> (Vec<String>, serde_json::Value) {
    let r = ferry(&["advise", url, "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let codes = v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    (codes, v)
}

#[test]
fn advise_sees_the_replica_and_its_lag() {
    let hba = vec!["host all all 127.0.0.1/32 scram-sha-256".to_string(), "host replication all 127.0.0.1/32 scram-sha-256".to_string()];
    let primary = PgCluster::start(Setup { hba, ..Default::default() });
    let url = primary.url(&format!("postgres:{PASSWORD}"), "127.0.0.1", "");
    let (codes, _) = advise(&url);
    assert!(codes.contains(&"no_replica".to_string()), "a lone server: {codes:?}");
    assert!(!codes.contains(&"replica_lag".to_string()));

    let standby = Standby::start(primary.port);
    let t0 = Instant::now();
    while primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").trim() != "1" {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "the standby does not stream within 60 s: {:?}; its log: {}; its auto.conf: {}",
            primary.psql("SELECT state FROM pg_stat_replication"),
            std::fs::read_to_string(standby.root.join("log")).unwrap_or_default(),
            std::fs::read_to_string(standby.data().join("postgresql.auto.conf")).unwrap_or_default().replace(PASSWORD, "***")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (codes, _) = advise(&url);
    assert!(!codes.contains(&"no_replica".to_string()), "a replica streams: {codes:?}");
    assert!(!codes.contains(&"replica_lag".to_string()), "a replica keeping up: {codes:?}");

    // Replay paused on the standby while the primary writes: replay_lag grows past the
    // threshold (30 s); bounded at 90 s.
    let standby_port = std::fs::read_to_string(standby.data().join("postmaster.pid")).unwrap().lines().nth(3).unwrap().trim().to_string();
    run(Command::new("runuser").args(["-u", "postgres", "--", &format!("{}/psql", bin()), "-X", "-h", "127.0.0.1", "-p", &standby_port, "-d", "postgres", "-c", "SELECT pg_wal_replay_pause()"]).env("PGPASSWORD", PASSWORD), 30);
    primary.psql("CREATE TABLE ticks (at timestamptz)");
    let t0 = Instant::now();
    let lagging = loop {
        primary.psql("INSERT INTO ticks VALUES (now())");
        if t0.elapsed() > Duration::from_secs(31) {
            let (codes, v) = advise(&url);
            if codes.contains(&"replica_lag".to_string()) {
                break v;
            }
        }
        assert!(t0.elapsed() < Duration::from_secs(90), "no replica_lag within 90 s of paused replay");
        std::thread::sleep(Duration::from_millis(500));
    };
    let f = lagging["findings"].as_array().unwrap().iter().find(|f| f["code"] == "replica_lag").unwrap();
    assert!(f["evidence"].as_str().unwrap().contains("replay_lag = "), "{f}");
    assert!(f["title"].as_str().unwrap().contains("127.0.0.1"), "the replica is named by its address: {f}");
    drop(standby);
}
