//! The rooms' writer on PostgreSQL: rows committed many per transaction on the backend's
//! runtime, then reported committed, as SQLite's writer does; and the fence. Each commit first
//! reads, `FOR SHARE`, the owner and epoch of the games in the batch: the rows of a game this
//! node no longer owns at the epoch the writer holds for it (another node claimed it) are
//! dropped and their room is told [`Committed::Fenced`]; the others are written with their
//! epoch. A claim updates the same `games` rows, so it waits for a commit in flight, and every
//! later commit sees the new owner.
//!
//! A commit that fails (the database restarting, a connection cut) is retried, in order, with
//! a growing pause, forever: nothing after it is reported committed meanwhile, so no answer
//! is acknowledged that is not stored. A commit whose answer was lost with its connection
//! may be applied twice: every row is written so that this changes nothing (players and
//! answers by their keys; a host key twice is one more of the newest eight).

use super::NodeId;
use crate::metrics::WriterMetrics;
use crate::room::state::{Write, MAX_HOST_KEYS};
use crate::room::storage::{Committed, RoomWriter};
use crate::store::values::SqlText;
use crate::store::{lock, unix_now, Result};
use deadpool_postgres::{Pool, Transaction};
use futures::future::{maybe_done, MaybeDone};
use quizrace_protocol::GameId;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{error, warn};

/// Rows the writer commits in one transaction at most.
const BATCH: usize = 4096;

/// The pause after the first failed commit; each further failure adds as much, up to
/// [`MAX_PAUSE`].
const PAUSE: Duration = Duration::from_millis(100);
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// A row handed to the writer, the epoch this node held for its game when it was handed over
/// (`None`: not this node's game), and whom to tell.
struct Req {
    write: Write,
    epoch: Option<i64>,
    seq: u64,
    notify: Arc<watch::Sender<Committed>>,
}

enum Msg {
    Write(Req),
    Flush(oneshot::Sender<()>),
}

/// The rooms' handle on the writer task, and the games this node owns with their epochs.
/// Never blocks. Cheap to clone.
#[derive(Clone)]
pub struct PgWriter {
    tx: mpsc::UnboundedSender<Msg>,
    owned: Arc<Mutex<HashMap<GameId, i64>>>,
    /// What the writer has done since start.
    pub stats: WriterMetrics,
}

impl RoomWriter for PgWriter {
    fn write(&self, write: Write, seq: u64, notify: Arc<watch::Sender<Committed>>) {
        PgWriter::write(self, write, seq, notify);
    }
    fn epoch(&self, game: GameId) -> i64 {
        lock(&self.owned).get(&game).copied().unwrap_or(0)
    }
}

/// The game a row belongs to.
fn game_of(write: &Write) -> GameId {
    match write {
        Write::Player { game, .. }
        | Write::PlayerTeam { game, .. }
        | Write::HostKey { game, .. }
        | Write::PlayerStatus { game, .. }
        | Write::Answer { game, .. }
        | Write::GameStatus { game, .. }
        | Write::Phase { game, .. }
        | Write::Flags { game, .. } => *game,
    }
}

impl PgWriter {
    /// Starts the writer task of node `node` on the backend's runtime. It ends when the last
    /// handle is gone.
    pub(super) fn start(pool: Pool, node: Arc<NodeId>, rt: &Handle) -> PgWriter {
        let (tx, rx) = mpsc::unbounded_channel();
        let writer = PgWriter {
            tx,
            owned: Arc::default(),
            stats: WriterMetrics::default(),
        };
        rt.spawn(writer_loop(pool, node, rx, writer.clone_quiet()));
        writer
    }

    /// The shared state without a sender, for the task (a sender there would keep it alive).
    fn clone_quiet(&self) -> Shared {
        Shared {
            owned: Arc::clone(&self.owned),
            stats: self.stats.clone(),
        }
    }

    /// From now on this node writes `game`'s rows at `epoch`: it created the game (epoch 1)
    /// or claimed it (the epoch its claim set).
    pub fn own(&self, game: GameId, epoch: i64) {
        lock(&self.owned).insert(game, epoch);
    }

    /// This node writes no more of `game`'s rows (it handed the game over).
    pub fn disown(&self, game: GameId) {
        lock(&self.owned).remove(&game);
    }

    /// Hands over a row; `notify` gets `seq` once it is committed, or `Fenced`.
    /// Unbounded on purpose: the room must never wait, and every row is a promise to keep.
    pub fn write(&self, write: Write, seq: u64, notify: Arc<watch::Sender<Committed>>) {
        let epoch = lock(&self.owned).get(&game_of(&write)).copied();
        let req = Req {
            write,
            epoch,
            seq,
            notify,
        };
        if self.tx.send(Msg::Write(req)).is_err() {
            error!("database writer is gone; a row was not stored");
        }
    }

    /// Resolves once everything handed over before it is committed (or fenced).
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// What the writer task shares with the handles.
struct Shared {
    owned: Arc<Mutex<HashMap<GameId, i64>>>,
    stats: WriterMetrics,
}

async fn writer_loop(
    pool: Pool,
    node: Arc<NodeId>,
    mut rx: mpsc::UnboundedReceiver<Msg>,
    shared: Shared,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        // Rows of games this node does not own are fenced without asking the database.
        let owns_any = batch
            .iter()
            .any(|m| matches!(m, Msg::Write(Req { epoch: Some(_), .. })));
        let kept = if owns_any {
            let began = std::time::Instant::now();
            let mut tries: u32 = 0;
            let kept = loop {
                match commit(&pool, &node.name, &batch).await {
                    Ok(kept) => break kept,
                    Err(e) => {
                        tries += 1;
                        error!(error = %e, tries, rows = batch.len(), "commit failed; retrying");
                        tokio::time::sleep((PAUSE * tries).min(MAX_PAUSE)).await;
                    }
                }
            };
            shared.stats.commit_duration.observe(began.elapsed());
            shared.stats.commits.inc();
            kept
        } else {
            HashSet::new()
        };
        let mut fenced = HashMap::new();
        for m in batch.drain(..) {
            match m {
                Msg::Write(req) => {
                    let game = game_of(&req.write);
                    match req.epoch {
                        Some(epoch) if kept.contains(&(game.0, epoch)) => {
                            shared.stats.rows.inc();
                            if matches!(req.write, Write::Answer { .. }) {
                                shared.stats.answers.inc();
                            }
                            req.notify.send_replace(Committed::UpTo(req.seq));
                        }
                        epoch => {
                            fenced.insert(game, epoch);
                            req.notify.send_replace(Committed::Fenced);
                        }
                    }
                }
                Msg::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
        // A fenced game's later rows are fenced without asking; a newer claim of it by this
        // node (a higher epoch, set meanwhile) stays.
        let mut owned = lock(&shared.owned);
        for (game, epoch) in fenced {
            warn!(game = %game, "rows fenced: another node owns the game");
            if epoch.is_some() && owned.get(&game).copied() == epoch {
                owned.remove(&game);
            }
        }
    }
}

/// A statement's future, boxed so that rows of every kind line up in one list.
type Pending<'a> =
    Pin<Box<dyn Future<Output = std::result::Result<u64, tokio_postgres::Error>> + Send + 'a>>;

/// Commits the batch's rows of the games `me` owns at the rows' epochs, in one transaction;
/// returns those (game, epoch) pairs.
async fn commit(pool: &Pool, me: &str, batch: &[Msg]) -> Result<HashSet<(i64, i64)>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let mut games: Vec<i64> = batch
        .iter()
        .filter_map(|m| match m {
            Msg::Write(Req {
                write,
                epoch: Some(_),
                ..
            }) => Some(game_of(write).0),
            _ => None,
        })
        .collect();
    games.sort_unstable();
    games.dedup();
    let kept: HashSet<(i64, i64)> = tx
        .query(
            "SELECT id, epoch FROM games WHERE id = ANY($1) AND owner_node = $2 FOR SHARE",
            &[&games, &me],
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_>>()?;
    let st = Statements::prepare(&tx).await?;
    let mut pending: Vec<Pending<'_>> = Vec::new();
    // Answers in a row go as one statement (a statement per row held a commit of 4,096 rows
    // to about 13,000 rows/s on two cores); anything else ends the run, so the order stays.
    let mut answers = Answers::default();
    for m in batch {
        let Msg::Write(req) = m else { continue };
        let game = game_of(&req.write).0;
        let Some(epoch) = req.epoch.filter(|&e| kept.contains(&(game, e))) else {
            continue;
        };
        if answers.take(&req.write, epoch)? {
            continue;
        }
        answers.push(&tx, &st, &mut pending);
        st.push(&tx, &req.write, epoch, &mut pending)?;
    }
    answers.push(&tx, &st, &mut pending);
    // Pipelined: each statement is sent on its first poll, and these are first polled in
    // order, so the database applies them in the order the rooms handed them over; then
    // their answers are awaited together.
    let mut pending: Vec<MaybeDone<Pending<'_>>> = pending.into_iter().map(maybe_done).collect();
    std::future::poll_fn(|cx| {
        for p in pending.iter_mut() {
            let _ = Pin::new(p).poll(cx);
        }
        Poll::Ready(())
    })
    .await;
    futures::future::join_all(pending.iter_mut()).await;
    for p in pending.iter_mut() {
        if let Some(done) = Pin::new(p).take_output() {
            done?;
        }
    }
    drop(pending);
    tx.commit().await?;
    Ok(kept)
}

/// A run of answer rows, as the columns of one `INSERT … SELECT FROM UNNEST`.
#[derive(Default)]
struct Answers {
    keys: HashSet<(i64, i64, i64)>,
    game: Vec<i64>,
    index: Vec<i64>,
    player: Vec<i64>,
    elapsed: Vec<i64>,
    correct: Vec<Option<bool>>,
    points: Vec<i64>,
    answer: Vec<String>,
    epoch: Vec<i64>,
}

impl Answers {
    /// Adds `write` to the run if it is an answer whose row the run does not hold yet (one
    /// statement may not update a row twice); false otherwise, and the caller ends the run.
    fn take(&mut self, write: &Write, epoch: i64) -> Result<bool> {
        let Write::Answer {
            game,
            index,
            player,
            elapsed_ms,
            correct,
            points,
            answer,
        } = write
        else {
            return Ok(false);
        };
        let key = (game.0, i64::from(*index), i64::from(player.0));
        if !self.keys.insert(key) {
            return Ok(false);
        }
        self.game.push(key.0);
        self.index.push(key.1);
        self.player.push(key.2);
        self.elapsed
            .push(i64::try_from(*elapsed_ms).unwrap_or(i64::MAX));
        self.correct.push(*correct);
        self.points.push(*points);
        self.answer.push(serde_json::to_string(answer)?);
        self.epoch.push(epoch);
        Ok(true)
    }

    /// The run's statement, appended to `pending`; the run starts again empty.
    fn push<'a>(
        &mut self,
        tx: &'a Transaction<'_>,
        st: &'a Statements,
        pending: &mut Vec<Pending<'a>>,
    ) {
        if self.keys.is_empty() {
            return;
        }
        let run = std::mem::take(self);
        pending.push(Box::pin(async move {
            tx.execute(
                &st.answers,
                &[
                    &run.game,
                    &run.index,
                    &run.player,
                    &run.elapsed,
                    &run.correct,
                    &run.points,
                    &run.answer,
                    &run.epoch,
                ],
            )
            .await
        }));
    }
}

/// The writer's statements, prepared once per connection (deadpool caches them).
struct Statements {
    player: tokio_postgres::Statement,
    player_team: tokio_postgres::Statement,
    host_key: tokio_postgres::Statement,
    trim_host_keys: tokio_postgres::Statement,
    player_status: tokio_postgres::Statement,
    answers: tokio_postgres::Statement,
    game_status: tokio_postgres::Statement,
    phase: tokio_postgres::Statement,
    flags: tokio_postgres::Statement,
}

impl Statements {
    async fn prepare(tx: &Transaction<'_>) -> Result<Statements> {
        Ok(Statements {
            player: tx
                .prepare_cached(
                    "INSERT INTO players
                         (game_id, player_id, name, token_hash, first_index, epoch, team)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                )
                .await?,
            player_team: tx
                .prepare_cached(
                    "UPDATE players SET team = $3, epoch = $4 WHERE game_id = $1 AND player_id = $2",
                )
                .await?,
            host_key: tx
                .prepare_cached("INSERT INTO host_keys (game_id, key_hash) VALUES ($1, $2)")
                .await?,
            trim_host_keys: tx
                .prepare_cached(
                    "DELETE FROM host_keys WHERE game_id = $1 AND id NOT IN
                     (SELECT id FROM host_keys WHERE game_id = $1 ORDER BY id DESC LIMIT $2)",
                )
                .await?,
            player_status: tx
                .prepare_cached(
                    "UPDATE players SET status = $3, opened_at_exit = $4, epoch = $5
                     WHERE game_id = $1 AND player_id = $2",
                )
                .await?,
            answers: tx
                .prepare_cached(
                    "INSERT INTO answers (game_id, question_index, player_id, elapsed_ms, correct,
                                          points, answer, epoch)
                     SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[],
                         $4::BIGINT[], $5::BOOLEAN[], $6::BIGINT[], $7::TEXT[], $8::BIGINT[])
                     ON CONFLICT (game_id, question_index, player_id) DO UPDATE SET
                         elapsed_ms = excluded.elapsed_ms, correct = excluded.correct,
                         points = excluded.points, answer = excluded.answer,
                         epoch = excluded.epoch",
                )
                .await?,
            game_status: tx
                .prepare_cached(
                    "UPDATE games SET status = $2, finished_at = $3
                     WHERE id = $1 AND status = 'running'",
                )
                .await?,
            // The database's clock stamps an opened question, as it stamps the leases the
            // question's time is later measured to.
            phase: tx
                .prepare_cached(
                    "UPDATE games SET phase = $2, phase_index = $3,
                         opened_ms = CASE WHEN $4
                             THEN (extract(epoch from clock_timestamp()) * 1000)::bigint
                             ELSE opened_ms END
                     WHERE id = $1",
                )
                .await?,
            flags: tx
                .prepare_cached("UPDATE games SET locked = $2, chat = $3 WHERE id = $1")
                .await?,
        })
    }

    /// The statements that write `write` at `epoch`, appended to `pending` (not yet sent).
    fn push<'a>(
        &'a self,
        tx: &'a Transaction<'_>,
        write: &'a Write,
        epoch: i64,
        pending: &mut Vec<Pending<'a>>,
    ) -> Result<()> {
        use crate::room::state::StoredPhase;
        match write {
            Write::Player {
                game,
                player,
                name,
                token_hash,
                first_index,
                team,
            } => {
                let (player, first) = (i64::from(player.0), i64::from(*first_index));
                let team = team.map(i64::from);
                pending.push(Box::pin(async move {
                    tx.execute(
                        &self.player,
                        &[&game.0, &player, name, token_hash, &first, &epoch, &team],
                    )
                    .await
                }));
            }
            Write::PlayerTeam { game, player, team } => {
                let (player, team) = (i64::from(player.0), i64::from(*team));
                pending.push(Box::pin(async move {
                    tx.execute(&self.player_team, &[&game.0, &player, &team, &epoch])
                        .await
                }));
            }
            Write::HostKey { game, key_hash } => {
                pending.push(Box::pin(async move {
                    tx.execute(&self.host_key, &[&game.0, key_hash]).await
                }));
                let max = MAX_HOST_KEYS as i64;
                pending.push(Box::pin(async move {
                    tx.execute(&self.trim_host_keys, &[&game.0, &max]).await
                }));
            }
            Write::PlayerStatus {
                game,
                player,
                status,
                opened,
            } => {
                let (player, opened) = (i64::from(player.0), i64::from(*opened));
                let status = status.as_sql();
                pending.push(Box::pin(async move {
                    tx.execute(
                        &self.player_status,
                        &[&game.0, &player, &status, &opened, &epoch],
                    )
                    .await
                }));
            }
            // One row alone, in a run of its own.
            Write::Answer { .. } => {
                let mut run = Answers::default();
                run.take(write, epoch)?;
                run.push(tx, self, pending);
            }
            Write::GameStatus { game, status } => {
                let status = status.as_sql();
                pending.push(Box::pin(async move {
                    tx.execute(&self.game_status, &[&game.0, &status, &unix_now()])
                        .await
                }));
            }
            Write::Phase { game, phase, index } => {
                let opens = *phase == StoredPhase::Question;
                let (phase, index) = (phase.as_sql(), i64::from(*index));
                pending.push(Box::pin(async move {
                    tx.execute(&self.phase, &[&game.0, &phase, &index, &opens])
                        .await
                }));
            }
            Write::Flags { game, locked, chat } => {
                pending.push(Box::pin(async move {
                    tx.execute(&self.flags, &[&game.0, locked, chat]).await
                }));
            }
        }
        Ok(())
    }
}
