//! HAProxy in front of the nodes, with the rules of `deploy/haproxy.cfg`.

use super::{free_port, log_tail, watch_child};
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// HAProxy on a free loopback port in front of some nodes, with the rules of
/// `deploy/haproxy.cfg` (its `defaults`, `frontend` and `backend`), run in the foreground.
pub struct Haproxy {
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
    child: Child,
}

/// The shipped configuration.
pub fn shipped_haproxy_cfg() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/haproxy.cfg")
}

/// `deploy/haproxy.cfg` adapted to loopback: a `global` of our own (no chroot, user or
/// daemon, `maxconn` as given), the `bind` line on `listen`, and one `server` line per node
/// (`name`, `addr`) in place of the shipped ones. Everything else is kept as shipped.
pub fn haproxy_config(
    shipped: &str,
    listen: SocketAddr,
    nodes: &[(String, SocketAddr)],
    maxconn: u32,
) -> String {
    let mut out = format!("global\n    maxconn {maxconn}\n\n");
    let mut in_global = false;
    let mut in_backend = false;
    for line in shipped.lines() {
        let trimmed = line.trim_start();
        let section = !line.starts_with(' ')
            && !line.starts_with('\t')
            && !trimmed.is_empty()
            && !trimmed.starts_with('#');
        if section {
            if in_backend {
                push_servers(&mut out, nodes);
            }
            in_global = trimmed.starts_with("global");
            in_backend = trimmed.starts_with("backend");
        }
        if in_global || trimmed.starts_with("log ") || trimmed.starts_with("server ") {
            continue;
        }
        if trimmed.starts_with("bind ") {
            out.push_str(&format!("    bind {listen}\n"));
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if in_backend {
        push_servers(&mut out, nodes);
    }
    out
}

fn push_servers(out: &mut String, nodes: &[(String, SocketAddr)]) {
    for (name, addr) in nodes {
        out.push_str(&format!("    server {name} {addr} check\n"));
    }
}

impl Haproxy {
    /// Starts `/usr/sbin/haproxy` (or `QUIZRACE_HAPROXY`) in front of `nodes` and waits until
    /// its port accepts connections.
    pub fn start(nodes: &[(String, SocketAddr)]) -> Result<Haproxy> {
        Self::start_with(nodes, 4096)
    }

    /// As [`Haproxy::start`], with room for `maxconn` connections (two per player).
    pub fn start_with(nodes: &[(String, SocketAddr)], maxconn: u32) -> Result<Haproxy> {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        Self::start_on(addr, nodes, maxconn)
    }

    /// As [`Haproxy::start_with`], listening on `addr` (chosen before the nodes were started,
    /// so that they could be told the public address).
    pub fn start_on(
        addr: SocketAddr,
        nodes: &[(String, SocketAddr)],
        maxconn: u32,
    ) -> Result<Haproxy> {
        let bin = std::env::var_os("QUIZRACE_HAPROXY")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/sbin/haproxy"));
        if !bin.is_file() {
            bail!(
                "HAProxy is not installed ({} is missing). Install Debian's package: \
                 apt-get install haproxy (scripts/test.sh does)",
                bin.display()
            );
        }
        let shipped =
            std::fs::read_to_string(shipped_haproxy_cfg()).context("reading deploy/haproxy.cfg")?;
        let dir = tempfile::Builder::new()
            .prefix("quizrace-haproxy")
            .tempdir()?;
        // Two descriptors per connection, within what this machine lets a process open.
        let hard = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(4096, |(_, hard)| hard);
        let maxconn = maxconn.min(u32::try_from(hard.saturating_sub(200) / 2).unwrap_or(u32::MAX));
        let cfg = dir.path().join("haproxy.cfg");
        std::fs::write(&cfg, haproxy_config(&shipped, addr, nodes, maxconn))?;
        let log = std::fs::File::create(dir.path().join("haproxy.log"))?;
        // -db: foreground, no daemon; -W is not needed for one process.
        let mut child = Command::new(&bin)
            .arg("-db")
            .arg("-f")
            .arg(&cfg)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        watch_child(&child, &bin)?;
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "haproxy exited at start ({status}):\n{}",
                    log_tail(&dir.path().join("haproxy.log"), 4000)
                );
            }
            if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                break;
            }
            if Instant::now() > until {
                let _ = child.kill();
                let _ = child.wait();
                bail!("haproxy did not listen on {addr} within 10 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Haproxy { addr, dir, child })
    }

    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn http(&self) -> crate::Http {
        crate::Http::new(self.http_url())
    }

    pub fn log(&self) -> PathBuf {
        self.dir.path().join("haproxy.log")
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
