//! Reading the games a previous process left running back, for `Room::restore`.

use super::values::SqlText;
use super::{lock, Result, Store};
use crate::room::state::{
    PlayerStatus, Saved, SavedAnswer, SavedPhase, SavedPlayer, StoredPhase, MAX_HOST_KEYS,
};
use crate::room::Timing;
use quizrace_protocol::{
    GameId, LeaderboardAt, Mode, NamePolicy, Pin, PlayerId, QuizDoc, TeamChoice, TeamPlan,
};
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
    pub timing: Timing,
    pub leaderboard: LeaderboardAt,
    pub shuffle_answers: bool,
    /// A team game's plan.
    pub teams: Option<TeamPlan>,
    pub media_on_phones: bool,
    pub question_on_phones: bool,
    pub team_choice: TeamChoice,
    pub team_talk_ms: u64,
    pub saved: Saved,
}

impl Store {
    /// Every game left `running` by a previous process, with what its room needs to be
    /// rebuilt. A game whose rows cannot even be read comes back as `Err` with its id, to be
    /// aborted. An open question's time runs to the last heartbeat the writer stamped.
    pub fn running_games(&self) -> Result<Vec<std::result::Result<RunningGame, (GameId, String)>>> {
        let db = lock(&self.db);
        let heartbeat: i64 = db.query_row("SELECT at_ms FROM heartbeat", [], |r| r.get(0))?;
        let mut stmt = db.prepare(
            "SELECT id, pin, mode, quiz_doc, host_key_hash, max_players, auto_advance_ms, chat, locked,
                    phase, phase_index, opened_ms, names, time_factor, no_time_limit,
                    leaderboard, shuffle_answers,
                    team_count, team_size, media_on_phones,
                    team_choice, team_talk_ms, question_on_phones
             FROM games WHERE status = 'running'
               AND id NOT IN (SELECT game_id FROM assignments) ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], RunningRow::from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for row in rows {
            let id = row.id;
            let players = db
                .prepare_cached(
                    "SELECT player_id, name, token_hash, status, first_index, team FROM players
                     WHERE game_id = ?1 ORDER BY player_id",
                )?
                .query_map([id], PlayerRow::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let answers = db
                .prepare_cached(
                    "SELECT question_index, player_id, elapsed_ms, correct, points, answer
                     FROM answers WHERE game_id = ?1",
                )?
                .query_map([id], AnswerRow::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut host_keys = db
                .prepare_cached(
                    "SELECT key_hash FROM host_keys WHERE game_id = ?1 ORDER BY id DESC LIMIT ?2",
                )?
                .query_map(params![id, MAX_HOST_KEYS], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            host_keys.reverse();
            out.push(row.rebuild(heartbeat, players, answers, host_keys));
        }
        Ok(out)
    }
}

/// A `games` row left `running`, as read back: the columns a room's settings come from. The
/// mode, phase and name policy stay text here, so that one unknown value fails only its game.
/// Both backends read into it and rebuild through [`RunningRow::rebuild`].
pub(super) struct RunningRow {
    pub id: i64,
    pub pin: String,
    pub mode: String,
    pub doc: String,
    /// Null in games stored by version 1, which cannot resume.
    pub host_key: Option<String>,
    pub max_players: Option<u32>,
    pub auto_advance_ms: Option<u64>,
    pub chat: bool,
    pub locked: bool,
    pub phase: String,
    pub phase_index: Option<u32>,
    /// When the open question opened, by the writer's clock.
    pub opened_ms: Option<i64>,
    pub names: String,
    pub timing: Timing,
    pub leaderboard: String,
    pub shuffle_answers: bool,
    /// A team game's plan: at most one of the two is set.
    pub team_count: Option<u32>,
    pub team_size: Option<u32>,
    pub media_on_phones: bool,
    pub question_on_phones: bool,
    pub team_choice: String,
    pub team_talk_ms: u64,
}

impl RunningRow {
    /// The game as its room is rebuilt from, with its players (in id order), answers and
    /// host keys (oldest first). An open question has been open from `opened_ms` to
    /// `stopped_at_ms`, the last moment its old owner is known to have been alive (SQLite:
    /// the writer's last heartbeat; PostgreSQL: the owner node's last lease renewal), both by
    /// the same clock; a clock set back counts as 0. `Err` names the game and why it cannot
    /// be rebuilt.
    pub(super) fn rebuild(
        self,
        stopped_at_ms: i64,
        players: Vec<PlayerRow>,
        answers: Vec<AnswerRow>,
        host_keys: Vec<String>,
    ) -> std::result::Result<RunningGame, (GameId, String)> {
        let game = GameId(self.id);
        let fail = |m: &str| Err((game, m.to_owned()));
        let (Some(host_key), Some(max_players)) = (self.host_key, self.max_players) else {
            return fail("stored by a version without resume");
        };
        let Some(mode) = Mode::from_sql(&self.mode) else {
            return fail("unknown mode");
        };
        let Some(names) = NamePolicy::from_sql(&self.names) else {
            return fail("unknown name policy");
        };
        let Some(leaderboard) = LeaderboardAt::from_sql(&self.leaderboard) else {
            return fail("unknown leaderboard setting");
        };
        let teams = match (self.team_count, self.team_size) {
            (None, None) => None,
            (Some(n), None) => Some(TeamPlan::Count(n)),
            (None, Some(n)) => Some(TeamPlan::Size(n)),
            (Some(_), Some(_)) => return fail("both a team count and a team size"),
        };
        let Some(team_choice) = TeamChoice::from_sql(&self.team_choice) else {
            return fail("unknown team choice");
        };
        let Ok(doc) = serde_json::from_str::<QuizDoc>(&self.doc) else {
            return fail("the quiz document is unreadable");
        };
        let phase = match (StoredPhase::from_sql(&self.phase), self.phase_index) {
            (Some(StoredPhase::Lobby), _) => SavedPhase::Lobby,
            (Some(StoredPhase::Question), Some(index)) => SavedPhase::Question {
                index,
                elapsed_ms: stopped_at_ms
                    .saturating_sub(self.opened_ms.unwrap_or(stopped_at_ms))
                    .max(0) as u64,
            },
            (Some(StoredPhase::Reveal), Some(index)) => SavedPhase::Reveal { index },
            (Some(StoredPhase::Leaderboard), Some(index)) => SavedPhase::Leaderboard { index },
            _ => return fail("the stored phase is incomplete"),
        };
        let Some(players) = players
            .into_iter()
            .map(PlayerRow::into_saved)
            .collect::<Option<Vec<_>>>()
        else {
            return fail("a player's stored status is unknown");
        };
        let Ok(answers) = answers
            .into_iter()
            .map(AnswerRow::into_saved)
            .collect::<serde_json::Result<Vec<_>>>()
        else {
            return fail("a stored answer is unreadable");
        };
        Ok(RunningGame {
            game,
            pin: Pin(self.pin),
            mode,
            doc,
            host_key,
            max_players,
            auto_advance_ms: self.auto_advance_ms,
            names,
            timing: self.timing,
            leaderboard,
            shuffle_answers: self.shuffle_answers,
            teams,
            media_on_phones: self.media_on_phones,
            question_on_phones: self.question_on_phones,
            team_choice,
            team_talk_ms: self.team_talk_ms,
            saved: Saved {
                players,
                answers,
                phase,
                locked: self.locked,
                chat: self.chat,
                host_keys,
            },
        })
    }

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
            timing: Timing {
                time_factor: r.get("time_factor")?,
                no_time_limit: r.get("no_time_limit")?,
            },
            leaderboard: r.get("leaderboard")?,
            shuffle_answers: r.get("shuffle_answers")?,
            team_count: r.get("team_count")?,
            team_size: r.get("team_size")?,
            media_on_phones: r.get("media_on_phones")?,
            question_on_phones: r.get("question_on_phones")?,
            team_choice: r.get("team_choice")?,
            team_talk_ms: r.get("team_talk_ms")?,
        })
    }
}

/// A `players` row; its status is still text, so that one unknown status fails only its game.
pub(super) struct PlayerRow {
    pub id: u32,
    pub name: String,
    pub token_hash: String,
    pub status: String,
    pub first_index: u32,
    pub team: Option<u32>,
}

impl PlayerRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<PlayerRow> {
        Ok(PlayerRow {
            id: r.get("player_id")?,
            name: r.get("name")?,
            token_hash: r.get("token_hash")?,
            status: r.get("status")?,
            first_index: r.get("first_index")?,
            team: r.get("team")?,
        })
    }

    /// The room's saved player; `None` for a status this server does not know.
    fn into_saved(self) -> Option<SavedPlayer> {
        Some(SavedPlayer {
            id: PlayerId(self.id),
            name: self.name,
            token_hash: self.token_hash,
            status: PlayerStatus::from_sql(&self.status)?,
            first_index: self.first_index,
            team: self.team,
        })
    }
}

/// An `answers` row, its answer still the stored JSON text.
pub(super) struct AnswerRow {
    pub index: u32,
    pub player: u32,
    pub elapsed_ms: u64,
    pub correct: Option<bool>,
    pub points: i64,
    pub answer: String,
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
    use crate::store::both::{both, Backend};
    use std::sync::Arc;
    use std::time::Duration;
    use tokio::sync::watch;

    /// Rows handed to the writer come back as the room's saved state, with the time the
    /// question had been open measured from the writer's own stamps (to the last heartbeat
    /// on SQLite; on PostgreSQL, to the moment read back).
    #[test]
    fn what_the_writer_stores_is_what_a_restore_reads() {
        both(what_the_writer_stores_is_what_a_restore_reads_on);
    }

    fn what_the_writer_stores_is_what_a_restore_reads_on(b: &Backend) {
        let store = b.catalog();
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
            teams: Some(TeamPlan::Size(4)),
            team_choice: TeamChoice::Players,
            team_talk_ms: 7000,
            blocked_words: Default::default(),
            timing: Timing {
                time_factor: 1.5,
                no_time_limit: true,
            },
            leaderboard: LeaderboardAt::End,
            shuffle_answers: true,
            media_on_phones: true,
            question_on_phones: false,
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
                team: Some(3),
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
            store
                .room_writer()
                .write(w, i as u64 + 1, Arc::clone(&notify));
        }
        b.flush();
        assert_eq!(
            *seen.borrow(),
            Committed::UpTo(4),
            "every row reported committed"
        );
        std::thread::sleep(Duration::from_millis(1200)); // at least one heartbeat
        b.flush();
        let running = b.running();
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
        assert_eq!(
            (g.timing.time_factor, g.timing.no_time_limit),
            (1.5, true),
            "a room keeps its pace"
        );
        assert_eq!(g.leaderboard, LeaderboardAt::End);
        assert!(g.shuffle_answers, "phones keep their own choice orders");
        assert!(g.media_on_phones, "phones keep their media");
        assert!(!g.question_on_phones, "phones keep their shapes-only tiles");
        assert_eq!(g.saved.players[0].token_hash, "t1");
        assert_eq!(
            (g.teams, g.saved.players[0].team),
            (Some(TeamPlan::Size(4)), Some(3)),
            "a team room keeps its plan and every player's team"
        );
        assert_eq!(
            (g.team_choice, g.team_talk_ms),
            (TeamChoice::Players, 7000),
            "and who chooses the teams, and its team talk"
        );
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
        assert!(store.writer_stats().commits.get() >= 1);
        assert_eq!(store.writer_stats().rows.get(), 4);
        store.abort_game(game).expect("abort");
        assert!(b.running().is_empty());
        let report = store.game_report(game).expect("report").expect("game");
        assert_eq!(
            (report.status, report.answers.len()),
            (GameStatus::Aborted, 1)
        );
    }
}
