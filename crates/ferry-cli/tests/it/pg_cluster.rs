//! A PostgreSQL cluster of the test's own, for what the shared server cannot show: TLS with a
//! certificate from a CA the test makes (or an X.509 v1 one, as a Citus node makes for
//! itself), and password-checked (scram-sha-256) connections. `initdb` and `pg_ctl` run as the
//! `postgres` OS user in a folder of its own, on a free port; the cluster is stopped and its
//! folder removed when the `PgCluster` is dropped, also when the test fails. Every wait is
//! bounded: `pg_ctl -t`, and a timeout on each command.

use crate::common::unique_name;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The server's programs: Debian's newest `/usr/lib/postgresql/N/bin` (15 on Debian 12).
fn bin() -> String {
    let mut found: Vec<(u32, String)> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, format!("{}/bin", e.path().display())))).collect())
        .unwrap_or_default();
    found.retain(|(_, b)| Path::new(b).join("initdb").exists());
    found.sort();
    found.pop().map(|(_, b)| b).expect("PostgreSQL's server programs in /usr/lib/postgresql/N/bin (scripts/setup.sh installs them)")
}
/// The password `postgres` has in every test cluster.
pub const PASSWORD: &str = "cluster-s3cret";

/// Runs a command to its end within `secs` seconds; panics with its output if it fails.
pub fn run(cmd: &mut Command, secs: u64) -> String {
    let what = format!("{cmd:?}");
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{what}: {e}"));
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            panic!("{what}: no end within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed: {text}");
    text
}

/// A certificate and its key, as PEM files.
#[derive(Clone)]
pub struct Pem {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Certificates made with the `openssl` command in `dir`.
pub struct Certs {
    dir: PathBuf,
}

impl Certs {
    pub fn new(dir: &Path) -> Certs {
        std::fs::create_dir_all(dir).unwrap();
        Certs { dir: dir.to_path_buf() }
    }

    fn openssl(&self, args: &[&str]) {
        run(Command::new("openssl").args(args).current_dir(&self.dir), 60);
    }

    fn pem(&self, name: &str) -> Pem {
        let pem = Pem { cert: self.dir.join(format!("{name}.pem")), key: self.dir.join(format!("{name}.key")) };
        // libpq refuses a client key others may read.
        std::fs::set_permissions(&pem.key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        pem
    }

    /// A certificate authority (X.509 v3, CA:TRUE).
    pub fn ca(&self, name: &str) -> Pem {
        self.openssl(&[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", &format!("/CN={name}"),
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", &format!("{name}.key"), "-out", &format!("{name}.pem"),
        ]);
        self.pem(name)
    }

    /// A server certificate signed by `ca`, for the names `sans` (`DNS:localhost`, `IP:127.0.0.1`).
    pub fn server(&self, name: &str, ca: &Pem, sans: &str) -> Pem {
        self.openssl(&["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", &format!("/CN={name}"), "-keyout", &format!("{name}.key"), "-out", &format!("{name}.csr")]);
        std::fs::write(self.dir.join(format!("{name}.ext")), format!("subjectAltName={sans}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n")).unwrap();
        self.openssl(&[
            "x509", "-req", "-in", &format!("{name}.csr"), "-CA", ca.cert.to_str().unwrap(), "-CAkey", ca.key.to_str().unwrap(), "-CAcreateserial", "-days", "2",
            "-extfile", &format!("{name}.ext"), "-out", &format!("{name}.pem"),
        ]);
        self.pem(name)
    }

    /// A self-signed X.509 version 1 certificate (no extensions at all), as a Citus node makes.
    pub fn v1_self_signed(&self, name: &str) -> Pem {
        self.openssl(&["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", &format!("{name}.key"), "-out", &format!("{name}.csr")]);
        self.openssl(&["x509", "-req", "-in", &format!("{name}.csr"), "-signkey", &format!("{name}.key"), "-days", "2", "-out", &format!("{name}.pem")]);
        let text = run(Command::new("openssl").args(["x509", "-noout", "-text", "-in"]).arg(self.dir.join(format!("{name}.pem"))), 30);
        assert!(text.contains("Version: 1 (0x0)"), "not a v1 certificate: {text}");
        self.pem(name)
    }
}

/// How a test cluster is set up.
#[derive(Default)]
pub struct Setup {
    /// The server's certificate: `ssl = on` with it.
    pub tls: Option<Pem>,
    /// The CA whose client certificates the server trusts (`ssl_ca_file`), for `cert` lines.
    pub client_ca: Option<PathBuf>,
    /// `pg_hba.conf`'s lines for TCP connections; default: scram-sha-256 for every host
    /// connection, TLS or not.
    pub hba: Vec<String>,
}

/// A running PostgreSQL 15 cluster of the test's own.
pub struct PgCluster {
    root: PathBuf,
    data: PathBuf,
    pub port: u16,
}

impl PgCluster {
    pub fn start(setup: Setup) -> PgCluster {
        let root = std::env::temp_dir().join(unique_name("pgcluster"));
        std::fs::create_dir_all(&root).unwrap();
        let data = root.join("data");
        // Dropped from here on, so a failure below still removes the folder.
        let mut cluster = PgCluster { root, data, port: 0 };
        let pw = cluster.root.join("pw");
        std::fs::write(&pw, PASSWORD).unwrap();
        run(Command::new("chown").args(["-R", "postgres:postgres"]).arg(&cluster.root), 30);
        cluster.as_postgres(&[&format!("{}/initdb", bin()), "-D", cluster.data.to_str().unwrap(), "-U", "postgres", "--pwfile", pw.to_str().unwrap(), "-A", "scram-sha-256", "--no-sync"], 120);

        let mut conf = format!(
            "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nfsync = off\nmax_connections = 20\nshared_buffers = 16MB\npassword_encryption = 'scram-sha-256'\n",
            cluster.root.display()
        );
        if let Some(tls) = &setup.tls {
            // The key must be the server user's own and private: copied into the data folder.
            for (from, to) in [(&tls.cert, "server.crt"), (&tls.key, "server.key")] {
                std::fs::copy(from, cluster.data.join(to)).unwrap();
            }
            run(Command::new("chown").args(["postgres:postgres"]).arg(cluster.data.join("server.crt")).arg(cluster.data.join("server.key")), 30);
            run(Command::new("chmod").args(["600"]).arg(cluster.data.join("server.key")), 30);
            conf.push_str("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        }
        if let Some(ca) = &setup.client_ca {
            std::fs::copy(ca, cluster.data.join("client_ca.crt")).unwrap();
            run(Command::new("chown").args(["postgres:postgres"]).arg(cluster.data.join("client_ca.crt")), 30);
            conf.push_str("ssl_ca_file = 'client_ca.crt'\n");
        }
        let hba = if setup.hba.is_empty() { vec!["host all all 127.0.0.1/32 scram-sha-256".to_string()] } else { setup.hba };
        let hba = format!("local all all trust\n{}\n", hba.join("\n"));
        std::fs::OpenOptions::new().append(true).open(cluster.data.join("postgresql.conf")).and_then(|mut f| std::io::Write::write_all(&mut f, conf.as_bytes())).unwrap();
        std::fs::write(cluster.data.join("pg_hba.conf"), hba).unwrap();

        // A free port, taken again by the server a moment later; another test may take it in
        // between, so a failed start tries the next one (at most five).
        for attempt in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let log = cluster.root.join(format!("log{attempt}"));
            let ok = Command::new("runuser")
                .args(["-u", "postgres", "--", &format!("{}/pg_ctl", bin()), "-D", cluster.data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-w", "-t", "60", "-o", &format!("-p {port}"), "start"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                cluster.port = port;
                return cluster;
            }
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(text.contains("could not bind") || text.contains("in use"), "the test cluster did not start: {text}");
        }
        panic!("the test cluster found no free port in five tries");
    }

    fn as_postgres(&self, args: &[&str], secs: u64) -> String {
        run(Command::new("runuser").args(["-u", "postgres", "--"]).args(args).current_dir(&self.root), secs)
    }

    /// SQL run as `postgres` over the cluster's own socket (trusted), for setting it up.
    pub fn psql(&self, sql: &str) -> String {
        self.psql_in("postgres", sql)
    }

    /// SQL as `postgres` in the database `db`, over the cluster's own socket.
    pub fn psql_in(&self, db: &str, sql: &str) -> String {
        self.as_postgres(&[&format!("{}/psql", bin()), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", self.root.to_str().unwrap(), "-p", &self.port.to_string(), "-d", db, "-c", sql], 60)
    }

    /// Restarts the server on its port (`pg_ctl restart -m fast`: every session is ended);
    /// returns once it accepts connections again (at most 60 s).
    pub fn restart(&self) {
        self.as_postgres(&[&format!("{}/pg_ctl", bin()), "-D", self.data.to_str().unwrap(), "-l", self.root.join("log-restart").to_str().unwrap(), "-m", "fast", "-w", "-t", "60", "-o", &format!("-p {}", self.port), "restart"], 90);
    }

    /// A URL of this cluster: `user[:password]@host:port/postgres` and `query`.
    pub fn url(&self, userinfo: &str, host: &str, query: &str) -> String {
        let q = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("postgres://{userinfo}@{host}:{}/postgres{q}", self.port)
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.port != 0 {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--", &format!("{}/pg_ctl", bin()), "-D", self.data.to_str().unwrap(), "-m", "immediate", "-w", "-t", "30", "stop"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
