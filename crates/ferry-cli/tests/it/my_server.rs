//! A MariaDB server of the test's own, for TLS (the shared one has none): `mariadb-install-db`
//! in a folder of its own, `mariadbd` as the `mysql` OS user on a free port with the test's
//! certificates. Stopped (TERM, then KILL after 20 s) and its folder removed when the
//! `MyServer` is dropped, also when the test fails; every wait is bounded.

use crate::common::unique_name;
use crate::pg_cluster::{run, Pem};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MyServer {
    root: PathBuf,
    child: Option<Child>,
    pub port: u16,
}

impl MyServer {
    /// A server with `tls` as its certificate and `ca` as the CA of client certificates;
    /// `root` may log in over TCP from 127.0.0.1 with no password.
    pub fn start(tls: &Pem, ca: &Pem) -> MyServer {
        let root = std::env::temp_dir().join(unique_name("myserver"));
        std::fs::create_dir_all(&root).unwrap();
        let mut server = MyServer { root: root.clone(), child: None, port: 0 };
        for (from, to) in [(&tls.cert, "server.pem"), (&tls.key, "server.key"), (&ca.cert, "ca.pem")] {
            std::fs::copy(from, root.join(to)).unwrap();
        }
        run(Command::new("chown").args(["-R", "mysql:mysql"]).arg(&root), 30);
        run(Command::new("mariadb-install-db").args(["--no-defaults", "--user=mysql", "--auth-root-authentication-method=normal", "--skip-test-db"]).arg(format!("--datadir={}", root.join("data").display())), 120);
        // A free port, taken again by the server a moment later: a start that fails tries
        // another (at most five).
        for attempt in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            match server.launch(port, attempt) {
                Ok(()) => return server,
                Err(text) => assert!(text.contains("Address already in use") || text.contains("Can't start server"), "the test's MariaDB did not start: {text}"),
            }
        }
        panic!("the test's MariaDB found no free port in five tries");
    }

    /// Starts `mariadbd` on `port` and waits (at most 60 s) until it answers; else stops it
    /// and returns its error log.
    fn launch(&mut self, port: u16, attempt: u32) -> Result<(), String> {
        let root = &self.root;
        let log = root.join(format!("err{attempt}.log"));
        let child = Command::new("/usr/sbin/mariadbd")
            .args(["--no-defaults", "--user=mysql", "--bind-address=127.0.0.1", "--skip-log-bin", "--innodb-buffer-pool-size=16M", "--performance-schema=OFF"])
            .arg(format!("--port={port}"))
            .arg(format!("--datadir={}", root.join("data").display()))
            .arg(format!("--socket={}", root.join("sock").display()))
            .arg(format!("--pid-file={}", root.join("pid").display()))
            .arg(format!("--log-error={}", log.display()))
            .arg(format!("--ssl-cert={}", root.join("server.pem").display()))
            .arg(format!("--ssl-key={}", root.join("server.key").display()))
            .arg(format!("--ssl-ca={}", root.join("ca.pem").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mariadbd runs");
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if self.sql("SELECT 1").is_ok() {
                self.port = port;
                return Ok(());
            }
            if self.child.as_mut().unwrap().try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        self.stop();
        Err(text)
    }

    /// Shuts the server down (TERM: every session ended) and starts it again on its port.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        if let Err(text) = self.launch(port, 9) {
            panic!("the test's MariaDB did not start again on port {port}: {text}");
        }
    }

    /// SQL as root over the server's own socket.
    pub fn sql(&self, sql: &str) -> Result<String, String> {
        let out = Command::new("mariadb")
            .args(["--no-defaults", "-uroot", "-N", "-B", "--connect-timeout=5"])
            .arg(format!("--socket={}", self.root.join("sock").display()))
            .args(["-e", sql])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for MyServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
