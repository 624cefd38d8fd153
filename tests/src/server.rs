//! A real quizrace server for tests: bound to `127.0.0.1:0`, database in a temporary directory.
//!
//! The backend follows `QUIZRACE_TEST_BACKEND` ([`Backend::current`]): unset or `sqlite`, the
//! file `quizrace.db` in the server's directory; `postgres`, a fresh database on the one
//! throw-away PostgreSQL of the test process (`quizrace::store::pg::testing`), served as a
//! one-node cluster. The directory then holds `postgres.target` (the database and the node
//! name), so a server started again in the same directory is the same node on the same
//! database, as a restarted process on SQLite reopens the same file.

use quizrace::cluster::Cluster;
use quizrace::{App, Config};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const ADMIN_PASSWORD: &str = "test-admin-password";

/// The database the scenario servers run on, from `QUIZRACE_TEST_BACKEND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `QUIZRACE_TEST_BACKEND`: unset, empty or `sqlite` → SQLite; `postgres` → PostgreSQL.
    /// Any other value panics: a typo must not quietly test SQLite again.
    pub fn current() -> Backend {
        match std::env::var("QUIZRACE_TEST_BACKEND").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") => Backend::Postgres,
            Ok(other) => panic!("QUIZRACE_TEST_BACKEND={other}: expected `sqlite` or `postgres`"),
        }
    }
}

/// For a test the backend switch does not apply to (it is about SQLite itself, its file or
/// its process, or it starts its own PostgreSQL processes whatever the switch says): on
/// PostgreSQL it prints why, past the test harness's capture, and returns true; the test
/// then returns at once.
pub fn skip_on_postgres(reason: &str) -> bool {
    use std::io::Write;
    let skip = Backend::current() == Backend::Postgres;
    if skip {
        let thread = std::thread::current();
        let test = thread.name().unwrap_or("a test");
        let _ = writeln!(std::io::stderr(), "skipped on postgres: {test}: {reason}");
    }
    skip
}

/// Why the process-level cluster tests skip the PostgreSQL pass.
pub const OWN_PROCESSES: &str =
    "starts its own PostgreSQL and node processes whatever the backend; the default pass runs it";

/// Where a server in a test directory keeps its PostgreSQL database: the file names the
/// database's URL and the node's name, one a line.
const PG_TARGET: &str = "postgres.target";

/// The PostgreSQL database a server in `dir` ran on (`None`: it ran on SQLite, or never ran).
pub fn postgres_url(dir: &std::path::Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(PG_TARGET)).ok()?;
    text.lines().next().map(str::to_owned)
}

/// Every row of every table of the PostgreSQL database `url`, as text: what a copy of the
/// database would show whoever holds it.
pub async fn postgres_dump(url: &str) -> anyhow::Result<String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let tables = client
        .query(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            &[],
        )
        .await?;
    let mut text = String::new();
    for table in tables {
        let name: String = table.get(0);
        let sql = format!("SELECT coalesce(string_agg(t::text, '\n'), '') FROM \"{name}\" t");
        let rows: String = client.query_one(&sql, &[]).await?.get(0);
        text.push_str(&rows);
        text.push('\n');
    }
    Ok(text)
}

/// The database and node name of the server in `dir`: the ones a previous server there used,
/// or a fresh database (named after it, the node) remembered for the next. Blocking.
fn pg_target(dir: &std::path::Path) -> (String, String) {
    let file = dir.join(PG_TARGET);
    if let Ok(text) = std::fs::read_to_string(&file) {
        if let Some((url, name)) = text.trim().split_once('\n') {
            return (url.to_owned(), name.to_owned());
        }
    }
    let url = quizrace::store::pg::testing::fresh_database();
    let db = url.rsplit('/').next().unwrap_or("db");
    let name = format!("node-{db}");
    std::fs::write(&file, format!("{url}\n{name}\n")).expect("write postgres.target");
    (url, name)
}

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

    /// Starts a server on the database of `dir` (a restart, if one ran there): the file
    /// `quizrace.db` there, or on PostgreSQL the database `dir` names, as the same node.
    pub async fn start_in(dir: tempfile::TempDir, tune: impl FnOnce(&mut Config)) -> TestServer {
        match Backend::current() {
            Backend::Sqlite => Self::open_and_serve(dir, tune, None).await,
            Backend::Postgres => Self::open_pg_in(dir, tune).await,
        }
    }

    /// A one-node cluster on the PostgreSQL database of `dir`, its URL the bound address (as
    /// [`TestServer::start_pg`]).
    async fn open_pg_in(dir: tempfile::TempDir, tune: impl FnOnce(&mut Config)) -> TestServer {
        let path = dir.path().to_owned();
        let (url, name) = tokio::task::spawn_blocking(move || pg_target(&path))
            .await
            .expect("database task");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let mut config = Config::new(dir.path().join("quizrace.db"));
        config.db = quizrace::DbTarget::Postgres(url);
        config.node = Some(quizrace::store::pg::NodeId {
            name,
            url: format!("http://{addr}"),
        });
        config.admin_password = Some(ADMIN_PASSWORD.into());
        tune(&mut config);
        let app = tokio::task::spawn_blocking(move || App::open(config))
            .await
            .expect("open task")
            .expect("node opens");
        Self::serve(listener, app, dir)
    }

    /// Starts a node whose rooms' placement `cluster` decides (a stand-in for the other
    /// nodes of a cluster), on a SQLite database of its own whatever the backend: the
    /// stand-in replaces the cluster a PostgreSQL node would join (see `tests/nodes_pg.rs`).
    pub async fn start_placed(
        cluster: Arc<dyn Cluster>,
        tune: impl FnOnce(&mut Config),
    ) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_placed_in(dir, cluster, tune).await
    }

    /// [`TestServer::start_placed`] on the database `quizrace.db` in `dir`.
    pub async fn start_placed_in(
        dir: tempfile::TempDir,
        cluster: Arc<dyn Cluster>,
        tune: impl FnOnce(&mut Config),
    ) -> TestServer {
        Self::open_and_serve(dir, tune, Some(cluster)).await
    }

    /// Starts node `name` of a cluster on the PostgreSQL database `db_url`. The listener is
    /// bound first: the node's URL (`http://127.0.0.1:PORT`) is part of its configuration.
    pub async fn start_pg(db_url: &str, name: &str) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let mut config = Config::new("");
        config.db = quizrace::DbTarget::Postgres(db_url.to_owned());
        config.node = Some(quizrace::store::pg::NodeId {
            name: name.to_owned(),
            url: format!("http://{addr}"),
        });
        config.admin_password = Some(ADMIN_PASSWORD.into());
        let app = tokio::task::spawn_blocking(move || App::open(config))
            .await
            .expect("open task")
            .expect("node opens");
        Self::serve(listener, app, tempfile::tempdir().expect("temp dir"))
    }

    fn serve(listener: tokio::net::TcpListener, app: App, dir: tempfile::TempDir) -> TestServer {
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

    async fn open_and_serve(
        dir: tempfile::TempDir,
        tune: impl FnOnce(&mut Config),
        placed: Option<Arc<dyn Cluster>>,
    ) -> TestServer {
        let mut config = Config::new(dir.path().join("quizrace.db"));
        config.admin_password = Some(ADMIN_PASSWORD.into());
        tune(&mut config);
        let app = tokio::task::spawn_blocking(move || match placed {
            Some(cluster) => App::open_placed(config, cluster),
            None => App::open(config),
        })
        .await
        .expect("open task")
        .expect("server opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        Self::serve(listener, app, dir)
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
