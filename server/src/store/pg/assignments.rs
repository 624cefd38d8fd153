//! Assignments on PostgreSQL, with SQLite's rules and row types (`crate::store::assignments`).
//! On a cluster any node serves any attempt: everything is read and written here, under the
//! holder check. Time across a node's death: an attempt records the node of the socket that
//! holds it; an open question stops its clock at that node's last lease renewal, credited
//! when another node takes the attempt up (its lease has lapsed), or when a process of the
//! same name joins again ([`PgStore::credit_own_attempts`], before it renews).

use super::{int, opt_int, violates, PgStore};
use crate::assignment::rules::{Answered, At, Counted};
use crate::room::state::Settings;
use crate::store::assignments::{at_of, columns_of, draw_code};
use crate::store::{
    seconds_to_ms, unix_now, unix_now_ms, Account, AssignmentInfo, AssignmentRow, AssignmentView,
    AttemptLine, NewAssignment, Result, Role, StartRefused, StoreError, StoredAttempt,
    MAX_GAMES_LISTED,
};
use quizrace_protocol::{GameId, PlayerId, QuizDoc, QuizId};

/// `MAX(a, b)` of SQLite is `GREATEST` here; the rest of SQLite's settle is the same.
pub(super) const SETTLE: &str = "UPDATE games SET status = 'finished',
        finished_at = (SELECT LEAST(a.deadline_ms, COALESCE(a.closed_ms, a.deadline_ms)) / 1000
                       FROM assignments a WHERE a.game_id = games.id)
     WHERE status = 'running'
       AND id IN (SELECT game_id FROM assignments WHERE deadline_ms <= $1 OR closed_ms IS NOT NULL)";

const ROW_SELECT: &str = "SELECT a.game_id, g.quiz_id, a.code, trim(g.quiz_doc::json->>'title'),
        a.deadline_ms, a.identifier_label, a.attempts, a.closed_ms, g.created_at, g.host_id,
        (SELECT COUNT(*) FROM attempts t WHERE t.game_id = a.game_id),
        (SELECT COUNT(*) FROM attempts t WHERE t.game_id = a.game_id AND t.finished_ms IS NOT NULL)
     FROM assignments a JOIN games g ON g.id = a.game_id";

fn row_of(r: &tokio_postgres::Row, now_ms: i64) -> Result<AssignmentRow> {
    let deadline_ms: i64 = r.try_get(4)?;
    let closed_ms: Option<i64> = r.try_get(7)?;
    Ok(AssignmentRow {
        game_id: GameId(r.try_get(0)?),
        quiz_id: QuizId(r.try_get(1)?),
        code: r.try_get(2)?,
        title: r.try_get::<_, Option<String>>(3)?.unwrap_or_default(),
        deadline_ms,
        identifier_label: r.try_get(5)?,
        attempts: int(r, 6)?,
        closed: closed_ms.is_some() || deadline_ms <= now_ms,
        started: int(r, 10)?,
        finished: int(r, 11)?,
        created_at: seconds_to_ms(r.try_get(8)?),
        host_id: r.try_get(9)?,
    })
}

/// Moves the open question of the attempts `which` selects forward by the time since `since`
/// (ms; the dead node's last renewal), so it keeps the time it had then.
const CREDIT: &str = "UPDATE attempts SET shown_ms = shown_ms + ($1 - GREATEST($2, shown_ms))
     WHERE closed = FALSE AND finished_ms IS NULL AND shown_ms IS NOT NULL AND shown_ms < $1";

impl PgStore {
    /// At a node's start, before its first renewal: the attempts a previous process of this
    /// name held keep the time they had at its last renewal (`before`, ms).
    pub async fn credit_own_attempts(&self, before: Option<i64>) -> Result<u64> {
        let Some(before) = before else {
            return Ok(0);
        };
        let c = self.pool().get().await?;
        let sql = format!("{CREDIT} AND node = $3");
        Ok(
            c.execute(&sql, &[&unix_now_ms(), &before, &self.node().name])
                .await?,
        )
    }

    pub fn create_assignment(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        new: &NewAssignment,
    ) -> Result<(GameId, String)> {
        let doc = serde_json::to_string(doc)?;
        let last = i64::try_from(
            serde_json::from_str::<QuizDoc>(&doc)?
                .questions
                .len()
                .saturating_sub(1),
        )
        .unwrap_or(0);
        let (key, tf, ntl, sa) = (
            settings.host_key.clone(),
            settings.timing.time_factor,
            settings.timing.no_time_limit,
            settings.shuffle_answers,
        );
        let new = new.clone();
        self.with_client(move |mut c| async move {
            for _ in 0..20 {
                let code = draw_code();
                let tx = c.transaction().await?;
                let inserted = tx
                    .query_one(
                        "INSERT INTO games (quiz_id, host_id, pin, mode, status, quiz_doc,
                                           created_at, host_key_hash, max_players, chat,
                                           time_factor, no_time_limit, shuffle_answers, phase,
                                           phase_index)
                         VALUES ($1, $2, $3, 'classic', 'running', $4, $5, $6, 0, FALSE, $7, $8,
                                 $9, 'leaderboard', $10)
                         RETURNING id",
                        &[
                            &quiz.0,
                            &host,
                            &code,
                            &doc,
                            &unix_now(),
                            &key,
                            &tf,
                            &ntl,
                            &sa,
                            &last,
                        ],
                    )
                    .await;
                let game: i64 = match inserted {
                    Ok(row) => row.try_get(0)?,
                    Err(e) if violates(&e, "games_running_pin") => continue,
                    Err(e) => return Err(e.into()),
                };
                let stored = tx
                    .execute(
                        "INSERT INTO assignments (game_id, code, deadline_ms, identifier_label,
                                                  attempts, created_by)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &game,
                            &code,
                            &new.deadline_ms,
                            &new.identifier_label,
                            &i64::from(new.attempts),
                            &host,
                        ],
                    )
                    .await;
                match stored {
                    Ok(_) => {}
                    Err(e) if violates(&e, "assignments_code_key") => continue,
                    Err(e) => return Err(e.into()),
                }
                tx.commit().await?;
                return Ok((GameId(game), code));
            }
            Err(StoreError::PinTaken)
        })
    }

    pub fn assignment_by_code(&self, code: &str) -> Result<Option<AssignmentInfo>> {
        let code = code.to_owned();
        self.with_client(move |c| async move {
            let Some(r) = c
                .query_opt(
                    "SELECT a.game_id, a.code, a.deadline_ms, a.closed_ms, a.identifier_label,
                            a.attempts, g.quiz_doc, g.host_key_hash, g.time_factor,
                            g.no_time_limit, g.shuffle_answers
                     FROM assignments a JOIN games g ON g.id = a.game_id WHERE a.code = $1",
                    &[&code],
                )
                .await?
            else {
                return Ok(None);
            };
            let doc: String = r.try_get(6)?;
            Ok(Some(AssignmentInfo {
                game_id: GameId(r.try_get(0)?),
                code: r.try_get(1)?,
                deadline_ms: r.try_get(2)?,
                closed: r.try_get::<_, Option<i64>>(3)?.is_some(),
                identifier_label: r.try_get(4)?,
                attempts: int(&r, 5)?,
                doc: serde_json::from_str::<QuizDoc>(&doc)?.tidied(),
                secret: r.try_get::<_, Option<String>>(7)?.unwrap_or_default(),
                time_factor: r.try_get(8)?,
                no_time_limit: r.try_get(9)?,
                shuffle_answers: r.try_get(10)?,
            }))
        })
    }

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
        let (name, identifier, person, token_hash, holder) = (
            name.to_owned(),
            identifier.map(str::to_owned),
            person.to_owned(),
            token_hash.to_owned(),
            holder.to_owned(),
        );
        let node = self.node().name.clone();
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            // One attempt at a time per assignment: the count and the new player id hold.
            tx.execute(
                "SELECT 1 FROM assignments WHERE game_id = $1 FOR UPDATE",
                &[&game.0],
            )
            .await?;
            let used: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM attempts WHERE game_id = $1 AND person = $2",
                    &[&game.0, &person],
                )
                .await?
                .try_get(0)?;
            if used >= i64::from(limit) {
                return Ok(Err(StartRefused::AttemptsUsed));
            }
            let player: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(player_id), 0) + 1 FROM players WHERE game_id = $1",
                    &[&game.0],
                )
                .await?
                .try_get(0)?;
            tx.execute(
                "INSERT INTO players (game_id, player_id, name, token_hash, status, identifier)
                 VALUES ($1, $2, $3, $4, 'active', $5)",
                &[&game.0, &player, &name, &token_hash, &identifier],
            )
            .await?;
            tx.execute(
                "INSERT INTO attempts (game_id, player_id, person, attempt, holder, node)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&game.0, &player, &person, &(used + 1), &holder, &node],
            )
            .await?;
            tx.commit().await?;
            let player = u32::try_from(player)
                .map_err(|_| StoreError::Postgres("player id out of range".into()))?;
            Ok(Ok((PlayerId(player), used as u32 + 1)))
        })
    }

    pub fn take_attempt(
        &self,
        game: GameId,
        token_hash: &str,
        holder: &str,
    ) -> Result<Option<StoredAttempt>> {
        let (token_hash, holder) = (token_hash.to_owned(), holder.to_owned());
        let node = self.node().name.clone();
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            let Some(r) = tx
                .query_opt(
                    "SELECT p.player_id, p.name FROM players p JOIN attempts t
                       ON t.game_id = p.game_id AND t.player_id = p.player_id
                     WHERE p.game_id = $1 AND p.token_hash = $2
                     FOR UPDATE OF t",
                    &[&game.0, &token_hash],
                )
                .await?
            else {
                return Ok(None);
            };
            let (player, name): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
            // Its node died (its lease lapsed): the clock stopped at its last renewal.
            let sql = format!(
                "{CREDIT} AND game_id = $3 AND player_id = $4 AND node IS DISTINCT FROM $5
                   AND EXISTS (SELECT 1 FROM nodes n WHERE n.name = attempts.node
                               AND n.lease_until < now())"
            );
            let renewed: Option<i64> = tx
                .query_opt(
                    "SELECT (extract(epoch from n.renewed_at) * 1000)::bigint
                     FROM attempts t JOIN nodes n ON n.name = t.node
                     WHERE t.game_id = $1 AND t.player_id = $2",
                    &[&game.0, &player],
                )
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
            if let Some(renewed) = renewed {
                tx.execute(&sql, &[&unix_now_ms(), &renewed, &game.0, &player, &node])
                    .await?;
            }
            let t = tx
                .query_one(
                    "UPDATE attempts SET holder = $3, node = $4
                     WHERE game_id = $1 AND player_id = $2
                     RETURNING attempt, question, shown_ms, closed, finished_ms IS NOT NULL",
                    &[&game.0, &player, &holder, &node],
                )
                .await?;
            let answers = tx
                .query(
                    "SELECT question_index, correct, points FROM answers
                     WHERE game_id = $1 AND player_id = $2 ORDER BY question_index",
                    &[&game.0, &player],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(Counted {
                        index: int(r, 0)?,
                        correct: r.try_get(1)?,
                        points: r.try_get(2)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            tx.commit().await?;
            let mut at = at_of(opt_int(&t, 1)?, t.try_get(2)?, t.try_get(3)?, t.try_get(4)?);
            if let At::Closed { index, answered } = &mut at {
                *answered = answers.iter().any(|a| a.index == *index);
            }
            Ok(Some(StoredAttempt {
                player: PlayerId(int(&r, 0)?),
                name,
                attempt: int(&t, 0)?,
                at,
                answers,
            }))
        })
    }

    pub fn save_attempt(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        at: At,
        score: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let (question, shown, closed, finished) = columns_of(at);
        let question = question.map(i64::from);
        let holder = holder.to_owned();
        self.with_client(move |c| async move {
            let n = c
                .execute(
                    "UPDATE attempts SET question = $4, shown_ms = $5, closed = $6,
                            finished_ms = CASE WHEN $7 THEN $8::bigint ELSE NULL END, score = $9
                     WHERE game_id = $1 AND player_id = $2 AND holder = $3",
                    &[
                        &game.0,
                        &i64::from(player.0),
                        &holder,
                        &question,
                        &shown,
                        &closed,
                        &finished,
                        &now_ms,
                        &score,
                    ],
                )
                .await?;
            Ok(n == 1)
        })
    }

    pub fn save_attempt_answer(
        &self,
        game: GameId,
        player: PlayerId,
        holder: &str,
        answered: &Answered,
        score: i64,
    ) -> Result<bool> {
        let holder = holder.to_owned();
        let a = answered.clone();
        let value = serde_json::to_string(&a.value)?;
        self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            let n = tx
                .execute(
                    "UPDATE attempts SET closed = TRUE, score = $4
                     WHERE game_id = $1 AND player_id = $2 AND holder = $3",
                    &[&game.0, &i64::from(player.0), &holder, &score],
                )
                .await?;
            if n != 1 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO answers (game_id, question_index, player_id, elapsed_ms, correct,
                                      points, answer)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &game.0,
                    &i64::from(a.index),
                    &i64::from(player.0),
                    &i64::try_from(a.elapsed_ms).unwrap_or(i64::MAX),
                    &a.correct,
                    &a.points,
                    &value,
                ],
            )
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub fn attempt_rank(&self, game: GameId, score: i64) -> Result<(u32, u32)> {
        self.with_client(move |c| async move {
            let r = c
                .query_one(
                    "SELECT 1 + COUNT(*) FILTER (WHERE score > $2), COUNT(*) FROM attempts
                     WHERE game_id = $1 AND finished_ms IS NOT NULL",
                    &[&game.0, &score],
                )
                .await?;
            Ok((int(&r, 0)?, int(&r, 1)?))
        })
    }

    pub fn list_assignments(&self, account: &Account) -> Result<Vec<AssignmentRow>> {
        let (admin, id) = (account.role == Role::Admin, account.id);
        self.with_client(move |c| async move {
            let now = unix_now_ms();
            c.execute(SETTLE, &[&now]).await?;
            let sql =
                format!("{ROW_SELECT} WHERE $1 OR g.host_id = $2 ORDER BY a.game_id DESC LIMIT $3");
            c.query(&sql, &[&admin, &id, &i64::from(MAX_GAMES_LISTED)])
                .await?
                .iter()
                .map(|r| row_of(r, now))
                .collect()
        })
    }

    pub fn assignment_view(&self, game: GameId) -> Result<Option<AssignmentView>> {
        self.with_client(move |c| async move {
            let now = unix_now_ms();
            c.execute(SETTLE, &[&now]).await?;
            let sql = format!("{ROW_SELECT} WHERE a.game_id = $1");
            let Some(r) = c.query_opt(&sql, &[&game.0]).await? else {
                return Ok(None);
            };
            let row = row_of(&r, now)?;
            let average_score: Option<f64> = c
                .query_one(
                    "SELECT AVG(score)::double precision FROM attempts
                     WHERE game_id = $1 AND finished_ms IS NOT NULL",
                    &[&game.0],
                )
                .await?
                .try_get(0)?;
            let mut lines = c
                .query(
                    "SELECT t.player_id, p.name, p.identifier, t.attempt, t.score
                     FROM attempts t JOIN players p
                       ON p.game_id = t.game_id AND p.player_id = t.player_id
                     WHERE t.game_id = $1 AND t.finished_ms IS NOT NULL
                     ORDER BY t.score DESC, t.finished_ms, t.player_id LIMIT $2",
                    &[
                        &game.0,
                        &i64::from(crate::store::assignments::MAX_VIEW_LINES),
                    ],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(AttemptLine {
                        player_id: PlayerId(int(r, 0)?),
                        name: r.try_get(1)?,
                        identifier: r.try_get(2)?,
                        attempt: int(r, 3)?,
                        score: r.try_get(4)?,
                        rank: 0,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let ranks = quizrace_protocol::shared_ranks(&lines, |above, l| above.score == l.score);
            for (line, rank) in lines.iter_mut().zip(ranks) {
                line.rank = rank;
            }
            Ok(Some(AssignmentView {
                row,
                average_score,
                leaderboard: lines,
            }))
        })
    }

    pub fn close_assignment(&self, game: GameId) -> Result<()> {
        self.with_client(move |c| async move {
            let now = unix_now_ms();
            c.execute(
                "UPDATE assignments SET closed_ms = $2 WHERE game_id = $1 AND closed_ms IS NULL",
                &[&game.0, &now],
            )
            .await?;
            c.execute(SETTLE, &[&now]).await?;
            Ok(())
        })
    }
}
