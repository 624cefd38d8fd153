//! A throw-away PostgreSQL for the cluster tests and tools.

use super::{free_port, is_root, log_tail, signal, watchdog};
use anyhow::{bail, ensure, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A throw-away PostgreSQL: `initdb` into a temporary directory, `pg_ctl` on a free loopback
/// port, the socket in the same directory, superuser `quizrace`, trust authentication (it
/// listens on 127.0.0.1 only), a database `quizrace`. `fsync` is off: the tests kill
/// processes, never the machine, and the page cache survives a killed server.
pub struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
    running: bool,
}

impl Postgres {
    /// The directory holding `initdb`, `pg_ctl` and `postgres`: `QUIZRACE_PG_BIN`, then PATH,
    /// then Debian's `/usr/lib/postgresql/<newest version>/bin`.
    pub fn bin_dir() -> Result<PathBuf> {
        if let Some(dir) = std::env::var_os("QUIZRACE_PG_BIN") {
            return Ok(dir.into());
        }
        let on_path = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
        });
        if let Some(dir) = on_path {
            // Debian links some tools into PATH; the real directory has all of them.
            let real = std::fs::canonicalize(dir.join("initdb"))
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or(dir);
            return Ok(real);
        }
        let newest = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let version: u32 = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").is_file().then_some((version, bin))
            })
            .max_by_key(|(version, _)| *version);
        match newest {
            Some((_, bin)) => Ok(bin),
            None => bail!(
                "PostgreSQL is not installed: no initdb on PATH or in /usr/lib/postgresql/*/bin. \
                 Install Debian's package: apt-get install postgresql (scripts/test.sh does)"
            ),
        }
    }

    /// Creates the cluster and starts it; panics with what to install when PostgreSQL is
    /// missing.
    pub fn start() -> Result<Postgres> {
        let bin = Self::bin_dir()?;
        let dir = tempfile::Builder::new().prefix("quizrace-pg").tempdir()?;
        let as_postgres = is_root();
        if as_postgres {
            // PostgreSQL refuses to run as root; its own user owns the data.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .context("chown the PostgreSQL directory")?;
            ensure!(
                status.success(),
                "chown postgres {} failed (is there a postgres user?)",
                dir.path().display()
            );
        }
        let mut pg = Postgres {
            bin,
            dir,
            port: 0,
            as_postgres,
            running: false,
        };
        let as_user = if pg.as_postgres {
            "runuser -u postgres -- "
        } else {
            ""
        };
        watchdog(&format!(
            "{as_user}'{}' -D '{}' -m immediate stop >/dev/null 2>&1; rm -rf '{}'",
            pg.bin.join("pg_ctl").display(),
            pg.data().display(),
            pg.dir.path().display()
        ))?;
        let out = pg
            .tool("initdb")
            .arg("-D")
            .arg(pg.data())
            .args([
                "-A",
                "trust",
                "-U",
                "quizrace",
                "-E",
                "UTF8",
                "--no-sync",
                "--no-locale",
            ])
            .output()
            .context("running initdb")?;
        ensure!(
            out.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // A port taken between choosing and binding fails the start: choose again.
        let mut last = None;
        for _ in 0..3 {
            pg.port = free_port()?;
            match pg.start_again() {
                Ok(()) => {
                    last = None;
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        if let Some(e) = last {
            return Err(e);
        }
        let out = Command::new(pg.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &pg.port.to_string(),
                "-U",
                "quizrace",
                "quizrace",
            ])
            .output()
            .context("running createdb")?;
        ensure!(
            out.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(pg)
    }

    /// A PostgreSQL tool from the same installation, as the `postgres` user when root.
    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        // The postgres user may not be allowed into the caller's directory.
        cmd.current_dir(self.dir.path()).stdin(Stdio::null());
        cmd
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The server's log file.
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What `--db` takes: `postgres://quizrace@127.0.0.1:PORT/quizrace`.
    pub fn url(&self) -> String {
        format!("postgres://quizrace@127.0.0.1:{}/quizrace", self.port)
    }

    /// Starts the server again on the same data and port (after [`Postgres::stop`] or
    /// [`Postgres::kill`]); returns once it accepts connections.
    pub fn start_again(&mut self) -> Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let out = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .args(["-o", &options, "-w", "-t", "30", "start"])
            .output()
            .context("running pg_ctl start")?;
        if !out.status.success() {
            bail!(
                "pg_ctl start failed: {}{}\n-- log --\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                log_tail(&self.log(), 4000)
            );
        }
        self.running = true;
        Ok(())
    }

    /// A fast shutdown (`pg_ctl stop -m fast`): sessions are ended, the data is consistent.
    pub fn stop(&mut self) -> Result<()> {
        self.pg_ctl_stop("fast")
    }

    fn pg_ctl_stop(&mut self, mode: &str) -> Result<()> {
        let out = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", mode, "-w", "-t", "30", "stop"])
            .output()
            .context("running pg_ctl stop")?;
        ensure!(
            out.status.success(),
            "pg_ctl stop -m {mode} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.running = false;
        Ok(())
    }

    /// SIGKILL to the postmaster and every process it started, as in a crash.
    pub fn kill(&mut self) -> Result<()> {
        let pid_file = std::fs::read_to_string(self.data().join("postmaster.pid"))
            .context("no postmaster.pid: is the server running?")?;
        let pid: u32 = pid_file
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .context("postmaster.pid has no pid")?;
        let children = children_of(pid);
        signal(pid, "KILL")?;
        for child in children {
            let _ = signal(child, "KILL");
        }
        // Wait until the old shared memory is released, or the next start refuses.
        let until = Instant::now() + Duration::from_secs(10);
        while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.running = false;
        Ok(())
    }

    /// A client connected to the `quizrace` database; its connection task runs on the
    /// current tokio runtime.
    pub async fn client(&self) -> Result<tokio_postgres::Client> {
        let (client, connection) = tokio_postgres::connect(&self.url(), tokio_postgres::NoTls)
            .await
            .with_context(|| format!("connecting to {}", self.url()))?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self.pg_ctl_stop("immediate");
        }
    }
}

/// Process ids whose parent is `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let child: u32 = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // pid (comm) state ppid ...: the command may hold spaces, so read after ')'.
            let parent: u32 = stat
                .rsplit(')')
                .next()?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            (parent == pid).then_some(child)
        })
        .collect()
}
