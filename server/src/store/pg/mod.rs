//! PostgreSQL: the same data as SQLite, shared by the nodes of a cluster.
//!
//! The backend owns a small tokio runtime of its own (threads named `pg`) that drives the
//! connection pool (deadpool-postgres over tokio-postgres), the rooms' writer and the lease,
//! so a serving runtime busy with ten thousand sockets never delays a lease renewal. The
//! catalog's methods are synchronous, like SQLite's, and are called from blocking threads
//! (the API's `spawn_blocking`, the password checker's threads): each runs its query on that
//! runtime and waits for the answer (`PgStore::run`).
//!
//! One module per concern, as for SQLite: `schema` (migrations), `accounts` (accounts,
//! sessions, passwords), `quizzes`, `games` (games, reports, leaderboard), `restore` (games
//! read back for a claim), `writer` (the rooms' rows, fenced by owner and epoch), `catalog`
//! (the [`super::Catalog`] these make), and the cluster's leases and claims.

mod accounts;
mod assignments;
mod catalog;
pub(crate) mod cluster;
mod games;
mod media;
mod quizzes;
mod restore;
pub(super) mod schema;
#[cfg(any(test, feature = "pg-testing"))]
#[doc(hidden)]
pub mod testing;
#[cfg(test)]
mod tests;
mod writer;

pub use cluster::{Claim, Location, CLAIM_BATCH, LEASE, RENEW_EVERY};

pub use writer::PgWriter;

use super::games::Podiums;
use super::{Result, SessionLifetimes, StoreError};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// Connections in the pool: the API's queries and the writer's commits share them.
const POOL_SIZE: usize = 16;
/// How long a query waits for a free connection, or to connect, before it fails.
const POOL_WAIT: Duration = Duration::from_secs(10);

/// Who this node is in the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeId {
    /// Unique in the cluster (`--node-name`).
    pub name: String,
    /// How players and the other nodes reach it (`--node-url`, `http://ADDR:PORT`).
    pub url: String,
}

/// The backend's own runtime. It stops (on its own thread) once the last handle is gone.
struct DbRuntime {
    handle: Handle,
    _stop: oneshot::Sender<()>,
}

/// The database of a cluster node. Cheap to clone.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    rt: Arc<DbRuntime>,
    node: Arc<NodeId>,
    writer: PgWriter,
    podiums: Podiums,
    sessions: SessionLifetimes,
    /// Passwords checked (each an Argon2 run), as SQLite's store counts them.
    password_checks: Arc<AtomicU64>,
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        StoreError::Postgres(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> StoreError {
        StoreError::Postgres(e.to_string())
    }
}

/// Whether `e` is a unique violation of the index or constraint `name`.
fn violates(e: &tokio_postgres::Error, name: &str) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
        && e.as_db_error().and_then(|d| d.constraint()) == Some(name)
}

/// An integer column (PostgreSQL's `BIGINT`) as the narrower type the server uses.
fn int<T: TryFrom<i64>>(
    row: &tokio_postgres::Row,
    col: impl tokio_postgres::row::RowIndex + std::fmt::Display + Copy,
) -> Result<T> {
    let v: i64 = row.try_get(col)?;
    T::try_from(v).map_err(|_| StoreError::Postgres(format!("{col}: {v} is out of range")))
}

/// A nullable integer column, as [`int`].
fn opt_int<T: TryFrom<i64>>(
    row: &tokio_postgres::Row,
    col: impl tokio_postgres::row::RowIndex + std::fmt::Display + Copy,
) -> Result<Option<T>> {
    let v: Option<i64> = row.try_get(col)?;
    v.map(|v| {
        T::try_from(v).map_err(|_| StoreError::Postgres(format!("{col}: {v} is out of range")))
    })
    .transpose()
}

fn start_runtime() -> Result<DbRuntime> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("pg-runtime".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("pg")
                .enable_all()
                .build();
            match rt {
                Ok(rt) => {
                    let (stop, stopped) = oneshot::channel::<()>();
                    let _ = tx.send(Ok((rt.handle().clone(), stop)));
                    rt.block_on(async {
                        let _ = stopped.await;
                    });
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        })
        .map_err(|e| StoreError::Io(format!("cannot start the database thread: {e}")))?;
    let (handle, stop) = rx
        .recv()
        .map_err(|_| StoreError::Io("the database thread did not start".into()))?
        .map_err(|e| StoreError::Io(format!("cannot start the database runtime: {e}")))?;
    Ok(DbRuntime {
        handle,
        _stop: stop,
    })
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/dbname`), applies the migrations this
    /// database lacks, and returns the store of node `node`. Call from a blocking thread (or
    /// outside any runtime).
    pub fn open(url: &str, node: NodeId) -> Result<PgStore> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Postgres(format!("bad database URL: {e}")))?;
        // An `answer_ack` means stored: every commit waits for its flush, whatever the
        // server's or the database's default says.
        let options = match config.get_options() {
            Some(given) => format!("{given} -c synchronous_commit=on"),
            None => "-c synchronous_commit=on".to_owned(),
        };
        config.options(&options);
        let rt = Arc::new(start_runtime()?);
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = {
            let _in_rt = rt.handle.enter();
            Pool::builder(manager)
                .max_size(POOL_SIZE)
                .wait_timeout(Some(POOL_WAIT))
                .create_timeout(Some(POOL_WAIT))
                .recycle_timeout(Some(POOL_WAIT))
                .runtime(deadpool_postgres::Runtime::Tokio1)
                .build()
                .map_err(|e| StoreError::Postgres(e.to_string()))?
        };
        let node = Arc::new(node);
        let writer = PgWriter::start(pool.clone(), Arc::clone(&node), &rt.handle);
        let store = PgStore {
            pool,
            rt,
            node,
            writer,
            podiums: Podiums::default(),
            sessions: SessionLifetimes::default(),
            password_checks: Arc::default(),
        };
        let migrating = store.clone();
        store.run(async move { migrating.migrate().await })?;
        Ok(store)
    }

    /// This node.
    pub fn node(&self) -> &NodeId {
        &self.node
    }

    /// The pool, for the modules of each concern.
    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The rooms' writer of this node.
    pub fn writer(&self) -> &PgWriter {
        &self.writer
    }

    /// This store with other session lifetimes (`--session-idle-hours`, `--session-max-days`).
    pub fn with_session_lifetimes(mut self, sessions: SessionLifetimes) -> PgStore {
        self.sessions = sessions;
        self
    }

    /// Runs `work` with a pooled connection on the backend's runtime and waits for its
    /// result, as [`PgStore::run`].
    pub(crate) fn with_client<T, F, Fut>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let pool = self.pool.clone();
        self.run(async move { work(pool.get().await?).await })
    }

    /// The backend's runtime, for its long-running tasks (the writer, the lease).
    #[allow(dead_code)] // used by the writer and the lease
    pub(crate) fn runtime(&self) -> &Handle {
        &self.rt.handle
    }

    /// Runs `work` on the backend's runtime and waits for its result. Blocks the calling
    /// thread: call it from a blocking thread, never from a task of the serving runtime.
    pub(crate) fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.rt.handle.spawn(async move {
            let _ = tx.send(work.await);
        });
        rx.recv()
            .map_err(|_| StoreError::Postgres("the database runtime stopped".into()))?
    }
}
