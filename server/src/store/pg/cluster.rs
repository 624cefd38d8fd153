//! Leases and placement: which node is alive (its lease in `nodes`), which node owns which
//! running game (`games.owner_node`, `games.epoch`), and the SQL that moves games between
//! nodes. Every time here is the database's clock (`now()`), never a node's: nodes whose
//! clocks disagree still agree on whose lease ran out.
//!
//! Not here: rebuilding a claimed game's room (`crate::cluster`), and the fence on the rooms'
//! rows (the writer, which checks owner and epoch in each commit).

use super::{PgStore, Result};
use quizrace_protocol::{GameId, Pin};
use std::time::Duration;

/// How long a renewal keeps this node's lease.
pub const LEASE: Duration = Duration::from_secs(5);
/// How often a node renews its lease and looks for games to claim.
pub const RENEW_EVERY: Duration = Duration::from_secs(1);
/// A node whose last renewal is older than this has missed two in a row: its lease may still
/// run, but it is likely gone (killed, paused, cut off), so players are not sent to it; they
/// wait for the failover instead of bouncing between a dead address and the live nodes.
pub const SILENT_AFTER: Duration = Duration::from_millis(2500);
/// Games one claim takes at most: a node that takes over a large one's rooms rebuilds them a
/// batch a second, and the other live nodes share the rest.
pub const CLAIM_BATCH: i64 = 20;

/// The database clock in milliseconds since the epoch, in SQL.
const NOW_MS: &str = "(extract(epoch from now()) * 1000)::bigint";

/// A running game this node has just taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub game: GameId,
    /// The epoch this node now owns it at: the rows it writes carry it.
    pub epoch: i64,
    /// When the previous owner was last known alive (its last renewal), in milliseconds by
    /// the database clock: an open question had been open until then, not until now. For a
    /// game handed over (no owner), the time of this claim: a handover is claimed within a
    /// second.
    pub stopped_at_ms: i64,
}

/// Where a running game with a PIN is served, as the database says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Owned by this node (its room may not be rebuilt yet).
    Here,
    /// Owned by another node whose lease holds; `url` is its `--node-url`.
    Node { url: String },
    /// Owned by nobody, or by a node whose lease ran out: some node is about to claim it.
    FailingOver,
    /// No running game has this PIN.
    Nowhere,
}

impl PgStore {
    /// Renews this node's lease (creating its row) for [`LEASE`] from now, by the database
    /// clock, and records its URL.
    pub async fn renew(&self) -> Result<()> {
        let c = self.pool.get().await?;
        let sql = "INSERT INTO nodes (name, url, lease_until, renewed_at)
                   VALUES ($1, $2, now() + $3 * interval '1 millisecond', now())
                   ON CONFLICT (name) DO UPDATE
                   SET url = excluded.url, lease_until = excluded.lease_until,
                       renewed_at = excluded.renewed_at";
        let lease_ms = LEASE.as_millis() as f64;
        c.execute(sql, &[&self.node.name, &self.node.url, &lease_ms])
            .await?;
        Ok(())
    }

    /// When a previous process under this node's name last renewed its lease (ms, database
    /// clock), if it left its row behind: it stopped without handing its games over. Read
    /// before the first [`PgStore::renew`], which overwrites it.
    pub async fn previous_renewal_ms(&self) -> Result<Option<i64>> {
        let c = self.pool.get().await?;
        let sql =
            "SELECT (extract(epoch from renewed_at) * 1000)::bigint FROM nodes WHERE name = $1";
        Ok(c.query_opt(sql, &[&self.node.name])
            .await?
            .map(|r| r.get(0)))
    }

    /// Takes over up to `limit` running games that no live node owns: of no owner (handed
    /// over), of an owner without a row, or whose owner's lease ran out. With
    /// `own_since = Some(ms)` (the first claim after a start, `ms` from
    /// [`PgStore::previous_renewal_ms`]) also the games a previous process of this node's name
    /// still owns, as stopped at `ms`. Each claimed game's epoch goes up by one.
    ///
    /// Only while this node's own lease is valid: a node cut off from the database for longer
    /// than its lease must renew before it takes anything. Several nodes claiming at once
    /// never take the same game: the candidates are locked (`FOR UPDATE SKIP LOCKED`), a game
    /// another claim holds is skipped, and one it has just taken no longer qualifies.
    pub async fn claim_expired(&self, limit: i64, own_since: Option<i64>) -> Result<Vec<Claim>> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let me = &self.node.name;
        let valid: Option<bool> = tx
            .query_opt(
                "SELECT lease_until > now() FROM nodes WHERE name = $1",
                &[me],
            )
            .await?
            .map(|r| r.get(0));
        if valid != Some(true) {
            return Ok(Vec::new());
        }
        // The candidates' test reads the owner's lease in a subquery, not an outer join: a
        // row another claim updated meanwhile is tested again as it is now (its new owner is
        // live), where an outer join could pair it with nothing and take it twice.
        let sql = format!(
            "UPDATE games g SET owner_node = $1, epoch = g.epoch + 1
             FROM (
                 SELECT c.id, c.epoch,
                        CASE WHEN c.owner_node = $1 THEN $3::bigint
                             ELSE (SELECT (extract(epoch from n.renewed_at) * 1000)::bigint
                                   FROM nodes n WHERE n.name = c.owner_node)
                        END AS stopped_at_ms
                 FROM games c
                 WHERE c.status = 'running'
                   AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.game_id = c.id)
                   AND (c.owner_node IS NULL
                        OR ($3::bigint IS NOT NULL AND c.owner_node = $1)
                        OR (c.owner_node <> $1 AND NOT EXISTS (
                               SELECT 1 FROM nodes n
                               WHERE n.name = c.owner_node AND n.lease_until >= now())))
                 ORDER BY c.id
                 LIMIT $2
                 FOR UPDATE OF c SKIP LOCKED
             ) cand
             WHERE g.id = cand.id AND g.epoch = cand.epoch
             RETURNING g.id, g.epoch, COALESCE(cand.stopped_at_ms, {NOW_MS})"
        );
        let rows = tx.query(&sql, &[me, &limit, &own_since]).await?;
        tx.commit().await?;
        Ok(rows
            .iter()
            .map(|r| Claim {
                game: GameId(r.get(0)),
                epoch: r.get(1),
                stopped_at_ms: r.get(2),
            })
            .collect())
    }

    /// Where the running game with `pin` is served.
    pub async fn locate(&self, pin: &Pin) -> Result<Location> {
        let c = self.pool.get().await?;
        let row = c
            .query_opt(
                "SELECT g.owner_node, n.url,
                        n.lease_until > now()
                        AND n.renewed_at > now() - $2 * interval '1 millisecond'
                 FROM games g LEFT JOIN nodes n ON n.name = g.owner_node
                 WHERE g.pin = $1 AND g.status = 'running'",
                &[&pin.0, &(SILENT_AFTER.as_millis() as f64)],
            )
            .await?;
        let Some(row) = row else {
            return Ok(Location::Nowhere);
        };
        let (owner, url, live): (Option<String>, Option<String>, Option<bool>) =
            (row.get(0), row.get(1), row.get(2));
        Ok(match (owner, url, live) {
            (Some(owner), ..) if owner == self.node.name => Location::Here,
            (Some(_), Some(url), Some(true)) => Location::Node { url },
            _ => Location::FailingOver,
        })
    }

    /// Hands this node's running games over (no owner: the next claim of any node takes
    /// them) and removes its lease. For a clean stop, after the writer is flushed: a row this
    /// node's rooms write afterwards is fenced.
    pub async fn release_all(&self) -> Result<u64> {
        let mut c = self.pool.get().await?;
        let tx = c.transaction().await?;
        let me = &self.node.name;
        let released = tx
            .execute(
                "UPDATE games SET owner_node = NULL
                 WHERE owner_node = $1 AND status = 'running'",
                &[me],
            )
            .await?;
        tx.execute("DELETE FROM nodes WHERE name = $1", &[me])
            .await?;
        tx.commit().await?;
        Ok(released)
    }

    /// Gives one game this node claimed back (no owner), for the next claim to take again.
    pub async fn release_game(&self, game: GameId) -> Result<()> {
        let c = self.pool.get().await?;
        c.execute(
            "UPDATE games SET owner_node = NULL
             WHERE id = $1 AND owner_node = $2 AND status = 'running'",
            &[&game.0, &self.node.name],
        )
        .await?;
        Ok(())
    }

    /// How long ago this node last renewed its lease (database clock); `None` without a
    /// lease row.
    pub async fn lease_age(&self) -> Result<Option<Duration>> {
        let c = self.pool.get().await?;
        let ms: Option<i64> = c
            .query_opt(
                "SELECT (extract(epoch from now() - renewed_at) * 1000)::bigint
                 FROM nodes WHERE name = $1",
                &[&self.node.name],
            )
            .await?
            .map(|r| r.get(0));
        Ok(ms.map(|ms| Duration::from_millis(ms.max(0) as u64)))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::testing::fresh_database;
    use super::super::NodeId;
    use super::*;

    pub(crate) fn node(url: &str, name: &str) -> PgStore {
        let id = NodeId {
            name: name.into(),
            url: format!("http://{name}.test:8080"),
        };
        PgStore::open(url, id).expect("open")
    }

    /// Runs one SQL statement (a test's set-up) and returns the first column of each row.
    pub(crate) fn sql(store: &PgStore, text: &str) -> Vec<i64> {
        let (pool, text) = (store.pool.clone(), text.to_owned());
        store
            .run(async move {
                let c = pool.get().await?;
                let rows = c.query(&text, &[]).await?;
                Ok(rows
                    .iter()
                    .map(|r| r.try_get::<_, i64>(0).unwrap_or_default())
                    .collect())
            })
            .expect("sql")
    }

    /// A running game with `pin` owned by `owner` (`None`: handed over); its id.
    pub(crate) fn game(store: &PgStore, pin: &str, owner: Option<&str>) -> GameId {
        sql(
            store,
            "INSERT INTO accounts (id, username, password_hash, role, created_at)
             VALUES (1, 'host', 'x', 'host', 0) ON CONFLICT DO NOTHING",
        );
        sql(
            store,
            "INSERT INTO quizzes (id, owner_id, title, doc, created_at)
             VALUES (1, 1, 'q', '{}', 0) ON CONFLICT DO NOTHING",
        );
        let owner = owner.map_or("NULL".to_owned(), |o| format!("'{o}'"));
        let ids = sql(
            store,
            &format!(
                "INSERT INTO games (quiz_id, host_id, pin, mode, status, quiz_doc, created_at,
                                    owner_node)
                 VALUES (1, 1, '{pin}', 'classic', 'running', '{{}}', 0, {owner}) RETURNING id"
            ),
        );
        GameId(ids[0])
    }

    pub(crate) fn expire(store: &PgStore, name: &str) {
        sql(
            store,
            &format!(
                "UPDATE nodes SET lease_until = now() - interval '1 millisecond' \
                 WHERE name = '{name}' RETURNING 0::bigint"
            ),
        );
    }

    fn renew(s: &PgStore) {
        let t = s.clone();
        s.run(async move { t.renew().await }).expect("renew");
    }

    fn claim(s: &PgStore, own_since: Option<i64>) -> Vec<Claim> {
        let t = s.clone();
        s.run(async move { t.claim_expired(CLAIM_BATCH, own_since).await })
            .expect("claim")
    }

    fn locate(s: &PgStore, pin: &str) -> Location {
        let (t, pin) = (s.clone(), Pin(pin.into()));
        s.run(async move { t.locate(&pin).await }).expect("locate")
    }

    fn epoch(s: &PgStore, game: GameId) -> i64 {
        sql(s, &format!("SELECT epoch FROM games WHERE id = {}", game.0))[0]
    }

    #[test]
    fn a_live_lease_keeps_its_games_and_an_expired_one_gives_them_up_by_the_database_clock() {
        let url = fresh_database();
        let (a, b) = (node(&url, "a"), node(&url, "b"));
        renew(&a);
        renew(&b);
        let g = game(&a, "111111", Some("a"));
        assert_eq!(claim(&b, None), vec![], "a's lease holds");
        let age = {
            let t = a.clone();
            a.run(async move { t.lease_age().await }).expect("age")
        };
        assert!(age.is_some_and(|d| d < LEASE), "{age:?}");

        expire(&a, "a");
        let claimed = claim(&b, None);
        assert_eq!(claimed.len(), 1);
        assert_eq!((claimed[0].game, claimed[0].epoch), (g, 2));
        let renewed_ms = sql(
            &a,
            "SELECT (extract(epoch from renewed_at) * 1000)::bigint FROM nodes WHERE name = 'a'",
        )[0];
        assert_eq!(
            claimed[0].stopped_at_ms, renewed_ms,
            "stopped when a was last alive"
        );
        assert_eq!(claim(&b, None), vec![], "claimed once");
        assert_eq!(
            locate(&a, "111111"),
            Location::Node {
                url: "http://b.test:8080".into()
            }
        );
    }

    #[test]
    fn each_claim_raises_the_epoch_by_one() {
        let url = fresh_database();
        let (a, b) = (node(&url, "a"), node(&url, "b"));
        let g = game(&a, "222222", None);
        renew(&a);
        assert_eq!(claim(&a, None)[0].epoch, 2);
        renew(&b);
        expire(&a, "a");
        assert_eq!(claim(&b, None)[0].epoch, 3);
        renew(&a);
        expire(&b, "b");
        assert_eq!(claim(&a, None)[0].epoch, 4);
        assert_eq!(epoch(&a, g), 4);
    }

    #[test]
    fn a_node_without_a_valid_lease_claims_nothing() {
        let url = fresh_database();
        let a = node(&url, "a");
        game(&a, "333333", None);
        assert_eq!(claim(&a, None), vec![], "no lease row yet");
        renew(&a);
        expire(&a, "a");
        assert_eq!(claim(&a, None), vec![], "its lease ran out");
        renew(&a);
        assert_eq!(claim(&a, None).len(), 1);
    }

    #[test]
    fn a_node_claims_its_own_games_from_a_previous_process_only_at_start() {
        let url = fresh_database();
        let a = node(&url, "a");
        renew(&a);
        let g = game(&a, "444444", Some("a"));
        let before = {
            let t = a.clone();
            a.run(async move { t.previous_renewal_ms().await })
                .expect("previous")
        };
        assert!(before.is_some());
        renew(&a);
        assert_eq!(claim(&a, None), vec![], "its own live games are not claims");
        let claimed = claim(&a, before);
        assert_eq!(claimed.len(), 1);
        assert_eq!(claimed[0].game, g);
        assert_eq!(claimed[0].stopped_at_ms, before.unwrap_or_default());
    }

    #[test]
    fn two_nodes_claiming_at_once_never_both_get_a_game() {
        let url = fresh_database();
        let nodes: Vec<PgStore> = (0..4).map(|i| node(&url, &format!("n{i}"))).collect();
        let games: Vec<GameId> = (0..60)
            .map(|i| game(&nodes[0], &format!("{:06}", 500_000 + i), Some("gone")))
            .collect();
        for n in &nodes {
            renew(n);
        }
        for _round in 0..3 {
            let claims: Vec<Vec<Claim>> = std::thread::scope(|s| {
                let running: Vec<_> = nodes.iter().map(|n| s.spawn(|| claim(n, None))).collect();
                running
                    .into_iter()
                    .map(|t| t.join().expect("thread"))
                    .collect()
            });
            let mut seen = std::collections::HashSet::new();
            for c in claims.iter().flatten() {
                assert!(seen.insert(c.game), "{:?} claimed twice", c.game);
                assert_eq!(c.epoch, 2, "one claim each");
            }
        }
        let owners = sql(
            &nodes[0],
            "SELECT count(*) FROM games WHERE owner_node LIKE 'n%' AND epoch = 2",
        );
        assert_eq!(owners[0], games.len() as i64, "every game claimed once");
    }

    #[test]
    fn locate_tells_each_state_of_a_pin() {
        let url = fresh_database();
        let (a, b) = (node(&url, "a"), node(&url, "b"));
        renew(&a);
        renew(&b);
        assert_eq!(locate(&a, "123456"), Location::Nowhere);
        game(&a, "123456", Some("a"));
        assert_eq!(locate(&a, "123456"), Location::Here);
        assert_eq!(
            locate(&b, "123456"),
            Location::Node {
                url: "http://a.test:8080".into()
            }
        );
        sql(
            &a,
            "UPDATE nodes SET renewed_at = now() - interval '3 s' WHERE name = 'a' RETURNING 0::bigint",
        );
        assert_eq!(
            locate(&b, "123456"),
            Location::FailingOver,
            "a lease still running, but two renewals missed: nobody is sent there"
        );
        renew(&a);
        assert!(matches!(locate(&b, "123456"), Location::Node { .. }));
        expire(&a, "a");
        assert_eq!(locate(&b, "123456"), Location::FailingOver);
        game(&a, "654321", None);
        assert_eq!(locate(&b, "654321"), Location::FailingOver, "handed over");
        game(&a, "777777", Some("never-started"));
        assert_eq!(locate(&b, "777777"), Location::FailingOver, "no lease row");
        sql(
            &a,
            "UPDATE games SET status = 'finished' WHERE pin = '777777' RETURNING 0::bigint",
        );
        assert_eq!(locate(&b, "777777"), Location::Nowhere, "not running");
    }

    #[test]
    fn release_all_hands_the_games_over_and_ends_the_lease() {
        let url = fresh_database();
        let (a, b) = (node(&url, "a"), node(&url, "b"));
        renew(&a);
        renew(&b);
        let g = game(&a, "888888", Some("a"));
        let released = {
            let t = a.clone();
            a.run(async move { t.release_all().await })
                .expect("release")
        };
        assert_eq!(released, 1);
        assert_eq!(locate(&b, "888888"), Location::FailingOver);
        assert_eq!(sql(&a, "SELECT count(*) FROM nodes WHERE name = 'a'")[0], 0);
        let claimed = claim(&b, None);
        assert_eq!((claimed[0].game, claimed[0].epoch), (g, 2));
    }
}
