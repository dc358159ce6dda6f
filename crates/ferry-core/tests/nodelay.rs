//! Ferry's connections to a target send without Nagle's algorithm (`TCP_NODELAY`): without
//! it, each statement longer than one TCP segment sent after an answer waited for the
//! server's delayed ACK (40 ms on Linux) before its last segment went — about 0.3 s of
//! `sync`'s 0.45 s of writing on the 1,000,000-row demo. A test binary of its own, so every
//! socket of the process to the server's port is one `connect` opened. Linux only (it reads
//! the process's descriptors from /proc).

#![cfg(target_os = "linux")]

use ferry_core::dialect::{mysql, postgres, Dialect, TargetUrl};

/// (has TCP_NODELAY) for each TCP socket of this process connected to `port`.
fn sockets_to(port: u16) -> Vec<bool> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc/self/fd").unwrap() {
        let Some(fd) = e.ok().and_then(|e| e.file_name().to_str()?.parse::<libc::c_int>().ok()) else { continue };
        // SAFETY: getpeername and getsockopt into buffers of their own, on a descriptor
        // number; one that is not a connected TCP socket makes them fail.
        unsafe {
            let mut addr: libc::sockaddr_storage = std::mem::zeroed();
            let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            if libc::getpeername(fd, (&mut addr as *mut libc::sockaddr_storage).cast(), &mut len) != 0 {
                continue;
            }
            let peer_port = match addr.ss_family as libc::c_int {
                libc::AF_INET => u16::from_be((*(&addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>()).sin_port),
                libc::AF_INET6 => u16::from_be((*(&addr as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()).sin6_port),
                _ => continue,
            };
            if peer_port != port {
                continue;
            }
            let mut on: libc::c_int = 0;
            let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            assert_eq!(libc::getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, (&mut on as *mut libc::c_int).cast(), &mut len), 0);
            out.push(on != 0);
        }
    }
    out
}

#[tokio::test]
async fn target_connections_send_without_waiting_for_acks() {
    let pg = std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let my = std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    for url in [pg, my] {
        // The servers' own database where the URL names none (the tests' MySQL URL names none).
        let parsed = url::Url::parse(&url).unwrap();
        let url = if parsed.path().trim_matches('/').is_empty() { format!("{}/mysql", url.trim_end_matches('/')) } else { url };
        let t = TargetUrl::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
        let pg = t.dialect == Dialect::Postgres;
        let port = parsed.port().unwrap_or(if pg { 5432 } else { 3306 });
        assert!(sockets_to(port).is_empty(), "{url}: a socket open before the test's");
        // The connection is open while its socket is read.
        let flags = if pg {
            let _c = postgres::connect(&t).await.unwrap_or_else(|e| panic!("{url}: {e}"));
            sockets_to(port)
        } else {
            let _c = mysql::connect(&t).await.unwrap_or_else(|e| panic!("{url}: {e}"));
            sockets_to(port)
        };
        assert_eq!(flags, [true], "{url}: the connection's socket, TCP_NODELAY on");
    }
}
