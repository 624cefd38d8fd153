//! Running games read back on PostgreSQL, for the rooms a node claims: the same rows and the
//! same rebuilding as SQLite's restore (`super::super::restore`), with an open question's
//! time measured to when its old owner was last known alive.

use super::{int, opt_int, PgStore};
use crate::room::state::MAX_HOST_KEYS;
use crate::room::Timing;
use crate::store::restore::{AnswerRow, PlayerRow, RunningRow};
use crate::store::{Result, RunningGames};
use quizrace_protocol::GameId;

impl PgStore {
    /// The games `games` (each with `stopped_at_ms`, unix milliseconds by the database's
    /// clock: when its old owner last renewed its lease, or when it was handed over), read
    /// back for `Room::restore`. Games no longer running are left out; a game whose rows
    /// cannot be read comes back as `Err` with its id, to be aborted. Blocks: call from a
    /// blocking thread; on the backend's runtime, use [`PgStore::read_running_async`].
    pub fn read_running(&self, games: &[(GameId, i64)]) -> Result<RunningGames> {
        let (store, games) = (self.clone(), games.to_vec());
        self.run(async move { store.read_running_async(&games).await })
    }

    /// [`PgStore::read_running`], for a task (the claim loop).
    pub async fn read_running_async(&self, games: &[(GameId, i64)]) -> Result<RunningGames> {
        let c = self.pool().get().await?;
        let mut out = Vec::new();
        for &(game, stopped_at_ms) in games {
            let Some(r) = c
                .query_opt(
                    "SELECT id, pin, mode, quiz_doc, host_key_hash, max_players, auto_advance_ms,
                            chat, locked, phase, phase_index, opened_ms, names,
                            time_factor, no_time_limit, leaderboard, shuffle_answers,
                            team_count, team_size, media_on_phones,
                            team_choice, team_talk_ms, question_on_phones
                     FROM games WHERE id = $1 AND status = 'running'",
                    &[&game.0],
                )
                .await?
            else {
                continue;
            };
            let row = RunningRow {
                id: r.try_get("id")?,
                pin: r.try_get("pin")?,
                mode: r.try_get("mode")?,
                doc: r.try_get("quiz_doc")?,
                host_key: r.try_get("host_key_hash")?,
                max_players: opt_int(&r, "max_players")?,
                auto_advance_ms: opt_int(&r, "auto_advance_ms")?,
                chat: r.try_get("chat")?,
                locked: r.try_get("locked")?,
                phase: r.try_get("phase")?,
                phase_index: opt_int(&r, "phase_index")?,
                opened_ms: r.try_get("opened_ms")?,
                names: r.try_get("names")?,
                timing: Timing {
                    time_factor: r.try_get("time_factor")?,
                    no_time_limit: r.try_get("no_time_limit")?,
                },
                leaderboard: r.try_get("leaderboard")?,
                shuffle_answers: r.try_get("shuffle_answers")?,
                team_count: opt_int(&r, "team_count")?,
                team_size: opt_int(&r, "team_size")?,
                media_on_phones: r.try_get("media_on_phones")?,
                question_on_phones: r.try_get("question_on_phones")?,
                team_choice: r.try_get("team_choice")?,
                team_talk_ms: int(&r, "team_talk_ms")?,
            };
            let players = c
                .query(
                    "SELECT player_id, name, token_hash, status, first_index, team FROM players
                     WHERE game_id = $1 ORDER BY player_id",
                    &[&game.0],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(PlayerRow {
                        id: int(r, "player_id")?,
                        name: r.try_get("name")?,
                        token_hash: r.try_get("token_hash")?,
                        status: r.try_get("status")?,
                        first_index: int(r, "first_index")?,
                        team: opt_int(r, "team")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let answers = c
                .query(
                    "SELECT question_index, player_id, elapsed_ms, correct, points, answer
                     FROM answers WHERE game_id = $1",
                    &[&game.0],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(AnswerRow {
                        index: int(r, "question_index")?,
                        player: int(r, "player_id")?,
                        elapsed_ms: int(r, "elapsed_ms")?,
                        correct: r.try_get("correct")?,
                        points: r.try_get("points")?,
                        answer: r.try_get("answer")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let mut host_keys = c
                .query(
                    "SELECT key_hash FROM host_keys WHERE game_id = $1 ORDER BY id DESC LIMIT $2",
                    &[&game.0, &(MAX_HOST_KEYS as i64)],
                )
                .await?
                .iter()
                .map(|r| Ok(r.try_get(0)?))
                .collect::<Result<Vec<String>>>()?;
            host_keys.reverse();
            out.push(row.rebuild(stopped_at_ms, players, answers, host_keys));
        }
        Ok(out)
    }
}
