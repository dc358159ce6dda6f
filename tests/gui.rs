//! The GUI smoke test: the real, built app (`target/debug/ferry-app`, with `ui/dist` embedded)
//! in a real window, driven through WebDriver.
//!
//! How it runs: it uses `$DISPLAY` when set, else starts its own `Xvfb` on a free display;
//! it starts `tauri-driver` (crates.io) on free ports with Debian's `WebKitWebDriver` as the
//! native driver, opens a WebDriver session on the app with `fantoccini`, and kills the
//! driver (with the app it launched) and Xvfb when done, pass or fail. It clicks "Show engine
//! version", checks the answer against `ferry_core::version()`, and saves a WebDriver
//! screenshot to `docs/screenshots/smoke.png`.
//!
//! Needs what `scripts/setup.sh` installs: `tauri-driver` (on PATH or in `~/.cargo/bin`, or
//! named by `$TAURI_DRIVER`), `WebKitWebDriver` (package webkit2gtk-driver, or
//! `$WEBKIT_WEBDRIVER`), `Xvfb` (package xvfb), and a built `ui/dist`. GUI tests stay in this
//! one binary (it makes itself the reaper of the processes they leave, see `adopt_orphans`)
//! and run one at a time: when a second test comes, have them share one lock.
//! The driver's and the app's output goes to `target/tmp/gui/*.log`, printed on failure,
//! beside a screenshot of the window as the failure found it (`failure.png`).

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long the app may take to show its first page (the first WebKit start is the slow one).
const STARTUP: Duration = Duration::from_secs(60);
/// How long a click may take to show its answer.
const ANSWER: Duration = Duration::from_secs(15);
/// A WebDriver async script that returns once the page has painted two more frames.
const NEXT_FRAMES: &str = "const done = arguments[arguments.length - 1];
    requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";

#[tokio::test]
async fn shows_the_engine_version() {
    let logs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui");
    fs::create_dir_all(&logs).expect("create the log folder");

    let (display, _xvfb) = display(&logs);
    let driver = TauriDriver::start(&display, &logs);
    let client = driver.connect(env!("CARGO_BIN_EXE_ferry-app")).await;

    let failure_shot = logs.join("failure.png");
    let _ = fs::remove_file(&failure_shot);
    let result = smoke(&client).await;
    if result.is_err() {
        if let Ok(png) = client.screenshot().await {
            let _ = fs::write(&failure_shot, png);
        }
    }
    // End the session (and so the app) before judging, so a failure leaves nothing running.
    let _ = client.close().await;
    if let Err(message) = result {
        panic!(
            "{message}\n(the window at that moment: {})\n{}",
            failure_shot.display(),
            driver.log_tail()
        );
    }
}

/// The steps of the smoke test; an `Err` says which one failed.
async fn smoke(client: &Client) -> Result<(), String> {
    let button = client
        .wait()
        .at_most(STARTUP)
        .for_element(Locator::Id("engine-version-button"))
        .await
        .map_err(|e| format!("the page never showed #engine-version-button: {e}"))?;

    let title = client
        .title()
        .await
        .map_err(|e| format!("read the title: {e}"))?;
    if title != "Ferry" {
        return Err(format!("the page's title is {title:?}, not \"Ferry\""));
    }
    let heading = text(client, Locator::Css("h1")).await?;
    if heading != "Ferry" {
        return Err(format!("the page's heading is {heading:?}, not \"Ferry\""));
    }
    if !text(client, Locator::Id("engine-version"))
        .await?
        .is_empty()
    {
        return Err("#engine-version shows something before the click".into());
    }

    button
        .click()
        .await
        .map_err(|e| format!("click the button: {e}"))?;

    let expected = ferry_core::version();
    let deadline = Instant::now() + ANSWER;
    let shown = loop {
        let shown = text(client, Locator::Id("engine-version")).await?;
        if !shown.is_empty() || Instant::now() > deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    if shown != expected {
        let error = text(client, Locator::Id("engine-version-error"))
            .await
            .unwrap_or_default();
        return Err(format!(
            "#engine-version shows {shown:?}, expected {expected:?} (error shown: {error:?})"
        ));
    }

    // The DOM holds the answer already; let WebKit paint it before the screenshot.
    client
        .execute_async(NEXT_FRAMES, Vec::new())
        .await
        .map_err(|e| format!("wait for the page to paint: {e}"))?;
    let png = client
        .screenshot()
        .await
        .map_err(|e| format!("take a screenshot: {e}"))?;
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err("the WebDriver screenshot is not a PNG".into());
    }
    let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots/smoke.png");
    fs::create_dir_all(shot.parent().unwrap())
        .map_err(|e| format!("create docs/screenshots: {e}"))?;
    fs::write(&shot, png).map_err(|e| format!("write {}: {e}", shot.display()))?;
    Ok(())
}

/// The visible text of the element `locator` finds.
async fn text(client: &Client, locator: Locator<'_>) -> Result<String, String> {
    let element = client
        .find(locator)
        .await
        .map_err(|e| format!("find {locator:?}: {e}"))?;
    element
        .text()
        .await
        .map_err(|e| format!("read the text of {locator:?}: {e}"))
}

/// A process this test started, killed with everything it started in turn when dropped.
struct Spawned {
    child: Child,
}

impl Spawned {
    /// Starts `command` in its own process group, so that dropping it also ends the
    /// processes it starts (tauri-driver → WebKitWebDriver → the app → WebKit's helpers).
    fn start(command: &mut Command, what: &str) -> Self {
        adopt_orphans();
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {what}: {e}"));
        Spawned { child }
    }

    fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // The group's id is the child's pid (process_group(0)): a negative pid signals it all.
        let group = -(self.child.id() as libc::pid_t);
        for signal in [libc::SIGTERM, libc::SIGKILL] {
            // SAFETY: kill(2) with a process group id this test created.
            unsafe { libc::kill(group, signal) };
            if wait_until_gone(group, Duration::from_secs(5)) {
                break;
            }
        }
        let _ = self.child.wait(); // Usually reaped already by `wait_until_gone`.
    }
}

/// Makes this test process adopt the processes its children leave behind (WebKitWebDriver
/// does not wait for the app, tauri-driver does not wait for WebKitWebDriver), so that it can
/// reap them instead of leaving zombies to an init that may not. Only GUI tests live in this
/// binary, so reaping any child is safe here.
fn adopt_orphans() {
    // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) takes plain integers and only sets a flag.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// Reaps exited children until no process of `group` is left, or `timeout` passes.
fn wait_until_gone(group: libc::pid_t, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        // SAFETY: waitpid(2) and kill(2) with integers and a valid out-pointer.
        unsafe {
            let mut status = 0;
            while libc::waitpid(-1, &mut status, libc::WNOHANG) > 0 {}
            if libc::kill(group, 0) != 0 {
                return true; // ESRCH: nothing left in the group, zombies included.
            }
        }
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(20));
    }
}

/// The X display to use: `$DISPLAY` when set, else a fresh Xvfb on a free display number
/// (returned too, so it lives as long as the test).
fn display(logs: &Path) -> (String, Option<Spawned>) {
    if let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
        return (display, None);
    }
    let xvfb = find_program("Xvfb", None, &[]).unwrap_or_else(|| {
        panic!("DISPLAY is unset and Xvfb is not installed: run scripts/setup.sh (package xvfb)")
    });
    for n in 99..199 {
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        if socket.exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let log = log_file(logs, &format!("xvfb-{n}.log"));
        let mut server = Spawned::start(
            Command::new(&xvfb)
                .args([
                    format!(":{n}").as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(log.try_clone().unwrap())
                .stderr(log),
            "Xvfb",
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if socket.exists() {
                return (format!(":{n}"), Some(server));
            }
            if server.has_exited() {
                break; // Another server took this number first: try the next.
            }
            sleep(Duration::from_millis(50));
        }
    }
    panic!(
        "could not start Xvfb on any display from :99 to :198 (see {})",
        logs.display()
    );
}

/// tauri-driver, listening on a free port, with WebKitWebDriver behind it.
struct TauriDriver {
    port: u16,
    log: PathBuf,
    process: Spawned,
}

impl TauriDriver {
    fn start(display: &str, logs: &Path) -> Self {
        let home_bin =
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"));
        let driver = find_program("tauri-driver", Some("TAURI_DRIVER"), home_bin.as_slice())
            .unwrap_or_else(|| {
                panic!(
                    "tauri-driver is not installed (looked at $TAURI_DRIVER, PATH and ~/.cargo/bin): \
                     run scripts/setup.sh, or `cargo install tauri-driver --locked`"
                )
            });
        let native =
            find_program("WebKitWebDriver", Some("WEBKIT_WEBDRIVER"), &[]).unwrap_or_else(|| {
                panic!(
                    "WebKitWebDriver is not installed (looked at $WEBKIT_WEBDRIVER and PATH): \
                     run scripts/setup.sh, or `apt-get install webkit2gtk-driver`"
                )
            });

        let port = free_port();
        let native_port = free_port();
        let log = logs.join("tauri-driver.log");
        let out = log_file(logs, "tauri-driver.log");
        let mut process = Spawned::start(
            Command::new(&driver)
                .arg("--port")
                .arg(port.to_string())
                .arg("--native-port")
                .arg(native_port.to_string())
                .arg("--native-driver")
                .arg(&native)
                .env("DISPLAY", display)
                // No accessibility bus under Xvfb: keep GTK from looking for one.
                .env("NO_AT_BRIDGE", "1")
                .stdout(out.try_clone().unwrap())
                .stderr(out),
            "tauri-driver",
        );

        // Both must listen before a session can open: tauri-driver answers at once, but
        // forwards to WebKitWebDriver, which takes a moment to start.
        let deadline = Instant::now() + Duration::from_secs(20);
        for (what, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if process.has_exited() || Instant::now() > deadline {
                    panic!(
                        "{what} did not start listening on port {port}\n{}",
                        tail(&log)
                    );
                }
                sleep(Duration::from_millis(50));
            }
        }
        TauriDriver { port, log, process }
    }

    /// Opens a WebDriver session on the app at `application` (an absolute path).
    async fn connect(&self, application: &str) -> Client {
        assert!(
            Path::new(application).is_file(),
            "the app binary {application} is missing"
        );
        let capabilities = json!({ "tauri:options": { "application": application } });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        // Plain HTTP to 127.0.0.1: no TLS needed.
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "could not open a WebDriver session on {application}: {e}\n{}",
                    self.log_tail()
                )
            })
    }

    fn log_tail(&self) -> String {
        let _ = &self.process; // Kept alive until the test ends.
        tail(&self.log)
    }
}

/// `name` from `$env_var`, then PATH, then `extra` places.
fn find_program(name: &str, env_var: Option<&str>, extra: &[PathBuf]) -> Option<PathBuf> {
    let named = env_var.and_then(std::env::var_os).map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    named
        .into_iter()
        .chain(on_path)
        .chain(extra.iter().cloned())
        .find(|p| p.is_file())
}

/// A port nobody listens on now (the OS picks it; a race with another process is unlikely).
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn log_file(logs: &Path, name: &str) -> fs::File {
    let path = logs.join(name);
    fs::File::create(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()))
}

/// The last lines of a log, to show with a failure.
fn tail(log: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = fs::File::open(log) {
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(40);
    format!(
        "--- last lines of {} ---\n{}",
        log.display(),
        lines[start..].join("\n")
    )
}
