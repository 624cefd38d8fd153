//! The writer thread: the rooms' rows, committed many per transaction, then reported
//! committed; and the heartbeat it stamps while a game can be resumed.

use super::values::Text;
use super::{unix_now, Result, StoreError};
use crate::metrics::WriterMetrics;
use crate::room::state::{Write, MAX_HOST_KEYS};
use crate::room::storage::{Committed, RoomWriter};
use rusqlite::{params, Connection};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::error;

/// Rows the writer commits in one transaction at most.
const BATCH: usize = 4096;

/// How often the writer stamps the heartbeat when no room gives it anything to commit. An open
/// question resumes after a crash with at most this much extra time.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// A row handed to the writer, and whom to tell when it is committed.
pub struct WriteReq {
    write: Write,
    seq: u64,
    notify: Arc<watch::Sender<Committed>>,
}

/// An assignment attempt's step, written many per commit with the rooms' rows; `done` gets
/// whether the socket still held the attempt (nothing is stored otherwise), once committed.
pub(super) struct AttemptReq {
    pub step: AttemptStep,
    pub done: oneshot::Sender<bool>,
}

/// What an attempt stores at one step, under its holder's check.
pub(super) enum AttemptStep {
    /// Its place: the `attempts` columns of [`super::assignments::columns_of`].
    Place {
        game: i64,
        player: u32,
        holder: String,
        question: Option<u32>,
        shown_ms: Option<i64>,
        closed: bool,
        finished: bool,
        now_ms: i64,
        score: i64,
    },
    /// An answer, which closes its question.
    Answer {
        game: i64,
        player: u32,
        holder: String,
        answered: crate::assignment::rules::Answered,
        score: i64,
    },
}

enum WriterMsg {
    Write(WriteReq),
    Attempt(AttemptReq),
    Flush(oneshot::Sender<()>),
    /// Commit (if nothing else does) to stamp the heartbeat.
    Beat,
}

/// The rooms' handle on the writer thread. Never blocks.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::UnboundedSender<WriterMsg>,
    /// What the writer has done since start (`GET /metrics`, the load tool's commits per second).
    pub stats: WriterMetrics,
}

/// The rooms' writer on SQLite: one node, so it never reports [`Committed::Fenced`].
impl RoomWriter for Writer {
    fn write(&self, write: Write, seq: u64, notify: Arc<watch::Sender<Committed>>) {
        Writer::write(self, write, seq, notify);
    }
}

impl Writer {
    /// Starts the writer thread on `conn`, and the heartbeat that wakes it.
    pub(super) fn start(conn: Connection) -> Result<Writer> {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = WriterMetrics::default();
        let counted = stats.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || writer_loop(conn, rx, &counted))
            .map_err(|e| StoreError::Hash(format!("cannot start the writer thread: {e}")))?;
        // The heartbeat holds a weak sender, so it stops when the last store handle is gone.
        let beat = tx.downgrade();
        std::thread::Builder::new()
            .name("db-heartbeat".into())
            .spawn(move || loop {
                std::thread::sleep(HEARTBEAT);
                match beat.upgrade() {
                    Some(tx) if tx.send(WriterMsg::Beat).is_ok() => {}
                    _ => return,
                }
            })
            .map_err(|e| StoreError::Hash(format!("cannot start the heartbeat thread: {e}")))?;
        Ok(Writer { tx, stats })
    }

    /// Hands over a row; `notify` gets `seq` once it is committed.
    /// Unbounded on purpose: the room must never wait, and every row is a promise to keep.
    pub fn write(&self, write: Write, seq: u64, notify: Arc<watch::Sender<Committed>>) {
        if self
            .tx
            .send(WriterMsg::Write(WriteReq { write, seq, notify }))
            .is_err()
        {
            error!("database writer is gone; a row was not stored");
        }
    }

    /// Stores an attempt's step in the next commit and waits for it (call from a blocking
    /// thread): whether the attempt's holder still held it. `None`: the writer is gone.
    pub(super) fn attempt(&self, step: AttemptStep) -> Option<bool> {
        let (done, rx) = oneshot::channel();
        self.tx
            .send(WriterMsg::Attempt(AttemptReq { step, done }))
            .ok()?;
        rx.blocking_recv().ok()
    }

    /// Resolves once everything handed over before it is committed.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(WriterMsg::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn writer_loop(
    mut conn: Connection,
    mut rx: mpsc::UnboundedReceiver<WriterMsg>,
    stats: &WriterMetrics,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(m) => batch.push(m),
                Err(_) => break,
            }
        }
        // A heartbeat only matters while a game can be resumed: an idle server must not wake
        // the disk every second for nothing (an SD card in a classroom box wears out).
        if batch.iter().all(|m| matches!(m, WriterMsg::Beat)) && !any_game_running(&conn) {
            batch.clear();
            continue;
        }
        // Until the batch is stored nothing in it is reported committed, so nothing in it is
        // acknowledged, and the rooms hold what follows. Retrying forever is the honest
        // choice: giving up would let a later commit release acks for rows that were lost.
        let mut tries: u32 = 0;
        let began = std::time::Instant::now();
        let mut held = Vec::new();
        while let Err(e) = commit(&mut conn, &batch, &mut held) {
            tries += 1;
            error!(error = %e, tries, rows = batch.len(), "commit failed; retrying");
            std::thread::sleep(Duration::from_millis(100 * u64::from(tries.min(10))));
        }
        stats.commit_duration.observe(began.elapsed());
        stats.commits.inc();
        for m in batch.drain(..) {
            match m {
                WriterMsg::Write(req) => {
                    stats.rows.inc();
                    if matches!(req.write, Write::Answer { .. }) {
                        stats.answers.inc();
                    }
                    req.notify.send_replace(Committed::UpTo(req.seq));
                }
                WriterMsg::Flush(done) => {
                    let _ = done.send(());
                }
                WriterMsg::Attempt(req) => {
                    stats.rows.inc();
                    let _ = req.done.send(held.pop().unwrap_or(false));
                }
                WriterMsg::Beat => {}
            }
        }
    }
}

/// Whether a game is `running`, or an assignment open with a question shown and not closed
/// (so an open question's time must be tracked). When the database cannot say, assume so: a
/// needless heartbeat costs less than a wrong restore.
fn any_game_running(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM games WHERE status = 'running'
                          AND id NOT IN (SELECT game_id FROM assignments))
             OR EXISTS (SELECT 1 FROM attempts t JOIN assignments a ON a.game_id = t.game_id
                        WHERE t.closed = 0 AND t.finished_ms IS NULL
                          AND t.shown_ms IS NOT NULL AND a.deadline_ms > ?1
                          AND a.closed_ms IS NULL)",
        [unix_now_ms()],
        |r| r.get::<_, bool>(0),
    )
    .unwrap_or(true)
}

/// Commits `batch` in one transaction. `held` gets, in reverse order, whether each attempt
/// step's socket still held its attempt (popped in batch order once committed).
fn commit(conn: &mut Connection, batch: &[WriterMsg], held: &mut Vec<bool>) -> Result<()> {
    held.clear();
    let tx = conn.transaction()?;
    let now_ms = unix_now_ms();
    tx.prepare_cached("UPDATE heartbeat SET at_ms = ?1 WHERE id = 1")?
        .execute([now_ms])?;
    for m in batch {
        if let WriterMsg::Attempt(req) = m {
            held.push(attempt_step(&tx, &req.step)?);
            continue;
        }
        let WriterMsg::Write(req) = m else { continue };
        match &req.write {
            Write::Player {
                game,
                player,
                name,
                token_hash,
                first_index,
                team,
            } => {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO players
                         (game_id, player_id, name, token_hash, first_index, team)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    game.0,
                    player.0,
                    name,
                    token_hash,
                    first_index,
                    team
                ])?;
            }
            Write::PlayerTeam { game, player, team } => {
                tx.prepare_cached(
                    "UPDATE players SET team = ?3 WHERE game_id = ?1 AND player_id = ?2",
                )?
                .execute(params![game.0, player.0, team])?;
            }
            Write::HostKey { game, key_hash } => {
                tx.prepare_cached("INSERT INTO host_keys (game_id, key_hash) VALUES (?1, ?2)")?
                    .execute(params![game.0, key_hash])?;
                tx.prepare_cached(
                    "DELETE FROM host_keys WHERE game_id = ?1 AND id NOT IN
                     (SELECT id FROM host_keys WHERE game_id = ?1 ORDER BY id DESC LIMIT ?2)",
                )?
                .execute(params![game.0, MAX_HOST_KEYS])?;
            }
            Write::PlayerStatus {
                game,
                player,
                status,
                opened,
            } => {
                tx.prepare_cached(
                    "UPDATE players SET status = ?3, opened_at_exit = ?4
                     WHERE game_id = ?1 AND player_id = ?2",
                )?
                .execute(params![game.0, player.0, Text(*status), opened])?;
            }
            Write::Answer {
                game,
                index,
                player,
                elapsed_ms,
                correct,
                points,
                answer,
            } => {
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO answers
                     (game_id, question_index, player_id, elapsed_ms, correct, points, answer)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    game.0,
                    index,
                    player.0,
                    elapsed_ms,
                    correct,
                    points,
                    serde_json::to_string(answer)?
                ])?;
            }
            Write::GameStatus { game, status } => {
                tx.prepare_cached(
                    "UPDATE games SET status = ?2, finished_at = ?3 WHERE id = ?1 AND status = 'running'",
                )?
                .execute(params![game.0, Text(*status), unix_now()])?;
            }
            Write::Phase { game, phase, index } => {
                tx.prepare_cached(
                    "UPDATE games SET phase = ?2, phase_index = ?3,
                         opened_ms = CASE WHEN ?2 = 'question' THEN ?4 ELSE opened_ms END
                     WHERE id = ?1",
                )?
                .execute(params![game.0, Text(*phase), index, now_ms])?;
            }
            Write::Flags { game, locked, chat } => {
                tx.prepare_cached("UPDATE games SET locked = ?2, chat = ?3 WHERE id = ?1")?
                    .execute(params![game.0, locked, chat])?;
            }
        }
    }
    tx.commit()?;
    held.reverse();
    Ok(())
}

/// One attempt step inside the batch's transaction: false (nothing written) when another
/// socket holds the attempt now.
fn attempt_step(tx: &rusqlite::Transaction<'_>, step: &AttemptStep) -> Result<bool> {
    match step {
        AttemptStep::Place {
            game,
            player,
            holder,
            question,
            shown_ms,
            closed,
            finished,
            now_ms,
            score,
        } => {
            let n = tx
                .prepare_cached(
                    "UPDATE attempts SET question = ?4, shown_ms = ?5, closed = ?6,
                            finished_ms = CASE WHEN ?7 THEN ?8 ELSE NULL END, score = ?9
                     WHERE game_id = ?1 AND player_id = ?2 AND holder = ?3",
                )?
                .execute(params![
                    game, player, holder, question, shown_ms, closed, finished, now_ms, score
                ])?;
            Ok(n == 1)
        }
        AttemptStep::Answer {
            game,
            player,
            holder,
            answered,
            score,
        } => {
            let n = tx
                .prepare_cached(
                    "UPDATE attempts SET closed = 1, score = ?4
                     WHERE game_id = ?1 AND player_id = ?2 AND holder = ?3",
                )?
                .execute(params![game, player, holder, score])?;
            if n != 1 {
                return Ok(false);
            }
            tx.prepare_cached(
                "INSERT INTO answers (game_id, question_index, player_id, elapsed_ms, correct,
                                      points, answer)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                game,
                answered.index,
                player,
                answered.elapsed_ms,
                answered.correct,
                answered.points,
                serde_json::to_string(&answered.value)?,
            ])?;
            Ok(true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_store;

    #[test]
    fn an_idle_server_with_no_running_game_never_commits_a_heartbeat() {
        let (_dir, store) = temp_store();
        std::thread::sleep(HEARTBEAT * 2 + Duration::from_millis(300));
        assert_eq!(store.writer.stats.commits.get(), 0);
    }
}
