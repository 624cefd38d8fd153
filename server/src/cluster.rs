//! The node's side of a cluster: where a room is served ([`Cluster::locate`], for routing),
//! this node's lease (renewed by its own thread every second), the claim loop that takes over
//! the games of nodes whose lease ran out and rebuilds their rooms here, and the hand-over at
//! a clean stop. One node on SQLite is the trivial cluster ([`SingleNode`]): every room is
//! here, its lease never expires, there is nothing to claim.
//!
//! Not here: the SQL ([`crate::store::pg`]), and the fence on the rooms' rows (the
//! PostgreSQL writer; a fenced room moves its clients itself, see `room::actor`).

use crate::store::pg::{Claim, PgStore, CLAIM_BATCH, LEASE, RENEW_EVERY};
use crate::store::{Result, RunningGames};
use crate::App;
use quizrace_protocol::{GameId, Pin};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::watch;
use tracing::{info, warn};

pub use crate::store::pg::Location;

/// Room placement as the rest of the server sees it. The methods may wait on the database:
/// call them from a blocking thread.
pub trait Cluster: Send + Sync {
    /// Whether this node is one of several: a stop hands its rooms over rather than closing
    /// them, and a PIN this node does not serve may be served by another.
    fn is_cluster(&self) -> bool;
    /// Where the running game with `pin` is served.
    fn locate(&self, pin: &Pin) -> Result<Location>;
    /// Renews this node's lease.
    fn renew(&self) -> Result<()>;
    /// Takes over the games no live node owns, and reads them back to be rebuilt. The writer
    /// already accepts their rows at their new epoch.
    fn claim(&self) -> Result<RunningGames>;
    /// Gives a claimed game back (no owner), for a game this node could not open: another
    /// claim, here or elsewhere, takes it again.
    fn disown(&self, game: GameId) -> Result<()>;
    /// Hands every game of this node over and ends its lease (a clean stop).
    fn release_all(&self) -> Result<()>;
}

/// One node on SQLite: every room is here, the lease never expires, nothing to claim.
pub struct SingleNode;

impl Cluster for SingleNode {
    fn is_cluster(&self) -> bool {
        false
    }
    /// Rooms of this node are in its lobby; a PIN not there is no room at all.
    fn locate(&self, _pin: &Pin) -> Result<Location> {
        Ok(Location::Nowhere)
    }
    fn renew(&self) -> Result<()> {
        Ok(())
    }
    fn claim(&self) -> Result<RunningGames> {
        Ok(Vec::new())
    }
    fn disown(&self, _game: GameId) -> Result<()> {
        Ok(())
    }
    fn release_all(&self) -> Result<()> {
        Ok(())
    }
}

/// What a claim needs from the PostgreSQL catalog and its fenced writer.
pub trait Adopt: Send + Sync {
    /// The writer stores `game`'s rows at `epoch` from now on (and no older epoch's).
    fn own(&self, game: GameId, epoch: i64);
    /// The writer stores nothing more of `game`'s.
    fn disown(&self, game: GameId);
    /// The claimed games read back for `Room::restore`, each with when its previous owner
    /// stopped (ms, database clock): an open question had been open until then.
    fn read_running(&self, games: &[(GameId, i64)]) -> Result<RunningGames>;
}

/// A node of a cluster on PostgreSQL.
pub struct PgCluster {
    store: PgStore,
    adopt: Arc<dyn Adopt>,
    /// When a previous process of this node's name last renewed (ms), until its games are
    /// all claimed back: the first claims after a start take them too.
    own_since: Mutex<Option<i64>>,
}

impl PgCluster {
    /// Joins the cluster: remembers what a previous process under this name left, and takes
    /// the lease, so the node is live before it serves. Call from a blocking thread.
    pub fn join(store: PgStore, adopt: Arc<dyn Adopt>) -> Result<PgCluster> {
        let s = store.clone();
        let own_since = store.run(async move {
            let before = s.previous_renewal_ms().await?;
            // Assignments' open questions stop their clocks where that process died.
            s.credit_own_attempts(before).await?;
            s.renew().await?;
            Ok(before)
        })?;
        Ok(PgCluster {
            store,
            adopt,
            own_since: Mutex::new(own_since),
        })
    }
}

impl Cluster for PgCluster {
    fn is_cluster(&self) -> bool {
        true
    }

    fn locate(&self, pin: &Pin) -> Result<Location> {
        let (s, pin) = (self.store.clone(), pin.clone());
        self.store.run(async move { s.locate(&pin).await })
    }

    fn renew(&self) -> Result<()> {
        let s = self.store.clone();
        self.store.run(async move { s.renew().await })
    }

    fn claim(&self) -> Result<RunningGames> {
        let own_since = *self.own_since.lock().unwrap_or_else(|e| e.into_inner());
        let s = self.store.clone();
        let claims = self
            .store
            .run(async move { s.claim_expired(CLAIM_BATCH, own_since).await })?;
        if own_since.is_some() && (claims.len() as i64) < CLAIM_BATCH {
            *self.own_since.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        if claims.is_empty() {
            return Ok(Vec::new());
        }
        for c in &claims {
            self.adopt.own(c.game, c.epoch);
        }
        let wanted: Vec<(GameId, i64)> = claims.iter().map(|c| (c.game, c.stopped_at_ms)).collect();
        match self.adopt.read_running(&wanted) {
            Ok(games) => Ok(games),
            Err(e) => {
                // Owned here but not rebuilt: give them back for the next claim to retry.
                self.give_back(&claims);
                Err(e)
            }
        }
    }

    fn disown(&self, game: GameId) -> Result<()> {
        self.adopt.disown(game);
        let s = self.store.clone();
        self.store.run(async move { s.release_game(game).await })
    }

    fn release_all(&self) -> Result<()> {
        let s = self.store.clone();
        let released = self.store.run(async move { s.release_all().await })?;
        info!(games = released, "games handed over");
        Ok(())
    }
}

impl PgCluster {
    fn give_back(&self, claims: &[Claim]) {
        for c in claims {
            if let Err(e) = self.disown(c.game) {
                warn!(game = %c.game, error = %e, "cannot give a claimed game back");
            }
        }
    }
}

/// The lease and claim loops of a cluster node; [`Tasks::stop`] ends them.
pub struct Tasks {
    stop: watch::Sender<bool>,
    /// Dropped to wake the lease thread from its wait and end it.
    lease_stop: Option<std::sync::mpsc::Sender<()>>,
    lease: Option<std::thread::JoinHandle<()>>,
    claims: Option<tokio::task::JoinHandle<()>>,
}

/// Starts the lease thread and the claim loop of `app`'s cluster (nothing on one node).
///
/// The lease renews on a thread of its own, through the database's runtime: a serving
/// runtime busy with ten thousand sockets never delays a renewal. A renewal that fails is
/// retried a second later; the node keeps serving meanwhile (its writes are fenced by owner
/// and epoch, never by its own lease).
pub fn start(app: &App) -> Tasks {
    let (stop, stopped) = watch::channel(false);
    if !app.cluster().is_cluster() {
        app.metrics().cluster().lease_held.set(1);
        return Tasks {
            stop,
            lease_stop: None,
            lease: None,
            claims: None,
        };
    }
    let (lease_stop, lease_stopped) = std::sync::mpsc::channel();
    let lease = {
        let (cluster, metrics) = (Arc::clone(app.cluster()), app.metrics().cluster().clone());
        std::thread::Builder::new()
            .name("lease".into())
            .spawn(move || lease_loop(&*cluster, &metrics, &lease_stopped))
            .map_err(|e| warn!(error = %e, "cannot start the lease thread"))
            .ok()
    };
    let claims = tokio::spawn(claim_loop(app.clone(), stopped));
    Tasks {
        stop,
        lease_stop: Some(lease_stop),
        lease,
        claims: Some(claims),
    }
}

impl Tasks {
    /// Ends both loops and waits for them: after this no renewal recreates the lease and no
    /// claim takes a game, so a hand-over stays handed over.
    pub async fn stop(mut self) {
        self.stop.send_replace(true);
        drop(self.lease_stop.take());
        if let Some(claims) = self.claims.take() {
            let _ = claims.await;
        }
        if let Some(lease) = self.lease.take() {
            let _ = tokio::task::spawn_blocking(move || lease.join()).await;
        }
    }
}

fn lease_loop(
    cluster: &dyn Cluster,
    metrics: &crate::metrics::ClusterMetrics,
    stop: &std::sync::mpsc::Receiver<()>,
) {
    let mut renewed: Option<Instant> = None;
    loop {
        let began = Instant::now();
        match cluster.renew() {
            Ok(()) => renewed = Some(began),
            Err(e) => {
                metrics.lease_failures.inc();
                warn!(error = %e, "cannot renew the lease");
            }
        }
        let held = renewed.is_some_and(|t| t.elapsed() < LEASE);
        metrics.lease_held.set(i64::from(held));
        // Waits for the next renewal, or returns at once when told to stop.
        match stop.recv_timeout(RENEW_EVERY.saturating_sub(began.elapsed())) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

async fn claim_loop(app: App, mut stop: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(RENEW_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let cluster = Arc::clone(app.cluster());
        let claimed = tokio::task::spawn_blocking(move || cluster.claim()).await;
        match claimed {
            Ok(Ok(games)) if games.is_empty() => {}
            Ok(Ok(games)) => {
                let opened = app.rebuild_claimed(games).await;
                app.metrics().cluster().failovers.inc_by(opened);
            }
            Ok(Err(e)) => warn!(error = %e, "cannot claim games"),
            Err(e) => warn!(error = %e, "the claim task failed"),
        }
    }
}

/// The catalog and the claim's needs on PostgreSQL: [`PgStore`] is both, its writer fenced.
pub(crate) fn pg_backend(
    store: PgStore,
    config: &crate::Config,
) -> Result<(Arc<dyn crate::store::Catalog>, Arc<dyn Adopt>)> {
    let store = store.with_session_lifetimes(config.sessions);
    Ok((Arc::new(store.clone()), Arc::new(store)))
}

impl Adopt for PgStore {
    fn own(&self, game: GameId, epoch: i64) {
        self.writer().own(game, epoch);
    }
    fn disown(&self, game: GameId) {
        self.writer().disown(game);
    }
    fn read_running(&self, games: &[(GameId, i64)]) -> Result<RunningGames> {
        PgStore::read_running(self, games)
    }
}

/// `url` without a password (`postgres://user:secret@host/db` → `postgres://user@host/db`),
/// for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}{path}")
        }
        None => url.to_owned(),
    }
}

/// Checks a `--node-url`: `http://HOST:PORT` or `https://HOST:PORT` (the port may be left
/// out), no path, query or fragment. Returns it without a trailing slash.
pub fn parse_node_url(raw: &str) -> std::result::Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("the node URL must start with http:// or https:// (how players and the other nodes reach this node)")?;
    if rest.is_empty() {
        return Err("the node URL needs a host after the scheme".into());
    }
    if rest.contains(['/', '?', '#', '@']) {
        return Err("the node URL is a scheme, a host and a port only (http://10.0.0.7:8080): no path, query, fragment or user".into());
    }
    if rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the node URL must not contain spaces".into());
    }
    Ok(url.to_owned())
}

/// Who this node is, from `--node-url`, `--node-name` and `--bind`. Without a node URL the
/// bind address stands for it when it is a concrete address and port (`http://<bind>`); a
/// wildcard address or port 0 says nothing other nodes could use. The name defaults to the
/// URL's `host:port`.
pub fn node_identity(
    url: Option<&str>,
    name: Option<&str>,
    bind: std::net::SocketAddr,
) -> std::result::Result<crate::store::pg::NodeId, String> {
    let url = match url {
        Some(raw) => parse_node_url(raw)?,
        None if bind.ip().is_unspecified() || bind.port() == 0 => {
            return Err(format!(
                "--node-url is needed with a PostgreSQL database when --bind is {bind}: pass \
                 how players and the other nodes reach this node (--node-url http://ADDR:PORT)"
            ))
        }
        None => format!("http://{bind}"),
    };
    let name = match name.map(str::trim) {
        Some("") => return Err("--node-name must not be empty".into()),
        Some(n) if n.len() > 200 || n.chars().any(char::is_control) => {
            return Err("--node-name is at most 200 characters, without control characters".into())
        }
        Some(n) => n.to_owned(),
        None => url
            .split_once("://")
            .map_or(url.as_str(), |(_, hostport)| hostport)
            .to_owned(),
    };
    Ok(crate::store::pg::NodeId { name, url })
}

/// The socket URL of room `pin` on the node reached at `node_url`: `ws` for `http`, `wss` for
/// `https`.
pub fn socket_url(node_url: &str, pin: &Pin) -> String {
    let url = node_url.trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .map(|r| format!("wss://{r}"))
        .or_else(|| url.strip_prefix("http://").map(|r| format!("ws://{r}")))
        .unwrap_or_else(|| url.to_owned());
    format!("{rest}/ws?pin={}", pin.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_url_follows_the_node_urls_scheme() {
        let pin = Pin("482913".into());
        assert_eq!(
            socket_url("http://10.0.0.7:8080", &pin),
            "ws://10.0.0.7:8080/ws?pin=482913"
        );
        assert_eq!(
            socket_url("https://node2.example.org/", &pin),
            "wss://node2.example.org/ws?pin=482913"
        );
    }

    #[test]
    fn the_node_identity_comes_from_the_url_or_a_concrete_bind() {
        let wildcard = "0.0.0.0:8080".parse().expect("addr");
        let concrete = "10.0.0.7:8080".parse().expect("addr");
        let id = node_identity(None, None, concrete).expect("a concrete bind will do");
        assert_eq!(
            (id.url.as_str(), id.name.as_str()),
            ("http://10.0.0.7:8080", "10.0.0.7:8080")
        );
        let err = node_identity(None, None, wildcard).expect_err("a wildcard bind will not");
        assert!(err.contains("--node-url"), "{err}");
        let port0 = "127.0.0.1:0".parse().expect("addr");
        assert!(
            node_identity(None, None, port0).is_err(),
            "port 0 says nothing"
        );
        let id = node_identity(Some("https://n1.example.org:8443/"), Some("n1"), wildcard)
            .expect("given");
        assert_eq!(
            (id.url.as_str(), id.name.as_str()),
            ("https://n1.example.org:8443", "n1")
        );
        assert!(node_identity(Some("http://a:1"), Some(" "), wildcard).is_err());
    }

    #[test]
    fn a_malformed_node_url_is_refused_with_a_reason() {
        for bad in [
            "10.0.0.7:8080",
            "ws://10.0.0.7:8080",
            "http://",
            "http://a:1/path",
            "http://a:1?x=1",
            "http://user@a:1",
            "http://a b:1",
        ] {
            assert!(parse_node_url(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_node_url(" http://a:1/ "), Ok("http://a:1".into()));
    }

    #[test]
    fn a_postgres_url_selects_postgresql_and_anything_else_is_a_sqlite_file() {
        use crate::DbTarget;
        for url in ["postgres://quiz@db/quizrace", "PostgreSQL://db:5433/q"] {
            assert_eq!(
                DbTarget::parse(url),
                DbTarget::Postgres(url.into()),
                "{url}"
            );
        }
        for path in [
            "quizrace.db",
            "/var/lib/quizrace/postgres.db",
            "postgres:/x",
            "",
        ] {
            assert_eq!(
                DbTarget::parse(path),
                DbTarget::Sqlite(path.into()),
                "{path}"
            );
        }
        let shown = DbTarget::parse("postgres://quiz:s3cret@db/quizrace").display();
        assert!(!shown.contains("s3cret"), "{shown}");
    }

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        assert_eq!(
            redact_url("postgres://quiz:s3cret@db:5432/quizrace"),
            "postgres://quiz@db:5432/quizrace"
        );
        assert_eq!(
            redact_url("postgres://db/quizrace"),
            "postgres://db/quizrace"
        );
    }

    /// What a claim asked of the catalog and the writer.
    #[derive(Default)]
    struct Recorded {
        owned: Mutex<Vec<(GameId, i64)>>,
        disowned: Mutex<Vec<GameId>>,
        read: Mutex<Vec<(GameId, i64)>>,
        unreadable: bool,
    }

    impl Adopt for Recorded {
        fn own(&self, game: GameId, epoch: i64) {
            self.owned.lock().expect("lock").push((game, epoch));
        }
        fn disown(&self, game: GameId) {
            self.disowned.lock().expect("lock").push(game);
        }
        fn read_running(&self, games: &[(GameId, i64)]) -> Result<RunningGames> {
            self.read.lock().expect("lock").extend_from_slice(games);
            if self.unreadable {
                return Err(crate::store::StoreError::Postgres("unreadable".into()));
            }
            Ok(Vec::new())
        }
    }

    fn joined(url: &str, name: &str, adopt: &Arc<Recorded>) -> PgCluster {
        let store = crate::store::pg::cluster::tests::node(url, name);
        PgCluster::join(store, Arc::clone(adopt) as Arc<dyn Adopt>).expect("joins")
    }

    use crate::store::pg::cluster::tests::{expire, game};
    use crate::store::pg::testing::fresh_database;

    #[test]
    fn a_claim_owns_each_game_at_its_new_epoch_before_reading_it_back() {
        let url = fresh_database();
        let a = joined(&url, "a", &Arc::default());
        let g = game(&a.store, "111111", Some("a"));
        expire(&a.store, "a");
        let adopt = Arc::new(Recorded::default());
        let b = joined(&url, "b", &adopt);
        b.claim().expect("claims");
        assert_eq!(*adopt.owned.lock().expect("lock"), vec![(g, 2)]);
        let read = adopt.read.lock().expect("lock").clone();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].0, g);
        assert!(read[0].1 > 0, "stopped at a's last renewal: {read:?}");
        assert_eq!(b.locate(&Pin("111111".into())).ok(), Some(Location::Here));
        assert!(b.claim().expect("again").is_empty(), "nothing more to take");
    }

    #[test]
    fn a_claimed_game_that_cannot_be_read_back_is_given_back_for_the_next_claim() {
        let url = fresh_database();
        let a = joined(&url, "a", &Arc::default());
        let g = game(&a.store, "222222", None);
        let adopt = Arc::new(Recorded {
            unreadable: true,
            ..Recorded::default()
        });
        let b = joined(&url, "b", &adopt);
        assert!(b.claim().is_err());
        assert_eq!(*adopt.disowned.lock().expect("lock"), vec![g]);
        assert_eq!(
            a.locate(&Pin("222222".into())).ok(),
            Some(Location::FailingOver),
            "no owner again"
        );
        let c = joined(&url, "c", &Arc::default());
        assert_eq!(c.claim().map(|_| ()).ok(), Some(()));
        assert_eq!(
            a.locate(&Pin("222222".into())).ok(),
            Some(Location::Node {
                url: "http://c.test:8080".into()
            })
        );
    }

    #[test]
    fn a_restarted_node_takes_its_own_games_back_at_once_and_a_clean_stop_hands_them_over() {
        let url = fresh_database();
        let before = joined(&url, "a", &Arc::default());
        let g = game(&before.store, "333333", Some("a"));
        drop(before); // killed: its row and its lease stay behind
        let adopt = Arc::new(Recorded::default());
        let again = joined(&url, "a", &adopt);
        again.claim().expect("claims");
        assert_eq!(*adopt.owned.lock().expect("lock"), vec![(g, 2)]);
        let other = joined(&url, "b", &Arc::default());
        let pin = Pin("333333".into());
        assert_eq!(
            other.locate(&pin).ok(),
            Some(Location::Node {
                url: "http://a.test:8080".into()
            })
        );
        again.release_all().expect("released");
        assert_eq!(other.locate(&pin).ok(), Some(Location::FailingOver));
    }

    /// Renewals that succeed or fail, counted.
    struct Renews {
        ok: bool,
        count: std::sync::atomic::AtomicU32,
    }

    impl Cluster for Renews {
        fn is_cluster(&self) -> bool {
            true
        }
        fn locate(&self, _pin: &Pin) -> Result<Location> {
            Ok(Location::Nowhere)
        }
        fn renew(&self) -> Result<()> {
            self.count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if self.ok {
                Ok(())
            } else {
                Err(crate::store::StoreError::Postgres("unreachable".into()))
            }
        }
        fn claim(&self) -> Result<RunningGames> {
            Ok(Vec::new())
        }
        fn disown(&self, _game: GameId) -> Result<()> {
            Ok(())
        }
        fn release_all(&self) -> Result<()> {
            Ok(())
        }
    }

    /// Runs the lease loop until its first renewal is done, stops it and waits for it.
    fn one_renewal(ok: bool) -> (u32, crate::metrics::ClusterMetrics) {
        let cluster = Arc::new(Renews {
            ok,
            count: Default::default(),
        });
        let metrics = crate::metrics::ClusterMetrics::default();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = {
            let (c, m) = (Arc::clone(&cluster), metrics.clone());
            std::thread::spawn(move || lease_loop(&*c, &m, &stopped))
        };
        while cluster.count.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        drop(stop);
        thread.join().expect("the lease thread ends when told");
        let after = cluster.count.load(std::sync::atomic::Ordering::SeqCst);
        (after, metrics)
    }

    #[test]
    fn the_lease_is_held_after_a_renewal_and_the_loop_ends_without_renewing_again() {
        let (renewals, metrics) = one_renewal(true);
        assert_eq!(renewals, 1, "stopped during its wait: no second renewal");
        assert_eq!(metrics.lease_held.get(), 1);
        assert_eq!(metrics.lease_failures.get(), 0);
    }

    #[test]
    fn a_failed_renewal_is_counted_and_the_lease_is_not_held() {
        let (_, metrics) = one_renewal(false);
        assert_eq!(metrics.lease_held.get(), 0);
        assert_eq!(metrics.lease_failures.get(), 1);
    }

    #[test]
    fn a_single_node_locates_nothing_elsewhere_and_claims_nothing() {
        let one = SingleNode;
        assert!(!one.is_cluster());
        assert_eq!(
            one.locate(&Pin("123456".into())).ok(),
            Some(Location::Nowhere)
        );
        assert!(one.claim().is_ok_and(|c| c.is_empty()));
    }
}
