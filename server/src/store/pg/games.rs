//! Games on PostgreSQL, with SQLite's rules (`super::super::games`): creating one (owned by
//! this node, its PIN unique among running games in the cluster), the games list, a game's
//! report and the public leaderboard.

use super::{int, opt_int, violates, PgStore};
use crate::room::state::{GameStatus, PlayerStatus, Settings, StoredPhase};
use crate::store::games::{GameQuiz, ReportAnswerRow, ReportGameRow, ReportPlayerRow};
use crate::store::values::{SqlText, Text};
use crate::store::{
    seconds_to_ms, unix_now, Account, GameReport, GameRow, LeaderboardGame, Result, Role,
    StoreError, MAX_GAMES_LISTED, MAX_LEADERBOARD,
};
use quizrace_protocol::{GameId, Mode, QuizDoc, QuizId};

/// A game's settings as its row stores them.
struct NewGame {
    quiz: i64,
    host: i64,
    pin: String,
    mode: &'static str,
    doc: String,
    host_key: String,
    max_players: i64,
    auto_advance_ms: Option<i64>,
    chat: bool,
    names: &'static str,
    time_factor: f64,
    no_time_limit: bool,
    leaderboard: &'static str,
    shuffle_answers: bool,
    team_count: Option<i64>,
    team_size: Option<i64>,
    media_on_phones: bool,
    question_on_phones: bool,
    team_choice: &'static str,
    team_talk_ms: i64,
}

impl NewGame {
    fn of(quiz: QuizId, host: i64, settings: &Settings, doc: &QuizDoc) -> Result<NewGame> {
        Ok(NewGame {
            quiz: quiz.0,
            host,
            pin: settings.pin.0.clone(),
            mode: settings.mode.as_sql(),
            doc: serde_json::to_string(doc)?,
            host_key: settings.host_key.clone(),
            max_players: i64::from(settings.max_players),
            auto_advance_ms: settings
                .auto_advance_ms
                .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX)),
            chat: settings.chat,
            names: settings.names.as_sql(),
            time_factor: settings.timing.time_factor,
            no_time_limit: settings.timing.no_time_limit,
            leaderboard: settings.leaderboard.as_sql(),
            shuffle_answers: settings.shuffle_answers,
            team_count: crate::store::games::team_count(settings),
            team_size: crate::store::games::team_size(settings),
            media_on_phones: settings.media_on_phones,
            question_on_phones: settings.question_on_phones,
            team_choice: settings.team_choice.as_sql(),
            team_talk_ms: i64::try_from(settings.team_talk_ms).unwrap_or(0),
        })
    }
}

/// Inserts the game, owned by node `owner` at epoch 1, and the key it starts with.
/// [`StoreError::PinTaken`] when another running game has its PIN.
async fn insert_game(
    tx: &deadpool_postgres::Transaction<'_>,
    owner: &str,
    g: &NewGame,
) -> Result<GameId> {
    let inserted = tx
        .query_one(
            "INSERT INTO games (quiz_id, host_id, pin, mode, status, quiz_doc, created_at,
                               host_key_hash, max_players, auto_advance_ms, chat, names,
                               owner_node, epoch, time_factor, no_time_limit, leaderboard,
                               shuffle_answers, team_count, team_size, media_on_phones,
                               team_choice, team_talk_ms, question_on_phones)
             VALUES ($1, $2, $3, $4, 'running', $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14,
                     $15, $16, $17, $18, $19, $20, $21, $22)
             RETURNING id",
            &[
                &g.quiz,
                &g.host,
                &g.pin,
                &g.mode,
                &g.doc,
                &unix_now(),
                &g.host_key,
                &g.max_players,
                &g.auto_advance_ms,
                &g.chat,
                &g.names,
                &owner,
                &g.time_factor,
                &g.no_time_limit,
                &g.leaderboard,
                &g.shuffle_answers,
                &g.team_count,
                &g.team_size,
                &g.media_on_phones,
                &g.team_choice,
                &g.team_talk_ms,
                &g.question_on_phones,
            ],
        )
        .await;
    let game: i64 = match inserted {
        Ok(row) => row.try_get(0)?,
        Err(e) if violates(&e, "games_running_pin") => return Err(StoreError::PinTaken),
        Err(e) => return Err(e.into()),
    };
    // The key the room starts with; devices that take control add theirs.
    tx.execute(
        "INSERT INTO host_keys (game_id, key_hash) VALUES ($1, $2)",
        &[&game, &g.host_key],
    )
    .await?;
    Ok(GameId(game))
}

impl PgStore {
    /// As SQLite's [`crate::store::Store::create_game`]; the game is this node's, and its
    /// rows are written from now on ([`super::PgWriter::own`], epoch 1).
    pub fn create_game(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
    ) -> Result<GameId> {
        self.create_game_within(quiz, host, settings, doc, u32::MAX)?
            .ok_or_else(|| StoreError::Postgres("no quota was set, yet it was reached".into()))
    }

    /// As SQLite's [`crate::store::Store::create_game_within`], across the cluster: the host's
    /// account row is locked while counting and inserting, so two nodes cannot both pass the
    /// quota. The game is this node's at epoch 1. [`StoreError::PinTaken`] when another
    /// running game (on any node) has `settings.pin`: draw another.
    pub fn create_game_within(
        &self,
        quiz: QuizId,
        host: i64,
        settings: &Settings,
        doc: &QuizDoc,
        max_live: u32,
    ) -> Result<Option<GameId>> {
        let game = NewGame::of(quiz, host, settings, doc)?;
        let node = self.node().name.clone();
        let made = self.with_client(move |mut c| async move {
            let tx = c.transaction().await?;
            tx.execute("SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", &[&host])
                .await?;
            let live: i64 = tx
                .query_one(
                    "SELECT COUNT(*) FROM games WHERE host_id = $1 AND status = 'running'
                       AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.game_id = games.id)",
                    &[&host],
                )
                .await?
                .try_get(0)?;
            if live >= i64::from(max_live) {
                return Ok(None);
            }
            let id = insert_game(&tx, &node, &game).await?;
            tx.commit().await?;
            Ok(Some(id))
        })?;
        if let Some(id) = made {
            self.writer.own(id, 1);
        }
        Ok(made)
    }

    /// A game that cannot be resumed: marked `aborted`, every stored row kept.
    pub fn abort_game(&self, game: GameId) -> Result<()> {
        self.with_client(move |c| async move {
            c.execute(
                "UPDATE games SET status = 'aborted', finished_at = $2
                 WHERE id = $1 AND status = 'running'",
                &[&game.0, &unix_now()],
            )
            .await?;
            Ok(())
        })
    }

    /// The games `account` hosted (an admin: everyone's), newest first.
    pub fn list_games(&self, account: &Account) -> Result<Vec<GameRow>> {
        let (admin, id) = (account.role == Role::Admin, account.id);
        self.with_client(move |c| async move {
            // An assignment past its deadline is listed as the finished game it now is.
            c.execute(super::assignments::SETTLE, &[&crate::store::unix_now_ms()])
                .await?;
            c.query(
                "SELECT g.id, g.quiz_id, trim(g.quiz_doc::json->>'title'), g.mode, g.status,
                        a.username,
                        (SELECT COUNT(*) FROM players p
                         WHERE p.game_id = g.id AND p.status != 'removed'),
                        g.created_at, g.finished_at, g.private, g.pin
                 FROM games g JOIN accounts a ON a.id = g.host_id
                 WHERE $1 OR g.host_id = $2
                 ORDER BY g.id DESC LIMIT $3",
                &[&admin, &id, &i64::from(MAX_GAMES_LISTED)],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(GameRow {
                    game_id: GameId(r.try_get(0)?),
                    quiz_id: QuizId(r.try_get(1)?),
                    title: r.try_get::<_, Option<String>>(2)?.unwrap_or_default(),
                    mode: r.try_get::<_, Text<Mode>>(3)?.0,
                    status: r.try_get::<_, Text<GameStatus>>(4)?.0,
                    host: r.try_get(5)?,
                    players: int(r, 6)?,
                    created_at: seconds_to_ms(r.try_get(7)?),
                    finished_at: r.try_get::<_, Option<i64>>(8)?.map(seconds_to_ms),
                    private: r.try_get(9)?,
                    pin: r.try_get(10)?,
                })
            })
            .collect()
        })
    }

    /// The host's account id and username of a game, if it exists.
    pub fn game_host(&self, id: GameId) -> Result<Option<(i64, String)>> {
        self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT a.id, a.username FROM games g JOIN accounts a ON a.id = g.host_id
                     WHERE g.id = $1",
                    &[&id.0],
                )
                .await?;
            row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
        })
    }

    /// The quiz a game played, as [`Store::game_quiz`](crate::store::Store::game_quiz).
    pub fn game_quiz(&self, id: GameId) -> Result<Option<GameQuiz>> {
        self.with_client(move |c| async move {
            let row = c
                .query_opt(
                    "SELECT quiz_id, host_id, quiz_doc FROM games WHERE id = $1",
                    &[&id.0],
                )
                .await?;
            row.map(|r| {
                let doc: String = r.try_get(2)?;
                GameQuiz::from_columns(r.try_get(0)?, r.try_get(1)?, &doc)
            })
            .transpose()
        })
    }

    /// Keeps a game off the public leaderboard, or puts it back.
    pub fn set_game_private(&self, id: GameId, private: bool) -> Result<()> {
        self.with_client(move |c| async move {
            c.execute(
                "UPDATE games SET private = $2 WHERE id = $1",
                &[&id.0, &private],
            )
            .await?;
            Ok(())
        })
    }

    /// As SQLite's [`crate::store::Store::leaderboard`] (games never finished sort last, as
    /// SQLite sorts its nulls).
    pub fn leaderboard(&self) -> Result<Vec<LeaderboardGame>> {
        let ids: Vec<i64> = self.with_client(|c| async move {
            c.query(
                "SELECT id FROM games WHERE status = 'finished' AND NOT private
                   AND EXISTS (SELECT 1 FROM players
                             WHERE players.game_id = games.id AND players.status != 'removed')
                 ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT $1",
                &[&i64::from(MAX_LEADERBOARD)],
            )
            .await?
            .iter()
            .map(|r| Ok(r.try_get(0)?))
            .collect()
        })?;
        self.podiums.board(ids, |id| self.game_report(id))
    }

    /// As SQLite's [`crate::store::Store::game_report`].
    pub fn game_report(&self, id: GameId) -> Result<Option<GameReport>> {
        self.with_client(move |c| async move {
            let Some(r) = c
                .query_opt(
                    "SELECT quiz_id, host_id, mode, status, quiz_doc, private, created_at,
                            finished_at, phase, phase_index
                     FROM games WHERE id = $1",
                    &[&id.0],
                )
                .await?
            else {
                return Ok(None);
            };
            let game = ReportGameRow {
                quiz_id: r.try_get("quiz_id")?,
                host_id: r.try_get("host_id")?,
                mode: r.try_get::<_, Text<Mode>>("mode")?.0,
                status: r.try_get::<_, Text<GameStatus>>("status")?.0,
                doc: r.try_get("quiz_doc")?,
                private: r.try_get("private")?,
                created_at: r.try_get("created_at")?,
                finished_at: r.try_get("finished_at")?,
                phase: r.try_get::<_, Text<StoredPhase>>("phase")?.0,
                phase_index: opt_int(&r, "phase_index")?,
            };
            let players = c
                .query(
                    "SELECT p.player_id, p.name, p.status,
                            COALESCE(SUM(a.points), 0)::bigint AS score,
                            COALESCE(SUM(CASE WHEN a.points > 0 THEN a.elapsed_ms ELSE 0 END),
                                     0)::bigint AS correct_ms,
                            p.first_index, p.opened_at_exit, p.team, p.identifier
                     FROM players p LEFT JOIN answers a
                       ON a.game_id = p.game_id AND a.player_id = p.player_id
                     WHERE p.game_id = $1 AND p.status != 'removed'
                     GROUP BY p.game_id, p.player_id",
                    &[&id.0],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(ReportPlayerRow {
                        player_id: int(r, "player_id")?,
                        name: r.try_get("name")?,
                        status: r.try_get::<_, Text<PlayerStatus>>("status")?.0,
                        score: r.try_get("score")?,
                        correct_ms: r.try_get("correct_ms")?,
                        first_index: int(r, "first_index")?,
                        opened_at_exit: opt_int(r, "opened_at_exit")?,
                        team: opt_int(r, "team")?,
                        identifier: r.try_get("identifier")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let answers = c
                .query(
                    "SELECT question_index, player_id, elapsed_ms, correct, points, answer
                     FROM answers WHERE game_id = $1
                     ORDER BY question_index, elapsed_ms, player_id",
                    &[&id.0],
                )
                .await?
                .iter()
                .map(|r| {
                    Ok(ReportAnswerRow {
                        index: int(r, "question_index")?,
                        player_id: int(r, "player_id")?,
                        elapsed_ms: int(r, "elapsed_ms")?,
                        correct: r.try_get("correct")?,
                        points: r.try_get("points")?,
                        answer: r.try_get("answer")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            game.into_report(id, players, answers).map(Some)
        })
    }
}
