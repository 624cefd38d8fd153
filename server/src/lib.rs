//! quizrace: a self-hosted real-time multiplayer quiz server.
//!
//! # Layout
//!
//! - [`room::state`]: the rules of one room, a synchronous state machine (no tokio, no clock):
//!   the phase machine, with one child module per concern (`roster`, `host`, `answers`,
//!   `chat`, `standings`, `restore`, `checks`).
//! - [`room::actor`]: one task per room; applies the state machine's effects in order and holds
//!   messages behind database commits, so an `answer_ack` always means "stored".
//! - [`room::storage`]: what a room hands to storage and the [`room::RoomWriter`] it writes
//!   through (committed up to N, or fenced); the room never names the store.
//! - [`lobby`]: the [`lobby::Directory`] trait (PIN → room handle) and its single-node, in-memory
//!   implementation. Handles only, never game state.
//! - [`ws`]: one WebSocket connection: parse frames, forward to the room, write the outbox;
//!   `ws::route` decides what a cluster node says about a PIN it does not serve (`moved`);
//!   `ws::create` makes rooms (`host`, and `play_again` after a game's end); `ws::socket` is
//!   the upgrade, tungstenite reading, and the writer of whole frames (`ws::frame`: a
//!   broadcast encoded once, the same bytes written to every socket).
//! - [`store`]: the [`store::Catalog`] the server calls, on SQLite (one node) or PostgreSQL
//!   (`store::pg`, a cluster), one module per concern: `schema` (migrations, opening),
//!   `writer` (the rooms' rows committed in batches; fenced on PostgreSQL), `accounts`,
//!   `quizzes`, `games`, `restore` (running games read back for [`room::Room::restore`]),
//!   `backup` (SQLite), and `values` (the one SQL spelling of each status, phase, mode, name
//!   policy and role).
//! - [`http`]: the JSON API, `GET /metrics` and the embedded web pages.
//! - [`report`]: the teacher's report (hard questions, players who may need help) and its Excel
//!   workbook, made from a stored game's report.
//! - [`cluster`]: placement of rooms among the nodes of a cluster (PostgreSQL): where a PIN is
//!   served, this node's lease, claiming the games of nodes that stopped, the hand-over at a
//!   clean stop. One node on SQLite is its trivial case.
//! - [`giant`]: one room bigger than one node (`--nats`): the owner's remote players and an
//!   edge node's stand-in for a room served elsewhere, over core NATS.
//! - [`assignment`]: self-paced assignments: one attempt's rules (a pure state machine on
//!   stored wall-clock milliseconds); their sockets live in `ws::attempt`, their rows in
//!   `store::assignments`, the host's API in `http::assignments`.
//! - [`metrics`]: the node's counters, gauges and latency histograms (Prometheus text format).
//! - [`samples`]: the quizzes built into the binary.
//! - [`serve`]: the accept loop: header timer, connection caps, peer address, graceful stop.
//! - [`secret`]: random tokens and keys, and the hash they are stored as.
//! - [`media`]: question media: an upload's type from its bytes, images re-encoded.
//! - [`limits`]: token buckets and throttles against hostile clients; [`names`]: nickname rules.
//! - [`checker`]: the few threads that check passwords (Argon2), so a burst holds bounded memory.
//! - [`proxy`]: the client's address: the TCP peer, or what a trusted reverse proxy forwarded.
//!
//! [`App::open`] prepares everything that can fail at start-up and rebuilds the room of every
//! game a previous process left running ([`room::Room::restore`]), so they are back before
//! the first connection; [`run`] serves a bound listener until `shutdown` resolves, then
//! closes every room with `server_shutdown` (their games stay `running`, to resume). A
//! cluster node instead hands its rooms over to the other nodes (their clients are told
//! `moved`), and rebuilds the rooms it claims while it serves ([`cluster`]).

pub mod assignment;
pub mod checker;
pub mod cluster;
pub mod giant;
pub mod http;
pub mod limits;
pub mod lobby;
pub mod media;
pub mod metrics;
pub mod names;
pub mod proxy;
pub mod report;
pub mod room;
pub mod samples;
pub mod secret;
pub mod serve;
pub mod store;
pub mod ws;

use cluster::Cluster;
use lobby::{Directory, Lobby};
use room::RoomCmd;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use store::{Catalog, Store};
use tokio::sync::{oneshot, watch};

/// Default cap on players per room.
pub const DEFAULT_MAX_PLAYERS: u32 = 5000;
/// Default cap on open connections from one source address.
pub const DEFAULT_MAX_CONNS_PER_ADDR: u32 = 2000;
/// Default quotas per account: live rooms, stored quizzes, and one quiz document's size.
pub const DEFAULT_MAX_ROOMS_PER_HOST: u32 = 20;
pub const DEFAULT_MAX_QUIZZES: u32 = 500;
pub const DEFAULT_MAX_QUIZ_KB: u32 = 256;
/// Largest media upload (`--max-media-mb`), in MiB: a phone photo before it is scaled down.
pub const DEFAULT_MAX_MEDIA_MB: u32 = 10;
/// Media one account may have stored (`--media-quota-mb`), in MiB, counting each file once.
pub const DEFAULT_MEDIA_QUOTA_MB: u32 = 200;
/// How long a finished room stays (`--room-linger-s`), in seconds: [`room::FINISHED_LINGER`].
pub const DEFAULT_ROOM_LINGER_S: u64 = room::FINISHED_LINGER.as_secs();

/// The database a node serves from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    /// A file: one node (the default).
    Sqlite(PathBuf),
    /// `postgres://user@host:port/dbname`: a node of a cluster sharing that database.
    Postgres(String),
}

impl DbTarget {
    /// `--db`: a `postgres://` or `postgresql://` URL selects PostgreSQL; anything else is a
    /// file path.
    pub fn parse(raw: &str) -> DbTarget {
        let lower = raw.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            DbTarget::Postgres(raw.trim().to_owned())
        } else {
            DbTarget::Sqlite(PathBuf::from(raw))
        }
    }

    /// How start-up messages name it: a URL without its password.
    pub fn display(&self) -> String {
        match self {
            DbTarget::Sqlite(path) => path.display().to_string(),
            DbTarget::Postgres(url) => cluster::redact_url(url),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub db: DbTarget,
    /// Who this node is in a cluster (`--node-name`, `--node-url`); needed with PostgreSQL,
    /// unused with SQLite.
    pub node: Option<store::pg::NodeId>,
    /// Sets the `admin` password (a new one ends the account's sessions); `None` generates
    /// one on first start.
    pub admin_password: Option<String>,
    /// How long a login lasts, idle and at most.
    pub sessions: store::SessionLifetimes,
    pub max_players: u32,
    /// How often the server pings each socket.
    pub ping_every: Duration,
    /// A socket silent this long (no frame, no pong) is closed.
    pub idle_close: Duration,
    /// An HTTP request whose headers are not complete this long after it began is closed.
    pub header_timeout: Duration,
    /// Messages per socket: beyond this a message is answered `rate_limited`.
    pub msg_rate: limits::Rate,
    /// Failed joins and resumes (unknown PIN, bad token) per source address.
    pub join_failures: limits::Rate,
    /// Open connections per source address (a school NAT is one address).
    pub max_conns_per_addr: u32,
    /// Whether the per-address cap applies to loopback too (off: load tools run there).
    pub cap_loopback: bool,
    /// Open connections in all; `None` derives it from the open-file limit at start.
    pub max_connections: Option<usize>,
    /// Browser origins allowed besides the server's own (`https://quiz.example.org`).
    pub allow_origins: Vec<String>,
    /// Words no player name may contain ([`names::is_blocked`]); empty: no filter.
    pub blocked_words: Vec<String>,
    /// Where players reach this server (`https://quiz.example.org`, no trailing slash), for
    /// join links and QR codes; `None`: the `Host` of the request that asks.
    pub public_url: Option<String>,
    /// Rooms one account may have live at once (games running, in the lobby or in play);
    /// admins included.
    pub max_rooms_per_host: u32,
    /// Quizzes one account may have stored (deleted ones do not count).
    pub max_quizzes: u32,
    /// Largest quiz document, as stored (normalised JSON), in bytes; a room is not created
    /// from a larger one either.
    pub max_quiz_bytes: usize,
    /// Largest media upload, in bytes, as sent (before an image is re-encoded).
    pub max_media_bytes: usize,
    /// Media one account may have stored, in bytes (as stored, each file once).
    pub media_quota_bytes: u64,
    /// Reverse proxies whose `X-Forwarded-For` names the client ([`proxy::client_addr`]).
    pub trusted_proxies: Vec<proxy::ProxyNet>,
    /// How long a finished room stays so players can read the podium
    /// ([`room::FINISHED_LINGER`]; shorter only for the soak tool).
    pub room_linger: Duration,
}

impl Config {
    /// A single node on the SQLite file `db_path`.
    pub fn new(db_path: impl Into<PathBuf>) -> Config {
        Config {
            db: DbTarget::Sqlite(db_path.into()),
            node: None,
            admin_password: None,
            sessions: store::SessionLifetimes::default(),
            max_players: DEFAULT_MAX_PLAYERS,
            ping_every: Duration::from_secs(15),
            idle_close: Duration::from_secs(45),
            header_timeout: Duration::from_secs(10),
            msg_rate: limits::Rate::new(10.0, 20.0),
            join_failures: limits::Rate::new(1.0, 10.0),
            max_conns_per_addr: DEFAULT_MAX_CONNS_PER_ADDR,
            cap_loopback: false,
            max_connections: None,
            allow_origins: Vec::new(),
            blocked_words: Vec::new(),
            public_url: None,
            max_rooms_per_host: DEFAULT_MAX_ROOMS_PER_HOST,
            max_quizzes: DEFAULT_MAX_QUIZZES,
            max_quiz_bytes: DEFAULT_MAX_QUIZ_KB as usize * 1024,
            max_media_bytes: DEFAULT_MAX_MEDIA_MB as usize * 1024 * 1024,
            media_quota_bytes: u64::from(DEFAULT_MEDIA_QUOTA_MB) * 1024 * 1024,
            trusted_proxies: Vec::new(),
            room_linger: Duration::from_secs(DEFAULT_ROOM_LINGER_S),
        }
    }
}

/// Checks a `--public-url`: an `http` or `https` URL with a host and no query or fragment.
/// Returns it without a trailing slash (the join link appends `/?pin=`).
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("the public URL must start with http:// or https://")?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err("the public URL needs a host name after the scheme".into());
    }
    if url.contains(['?', '#']) {
        return Err("the public URL must not have a query (?) or fragment (#)".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the public URL must not contain spaces".into());
    }
    Ok(url.to_owned())
}

/// What can stop the server from starting. Each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database {path}: {source}. Check that the directory exists and is writable, or pass --db with another path")]
    Database {
        path: PathBuf,
        source: store::StoreError,
    },
    #[error("the database {path} is damaged or is not a quizrace database ({detail}). Restore it from a backup, or move it away to start with a new one")]
    Corrupt { path: PathBuf, detail: String },
    #[error("a built-in quiz is invalid ({name}: {message}); this is a bug in this build")]
    Sample { name: String, message: String },
    #[error("cannot use the PostgreSQL database {url}: {source}. Check that PostgreSQL runs and that the URL's user, host, port and database name are right")]
    Postgres {
        url: String,
        source: store::StoreError,
    },
    #[error("a PostgreSQL database makes this node part of a cluster, and it needs to know how players and the other nodes reach it: pass --node-url http://ADDR:PORT")]
    NoNodeUrl,
}

struct Inner {
    config: Config,
    store: Arc<dyn Catalog>,
    cluster: Arc<dyn Cluster>,
    lobby: Lobby,
    metrics: metrics::Metrics,
    shutdown: watch::Sender<bool>,
    next_conn: AtomicU64,
    guards: limits::Guards,
    /// The address [`run`] listens on (for the origin check), once it runs.
    bound: std::sync::OnceLock<std::net::SocketAddr>,
    /// The admin password, when this start generated it.
    generated_admin_password: Option<String>,
    /// The link to NATS of a node started with `--nats` ([`App::attach_nats`]).
    giant: std::sync::OnceLock<giant::Giant>,
}

/// The server's shared state. Cheap to clone.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

impl App {
    /// Opens the database (creating it and migrating as needed), makes sure `admin` exists and
    /// installs the built-in quizzes. On PostgreSQL, also joins the cluster (takes this node's
    /// lease); the games to rebuild come from its claims once [`run`] starts.
    pub fn open(config: Config) -> Result<App, StartError> {
        App::open_in(config, None)
    }

    /// A node on `config`'s SQLite file whose rooms' placement `cluster` decides, as if it
    /// were one node of several: for tests of routing between in-process nodes. (The nodes of
    /// a real cluster share a PostgreSQL database: [`App::open`].)
    #[doc(hidden)]
    pub fn open_placed(config: Config, cluster: Arc<dyn Cluster>) -> Result<App, StartError> {
        App::open_in(config, Some(cluster))
    }

    fn open_in(config: Config, placed: Option<Arc<dyn Cluster>>) -> Result<App, StartError> {
        let samples = samples::load()?;
        let (store, cluster, db_err) = open_backend(&config, placed)?;
        let generated = store
            .bootstrap_admin(config.admin_password.as_deref())
            .map_err(&db_err)?;
        store.install_builtin(&samples).map_err(&db_err)?;
        // A cluster node rebuilds only the games it claims (its own from a previous process
        // first); the other running games are other nodes' rooms.
        let running = if cluster.is_cluster() {
            Vec::new()
        } else {
            store.running_games().map_err(&db_err)?
        };
        let (shutdown, _) = watch::channel(false);
        let guards = limits::Guards::new(&config);
        let metrics = metrics::Metrics::new(store.writer_stats());
        let app = App {
            inner: Arc::new(Inner {
                config,
                store,
                cluster,
                lobby: Lobby::default(),
                metrics,
                shutdown,
                next_conn: AtomicU64::new(1),
                guards,
                bound: std::sync::OnceLock::new(),
                generated_admin_password: generated,
                giant: std::sync::OnceLock::new(),
            }),
        };
        app.resume_games(running).map_err(&db_err)?;
        Ok(app)
    }

    /// Rebuilds the room of every game a previous process left running and registers its PIN,
    /// before the server accepts a connection. A game that cannot be rebuilt is marked
    /// `aborted`, its rows kept. Needs a tokio runtime (it spawns the rooms' tasks).
    fn resume_games(&self, running: store::RunningGames) -> Result<(), store::StoreError> {
        let now = tokio::time::Instant::now().into_std();
        for game in running {
            match self.rebuild(game, now) {
                Rebuilt::Opened => {}
                Rebuilt::PinInUse(id) | Rebuilt::Unreadable(id) => self.store().abort_game(id)?,
            }
        }
        Ok(())
    }

    /// Rebuilds the rooms of the games this node has just claimed. One that cannot be read
    /// is aborted; one whose PIN a room here still holds (the room this node lost the game
    /// from, not gone yet) is given back for a later claim. Returns the rooms opened.
    async fn rebuild_claimed(&self, running: store::RunningGames) -> u64 {
        let now = tokio::time::Instant::now().into_std();
        let mut opened = 0;
        for game in running {
            let (store, cluster) = (Arc::clone(self.store()), Arc::clone(self.cluster()));
            let undo = match self.rebuild(game, now) {
                Rebuilt::Opened => {
                    opened += 1;
                    continue;
                }
                Rebuilt::PinInUse(id) => tokio::task::spawn_blocking(move || cluster.disown(id)),
                Rebuilt::Unreadable(id) => {
                    tokio::task::spawn_blocking(move || store.abort_game(id))
                }
            };
            if let Ok(Err(e)) = undo.await {
                tracing::warn!(error = %e, "cannot give up a claimed game");
            }
        }
        opened
    }

    /// Rebuilds one running game's room ([`room::Room::restore`]) and registers it.
    fn rebuild(
        &self,
        game: Result<store::RunningGame, (quizrace_protocol::GameId, String)>,
        now: std::time::Instant,
    ) -> Rebuilt {
        let restored = game.and_then(|g| {
            let id = g.game;
            let quiz = g.doc.tidied().validate().map_err(|e| (id, e.message))?;
            let settings = room::Settings {
                pin: g.pin,
                game_id: id,
                mode: g.mode,
                max_players: g.max_players,
                auto_advance_ms: g.auto_advance_ms,
                chat: g.saved.chat,
                host_key: g.host_key,
                names: g.names,
                teams: g.teams,
                team_choice: g.team_choice,
                team_talk_ms: g.team_talk_ms,
                blocked_words: self.config().blocked_words.as_slice().into(),
                timing: g.timing,
                leaderboard: g.leaderboard,
                shuffle_answers: g.shuffle_answers,
                media_on_phones: g.media_on_phones,
                question_on_phones: g.question_on_phones,
            };
            room::Room::restore(settings, Arc::new(quiz), g.saved, now)
                .map_err(|e| (id, e.to_string()))
        });
        match restored {
            Ok(room) => {
                let (pin, id, phase) = (room.pin().clone(), room.game_id(), room.phase_name());
                if open_room(self, room).is_some() {
                    tracing::info!(game = %id, pin = %pin, ?phase, "game resumed");
                    Rebuilt::Opened
                } else {
                    tracing::warn!(game = %id, pin = %pin, "a room here has this PIN already");
                    Rebuilt::PinInUse(id)
                }
            }
            Err((id, why)) => {
                tracing::warn!(game = %id, reason = %why, "game cannot resume; marked aborted");
                Rebuilt::Unreadable(id)
            }
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The database (SQLite on one node, PostgreSQL on a cluster).
    pub fn store(&self) -> &Arc<dyn Catalog> {
        &self.inner.store
    }

    /// Where rooms are served: this node alone, or a cluster.
    pub fn cluster(&self) -> &Arc<dyn Cluster> {
        &self.inner.cluster
    }

    pub fn lobby(&self) -> &Lobby {
        &self.inner.lobby
    }

    /// The node's link to NATS, when started with `--nats`: its rooms take players from edge
    /// nodes, and it is an edge for rooms served elsewhere.
    pub fn giant(&self) -> Option<&giant::Giant> {
        self.inner.giant.get()
    }

    /// Connects a PostgreSQL cluster node to NATS at `url` (`--nats`), before it serves.
    /// Refused on SQLite: one node has no other node to share a room with. `test_drop` is the
    /// tests' fault ([`giant::Giant::connect`]).
    pub async fn attach_nats(&self, url: &str, test_drop: Option<String>) -> Result<(), String> {
        if !matches!(self.config().db, DbTarget::Postgres(_)) {
            return Err(
                "--nats needs a cluster: pass a PostgreSQL database with --db postgres://… \
                 (one node on SQLite serves each room alone)"
                    .into(),
            );
        }
        let giant = giant::Giant::connect(url, test_drop).await?;
        self.inner
            .giant
            .set(giant)
            .map_err(|_| "already connected to NATS".to_string())
    }

    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    /// The admin password if this start generated it (print it once).
    pub fn generated_admin_password(&self) -> Option<&str> {
        self.inner.generated_admin_password.as_deref()
    }

    pub fn guards(&self) -> &limits::Guards {
        &self.inner.guards
    }

    /// The address this server listens on, once [`run`] has started.
    pub fn bound_addr(&self) -> Option<std::net::SocketAddr> {
        self.inner.bound.get().copied()
    }

    /// The client behind the TCP peer `peer` (see [`proxy::client_addr`]).
    pub fn client_addr(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        proxy::client_addr(peer, headers, &self.config().trusted_proxies)
    }

    /// The per-address connection cap for `ip` (`None`: exempt).
    fn per_addr_cap(&self, ip: std::net::IpAddr) -> Option<u32> {
        let c = self.config();
        (c.cap_loopback || !ip.is_loopback()).then_some(c.max_conns_per_addr)
    }

    /// The global connection cap: configured, or the open-file limit less a reserve for the
    /// database, the log and the runtime.
    fn max_connections(&self) -> usize {
        self.config().max_connections.unwrap_or_else(|| {
            let soft = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
            let soft = usize::try_from(soft).unwrap_or(usize::MAX);
            soft.saturating_sub((soft / 20).max(64)).max(16)
        })
    }

    fn next_conn_id(&self) -> u64 {
        self.inner.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.subscribe()
    }

    /// Tells every room and every connection that the server stops, and waits (bounded) until
    /// the rooms have said so and their rows are stored.
    pub async fn close_all(&self) {
        self.inner.shutdown.send_replace(true);
        let mut waits = Vec::new();
        for room in self.lobby().handles() {
            let (done, wait) = oneshot::channel();
            if room.send(RoomCmd::Shutdown { done }).await {
                waits.push(wait);
            }
        }
        let all = futures::future::join_all(waits);
        let _ = tokio::time::timeout(Duration::from_secs(3), all).await;
        let _ = tokio::time::timeout(Duration::from_secs(1), self.store().flush()).await;
    }
}

/// How rebuilding one running game went.
enum Rebuilt {
    Opened,
    /// A room of this node holds the game's PIN.
    PinInUse(quizrace_protocol::GameId),
    /// Its rows cannot make a room (the reason is logged).
    Unreadable(quizrace_protocol::GameId),
}

/// The catalog and the cluster `config.db` names, and how a database error at start-up reads.
#[allow(clippy::type_complexity)]
fn open_backend(
    config: &Config,
    placed: Option<Arc<dyn Cluster>>,
) -> Result<
    (
        Arc<dyn Catalog>,
        Arc<dyn Cluster>,
        impl Fn(store::StoreError) -> StartError,
    ),
    StartError,
> {
    let db = config.db.clone();
    let db_err = move |source: store::StoreError| match &db {
        DbTarget::Postgres(url) => StartError::Postgres {
            url: cluster::redact_url(url),
            source,
        },
        DbTarget::Sqlite(path) if source.is_corruption() => StartError::Corrupt {
            path: path.clone(),
            detail: source.to_string(),
        },
        DbTarget::Sqlite(path) => StartError::Database {
            path: path.clone(),
            source,
        },
    };
    match &config.db {
        DbTarget::Sqlite(path) => {
            let store = Store::open(path)
                .map_err(&db_err)?
                .with_session_lifetimes(config.sessions);
            let cluster = placed.unwrap_or_else(|| Arc::new(cluster::SingleNode));
            Ok((Arc::new(store), cluster, db_err))
        }
        DbTarget::Postgres(url) => {
            let node = config.node.clone().ok_or(StartError::NoNodeUrl)?;
            let pg = store::pg::PgStore::open(url, node).map_err(&db_err)?;
            let (catalog, adopt) = cluster::pg_backend(pg.clone(), config).map_err(&db_err)?;
            let joined = cluster::PgCluster::join(pg, adopt).map_err(&db_err)?;
            Ok((catalog, Arc::new(joined), db_err))
        }
    }
}

impl App {
    /// A cluster node's stop: stores what the rooms have written, hands their games over
    /// (no owner: another node claims them within a second) and ends this node's lease, then
    /// tells every connection `moved` and closes it normally. Never `server_shutdown`: the
    /// games go on elsewhere. Bounded like [`App::close_all`].
    pub async fn hand_over(&self) {
        self.inner.shutdown.send_replace(true);
        let _ = tokio::time::timeout(Duration::from_secs(2), self.store().flush()).await;
        let cluster = Arc::clone(self.cluster());
        let released = tokio::task::spawn_blocking(move || cluster.release_all());
        match tokio::time::timeout(Duration::from_secs(2), released).await {
            Ok(Ok(Ok(()))) => {}
            // The lease then runs out, and the other nodes claim the games all the same.
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "cannot hand the games over"),
            _ => tracing::warn!("handing the games over took too long"),
        }
        let mut waits = Vec::new();
        for room in self.lobby().handles() {
            let (done, wait) = oneshot::channel();
            if room.send(RoomCmd::Handover { done }).await {
                waits.push(wait);
            }
        }
        // This node's players in rooms served elsewhere find them through another node.
        for room in self
            .giant()
            .map(giant::Giant::edge_rooms)
            .unwrap_or_default()
        {
            let (done, wait) = oneshot::channel();
            if room.send(RoomCmd::Handover { done }).await {
                waits.push(wait);
            }
        }
        let all = futures::future::join_all(waits);
        let _ = tokio::time::timeout(Duration::from_secs(1), all).await;
    }
}

/// Starts `room`'s task and registers its PIN; `None` (and no task) if the PIN is taken.
pub(crate) fn open_room(app: &App, mut room: room::Room) -> Option<room::RoomHandle> {
    room.set_linger(app.config().room_linger);
    let lobby = app.lobby().clone();
    let pin = room.pin().clone();
    if lobby.lookup(&pin).is_some() {
        return None;
    }

    // A room that lost the race for its PIN must not unregister the winner when it stops.
    let registered = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let on_exit = {
        let (lobby, pin, registered) = (lobby.clone(), pin.clone(), Arc::clone(&registered));
        move || {
            if registered.load(Ordering::Acquire) {
                lobby.release(&pin)
            }
        }
    };
    let metrics = app.metrics().rooms().clone();
    let giant = app.giant().cloned();
    let handle =
        room::actor::spawn_linked_room(room, app.store().room_writer(), metrics, giant, on_exit);
    if lobby.register(handle.clone()) {
        registered.store(true, Ordering::Release);
        Some(handle)
    } else {
        // Lost the race: this room's task ends when its handle is dropped.
        None
    }
}

/// Serves `listener` until `shutdown` resolves, then closes every room (`server_shutdown`) and
/// returns once the rooms' rows are stored; a cluster node hands its rooms over instead
/// ([`App::hand_over`]). Bounded: about 4 s at most.
pub async fn run(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        let _ = app.inner.bound.set(addr);
    }
    let router = http::router(app.clone());
    let (stop_tx, stop_rx) = watch::channel(false);
    let accept = tokio::spawn(serve::accept_loop(listener, app.clone(), router, stop_rx));
    let cluster_tasks = cluster::start(&app);
    shutdown.await;
    tracing::info!("shutting down");
    stop_tx.send_replace(true);
    cluster_tasks.stop().await;
    if app.cluster().is_cluster() {
        app.hand_over().await;
    } else {
        app.close_all().await;
    }
    // A socket that ignores its close frame must not hold the process: wait for open
    // connections only briefly after the rooms are closed.
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        let _ = accept.await;
        while app.guards().conns.total() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    Ok(())
}
