//! A throw-away `nats-server` (Debian's `nats-server`) on a free loopback port, for the giant
//! room tests (`--nats`). Killed when dropped, and by a watchdog if the test process dies.

use super::{free_port, log_tail, signal, watch_child};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct NatsServer {
    port: u16,
    bin: PathBuf,
    log: PathBuf,
    _dir: tempfile::TempDir,
    child: Option<Child>,
}

impl NatsServer {
    /// `QUIZRACE_NATS_BIN`, else `nats-server` on PATH, else `/usr/bin/nats-server`.
    pub fn binary() -> PathBuf {
        if let Some(bin) = std::env::var_os("QUIZRACE_NATS_BIN") {
            return bin.into();
        }
        std::env::var_os("PATH")
            .and_then(|path| {
                std::env::split_paths(&path)
                    .map(|d| d.join("nats-server"))
                    .find(|p| p.is_file())
            })
            .unwrap_or_else(|| "/usr/bin/nats-server".into())
    }

    /// Starts one and waits until it takes connections.
    pub fn start() -> Result<NatsServer> {
        let dir = tempfile::Builder::new().prefix("quizrace-nats").tempdir()?;
        let mut nats = NatsServer {
            port: free_port()?,
            bin: Self::binary(),
            log: dir.path().join("nats.log"),
            _dir: dir,
            child: None,
        };
        nats.spawn()?;
        Ok(nats)
    }

    fn spawn(&mut self) -> Result<()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new(&self.bin)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (Debian package nats-server)",
                    self.bin.display()
                )
            })?;
        watch_child(&child, &self.bin)?;
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if Instant::now() > until {
                bail!(
                    "nats-server did not listen within 10 s:\n{}",
                    log_tail(&self.log, 3000)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    /// SIGKILLs it (what it held in flight is lost).
    pub fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "KILL")?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts it again on the same port.
    pub fn start_again(&mut self) -> Result<()> {
        self.kill()?;
        self.spawn()
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// PostgreSQL, NATS and `n` nodes `node1`…`nodeN`, every node started with `--nats`: one
/// giant room's owner and edges, reached directly (no proxy: a test picks each bot's node).
/// On drop during a panic it prints the tail of every log.
pub struct GiantCluster {
    pub nodes: Vec<super::Node>,
    pub nats: NatsServer,
    pub pg: super::Postgres,
    _logs: tempfile::TempDir,
}

impl GiantCluster {
    pub async fn start(n: usize, extra: &[&str]) -> Result<GiantCluster> {
        let bin = tokio::task::spawn_blocking(crate::server::ServerProcess::binary).await??;
        let pg = tokio::task::spawn_blocking(super::Postgres::start).await??;
        let nats = tokio::task::spawn_blocking(NatsServer::start).await??;
        let logs = tempfile::Builder::new()
            .prefix("quizrace-giant")
            .tempdir()?;
        let url = nats.url();
        let mut args = vec!["--nats", url.as_str()];
        args.extend_from_slice(extra);
        let mut nodes = Vec::new();
        // One after the other: the first one migrates the schema.
        for i in 1..=n {
            let name = format!("node{i}");
            nodes.push(super::Node::start(&bin, &pg.url(), &name, logs.path(), &args).await?);
        }
        Ok(GiantCluster {
            nodes,
            nats,
            pg,
            _logs: logs,
        })
    }
}

impl Drop for GiantCluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for node in &self.nodes {
                eprintln!("---- {} ----\n{}", node.name, log_tail(node.log(), 6000));
            }
            eprintln!("---- nats ----\n{}", log_tail(self.nats.log(), 2000));
        }
    }
}
