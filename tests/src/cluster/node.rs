//! One `quizrace` node process of a cluster, with the signals the tests send it.

use super::{free_port, log_tail, signal, watch_child};
use crate::server::ADMIN_PASSWORD;
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One `quizrace` node process: `--db <url> --bind 127.0.0.1:PORT --node-url
/// http://127.0.0.1:PORT --node-name NAME --admin-password …`, its stdout and stderr in a log
/// file. The port is chosen once and kept, so a restarted node has the same address and URL.
pub struct Node {
    pub name: String,
    pub addr: SocketAddr,
    bin: PathBuf,
    db: String,
    /// Whether it is started as a cluster node (`--node-url`, `--node-name`).
    cluster: bool,
    extra: Vec<String>,
    log: PathBuf,
    child: Option<Child>,
}

/// How long a node may take to answer `/healthz` after its start.
pub const NODE_START: Duration = Duration::from_secs(20);

impl Node {
    /// Starts a node and waits until `/healthz` answers 200. `extra` is appended to the
    /// command line (`--trusted-proxy`, limits).
    pub async fn start(
        bin: &Path,
        db: &str,
        name: &str,
        log_dir: &Path,
        extra: &[&str],
    ) -> Result<Node> {
        Self::start_as(bin, db, name, log_dir, extra, true).await
    }

    /// A single node on a SQLite file (no cluster flags), with the same process control: for
    /// checking the harness itself.
    pub async fn start_single(
        bin: &Path,
        db: &Path,
        name: &str,
        log_dir: &Path,
        extra: &[&str],
    ) -> Result<Node> {
        let db = db.to_str().context("database path is not UTF-8")?;
        Self::start_as(bin, db, name, log_dir, extra, false).await
    }

    async fn start_as(
        bin: &Path,
        db: &str,
        name: &str,
        log_dir: &Path,
        extra: &[&str],
        cluster: bool,
    ) -> Result<Node> {
        let port = free_port()?;
        let mut node = Node {
            name: name.to_owned(),
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            bin: bin.to_owned(),
            db: db.to_owned(),
            cluster,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            log: log_dir.join(format!("{name}.log")),
            child: None,
        };
        node.spawn().await?;
        Ok(node)
    }

    async fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        let mut command = Command::new(&self.bin);
        command
            .arg("--db")
            .arg(&self.db)
            .args(["--bind", &self.addr.to_string()]);
        if self.cluster {
            command
                .args(["--node-url", &self.http_url()])
                .args(["--node-name", &self.name]);
        }
        let child = command
            .args(["--admin-password", ADMIN_PASSWORD])
            .args(&self.extra)
            .env(
                "RUST_LOG",
                std::env::var("QUIZRACE_NODE_LOG").unwrap_or_else(|_| "quizrace=info".into()),
            )
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        watch_child(&child, &self.bin)?;
        self.child = Some(child);
        let until = Instant::now() + NODE_START;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                bail!(
                    "node {} exited at start ({status}):\n{}",
                    self.name,
                    log_tail(&self.log, 4000)
                );
            }
            if self.healthy().await {
                return Ok(());
            }
            if Instant::now() > until {
                bail!(
                    "node {} did not answer /healthz within {NODE_START:?}:\n{}",
                    self.name,
                    log_tail(&self.log, 4000)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether `GET /healthz` answers 200 within a second.
    pub async fn healthy(&self) -> bool {
        let http = self.http();
        matches!(
            tokio::time::timeout(Duration::from_secs(1), http.get("/healthz", None)).await,
            Ok(Ok(r)) if r.status == 200
        )
    }

    /// `http://127.0.0.1:PORT`, as given to `--node-url`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn http(&self) -> crate::Http {
        crate::Http::new(self.http_url())
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the process is still there (a stopped one is).
    pub fn running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    /// SIGKILL: no shutdown code runs, as in a crash or a lost machine.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGSTOP: the process is frozen (a long GC pause, a stalled VM); its sockets stay open.
    /// Returns once the kernel reports the process stopped: `kill` returns before a process
    /// running on another core has taken the signal, and a request sent at once could still
    /// be answered.
    pub fn stop(&self) -> Result<()> {
        let pid = self.pid().context("node not running")?;
        signal(pid, "STOP")?;
        let until = Instant::now() + Duration::from_secs(5);
        while !is_stopped(pid) {
            if Instant::now() > until {
                bail!("node {pid} did not stop within 5 s of SIGSTOP");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }

    /// SIGCONT after [`Node::stop`].
    pub fn cont(&self) -> Result<()> {
        signal(self.pid().context("node not running")?, "CONT")
    }

    /// SIGTERM, then waits up to `within` for the process to exit (a cluster node hands its
    /// rooms over first). Returns its exit status; SIGKILL if it overstays.
    pub async fn term(&mut self, within: Duration) -> Result<std::process::ExitStatus> {
        let mut child = self.child.take().context("node not running")?;
        signal(child.id(), "TERM")?;
        let until = Instant::now() + within;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > until {
                let _ = child.kill();
                let _ = child.wait();
                bail!("node {} still running {within:?} after SIGTERM", self.name);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Starts the node again with the same name, address and database (after a kill or a
    /// term), and waits for `/healthz`.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill9();
        self.spawn().await
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Whether every thread of process `pid` is stopped (state `T` in `/proc/PID/task/*/stat`).
fn is_stopped(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().all(|t| {
        std::fs::read_to_string(t.path().join("stat")).is_ok_and(|stat| {
            // The state follows the command name, which is in parentheses and may hold spaces.
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state == "T" || state == "t")
        })
    })
}
