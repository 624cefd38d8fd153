//! Games: creating one for a room, the games list, a game's report and the public
//! leaderboard. Scores are never stored: a report sums the stored points.

use super::values::Text;
use super::{lock, seconds_to_ms, unix_now, Account, Result, Role, Store};
use crate::room::state::{GameStatus, PlayerStatus, Settings, StoredPhase};
use quizrace_protocol::{GameId, Mode, PlayerId, QuizDoc, QuizId};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One line of `GET /api/games`. Times are unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct GameRow {
    pub game_id: GameId,
    pub quiz_id: QuizId,
    pub title: String,
    pub mode: Mode,
    pub status: GameStatus,
    pub host: String,
    pub players: u32,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub private: bool,
    /// A running game's host takes control again from another device with this PIN and
    /// their session token (`host_resume`); the host key is never stored in the clear.
    pub pin: String,
}

impl GameRow {
    /// A row of the `list_games` query, by column position (its title and player count are
    /// computed, so they have no column name).
    fn from_row(r: &Row<'_>) -> rusqlite::Result<GameRow> {
        Ok(GameRow {
            game_id: GameId(r.get(0)?),
            quiz_id: QuizId(r.get(1)?),
            title: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            mode: r.get::<_, Text<Mode>>(3)?.0,
            status: r.get::<_, Text<GameStatus>>(4)?.0,
            host: r.get(5)?,
            players: r.get(6)?,
            created_at: seconds_to_ms(r.get(7)?),
            finished_at: r.get::<_, Option<i64>>(8)?.map(seconds_to_ms),
            private: r.get(9)?,
            pin: r.get(10)?,
        })
    }
}

/// A podium place on the public leaderboard.
#[derive(Debug, Clone, Serialize)]
pub struct PodiumPlace {
    pub rank: u32,
    pub name: String,
    pub score: i64,
}

/// One finished, public game on `GET /api/leaderboard`.
#[derive(Debug, Clone, Serialize)]
pub struct LeaderboardGame {
    pub game_id: GameId,
    pub title: String,
    pub mode: Mode,
    pub finished_at: Option<i64>,
    pub players: u32,
    pub podium: Vec<PodiumPlace>,
}

/// A game's quiz as [`Store::game_quiz`] reads it.
#[derive(Debug, Clone)]
pub struct GameQuiz {
    pub quiz_id: QuizId,
    pub host_id: i64,
    /// The game's own copy, normalised as stored today.
    pub doc: QuizDoc,
}

impl GameQuiz {
    pub(super) fn from_columns(quiz: i64, host: i64, doc: &str) -> Result<GameQuiz> {
        Ok(GameQuiz {
            quiz_id: QuizId(quiz),
            host_id: host,
            doc: serde_json::from_str::<QuizDoc>(doc)?.tidied(),
        })
    }
}

/// Most games `GET /api/games` lists, and most on the public leaderboard.
pub const MAX_GAMES_LISTED: u32 = 200;
pub const MAX_LEADERBOARD: u32 = 20;

#[derive(Debug, Clone, Serialize)]
pub struct ReportPlayer {
    pub player_id: PlayerId,
    pub name: String,
    pub score: i64,
    pub rank: u32,
    pub status: PlayerStatus,
    /// The first question the player could answer (the one open when they joined, or the
    /// next one); they were asked `first_asked .. first_asked + asked`.
    pub first_asked: u32,
    /// Questions opened while the player was in the game.
    pub asked: u32,
    /// In a team game, the player's team (absent for one who never had one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<u32>,
    /// An assignment's attempt: what the player gave for the identifier it asks for. The
    /// report goes to the game's owner and admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportAnswer {
    pub index: u32,
    pub player_id: PlayerId,
    pub elapsed_ms: u64,
    pub correct: Option<bool>,
    pub points: i64,
    /// What the player chose, as stored: `{"choice":1}`, `{"choices":[0,2]}`, `{"text":"Au"}`.
    pub answer: serde_json::Value,
}

/// `GET /api/games/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct GameReport {
    pub game_id: GameId,
    pub quiz_id: QuizId,
    pub title: String,
    pub mode: Mode,
    pub status: GameStatus,
    pub questions: usize,
    #[serde(skip)]
    pub host_id: i64,
    pub private: bool,
    /// Unix milliseconds.
    pub created_at: i64,
    pub finished_at: Option<i64>,
    /// The quiz as played, answers included (the stored quiz may have changed since).
    pub quiz: QuizDoc,
    pub players: Vec<ReportPlayer>,
    pub answers: Vec<ReportAnswer>,
    /// In a team game: the team standings, best first, replayed from the answers by the
    /// room's rule (see [`crate::report::teams`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<quizrace_protocol::TeamStanding>>,
}

fn insert_game(
    db: &mut Connection,
    quiz: QuizId,
    host: i64,
    settings: &Settings,
    doc: &QuizDoc,
) -> Result<GameId> {
    let tx = db.transaction()?;
    tx.execute(
        "INSERT INTO games (quiz_id, host_id, pin, mode, status, quiz_doc, created_at,
                           host_key_hash, max_players, auto_advance_ms, chat, names,
                           time_factor, no_time_limit, leaderboard, shuffle_answers,
                           team_count, team_size, media_on_phones, team_choice, team_talk_ms,
                           question_on_phones)
         VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?18, ?19, ?20, ?21)",
        params![
            quiz.0,
            host,
            settings.pin.0,
            Text(settings.mode),
            serde_json::to_string(doc)?,
            unix_now(),
            settings.host_key,
            settings.max_players,
            settings.auto_advance_ms,
            settings.chat,
            Text(settings.names),
            settings.timing.time_factor,
            settings.timing.no_time_limit,
            Text(settings.leaderboard),
            settings.shuffle_answers,
            team_count(settings),
            team_size(settings),
            settings.media_on_phones,
            Text(settings.team_choice),
            settings.team_talk_ms,
            settings.question_on_phones,
        ],
    )?;
    let game = tx.last_insert_rowid();
    // The key the room starts with; devices that take control add theirs.
    tx.execute(
        "INSERT INTO host_keys (game_id, key_hash) VALUES (?1, ?2)",
        params![game, settings.host_key],
    )?;
    tx.commit()?;
    Ok(GameId(game))
}

impl Store {
    /// A game that cannot be resumed: marked `aborted`, every stored row kept.
    pub fn abort_game(&self, game: GameId) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE games SET status = 'aborted', finished_at = ?2 WHERE id = ?1 AND status = 'running'",
            params![game.0, unix_now()],
        )?;
        Ok(())
    }

    /// The games `account` hosted (an admin: everyone's), newest first.
    pub fn list_games(&self, account: &Account) -> Result<Vec<GameRow>> {
        let db = lock(&self.db);
        // An assignment past its deadline is listed as the finished game it now is.
        super::assignments::settle(&db, super::unix_now_ms())?;
        let mut stmt = db.prepare(
            "SELECT g.id, g.quiz_id, trim(json_extract(g.quiz_doc, '$.title')), g.mode, g.status,
                    a.username,
                    (SELECT COUNT(*) FROM players p WHERE p.game_id = g.id AND p.status != 'removed'),
                    g.created_at, g.finished_at, g.private, g.pin
             FROM games g JOIN accounts a ON a.id = g.host_id
             WHERE ?1 OR g.host_id = ?2
             ORDER BY g.id DESC LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(
                params![account.role == Role::Admin, account.id, MAX_GAMES_LISTED],
                GameRow::from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The host's account id and username of a game, if it exists.
    pub fn game_host(&self, id: GameId) -> Result<Option<(i64, String)>> {
        Ok(lock(&self.db)
            .query_row(
                "SELECT a.id, a.username FROM games g JOIN accounts a ON a.id = g.host_id
                 WHERE g.id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// The quiz a game played, its own copy of the document, and its host: what `play_again`
    /// makes the next room from.
    pub fn game_quiz(&self, id: GameId) -> Result<Option<GameQuiz>> {
        let row: Option<(i64, i64, String)> = lock(&self.db)
            .query_row(
                "SELECT quiz_id, host_id, quiz_doc FROM games WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(quiz, host, doc)| GameQuiz::from_columns(quiz, host, &doc))
            .transpose()
    }

    /// Keeps a game off the public leaderboard, or puts it back.
    pub fn set_game_private(&self, id: GameId, private: bool) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE games SET private = ?2 WHERE id = ?1",
            params![id.0, private],
        )?;
        Ok(())
    }

    /// The most recently finished games that are not private, newest first, with their podium
    /// (the players still in the game, ranked as in the report). `players` counts everyone who
    /// played, as the report (and the Results page) does.
    pub fn leaderboard(&self) -> Result<Vec<LeaderboardGame>> {
        let ids: Vec<i64> = {
            let db = lock(&self.db);
            // A game nobody joined (a lobby closed empty) has no podium to show.
            let mut stmt = db.prepare(
                "SELECT id FROM games WHERE status = 'finished' AND private = 0
                   AND EXISTS (SELECT 1 FROM players
                             WHERE players.game_id = games.id AND players.status != 'removed')
                 ORDER BY finished_at DESC, id DESC LIMIT ?1",
            )?;
            let ids = stmt
                .query_map([MAX_LEADERBOARD], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids
        };
        self.podiums.board(ids, |id| self.game_report(id))
    }

    /// Stores a new game with the room's settings (its `game_id` is ignored: this makes it).
    pub fn create_game(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
    ) -> Result<GameId> {
        insert_game(&mut lock(&self.db), quiz, host, settings, doc)
    }

    /// Stores a new game unless `host` already has `max_live` running (a room in the lobby or
    /// in play; a game stays `running` across a restart, when its room is rebuilt): `None`
    /// then. Counted and inserted under one lock, so racing `host` messages cannot overshoot.
    pub fn create_game_within(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        max_live: u32,
    ) -> Result<Option<GameId>> {
        let mut db = lock(&self.db);
        let live: u32 = db.query_row(
            "SELECT COUNT(*) FROM games WHERE host_id = ?1 AND status = 'running'
               AND id NOT IN (SELECT game_id FROM assignments)",
            [host],
            |r| r.get(0),
        )?;
        if live >= max_live {
            return Ok(None);
        }
        insert_game(&mut db, quiz, host, settings, doc).map(Some)
    }

    /// Everything stored about a game. Scores are the sums of the stored points, so the report
    /// is consistent with its answers by construction.
    pub fn game_report(&self, id: GameId) -> Result<Option<GameReport>> {
        let db = lock(&self.db);
        let game = db
            .query_row(
                "SELECT quiz_id, host_id, mode, status, quiz_doc, private, created_at, finished_at,
                        phase, phase_index
                 FROM games WHERE id = ?1",
                [id.0],
                ReportGameRow::from_row,
            )
            .optional()?;
        let Some(game) = game else {
            return Ok(None);
        };
        let players = db
            .prepare(
                "SELECT p.player_id, p.name, p.status,
                        COALESCE(SUM(a.points), 0) AS score,
                        COALESCE(SUM(CASE WHEN a.points > 0 THEN a.elapsed_ms ELSE 0 END), 0)
                            AS correct_ms,
                        p.first_index, p.opened_at_exit, p.team, p.identifier
                 FROM players p LEFT JOIN answers a
                   ON a.game_id = p.game_id AND a.player_id = p.player_id
                 WHERE p.game_id = ?1 AND p.status != 'removed' GROUP BY p.player_id",
            )?
            .query_map([id.0], |r| {
                Ok(ReportPlayerRow {
                    player_id: r.get("player_id")?,
                    name: r.get("name")?,
                    status: r.get::<_, Text<PlayerStatus>>("status")?.0,
                    score: r.get("score")?,
                    correct_ms: r.get("correct_ms")?,
                    first_index: r.get("first_index")?,
                    opened_at_exit: r.get("opened_at_exit")?,
                    team: r.get("team")?,
                    identifier: r.get("identifier")?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let answers = db
            .prepare(
                "SELECT question_index, player_id, elapsed_ms, correct, points, answer FROM answers
                 WHERE game_id = ?1 ORDER BY question_index, elapsed_ms, player_id",
            )?
            .query_map([id.0], |r| {
                Ok(ReportAnswerRow {
                    index: r.get(0)?,
                    player_id: r.get(1)?,
                    elapsed_ms: r.get(2)?,
                    correct: r.get(3)?,
                    points: r.get(4)?,
                    answer: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        game.into_report(id, players, answers).map(Some)
    }
}

/// The public leaderboard's entries by game. A finished game's podium never changes, so each
/// game's report is read once, not on every anonymous request. Cheap to clone.
#[derive(Clone, Default)]
pub(super) struct Podiums(Arc<Mutex<HashMap<i64, LeaderboardGame>>>);

impl Podiums {
    /// The entries of the games `ids`, in that order: known ones from the cache, the others
    /// from their `report`. Games no longer listed leave the cache.
    pub(super) fn board(
        &self,
        ids: Vec<i64>,
        report: impl Fn(GameId) -> Result<Option<GameReport>>,
    ) -> Result<Vec<LeaderboardGame>> {
        let mut podiums = lock(&self.0);
        podiums.retain(|id, _| ids.contains(id));
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(known) = podiums.get(&id) {
                out.push(known.clone());
                continue;
            }
            let Some(report) = report(GameId(id))? else {
                continue;
            };
            let game = LeaderboardGame::of(&report);
            podiums.insert(id, game.clone());
            out.push(game);
        }
        Ok(out)
    }
}

impl LeaderboardGame {
    /// The podium: the players still in the game, ranked as in the report. `players` counts
    /// everyone who played, as the report (and the Results page) does.
    fn of(report: &GameReport) -> LeaderboardGame {
        LeaderboardGame {
            game_id: report.game_id,
            title: report.title.clone(),
            mode: report.mode,
            finished_at: report.finished_at,
            players: report.players.len() as u32,
            podium: report
                .players
                .iter()
                .filter(|p| p.status == PlayerStatus::Active)
                .take(3)
                .map(|p| PodiumPlace {
                    rank: p.rank,
                    name: p.name.clone(),
                    score: p.score,
                })
                .collect(),
        }
    }
}

/// A player's line of a report as the query sums it (score and the time of correct
/// answers), before ranking.
pub(super) struct ReportPlayerRow {
    pub player_id: u32,
    pub name: String,
    pub status: PlayerStatus,
    pub score: i64,
    /// Milliseconds spent on the answers that scored: the first tie-break.
    pub correct_ms: i64,
    pub first_index: u32,
    pub opened_at_exit: Option<u32>,
    pub team: Option<u32>,
    pub identifier: Option<String>,
}

/// An answer of a report, what was chosen still the stored JSON text.
pub(super) struct ReportAnswerRow {
    pub index: u32,
    pub player_id: u32,
    pub elapsed_ms: u64,
    pub correct: Option<bool>,
    pub points: i64,
    pub answer: String,
}

/// A `games` row as a report reads it; the quiz document is still JSON text.
pub(super) struct ReportGameRow {
    pub quiz_id: i64,
    pub host_id: i64,
    pub mode: Mode,
    pub status: GameStatus,
    pub doc: String,
    pub private: bool,
    /// Unix seconds, as stored.
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub phase: StoredPhase,
    pub phase_index: Option<u32>,
}

impl ReportGameRow {
    /// The report of game `id`: its players ranked as in the room (score, then time of
    /// correct answers, then join order; players who left or were kicked after everyone still
    /// in the game; equal scores in the same group share a rank: 1, 2, 2, 4), and its answers
    /// in the order given.
    pub(super) fn into_report(
        self,
        id: GameId,
        players: Vec<ReportPlayerRow>,
        answers: Vec<ReportAnswerRow>,
    ) -> Result<GameReport> {
        // Questions opened in the game: through the last phase stored.
        let opened = match (self.phase, self.phase_index) {
            (StoredPhase::Lobby, _) | (_, None) => 0,
            (_, Some(i)) => i + 1,
        };
        // Normalised as stored today, should an older server have kept the copy padded.
        let doc = serde_json::from_str::<QuizDoc>(&self.doc)?.tidied();
        let mut players: Vec<(ReportPlayer, i64)> = players
            .into_iter()
            .map(|r| {
                let asked = r
                    .opened_at_exit
                    .unwrap_or(opened)
                    .min(opened)
                    .saturating_sub(r.first_index);
                let player = ReportPlayer {
                    player_id: PlayerId(r.player_id),
                    name: r.name,
                    score: r.score,
                    rank: 0,
                    status: r.status,
                    first_asked: r.first_index,
                    asked,
                    team: r.team,
                    identifier: r.identifier,
                };
                (player, r.correct_ms)
            })
            .collect();
        players.sort_by_key(|(p, correct_ms)| {
            (
                p.status != PlayerStatus::Active,
                std::cmp::Reverse(p.score),
                *correct_ms,
                p.player_id,
            )
        });
        let mut players: Vec<ReportPlayer> = players.into_iter().map(|(p, _)| p).collect();
        let ranks = quizrace_protocol::shared_ranks(&players, |above, p| {
            (above.status == PlayerStatus::Active) == (p.status == PlayerStatus::Active)
                && above.score == p.score
        });
        for (p, rank) in players.iter_mut().zip(ranks) {
            p.rank = rank;
        }
        let answers = answers
            .into_iter()
            .map(|a| {
                Ok(ReportAnswer {
                    index: a.index,
                    player_id: PlayerId(a.player_id),
                    elapsed_ms: a.elapsed_ms,
                    correct: a.correct,
                    points: a.points,
                    answer: serde_json::from_str(&a.answer)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let teams = crate::report::teams::standings(self.mode, &players, &answers, opened);
        Ok(GameReport {
            game_id: id,
            quiz_id: QuizId(self.quiz_id),
            title: doc.title.clone(),
            mode: self.mode,
            status: self.status,
            questions: doc.questions.len(),
            host_id: self.host_id,
            private: self.private,
            created_at: seconds_to_ms(self.created_at),
            finished_at: self.finished_at.map(seconds_to_ms),
            quiz: doc,
            players,
            answers,
            teams,
        })
    }
}

impl ReportGameRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<ReportGameRow> {
        Ok(ReportGameRow {
            quiz_id: r.get("quiz_id")?,
            host_id: r.get("host_id")?,
            mode: r.get::<_, Text<Mode>>("mode")?.0,
            status: r.get::<_, Text<GameStatus>>("status")?.0,
            doc: r.get("quiz_doc")?,
            private: r.get("private")?,
            created_at: r.get("created_at")?,
            finished_at: r.get("finished_at")?,
            phase: r.get::<_, Text<StoredPhase>>("phase")?.0,
            phase_index: r.get("phase_index")?,
        })
    }
}

/// The `games.team_count` column: N of a `{"count": N}` team plan.
pub(super) fn team_count(settings: &Settings) -> Option<i64> {
    match settings.teams? {
        quizrace_protocol::TeamPlan::Count(n) => Some(n.into()),
        quizrace_protocol::TeamPlan::Size(_) => None,
    }
}

/// The `games.team_size` column: N of a `{"size": N}` team plan.
pub(super) fn team_size(settings: &Settings) -> Option<i64> {
    match settings.teams? {
        quizrace_protocol::TeamPlan::Size(n) => Some(n.into()),
        quizrace_protocol::TeamPlan::Count(_) => None,
    }
}
