//! A throw-away PostgreSQL for the server's own tests: one server per test process, started
//! on first use (`initdb` into a temporary directory, `pg_ctl` on a free loopback port), and
//! a fresh database for each test. A watchdog process stops it and removes its directory when
//! the test process has exited. As root (as CI runs), PostgreSQL runs as the `postgres` user:
//! it refuses to run as root.
//!
//! PostgreSQL must be installed (Debian: `apt-get install postgresql`; `scripts/test.sh` does
//! it). Debian keeps `initdb` and `pg_ctl` in `/usr/lib/postgresql/<version>/bin`.

use super::{NodeId, PgStore};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

struct Server {
    bin: PathBuf,
    port: u16,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

/// The directory holding `initdb`: on the PATH, or Debian's newest versioned one.
fn bin_dir() -> PathBuf {
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return dir;
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "PostgreSQL is not installed, and the tests of the cluster backend need it: \
             install Debian's `postgresql` package (scripts/test.sh does)"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// `program args…`, as the `postgres` user when this process is root.
fn command(program: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn must(what: &str, out: std::io::Result<std::process::Output>) {
    let out = out.unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start() -> Server {
    let bin = bin_dir();
    let root = is_root();
    let dir = std::env::temp_dir().join(format!(
        "quizrace-pg-{}-{}",
        std::process::id(),
        crate::secret::random_hex(4)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir for PostgreSQL");
    if root {
        must(
            "chown",
            Command::new("chown").arg("postgres:").arg(&dir).output(),
        );
    }
    let data = dir.join("data");
    must(
        "initdb",
        command(&bin.join("initdb"), root)
            .args([
                "-A",
                "trust",
                "-U",
                "quizrace",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(&data)
            .output(),
    );
    let port = free_port();
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
        dir.display()
    );
    must(
        "pg_ctl start",
        command(&bin.join("pg_ctl"), root)
            .args(["-w", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-o", &opts, "start"])
            .output(),
    );
    // The watchdog: once this process is gone, stop the server and remove its directory.
    let pg_ctl = bin.join("pg_ctl");
    let stop = if root {
        format!(
            "runuser -u postgres -- {} -D {} stop -m immediate",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!(
            "{} -D {} stop -m immediate",
            pg_ctl.display(),
            data.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    // It outlives this process on purpose: nobody waits for it.
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the PostgreSQL watchdog");
    Server { bin, port }
}

/// The URL of a new, empty database on the test process's PostgreSQL.
pub fn fresh_database() -> String {
    let server = SERVER.get_or_init(start);
    let name = format!("t{}", NEXT_DB.fetch_add(1, Ordering::Relaxed));
    must(
        "createdb",
        Command::new(
            Some(server.bin.join("psql"))
                .filter(|p| p.is_file())
                .unwrap_or("psql".into()),
        )
        .args(["-h", "127.0.0.1", "-p", &server.port.to_string()])
        .args(["-U", "quizrace", "-d", "postgres", "-q", "-c"])
        .arg(format!("CREATE DATABASE {name}"))
        .output(),
    );
    format!("postgres://quizrace@127.0.0.1:{}/{name}", server.port)
}

/// The node every single-node test speaks as.
pub fn test_node() -> NodeId {
    NodeId {
        name: "test-node".into(),
        url: "http://127.0.0.1:1".into(),
    }
}

/// A migrated store on a new database.
pub fn temp_pg() -> PgStore {
    PgStore::open(&fresh_database(), test_node()).expect("open the test database")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_is_migrated_to_the_last_version_and_reopening_is_harmless() {
        let url = fresh_database();
        drop(PgStore::open(&url, test_node()).expect("first open"));
        let store = PgStore::open(&url, test_node()).expect("second open");
        let pool = store.pool().clone();
        let version: i64 = store
            .run(async move {
                let c = pool.get().await?;
                Ok(c.query_one("SELECT version FROM schema_version", &[])
                    .await?
                    .get(0))
            })
            .expect("version");
        assert_eq!(version as usize, super::super::schema::MIGRATIONS.len());
    }

    #[test]
    fn nodes_opening_one_new_database_at_once_migrate_it_once() {
        let url = fresh_database();
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || PgStore::open(&url, test_node()).map(|_| ()))
            })
            .collect();
        for o in opens {
            o.join().expect("thread").expect("every node opens");
        }
    }
}
