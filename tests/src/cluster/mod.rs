//! A whole cluster on loopback for process-level tests and tools: a throw-away PostgreSQL
//! ([`Postgres`]), `quizrace` node processes ([`Node`]) and HAProxy in front ([`Haproxy`]),
//! each on a free 127.0.0.1 port, each stopped when dropped. [`Cluster`] starts the three
//! together and prints every log when a test panics. Game driving lives in
//! [`crate::cluster_game`]; this module knows processes, not rooms.
//!
//! PostgreSQL runs from Debian's `postgresql` package (`/usr/lib/postgresql/<ver>/bin`, not on
//! PATH) as the `postgres` OS user when the tests run as root, because PostgreSQL refuses to
//! run as root. HAProxy is Debian's `haproxy` (`/usr/sbin/haproxy`).

mod haproxy;
mod nats;
mod node;
mod postgres;

pub use haproxy::{haproxy_config, shipped_haproxy_cfg, Haproxy};
pub use nats::{GiantCluster, NatsServer};
pub use node::{Node, NODE_START};
pub use postgres::Postgres;

use anyhow::{bail, ensure, Context, Result};
use std::io::{Read, Seek, SeekFrom};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port: bound and released at once (another process may take it in between;
/// the start-ups below fail clearly then).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Whether this process runs as root (uid 0), from /proc.
pub(crate) fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// Sends `signal` (`KILL`, `STOP`, `CONT`, `TERM`) to `pid` with kill(1): the tests crate
/// forbids unsafe code, and a signal to one known process id needs no more.
pub fn signal(pid: u32, signal: &str) -> Result<()> {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stderr(Stdio::null())
        .status()
        .context("running kill")?;
    ensure!(status.success(), "kill -{signal} {pid} failed");
    Ok(())
}

/// The last `max` bytes of a log file, for failure reports.
pub fn log_tail(path: &Path, max: u64) -> String {
    let Ok(mut file) = std::fs::File::open(path) else {
        return format!("(no log at {})", path.display());
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(max)));
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    text
}

/// Runs `cleanup` (a shell command) once this process is gone, however it ends: a test
/// killed by a timeout must not leave servers behind.
pub(crate) fn watchdog(cleanup: &str) -> Result<()> {
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; {cleanup}",
        std::process::id()
    );
    // It outlives this process on purpose: nobody waits for it.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting a watchdog")?;
    Ok(())
}

/// A watchdog that SIGKILLs `child` after this process is gone, if `child` is still `exe`
/// (a process id may have been reused by then).
pub(crate) fn watch_child(child: &Child, exe: &Path) -> Result<()> {
    let exe = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_owned());
    let pid = child.id();
    watchdog(&format!(
        "[ \"$(readlink /proc/{pid}/exe)\" = '{}' ] && kill -9 {pid} 2>/dev/null",
        exe.display()
    ))
}

// ---- the three together ----

/// PostgreSQL, `n` nodes named `node1`…`nodeN` and HAProxy in front of them. On drop during a
/// panic it prints the tail of every log.
pub struct Cluster {
    pub nodes: Vec<Node>,
    pub proxy: Haproxy,
    pub pg: Postgres,
    _logs: tempfile::TempDir,
}

impl Cluster {
    /// Starts everything; the nodes get `--trusted-proxy 127.0.0.1` and `--public-url` the
    /// proxy's address, as behind a real proxy, and `extra` on top.
    pub async fn start(n: usize, extra: &[&str]) -> Result<Cluster> {
        Self::start_with(n, extra, 4096).await
    }

    /// As [`Cluster::start`], with HAProxy sized for `maxconn` connections (two per player).
    pub async fn start_with(n: usize, extra: &[&str], maxconn: u32) -> Result<Cluster> {
        let bin = tokio::task::spawn_blocking(crate::server::ServerProcess::binary).await??;
        let pg = tokio::task::spawn_blocking(Postgres::start).await??;
        let logs = tempfile::Builder::new()
            .prefix("quizrace-nodes")
            .tempdir()?;
        // The proxy's address is the public one (join links, and the origin every node
        // accepts: a page from the proxy follows `moved` to a node's own address).
        let proxy_addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        let public = format!("http://{proxy_addr}");
        let mut args = vec!["--trusted-proxy", "127.0.0.1", "--public-url", &public];
        args.extend_from_slice(extra);
        let mut nodes = Vec::new();
        // One after the other: the first one migrates the schema.
        for i in 1..=n {
            let node = Node::start(&bin, &pg.url(), &format!("node{i}"), logs.path(), &args).await;
            match node {
                Ok(node) => nodes.push(node),
                Err(e) => return Err(e.context(format!("pg log:\n{}", log_tail(&pg.log(), 3000)))),
            }
        }
        let servers: Vec<_> = nodes.iter().map(|n| (n.name.clone(), n.addr)).collect();
        let proxy =
            tokio::task::spawn_blocking(move || Haproxy::start_on(proxy_addr, &servers, maxconn))
                .await??;
        let cluster = Cluster {
            nodes,
            proxy,
            pg,
            _logs: logs,
        };
        cluster.await_proxy_healthy().await?;
        Ok(cluster)
    }

    /// Waits until HAProxy has seen every node healthy (`rise 2` at `inter 1s`): a request
    /// through it reaches each node. Checked by asking the proxy until a round robin of
    /// `/healthz` answers 200 for twice as many requests as there are nodes.
    async fn await_proxy_healthy(&self) -> Result<()> {
        let http = self.proxy.http();
        let until = Instant::now() + Duration::from_secs(15);
        let mut good = 0;
        while good < 2 * self.nodes.len() {
            match http.get("/healthz", None).await {
                Ok(r) if r.status == 200 => good += 1,
                _ => good = 0,
            }
            if Instant::now() > until {
                bail!(
                    "HAProxy did not pass requests within 15 s:\n{}",
                    log_tail(&self.proxy.log(), 3000)
                );
            }
            if good == 0 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }

    /// The one address players use: HAProxy's socket URL.
    pub fn ws_url(&self) -> String {
        self.proxy.ws_url()
    }

    /// The API through HAProxy.
    pub fn http(&self) -> crate::Http {
        self.proxy.http()
    }

    pub fn node(&mut self, name: &str) -> Result<&mut Node> {
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .with_context(|| format!("no node {name}"))
    }

    /// The node that owns the game now, by the `games.owner_node` column (None: handed over
    /// and not yet claimed).
    pub async fn owner_of(
        &self,
        db: &tokio_postgres::Client,
        game_id: i64,
    ) -> Result<Option<String>> {
        let row = db
            .query_one("SELECT owner_node FROM games WHERE id = $1", &[&game_id])
            .await
            .context("reading the game's owner")?;
        Ok(row.get(0))
    }

    /// Every log's tail, for a failure report.
    pub fn logs(&self) -> String {
        let mut text = String::new();
        for node in &self.nodes {
            text.push_str(&format!(
                "---- {} ({}) ----\n{}\n",
                node.name,
                node.addr,
                log_tail(node.log(), 6000)
            ));
        }
        text.push_str(&format!(
            "---- haproxy ----\n{}\n",
            log_tail(&self.proxy.log(), 3000)
        ));
        text.push_str(&format!(
            "---- postgres ----\n{}\n",
            log_tail(&self.pg.log(), 3000)
        ));
        text
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}", self.logs());
        }
    }
}
