//! SQLite: accounts, sessions, quizzes, games, players and answers.
//!
//! Two connections. The writer thread owns one and takes the rooms' rows as data, many per
//! transaction (`synchronous=FULL`), and only then reports them committed, which releases the
//! acks the rooms hold. Everything else (logins, the API) goes through the other connection,
//! always from `spawn_blocking`. Rooms never call into this module except through [`Writer`].
//!
//! What a room needs to be rebuilt after a restart is stored as it happens (settings, joins,
//! answers, phase); [`Store::running_games`] reads it back. Scores are never stored: they are
//! derived from the answers, here for reports and in `Room::restore` for rooms.
//!
//! One module per concern: `schema` (migrations, opening), `writer` (the rooms' rows),
//! `accounts` (accounts, sessions, passwords), `quizzes`, `media` (question media), `games` (games, reports,
//! leaderboard), `restore` (running games read back), `backup`, and `values` (the one SQL
//! spelling of each enum stored as text). Their public types are re-exported here, so
//! callers name them `crate::store::X`. `catalog` is the trait the server calls, `pg` the
//! PostgreSQL backend of a cluster; `credentials` (passwords, session lifetimes) and the row
//! types of `games`, `quizzes` and `restore` serve both backends, and `both` runs a test on
//! each.

mod accounts;
mod assignments;
mod backup;
mod catalog;
mod credentials;
mod games;
mod media;
pub mod pg;
mod quizzes;
mod restore;
mod schema;
mod values;
mod writer;

/// The room's values that reports show, as their fields are typed.
pub use crate::room::state::{GameStatus, PlayerStatus};
pub use accounts::{Account, AccountChange, AccountRow, Role};
pub use assignments::{
    AssignmentInfo, AssignmentRow, AssignmentView, AttemptLine, NewAssignment, StartRefused,
    StoredAttempt,
};
pub use catalog::{Catalog, Flushed, RunningGames};
pub use credentials::SessionLifetimes;
pub use games::{
    GameQuiz, GameReport, GameRow, LeaderboardGame, PodiumPlace, ReportAnswer, ReportPlayer,
    MAX_GAMES_LISTED, MAX_LEADERBOARD,
};
pub use media::{MediaFile, MediaGrant, MediaInfo, NewMedia, PutMedia};
pub use quizzes::{QuizSummary, StoredQuiz};
pub use restore::RunningGame;
pub use writer::{WriteReq, Writer};

use rusqlite::Connection;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("password hashing: {0}")]
    Hash(String),
    #[error("integrity check failed: {0}")]
    Corrupt(String),
    #[error("stored quiz is unreadable: {0}")]
    Json(#[from] serde_json::Error),
    #[error("backup: {0}")]
    Backup(String),
    #[error("file: {0}")]
    Io(String),
    /// Not a failure of the database: another account has this username.
    #[error("username taken")]
    UsernameTaken,
    /// PostgreSQL (a cluster's database) refused or could not be reached.
    #[error("database: {0}")]
    Postgres(String),
    /// Not a failure of the database: another running game has this PIN (on a cluster,
    /// where PINs are drawn by several nodes).
    #[error("PIN taken")]
    PinTaken,
}

impl StoreError {
    /// The file is not a database, or SQLite found it damaged.
    pub fn is_corruption(&self) -> bool {
        match self {
            StoreError::Sql(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ),
            StoreError::Corrupt(_) => true,
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The database: a connection for requests, and the writer.
#[derive(Clone)]
pub struct Store {
    db: Arc<Mutex<Connection>>,
    pub writer: Writer,
    podiums: games::Podiums,
    sessions: SessionLifetimes,
    /// Passwords checked (each an Argon2 run: logins, right or wrong, and password changes),
    /// for `GET /api/admin/stats`.
    pub password_checks: Arc<AtomicU64>,
}

/// Rows store seconds (as version 1 did); the API speaks milliseconds, like the browser.
fn seconds_to_ms(s: i64) -> i64 {
    s.saturating_mul(1000)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix milliseconds: what an attempt's times are stored in.
pub fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves the connection usable: SQLite rolls back. (The
    // podium cache holds only whole entries.)
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
pub(crate) mod both;
#[cfg(test)]
mod catalog_tests;
#[cfg(test)]
mod secrets_tests;
#[cfg(test)]
mod teams_tests;

#[cfg(test)]
pub(crate) mod testing {
    use super::Store;
    use crate::room::state::Settings;
    use quizrace_protocol::{GameId, Mode, NamePolicy, Pin, QuizDoc};

    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("t.db")).expect("open");
        (dir, store)
    }

    /// A quiz of `questions` two-choice questions.
    pub fn quiz_doc(title: &str, questions: usize) -> QuizDoc {
        let q = serde_json::json!({"kind":"choice","text":"?","choices":["a","b"],"correct":[0]});
        serde_json::from_value(serde_json::json!({"title": title, "questions": vec![q; questions]}))
            .expect("doc")
    }

    /// A classic room's settings under `pin`.
    pub fn settings(pin: &str) -> Settings {
        Settings {
            pin: Pin(pin.into()),
            game_id: GameId(0),
            mode: Mode::Classic,
            max_players: 10,
            auto_advance_ms: None,
            chat: true,
            host_key: "hk".into(),
            names: NamePolicy::Free,
            teams: None,
            team_choice: Default::default(),
            team_talk_ms: 0,
            blocked_words: Default::default(),
            timing: Default::default(),
            leaderboard: Default::default(),
            shuffle_answers: false,
            media_on_phones: false,
            question_on_phones: true,
        }
    }
}
