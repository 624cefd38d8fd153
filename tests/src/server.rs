//! A real quizrace server for tests: bound to `127.0.0.1:0`, database in a temporary directory.

use quizrace::{App, Config};
use std::net::SocketAddr;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_PASSWORD: &str = "test-admin-password";

pub struct TestServer {
    pub addr: SocketAddr,
    pub app: App,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `tune` adjusts its configuration.
    pub async fn start_with(tune: impl FnOnce(&mut Config)) -> TestServer {
        Self::start_in(tempfile::tempdir().expect("temp dir"), tune).await
    }

    /// Starts a server on the database `quizrace.db` in `dir` (a restart, if one ran there).
    pub async fn start_in(dir: tempfile::TempDir, tune: impl FnOnce(&mut Config)) -> TestServer {
        let mut config = Config::new(dir.path().join("quizrace.db"));
        config.admin_password = Some(ADMIN_PASSWORD.into());
        tune(&mut config);
        let app = tokio::task::spawn_blocking(move || App::open(config))
            .await
            .expect("open task")
            .expect("server opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(quizrace::run(listener, app.clone(), async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            app,
            stop: Some(stop),
            task: Some(task),
            dir,
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn http(&self) -> crate::Http {
        crate::Http::new(format!("http://{}", self.addr))
    }

    /// Graceful stop, as SIGTERM does it; returns when the server has finished.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The real `quizrace` binary as a child process, for tests that kill it.
pub struct ServerProcess {
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// The server binary of this build, built first if needed (cargo builds a package's
    /// binaries only for that package's own tests). `QUIZRACE_BIN` overrides.
    pub fn binary() -> anyhow::Result<std::path::PathBuf> {
        use anyhow::Context;
        if let Some(bin) = std::env::var_os("QUIZRACE_BIN") {
            return Ok(bin.into());
        }
        // target/<profile>/deps/<test> or target/<profile>/<tool>
        let exe = std::env::current_exe()?;
        let dir = exe
            .ancestors()
            .find(|d| {
                d.file_name()
                    .is_some_and(|n| n == "debug" || n == "release")
            })
            .context("not run from a cargo target directory; set QUIZRACE_BIN")?;
        let mut build = std::process::Command::new(env!("CARGO"));
        build.args(["build", "--quiet", "-p", "quizrace", "--bin", "quizrace"]);
        if dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().context("running cargo build")?;
        anyhow::ensure!(status.success(), "cargo build of the server failed");
        Ok(dir.join("quizrace"))
    }

    /// Starts `bin` on `db`, bound to `bind` (`127.0.0.1:0` for a free port), and waits for
    /// its `listening on` line (at most `within`).
    pub fn start(
        bin: &std::path::Path,
        db: &std::path::Path,
        bind: SocketAddr,
        within: std::time::Duration,
    ) -> anyhow::Result<ServerProcess> {
        Self::start_with_args(bin, db, bind, within, &[])
    }

    /// As [`ServerProcess::start`], with more command-line arguments.
    pub fn start_with_args(
        bin: &std::path::Path,
        db: &std::path::Path,
        bind: SocketAddr,
        within: std::time::Duration,
        args: &[&str],
    ) -> anyhow::Result<ServerProcess> {
        use anyhow::Context;
        use std::io::BufRead;
        let mut child = std::process::Command::new(bin)
            .arg("--bind")
            .arg(bind.to_string())
            .arg("--db")
            .arg(db)
            .args(["--admin-password", ADMIN_PASSWORD])
            .args(args)
            .env("RUST_LOG", "quizrace=warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.trim().to_owned());
                    break;
                }
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let addr = match rx.recv_timeout(within) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                anyhow::bail!("the server did not print `listening on` within {within:?}");
            }
        };
        Ok(ServerProcess {
            child,
            addr: addr.parse().context("listening address")?,
        })
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn http(&self) -> crate::Http {
        crate::Http::new(format!("http://{}", self.addr))
    }

    /// SIGKILL: no shutdown code runs, as in a crash.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
