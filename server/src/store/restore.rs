//! Reading the games a previous process left running back, for `Room::restore`.

use super::values::SqlText;
use super::{lock, Result, Store};
use crate::room::state::{
    PlayerStatus, Saved, SavedAnswer, SavedPhase, SavedPlayer, StoredPhase, MAX_HOST_KEYS,
};
use quizrace_protocol::{GameId, Mode, NamePolicy, Pin, PlayerId, QuizDoc};
use rusqlite::{params, Row};

/// A game left `running`, as stored.
#[derive(Debug, Clone)]
pub struct RunningGame {
    pub game: GameId,
    pub pin: Pin,
    pub mode: Mode,
    pub doc: QuizDoc,
    /// The hash of the key the game was created with (its accepted keys are in `saved`).
    pub host_key: String,
    pub max_players: u32,
    pub auto_advance_ms: Option<u64>,
    /// Who names the players of this room.
    pub names: NamePolicy,
    pub saved: Saved,
}

impl Store {
    /// Every game left `running` by a previous process, with what its room needs to be
    /// rebuilt. A game whose rows cannot even be read comes back as `Err` with its id, to be
    /// aborted.
    pub fn running_games(&self) -> Result<Vec<std::result::Result<RunningGame, (GameId, String)>>> {
        let db = lock(&self.db);
        let heartbeat: i64 = db.query_row("SELECT at_ms FROM heartbeat", [], |r| r.get(0))?;
        let mut stmt = db.prepare(
            "SELECT id, pin, mode, quiz_doc, host_key_hash, max_players, auto_advance_ms, chat, locked,
                    phase, phase_index, opened_ms, names
             FROM games WHERE status = 'running' ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], RunningRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for row in rows {
            let RunningRow {
                id,
                pin,
                mode,
                doc,
                host_key,
                max_players,
                auto_advance_ms: auto,
                chat,
                locked,
                phase,
                phase_index: pi,
                opened_ms: opened,
                names,
            } = row;
            let game = GameId(id);
            let fail = |m: &str| Err((game, m.to_owned()));
            let (Some(host_key), Some(max_players)) = (host_key, max_players) else {
                out.push(fail("stored by a version without resume"));
                continue;
            };
            let Some(mode) = Mode::from_sql(&mode) else {
                out.push(fail("unknown mode"));
                continue;
            };
            let Some(names) = NamePolicy::from_sql(&names) else {
                out.push(fail("unknown name policy"));
                continue;
            };
            let Ok(doc) = serde_json::from_str::<QuizDoc>(&doc) else {
                out.push(fail("the quiz document is unreadable"));
                continue;
            };
            let phase = match (StoredPhase::from_sql(&phase), pi) {
                (Some(StoredPhase::Lobby), _) => SavedPhase::Lobby,
                (Some(StoredPhase::Question), Some(index)) => SavedPhase::Question {
                    index,
                    // Both stamps come from the writer's clock; a clock set back counts as 0.
                    elapsed_ms: heartbeat.saturating_sub(opened.unwrap_or(heartbeat)).max(0) as u64,
                },
                (Some(StoredPhase::Reveal), Some(index)) => SavedPhase::Reveal { index },
                (Some(StoredPhase::Leaderboard), Some(index)) => SavedPhase::Leaderboard { index },
                _ => {
                    out.push(fail("the stored phase is incomplete"));
                    continue;
                }
            };
            let players = db
                .prepare_cached(
                    "SELECT player_id, name, token_hash, status FROM players
                     WHERE game_id = ?1 ORDER BY player_id",
                )?
                .query_map([id], PlayerRow::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let Some(players) = players
                .into_iter()
                .map(PlayerRow::into_saved)
                .collect::<Option<Vec<_>>>()
            else {
                out.push(fail("a player's stored status is unknown"));
                continue;
            };
            let raw = db
                .prepare_cached(
                    "SELECT question_index, player_id, elapsed_ms, correct, points, answer
                     FROM answers WHERE game_id = ?1",
                )?
                .query_map([id], AnswerRow::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let answers: std::result::Result<Vec<SavedAnswer>, _> =
                raw.into_iter().map(AnswerRow::into_saved).collect();
            let Ok(answers) = answers else {
                out.push(fail("a stored answer is unreadable"));
                continue;
            };
            let mut host_keys = db
                .prepare_cached(
                    "SELECT key_hash FROM host_keys WHERE game_id = ?1 ORDER BY id DESC LIMIT ?2",
                )?
                .query_map(params![id, MAX_HOST_KEYS], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            host_keys.reverse();
            out.push(Ok(RunningGame {
                game,
                pin: Pin(pin),
                mode,
                doc,
                host_key,
                max_players,
                auto_advance_ms: auto,
                names,
                saved: Saved {
                    players,
                    answers,
                    phase,
                    locked,
                    chat,
                    host_keys,
                },
            }));
        }
        Ok(out)
    }
}

/// A `games` row left `running`, as read back: the columns a room's settings come from. The
/// mode, phase and name policy stay text here, so that one unknown value fails only its game.
struct RunningRow {
    id: i64,
    pin: String,
    mode: String,
    doc: String,
    /// Null in games stored by version 1, which cannot resume.
    host_key: Option<String>,
    max_players: Option<u32>,
    auto_advance_ms: Option<u64>,
    chat: bool,
    locked: bool,
    phase: String,
    phase_index: Option<u32>,
    opened_ms: Option<i64>,
    names: String,
}

impl RunningRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RunningRow> {
        Ok(RunningRow {
            id: r.get("id")?,
            pin: r.get("pin")?,
            mode: r.get("mode")?,
            doc: r.get("quiz_doc")?,
            host_key: r.get("host_key_hash")?,
            max_players: r.get("max_players")?,
            auto_advance_ms: r.get("auto_advance_ms")?,
            chat: r.get("chat")?,
            locked: r.get("locked")?,
            phase: r.get("phase")?,
            phase_index: r.get("phase_index")?,
            opened_ms: r.get("opened_ms")?,
            names: r.get("names")?,
        })
    }
}

/// A `players` row; its status is still text, so that one unknown status fails only its game.
struct PlayerRow {
    id: u32,
    name: String,
    token_hash: String,
    status: String,
}

impl PlayerRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<PlayerRow> {
        Ok(PlayerRow {
            id: r.get("player_id")?,
            name: r.get("name")?,
            token_hash: r.get("token_hash")?,
            status: r.get("status")?,
        })
    }

    /// The room's saved player; `None` for a status this server does not know.
    fn into_saved(self) -> Option<SavedPlayer> {
        Some(SavedPlayer {
            id: PlayerId(self.id),
            name: self.name,
            token_hash: self.token_hash,
            status: PlayerStatus::from_sql(&self.status)?,
        })
    }
}

/// An `answers` row, its answer still the stored JSON text.
struct AnswerRow {
    index: u32,
    player: u32,
    elapsed_ms: u64,
    correct: Option<bool>,
    points: i64,
    answer: String,
}

impl AnswerRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<AnswerRow> {
        Ok(AnswerRow {
            index: r.get("question_index")?,
            player: r.get("player_id")?,
            elapsed_ms: r.get("elapsed_ms")?,
            correct: r.get("correct")?,
            points: r.get("points")?,
            answer: r.get("answer")?,
        })
    }

    /// The room's saved answer; an error when the stored JSON is unreadable.
    fn into_saved(self) -> serde_json::Result<SavedAnswer> {
        serde_json::from_str(&self.answer).map(|value| SavedAnswer {
            index: self.index,
            player: PlayerId(self.player),
            elapsed_ms: self.elapsed_ms,
            correct: self.correct,
            points: self.points,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::state::{GameStatus, Settings, Write};
    use crate::room::storage::Committed;
    use crate::store::testing::temp_store;
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::watch;

    /// Rows handed to the writer come back as the room's saved state, with the time the
    /// question had been open measured from the writer's own stamps.
    #[tokio::test]
    async fn what_the_writer_stores_is_what_a_restore_reads() {
        let (_dir, store) = temp_store();
        store.bootstrap_admin(Some("pw")).expect("admin");
        let doc: QuizDoc = serde_json::from_value(serde_json::json!({"title":"T","questions":[
            {"kind":"choice","text":"?","choices":["a","b"],"correct":[0],"time_limit_s":10}]}))
        .expect("doc");
        let quiz = store.create_quiz(1, &doc).expect("quiz");
        let settings = Settings {
            pin: Pin("111222".into()),
            game_id: GameId(0),
            mode: Mode::Race,
            max_players: 7,
            auto_advance_ms: Some(3000),
            chat: true,
            host_key: "hk".into(),
            names: NamePolicy::Generated,
        };
        let game = store.create_game(quiz, 1, &settings, &doc).expect("game");
        let (notify, seen) = watch::channel(Committed::UpTo(0));
        let notify = Arc::new(notify);
        let rows = [
            Write::Player {
                game,
                player: PlayerId(1),
                name: "Ada".into(),
                token_hash: "t1".into(),
                first_index: 0,
            },
            Write::Phase {
                game,
                phase: StoredPhase::Question,
                index: 0,
            },
            Write::Answer {
                game,
                index: 0,
                player: PlayerId(1),
                elapsed_ms: 800,
                correct: Some(true),
                points: 1000,
                answer: quizrace_protocol::AnswerValue::Choice(0),
            },
            Write::Flags {
                game,
                locked: true,
                chat: false,
            },
        ];
        for (i, w) in rows.into_iter().enumerate() {
            store.writer.write(w, i as u64 + 1, Arc::clone(&notify));
        }
        store.writer.flush().await;
        assert_eq!(
            *seen.borrow(),
            Committed::UpTo(4),
            "every row reported committed"
        );
        std::thread::sleep(Duration::from_millis(1200)); // at least one heartbeat
        store.writer.flush().await;
        let running = store.running_games().expect("running");
        let [Ok(g)] = running.as_slice() else {
            panic!("{running:?}");
        };
        assert_eq!(
            (g.game, g.pin.0.as_str(), g.mode),
            (game, "111222", Mode::Race)
        );
        assert_eq!(
            (g.host_key.as_str(), g.max_players, g.auto_advance_ms),
            ("hk", 7, Some(3000))
        );
        assert!(g.saved.locked && !g.saved.chat);
        assert_eq!(
            g.names,
            NamePolicy::Generated,
            "a generated-names room keeps naming its players"
        );
        assert_eq!(g.saved.players[0].token_hash, "t1");
        assert_eq!(g.saved.answers[0].points, 1000);
        match g.saved.phase {
            SavedPhase::Question {
                index: 0,
                elapsed_ms,
            } => {
                assert!((1000..5000).contains(&elapsed_ms), "{elapsed_ms}")
            }
            other => panic!("{other:?}"),
        }
        assert!(store.writer.stats.commits.get() >= 2);
        store.abort_game(game).expect("abort");
        assert!(store.running_games().expect("running").is_empty());
        let report = store.game_report(game).expect("report").expect("game");
        assert_eq!(
            (report.status, report.answers.len()),
            (GameStatus::Aborted, 1)
        );
    }
}
