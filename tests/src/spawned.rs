//! The release server as a child process, for the measuring tools (`loadtest`, `soak`):
//! started on `127.0.0.1:0` with a temporary database, so its memory and CPU in /proc are its
//! own. Killed when dropped.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct Spawned {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Spawned {
    /// Starts `bin` (default: `quizrace` next to the running binary) with `admin_password`
    /// and the extra `args`, on the CPUs `cpus` if given (`taskset -c`), and waits until it
    /// listens.
    pub fn start(
        bin: Option<PathBuf>,
        admin_password: &str,
        args: &[String],
        cpus: Option<&str>,
    ) -> Result<Spawned> {
        let bin = match bin {
            Some(b) => b,
            None => std::env::current_exe()?
                .parent()
                .context("no parent dir")?
                .join("quizrace"),
        };
        if !bin.exists() {
            bail!(
                "server binary {} not found: build it with `cargo build --release -p quizrace`",
                bin.display()
            );
        }
        let dir = tempfile::tempdir()?;
        let mut command = match cpus {
            // taskset sets the affinity and then runs the server in its own process: the
            // child's PID is the server's.
            Some(cpus) => {
                let mut taskset = Command::new("taskset");
                taskset.args(["-c", cpus]).arg(&bin);
                taskset
            }
            None => Command::new(&bin),
        };
        let mut child = command
            .args(["--bind", "127.0.0.1:0", "--admin-password", admin_password])
            .arg("--db")
            .arg(dir.path().join("server.db"))
            .args(args)
            .env("RUST_LOG", "quizrace=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().context("server exited before listening")??;
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.trim().to_owned();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Spawned {
            pid: child.id(),
            child,
            base,
            _dir: dir,
        })
    }

    /// The server's RSS and its peak RSS so far (VmHWM), in KiB.
    pub fn rss(&self) -> Option<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let field = |name: &str| -> Option<u64> {
            status
                .lines()
                .find(|l| l.starts_with(name))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// The server's RSS split as /proc shows it: anonymous (the heap), file-backed, shared.
    pub fn rss_parts(&self) -> Option<String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        let parts: Vec<String> = status
            .lines()
            .filter(|l| {
                l.starts_with("RssAnon:") || l.starts_with("RssFile:") || l.starts_with("RssShmem:")
            })
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        Some(parts.join(", "))
    }
}
