//! Assignments on SQLite: the game an assignment is, its `assignments` row, and its attempts
//! (each a player of the game with an `attempts` row). The row types serve both backends.
//!
//! Every write of an attempt names the socket that holds it (`holder`) and is refused under
//! another one, so one attempt is served by one socket at a time on any node. Its steps go
//! through the writer thread with the rooms' rows, many per commit; answers go to the
//! `answers` table as in live games, committed before the `answer_ack`.
//!
//! Time across a restart: an open question stores when it was shown (`shown_ms`). At start-up
//! [`credit_downtime`] moves that forward by the time the server was down (from the writer's
//! last heartbeat to now), so the question resumes with the time it had left when the server
//! was last alive, the rule live rooms follow.

use super::values::Text;
use super::writer::AttemptStep;
use super::{lock, seconds_to_ms, unix_now, Account, Result, Role, Store, StoreError};
use crate::assignment::rules::{Answered, At, Counted};
use crate::room::state::{Settings, StoredPhase};
use quizrace_protocol::{GameId, PlayerId, QuizDoc, QuizId};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

/// What `POST /api/assignments` asks for, checked.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    pub deadline_ms: i64,
    pub identifier_label: Option<String>,
    pub attempts: u32,
}

/// An assignment as a player's socket reads it.
#[derive(Debug, Clone)]
pub struct AssignmentInfo {
    pub game_id: GameId,
    pub code: String,
    pub deadline_ms: i64,
    /// Closed early by its host.
    pub closed: bool,
    pub identifier_label: Option<String>,
    pub attempts: u32,
    /// The game's own copy of the quiz (shuffled when the host asked).
    pub doc: QuizDoc,
    /// The game's secret (an `order` question's item ids come from it).
    pub secret: String,
    pub time_factor: f64,
    pub no_time_limit: bool,
    /// Each player gets a `choice` or `multi` question's choices in an order of their own.
    pub shuffle_answers: bool,
}

/// An attempt as stored: whose, which, where it is, and its answers in question order.
#[derive(Debug, Clone)]
pub struct StoredAttempt {
    pub player: PlayerId,
    pub name: String,
    pub attempt: u32,
    pub at: At,
    pub answers: Vec<Counted>,
}

/// Why an attempt could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartRefused {
    AttemptsUsed,
}

/// One line of `GET /api/assignments`. Times are unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentRow {
    pub game_id: GameId,
    pub quiz_id: QuizId,
    pub code: String,
    pub title: String,
    pub deadline_ms: i64,
    pub identifier_label: Option<String>,
    pub attempts: u32,
    /// Past its deadline, or closed by its host.
    pub closed: bool,
    pub started: u32,
    pub finished: u32,
    pub created_at: i64,
    #[serde(skip)]
    pub host_id: i64,
}

/// One finished attempt on the live view, best first; equal scores share a rank.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptLine {
    pub player_id: PlayerId,
    pub name: String,
    /// What the player gave for the identifier the assignment asks for (owner only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    pub attempt: u32,
    pub score: i64,
    pub rank: u32,
}

/// `GET /api/assignments/{id}`: the assignment and its attempts so far.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentView {
    #[serde(flatten)]
    pub row: AssignmentRow,
    /// The mean score of the finished attempts (`null`: none yet).
    pub average_score: Option<f64>,
    /// The finished attempts, best first (at most [`MAX_VIEW_LINES`]).
    pub leaderboard: Vec<AttemptLine>,
}

/// Most attempts the live view lists.
pub const MAX_VIEW_LINES: u32 = 200;

/// `attempts` columns of a stored place.
pub(super) fn at_of(
    question: Option<u32>,
    shown_ms: Option<i64>,
    closed: bool,
    finished: bool,
) -> At {
    match (question, finished) {
        (_, true) => At::Done,
        (None, false) => At::Start,
        (Some(index), false) if closed => At::Closed {
            index,
            answered: false, // set from the answers by the reader
        },
        (Some(index), false) => At::Open {
            index,
            shown_ms: shown_ms.unwrap_or(0),
        },
    }
}

/// The `attempts` columns (`question`, `shown_ms`, `closed`, `finished`) of a place.
pub(super) fn columns_of(at: At) -> (Option<u32>, Option<i64>, bool, bool) {
    match at {
        At::Start => (None, None, false, false),
        At::Open { index, shown_ms } => (Some(index), Some(shown_ms), false, false),
        At::Closed { index, .. } => (Some(index), None, true, false),
        At::Done => (None, None, true, true),
    }
}

fn writer_gone() -> StoreError {
    StoreError::Io("the database writer has stopped".into())
}

/// A draw of an 8-digit code.
pub(super) fn draw_code() -> String {
    let n = u64::from_str_radix(&crate::secret::random_hex(8), 16).unwrap_or(0);
    format!("{:08}", n % 100_000_000)
}

/// Start-up, before the writer stamps a new heartbeat: every open question moves forward by
/// the time the server was down, so it keeps the time it had left when last alive.
pub(super) fn credit_downtime(conn: &Connection, now_ms: i64) -> Result<usize> {
    let heartbeat: i64 = conn.query_row("SELECT at_ms FROM heartbeat", [], |r| r.get(0))?;
    let n = conn.execute(
        "UPDATE attempts SET shown_ms = shown_ms + (?1 - MAX(?2, shown_ms))
         WHERE closed = 0 AND finished_ms IS NULL AND shown_ms IS NOT NULL AND shown_ms < ?1",
        params![now_ms, heartbeat],
    )?;
    Ok(n)
}

/// Assignments past their deadline (or closed) become finished games.
pub(super) fn settle(db: &Connection, now_ms: i64) -> Result<()> {
    db.execute(
        "UPDATE games SET status = 'finished',
                finished_at = (SELECT MIN(a.deadline_ms, COALESCE(a.closed_ms, a.deadline_ms)) / 1000
                               FROM assignments a WHERE a.game_id = games.id)
         WHERE status = 'running'
           AND id IN (SELECT game_id FROM assignments WHERE deadline_ms <= ?1 OR closed_ms IS NOT NULL)",
        [now_ms],
    )?;
    Ok(())
}

fn row_of(r: &Row<'_>, now_ms: i64) -> rusqlite::Result<AssignmentRow> {
    let deadline_ms: i64 = r.get("deadline_ms")?;
    let closed_ms: Option<i64> = r.get("closed_ms")?;
    Ok(AssignmentRow {
        game_id: GameId(r.get("game_id")?),
        quiz_id: QuizId(r.get("quiz_id")?),
        code: r.get("code")?,
        title: r.get::<_, Option<String>>("title")?.unwrap_or_default(),
        deadline_ms,
        identifier_label: r.get("identifier_label")?,
        attempts: r.get("attempts")?,
        closed: closed_ms.is_some() || deadline_ms <= now_ms,
        started: r.get("started")?,
        finished: r.get("finished")?,
        created_at: seconds_to_ms(r.get("created_at")?),
        host_id: r.get("host_id")?,
    })
}

const ROW_SELECT: &str =
    "SELECT a.game_id, g.quiz_id, a.code, trim(json_extract(g.quiz_doc, '$.title')) AS title,
        a.deadline_ms, a.identifier_label, a.attempts, a.closed_ms, g.created_at, g.host_id,
        (SELECT COUNT(*) FROM attempts t WHERE t.game_id = a.game_id) AS started,
        (SELECT COUNT(*) FROM attempts t WHERE t.game_id = a.game_id AND t.finished_ms IS NOT NULL)
            AS finished
     FROM assignments a JOIN games g ON g.id = a.game_id";

impl Store {
    /// Stores a new assignment: its game (played by nobody yet, every question counted as
    /// asked, so reports count them for each attempt) and its row under a fresh code.
    pub fn create_assignment(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        new: &NewAssignment,
    ) -> Result<(GameId, String)> {
        let mut db = lock(&self.db);
        // Immediate: it writes after reading, beside the writer's connection (a deferred
        // transaction could not take the write lock after the writer committed).
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let last = doc.questions.len().saturating_sub(1) as i64;
        for _ in 0..20 {
            let code = draw_code();
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM assignments WHERE code = ?1)",
                [&code],
                |r| r.get(0),
            )?;
            if taken {
                continue;
            }
            tx.execute(
                "INSERT INTO games (quiz_id, host_id, pin, mode, status, quiz_doc, created_at,
                                   host_key_hash, max_players, chat, time_factor, no_time_limit,
                                   shuffle_answers, phase, phase_index)
                 VALUES (?1, ?2, ?3, 'classic', 'running', ?4, ?5, ?6, 0, 0, ?7, ?8, ?9, ?10, ?11)",
                params![
                    quiz.0,
                    host,
                    code,
                    serde_json::to_string(doc)?,
                    unix_now(),
                    settings.host_key,
                    settings.timing.time_factor,
                    settings.timing.no_time_limit,
                    settings.shuffle_answers,
                    Text(StoredPhase::Leaderboard),
                    last,
                ],
            )?;
            let game = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO assignments (game_id, code, deadline_ms, identifier_label, attempts,
                                          created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    game,
                    code,
                    new.deadline_ms,
                    new.identifier_label,
                    new.attempts,
                    host
                ],
            )?;
            tx.commit()?;
            return Ok((GameId(game), code));
        }
        Err(StoreError::PinTaken)
    }

    /// The assignment with `code`, if there is one.
    pub fn assignment_by_code(&self, code: &str) -> Result<Option<AssignmentInfo>> {
        let db = lock(&self.db);
        let row = db
            .query_row(
                "SELECT a.game_id, a.code, a.deadline_ms, a.closed_ms, a.identifier_label,
                        a.attempts, g.quiz_doc, g.host_key_hash, g.time_factor, g.no_time_limit,
                        g.shuffle_answers
                 FROM assignments a JOIN games g ON g.id = a.game_id WHERE a.code = ?1",
                [code],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, f64>(8)?,
                        r.get::<_, bool>(9)?,
                        r.get::<_, bool>(10)?,
                    ))
                },
            )
            .optional()?;
        let Some((game, code, deadline_ms, closed, label, attempts, doc, secret, tf, ntl, shuffle)) =
            row
        else {
            return Ok(None);
        };
        Ok(Some(AssignmentInfo {
            game_id: GameId(game),
            code,
            deadline_ms,
            closed: closed.is_some(),
            identifier_label: label,
            attempts,
            doc: serde_json::from_str::<QuizDoc>(&doc)?.tidied(),
            secret: secret.unwrap_or_default(),
            time_factor: tf,
            no_time_limit: ntl,
            shuffle_answers: shuffle,
        }))
    }

    /// A new attempt of `person` (refused once they used `limit`): a player of the game and
    /// its `attempts` row, held by `holder`. Returns the player and the attempt's number.
    #[allow(clippy::too_many_arguments)]
    pub fn start_attempt(
        &self,
        game: GameId,
        name: &str,
        identifier: Option<&str>,
        person: &str,
        token_hash: &str,
        holder: &str,
        limit: u32,
    ) -> Result<std::result::Result<(PlayerId, u32), StartRefused>> {
        let mut db = lock(&self.db);
        // Immediate: it writes after reading, beside the writer's connection (a deferred
        // transaction could not take the write lock after the writer committed).
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let used: u32 = tx.query_row(
            "SELECT COUNT(*) FROM attempts WHERE game_id = ?1 AND person = ?2",
            params![game.0, person],
            |r| r.get(0),
        )?;
        if used >= limit {
            return Ok(Err(StartRefused::AttemptsUsed));
        }
        let player: u32 = tx.query_row(
            "SELECT COALESCE(MAX(player_id), 0) + 1 FROM players WHERE game_id = ?1",
            [game.0],
            |r| r.get(0),
        )?;
        tx.execute(
            "INSERT INTO players (game_id, player_id, name, token_hash, status, identifier)
             VALUES (?1, ?2, ?3, ?4, 'active', ?5)",
            params![game.0, player, name, token_hash, identifier],
        )?;
        tx.execute(
            "INSERT INTO attempts (game_id, player_id, person, attempt, holder)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![game.0, player, person, used + 1, holder],
        )?;
        tx.commit()?;
        Ok(Ok((PlayerId(player), used + 1)))
    }

    /// Takes up the attempt whose token hashes to `token_hash` for `holder` (a socket that
    /// held it loses it) and reads it back.
    pub fn take_attempt(
        &self,
        game: GameId,
        token_hash: &str,
        holder: &str,
    ) -> Result<Option<StoredAttempt>> {
        let mut db = lock(&self.db);
        // Immediate: it writes after reading, beside the writer's connection (a deferred
        // transaction could not take the write lock after the writer committed).
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row = tx
            .query_row(
                "SELECT p.player_id, p.name, t.attempt, t.question, t.shown_ms, t.closed,
                        t.finished_ms IS NOT NULL
                 FROM players p JOIN attempts t
                   ON t.game_id = p.game_id AND t.player_id = p.player_id
                 WHERE p.game_id = ?1 AND p.token_hash = ?2",
                params![game.0, token_hash],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u32>(2)?,
                        r.get::<_, Option<u32>>(3)?,
                        r.get::<_, Option<i64>>(4)?,
                        r.get::<_, bool>(5)?,
                        r.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((player, name, attempt, question, shown, closed, finished)) = row else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE attempts SET holder = ?3 WHERE game_id = ?1 AND player_id = ?2",
            params![game.0, player, holder],
        )?;
        let answers = tx
            .prepare(
                "SELECT question_index, correct, points FROM answers
                 WHERE game_id = ?1 AND player_id = ?2 ORDER BY question_index",
            )?
            .query_map(params![game.0, player], |r| {
                Ok(Counted {
                    index: r.get(0)?,
                    correct: r.get(1)?,
                    points: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        tx.commit()?;
        let mut at = at_of(question, shown, closed, finished);
        if let At::Closed { index, answered } = &mut at {
            *answered = answers.iter().any(|a| a.index == *index);
        }
        Ok(Some(StoredAttempt {
            player: PlayerId(player),
            name,
            attempt,
            at,
            answers,
        }))
    }

    /// Stores an attempt's place and score, if `holder` still holds it (false: replaced).
    /// Through the writer, many steps per commit; call from a blocking thread.
    pub fn save_attempt(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        at: At,
        score: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let (question, shown_ms, closed, finished) = columns_of(at);
        self.writer
            .attempt(AttemptStep::Place {
                game: game.0,
                player: player.0,
                holder: holder.to_owned(),
                question,
                shown_ms,
                closed,
                finished,
                now_ms,
                score,
            })
            .ok_or_else(writer_gone)
    }

    /// Stores an answer and closes its question, if `holder` still holds the attempt (false:
    /// replaced, nothing stored). Committed (with other rows) before it returns: an
    /// `answer_ack` after it means stored.
    pub fn save_attempt_answer(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        answered: &Answered,
        score: i64,
    ) -> Result<bool> {
        self.writer
            .attempt(AttemptStep::Answer {
                game: game.0,
                player: player.0,
                holder: holder.to_owned(),
                answered: answered.clone(),
                score,
            })
            .ok_or_else(writer_gone)
    }

    /// A finished attempt's rank among the finished attempts (equal scores share one), and
    /// how many have finished.
    pub fn attempt_rank(&self, game: GameId, score: i64) -> Result<(u32, u32)> {
        let db = lock(&self.db);
        Ok(db.query_row(
            "SELECT 1 + COUNT(*) FILTER (WHERE score > ?2), COUNT(*) FROM attempts
             WHERE game_id = ?1 AND finished_ms IS NOT NULL",
            params![game.0, score],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// The assignments `account` made (an admin: everyone's), newest first.
    pub fn list_assignments(&self, account: &Account) -> Result<Vec<AssignmentRow>> {
        let now = super::unix_now_ms();
        let db = lock(&self.db);
        settle(&db, now)?;
        let mut stmt = db.prepare(&format!(
            "{ROW_SELECT} WHERE ?1 OR g.host_id = ?2 ORDER BY a.game_id DESC LIMIT ?3"
        ))?;
        let rows = stmt
            .query_map(
                params![
                    account.role == Role::Admin,
                    account.id,
                    super::MAX_GAMES_LISTED
                ],
                |r| row_of(r, now),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The live view of assignment `game`: its counts and its finished attempts, best first.
    pub fn assignment_view(&self, game: GameId) -> Result<Option<AssignmentView>> {
        let now = super::unix_now_ms();
        let db = lock(&self.db);
        settle(&db, now)?;
        let row = db
            .query_row(
                &format!("{ROW_SELECT} WHERE a.game_id = ?1"),
                [game.0],
                |r| row_of(r, now),
            )
            .optional()?;
        let Some(row) = row else {
            return Ok(None);
        };
        let average_score: Option<f64> = db.query_row(
            "SELECT AVG(score) FROM attempts WHERE game_id = ?1 AND finished_ms IS NOT NULL",
            [game.0],
            |r| r.get(0),
        )?;
        let mut lines = db
            .prepare(
                "SELECT t.player_id, p.name, p.identifier, t.attempt, t.score
                 FROM attempts t JOIN players p
                   ON p.game_id = t.game_id AND p.player_id = t.player_id
                 WHERE t.game_id = ?1 AND t.finished_ms IS NOT NULL
                 ORDER BY t.score DESC, t.finished_ms, t.player_id LIMIT ?2",
            )?
            .query_map(params![game.0, MAX_VIEW_LINES], |r| {
                Ok(AttemptLine {
                    player_id: PlayerId(r.get(0)?),
                    name: r.get(1)?,
                    identifier: r.get(2)?,
                    attempt: r.get(3)?,
                    score: r.get(4)?,
                    rank: 0,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let ranks = quizrace_protocol::shared_ranks(&lines, |above, l| above.score == l.score);
        for (line, rank) in lines.iter_mut().zip(ranks) {
            line.rank = rank;
        }
        Ok(Some(AssignmentView {
            row,
            average_score,
            leaderboard: lines,
        }))
    }

    /// Closes assignment `game` now: nothing more is accepted, and its game is finished.
    pub fn close_assignment(&self, game: GameId) -> Result<()> {
        let now = super::unix_now_ms();
        let db = lock(&self.db);
        db.execute(
            "UPDATE assignments SET closed_ms = ?2 WHERE game_id = ?1 AND closed_ms IS NULL",
            params![game.0, now],
        )?;
        settle(&db, now)
    }
}
