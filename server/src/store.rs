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

use crate::metrics::WriterMetrics;
use crate::room::state::{
    Saved, SavedAnswer, SavedPhase, SavedPlayer, Settings, Write, MAX_HOST_KEYS,
};
use crate::secret::{random_hex, secret_hash};
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;
use quizrace_protocol::{GameId, Mode, NamePolicy, Pin, PlayerId, QuizDoc, QuizId};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{error, info};

/// Rows the writer commits in one transaction at most.
const BATCH: usize = 4096;

/// Schema versions, applied in order; `PRAGMA user_version` says how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'host')),
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        token TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL
    );
    CREATE TABLE quizzes (
        id INTEGER PRIMARY KEY,
        owner_id INTEGER NOT NULL REFERENCES accounts(id),
        title TEXT NOT NULL,
        doc TEXT NOT NULL,
        builtin TEXT UNIQUE,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE games (
        id INTEGER PRIMARY KEY,
        quiz_id INTEGER NOT NULL REFERENCES quizzes(id),
        host_id INTEGER NOT NULL REFERENCES accounts(id),
        pin TEXT NOT NULL,
        mode TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'aborted')),
        quiz_doc TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
    );
    CREATE TABLE players (
        game_id INTEGER NOT NULL REFERENCES games(id),
        player_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        token TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active',
        PRIMARY KEY (game_id, player_id)
    );
    CREATE TABLE answers (
        game_id INTEGER NOT NULL,
        question_index INTEGER NOT NULL,
        player_id INTEGER NOT NULL,
        elapsed_ms INTEGER NOT NULL,
        correct INTEGER,
        points INTEGER NOT NULL,
        answer TEXT NOT NULL,
        PRIMARY KEY (game_id, question_index, player_id),
        FOREIGN KEY (game_id, player_id) REFERENCES players(game_id, player_id)
    );",
    // 2: what a room needs to be rebuilt after a restart. Its settings, its phase (the
    // writer stamps when a question opened) and a heartbeat the writer stamps in every
    // commit, at least once a second: the last heartbeat is when the server stopped.
    // Games from version 1 have no host key and cannot resume; they are aborted at start-up.
    "ALTER TABLE games ADD COLUMN host_key TEXT;
    ALTER TABLE games ADD COLUMN max_players INTEGER;
    ALTER TABLE games ADD COLUMN auto_advance_ms INTEGER;
    ALTER TABLE games ADD COLUMN chat INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE games ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE games ADD COLUMN phase TEXT NOT NULL DEFAULT 'lobby'
        CHECK (phase IN ('lobby', 'question', 'reveal', 'leaderboard'));
    ALTER TABLE games ADD COLUMN phase_index INTEGER;
    ALTER TABLE games ADD COLUMN opened_ms INTEGER;
    CREATE TABLE heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL);
    INSERT INTO heartbeat (id, at_ms) VALUES (1, 0);",
    // 3: whether the server names the players (`"names": "generated"` on `host`), so a room
    // that comes back after a restart keeps naming them.
    "ALTER TABLE games ADD COLUMN names TEXT NOT NULL DEFAULT 'chosen'
        CHECK (names IN ('chosen', 'generated'));",
    // 4: quizzes are deleted softly (a game keeps its own `quiz_doc` copy, and its report
    // names the quiz by id), and a host may keep a game off the public leaderboard.
    "ALTER TABLE quizzes ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE games ADD COLUMN private INTEGER NOT NULL DEFAULT 0;",
    // 5: no secret is stored in the clear (see [`crate::secret`]). Sessions keep the hash of
    // their token and when they were last used (for the idle lifetime); players and games
    // keep the hash of their token and host key. A room accepts several host keys, one per
    // device that took control, oldest first. The rows of older versions are hashed in place
    // by the Rust step [`hash_secrets`], so running games and logged-in hosts survive.
    "CREATE TABLE sessions_v5 (
        token_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL
    );
    ALTER TABLE players RENAME COLUMN token TO token_hash;
    ALTER TABLE games RENAME COLUMN host_key TO host_key_hash;
    CREATE TABLE host_keys (
        id INTEGER PRIMARY KEY,
        game_id INTEGER NOT NULL REFERENCES games(id),
        key_hash TEXT NOT NULL
    );
    CREATE INDEX host_keys_by_game ON host_keys (game_id);",
    // 6: which questions each player was asked: from `first_index` (the question open when
    // they joined, or the next one) up to the `opened` count when they left or were kicked
    // (null while in the game). A player gone from the lobby has status `removed` and appears
    // in no result; the row stays so that player ids keep following join order.
    "ALTER TABLE players ADD COLUMN first_index INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE players ADD COLUMN opened_at_exit INTEGER;",
];

/// The schema version whose SQL is followed by [`hash_secrets`].
const HASHED_SECRETS: usize = 5;

/// How long a login lasts: `idle` since its last request, `max` since the login, whichever
/// ends first. Expired sessions answer `unauthorized` and their rows are deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    pub idle: Duration,
    pub max: Duration,
}

impl Default for SessionLifetimes {
    /// A school day with its breaks (12 h idle), and a week at most.
    fn default() -> SessionLifetimes {
        SessionLifetimes {
            idle: Duration::from_secs(12 * 3600),
            max: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// A session's last use is written at most this often: a request is a read, not a write.
const SESSION_TOUCH_S: i64 = 60;

/// How often the writer stamps the heartbeat when no room gives it anything to commit. An open
/// question resumes after a crash with at most this much extra time.
const HEARTBEAT: Duration = Duration::from_secs(1);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Host,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Host => "host",
        }
    }

    fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Host
        }
    }
}

/// An account as the admin page lists it. Times are unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
}

/// What `PATCH /api/admin/accounts/{id}` changes; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub password: Option<String>,
    pub disabled: Option<bool>,
    pub role: Option<Role>,
}

/// One line of `GET /api/games`. Times are unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct GameRow {
    pub game_id: GameId,
    pub quiz_id: QuizId,
    pub title: String,
    pub mode: String,
    pub status: String,
    pub host: String,
    pub players: u32,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub private: bool,
    /// A running game's host takes control again from another device with this PIN and
    /// their session token (`host_resume`); the host key is never stored in the clear.
    pub pin: String,
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
    pub mode: String,
    pub finished_at: Option<i64>,
    pub players: u32,
    pub podium: Vec<PodiumPlace>,
}

/// Most games `GET /api/games` lists, and most on the public leaderboard.
pub const MAX_GAMES_LISTED: u32 = 200;
pub const MAX_LEADERBOARD: u32 = 20;

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuizSummary {
    pub id: QuizId,
    pub title: String,
    pub questions: usize,
    /// A sample shipped with the server: anyone may host or copy it, nobody may change it.
    pub builtin: bool,
}

/// A stored quiz with its owner.
#[derive(Debug, Clone)]
pub struct StoredQuiz {
    pub owner_id: i64,
    pub builtin: bool,
    pub doc: QuizDoc,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportPlayer {
    pub player_id: PlayerId,
    pub name: String,
    pub score: i64,
    pub rank: u32,
    pub status: String,
    /// The first question the player could answer (the one open when they joined, or the
    /// next one); they were asked `first_asked .. first_asked + asked`.
    pub first_asked: u32,
    /// Questions opened while the player was in the game.
    pub asked: u32,
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

/// `GET /api/games/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct GameReport {
    pub game_id: GameId,
    pub quiz_id: QuizId,
    pub title: String,
    pub mode: String,
    pub status: String,
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
}

/// A row handed to the writer, and whom to tell when it is committed.
pub struct WriteReq {
    write: Write,
    seq: u64,
    notify: Arc<watch::Sender<u64>>,
}

enum WriterMsg {
    Write(WriteReq),
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

impl Writer {
    /// Hands over a row; `notify` gets `seq` once it is committed.
    /// Unbounded on purpose: the room must never wait, and every row is a promise to keep.
    pub fn write(&self, write: Write, seq: u64, notify: Arc<watch::Sender<u64>>) {
        if self
            .tx
            .send(WriterMsg::Write(WriteReq { write, seq, notify }))
            .is_err()
        {
            error!("database writer is gone; a row was not stored");
        }
    }

    /// A writer that reports every row committed at once without storing it: for tests of
    /// the room task's timing, which must not wait on a real disk under a paused clock.
    #[cfg(test)]
    pub fn instant_for_tests() -> Writer {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                match m {
                    WriterMsg::Write(req) => {
                        req.notify.send_replace(req.seq);
                    }
                    WriterMsg::Flush(done) => {
                        let _ = done.send(());
                    }
                    WriterMsg::Beat => {}
                }
            }
        });
        Writer {
            tx,
            stats: WriterMetrics::default(),
        }
    }

    /// Resolves once everything handed over before it is committed.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(WriterMsg::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// The database: a connection for requests, and the writer.
#[derive(Clone)]
pub struct Store {
    db: Arc<Mutex<Connection>>,
    pub writer: Writer,
    /// The public leaderboard's entries by game. A finished game's podium never changes, so
    /// each game's report is read once, not on every anonymous request.
    podiums: Arc<Mutex<HashMap<i64, LeaderboardGame>>>,
    sessions: SessionLifetimes,
    /// Passwords checked (each an Argon2 run: logins, right or wrong, and password changes),
    /// for `GET /api/admin/stats`.
    pub password_checks: Arc<AtomicU64>,
}

fn unix_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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

/// Creates `path` readable and writable by its owner only, or makes an existing file so. The
/// database holds password hashes and players' answers; nobody else on the machine needs them.
fn make_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let private = |e: std::io::Error| StoreError::Io(format!("{}: {e}", path.display()));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(private)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(private)
}

/// The WAL and shared-memory files SQLite keeps beside `db`, when they exist. SQLite creates
/// them with the database's mode; this makes sure of it.
fn make_journal_private(db: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = std::path::PathBuf::from(name);
        if path.exists() {
            make_private(&path)?;
        }
    }
    Ok(())
}

fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn hash_password(password: &str) -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Hash(e.to_string()))?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| StoreError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Hash(e.to_string()))
}

/// Checks `password` against a stored PHC hash. The 19 MiB of Argon2 working memory is kept
/// per thread and reused: allocated afresh on every check, the allocator's heaps grew by that
/// much per login and never shrank. Only the few password-check threads
/// ([`crate::checker`]) call this.
fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::Output;
    use argon2::{Algorithm, Block, Params, Version};
    thread_local! {
        static MEMORY: std::cell::RefCell<Vec<Block>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let Ok(version) = version else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    let hashed = MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        memory.resize(params.block_count(), Block::default());
        argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
    });
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected)
}

/// A hash of no one's password, checked for unknown usernames so they cost what a wrong
/// password costs (Argon2id, the default parameters).
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Y7i0MVrKPjrP8UhLvkR0MfqfJ+3KHbeLhOE4/OCdj3A";

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves the connection usable: SQLite rolls back. (The
    // podium cache holds only whole entries.)
    m.lock().unwrap_or_else(|e| e.into_inner())
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
                           host_key_hash, max_players, auto_advance_ms, chat, names)
         VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            quiz.0,
            host,
            settings.pin.0,
            settings.mode.as_str(),
            serde_json::to_string(doc)?,
            unix_now(),
            settings.host_key,
            settings.max_players,
            settings.auto_advance_ms,
            settings.chat,
            // Stored as 'chosen' or 'generated' (schema version 3).
            match settings.names {
                NamePolicy::Free => "chosen",
                NamePolicy::Generated => "generated",
            }
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

fn insert_quiz(db: &Connection, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
    db.execute(
        "INSERT INTO quizzes (owner_id, title, doc, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![owner, doc.title, serde_json::to_string(doc)?, unix_now()],
    )?;
    Ok(QuizId(db.last_insert_rowid()))
}

impl Store {
    /// Opens (or creates) the database, applies migrations and starts the writer thread.
    pub fn open(path: &Path) -> Result<Store> {
        make_private(path)?;
        let mut conn = open_conn(path)?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(check));
        }
        migrate(&mut conn)?;
        let writer_conn = open_conn(path)?;
        make_journal_private(path)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = WriterMetrics::default();
        let counted = stats.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || writer_loop(writer_conn, rx, &counted))
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
        Ok(Store {
            db: Arc::new(Mutex::new(conn)),
            writer: Writer { tx, stats },
            podiums: Arc::default(),
            sessions: SessionLifetimes::default(),
            password_checks: Arc::default(),
        })
    }

    /// This store with other session lifetimes (`--session-idle-hours`, `--session-max-days`).
    pub fn with_session_lifetimes(mut self, sessions: SessionLifetimes) -> Store {
        self.sessions = sessions;
        self
    }

    /// Makes sure `admin` exists. Returns the password when one was generated (to print once).
    /// A new password given at start (`--admin-password`) also ends every session of `admin`:
    /// it is how an operator takes the account back. The same password again (a service that
    /// always passes it, restarting) changes nothing, so a restart logs nobody out.
    pub fn bootstrap_admin(&self, password: Option<&str>) -> Result<Option<String>> {
        let db = lock(&self.db);
        let existing: Option<String> = db
            .query_row(
                "SELECT password_hash FROM accounts WHERE username = 'admin'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match (existing, password) {
            (Some(hash), Some(pw)) if !verify_password(pw, &hash) => {
                db.execute(
                    "UPDATE accounts SET password_hash = ?1 WHERE username = 'admin'",
                    [hash_password(pw)?],
                )?;
                let ended = db.execute(
                    "DELETE FROM sessions
                     WHERE account_id = (SELECT id FROM accounts WHERE username = 'admin')",
                    [],
                )?;
                info!(
                    sessions_ended = ended,
                    "admin password set from the command line"
                );
                Ok(None)
            }
            (Some(_), _) => Ok(None),
            (None, given) => {
                let generated = given.is_none().then(|| random_hex(8));
                let pw = given.map_or_else(|| generated.clone().unwrap_or_default(), str::to_owned);
                db.execute(
                    "INSERT INTO accounts (username, password_hash, role, created_at)
                     VALUES ('admin', ?1, 'admin', ?2)",
                    params![hash_password(&pw)?, unix_now()],
                )?;
                Ok(generated)
            }
        }
    }

    /// Installs or refreshes the built-in quizzes, owned by `admin`.
    pub fn install_builtin(&self, quizzes: &[(&str, QuizDoc)]) -> Result<()> {
        let db = lock(&self.db);
        let admin: i64 = db.query_row(
            "SELECT id FROM accounts WHERE username = 'admin'",
            [],
            |r| r.get(0),
        )?;
        for (key, doc) in quizzes {
            db.execute(
                "INSERT INTO quizzes (owner_id, title, doc, builtin, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (builtin) DO UPDATE SET title = excluded.title, doc = excluded.doc",
                params![
                    admin,
                    doc.title,
                    serde_json::to_string(doc)?,
                    key,
                    unix_now()
                ],
            )?;
        }
        Ok(())
    }

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
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<u32>,
            Option<u64>,
            bool,
            bool,
            String,
            Option<u32>,
            Option<i64>,
            String,
        );
        let rows = stmt
            .query_map([], |r| -> rusqlite::Result<Row> {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                    r.get(12)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<Row>>>()?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                pin,
                mode,
                doc,
                host_key,
                max_players,
                auto,
                chat,
                locked,
                phase,
                pi,
                opened,
                names,
            ) = row;
            let game = GameId(id);
            let fail = |m: &str| Err((game, m.to_owned()));
            let (Some(host_key), Some(max_players)) = (host_key, max_players) else {
                out.push(fail("stored by a version without resume"));
                continue;
            };
            let Ok(mode) = serde_json::from_value::<Mode>(serde_json::Value::String(mode)) else {
                out.push(fail("unknown mode"));
                continue;
            };
            let Ok(doc) = serde_json::from_str::<QuizDoc>(&doc) else {
                out.push(fail("the quiz document is unreadable"));
                continue;
            };
            let phase = match (phase.as_str(), pi) {
                ("lobby", _) => SavedPhase::Lobby,
                ("question", Some(index)) => SavedPhase::Question {
                    index,
                    // Both stamps come from the writer's clock; a clock set back counts as 0.
                    elapsed_ms: heartbeat.saturating_sub(opened.unwrap_or(heartbeat)).max(0) as u64,
                },
                ("reveal", Some(index)) => SavedPhase::Reveal { index },
                ("leaderboard", Some(index)) => SavedPhase::Leaderboard { index },
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
                .query_map([id], |r| {
                    Ok(SavedPlayer {
                        id: PlayerId(r.get(0)?),
                        name: r.get(1)?,
                        token_hash: r.get(2)?,
                        status: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let raw = db
                .prepare_cached(
                    "SELECT question_index, player_id, elapsed_ms, correct, points, answer
                     FROM answers WHERE game_id = ?1",
                )?
                .query_map([id], |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, u64>(2)?,
                        r.get::<_, Option<bool>>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let answers: std::result::Result<Vec<SavedAnswer>, _> = raw
                .into_iter()
                .map(|(index, player, elapsed_ms, correct, points, value)| {
                    serde_json::from_str(&value).map(|value| SavedAnswer {
                        index,
                        player: PlayerId(player),
                        elapsed_ms,
                        correct,
                        points,
                        value,
                    })
                })
                .collect();
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
                names: if names == "generated" {
                    NamePolicy::Generated
                } else {
                    NamePolicy::Free
                },
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

    /// A game that cannot be resumed: marked `aborted`, every stored row kept.
    pub fn abort_game(&self, game: GameId) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE games SET status = 'aborted', finished_at = ?2 WHERE id = ?1 AND status = 'running'",
            params![game.0, unix_now()],
        )?;
        Ok(())
    }

    /// An online copy of the database to `dest` (SQLite's backup API), consistent even while
    /// another process serves from the same file. `dest` must not exist yet.
    pub fn backup(src: &Path, dest: &Path) -> Result<()> {
        let exists = || {
            StoreError::Backup(format!(
                "{} exists already; choose a new file",
                dest.display()
            ))
        };
        if dest.exists() {
            return Err(exists());
        }
        // Read-write but never create: a WAL reader may need to set up the shared-memory file,
        // and a mistyped source path must not leave an empty database behind.
        let from = Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        from.busy_timeout(Duration::from_secs(5))?;
        let version: usize = from.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version == 0 {
            return Err(StoreError::Backup(format!(
                "{} is not a quizrace database",
                src.display()
            )));
        }
        // Made before SQLite opens it, readable by the owner only, like the database.
        {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(dest)
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::AlreadyExists => exists(),
                    _ => StoreError::Backup(format!("cannot create {}: {e}", dest.display())),
                })?;
        }
        make_private(dest)?;
        let mut to = Connection::open(dest)?;
        {
            let backup = rusqlite::backup::Backup::new(&from, &mut to)?;
            // All pages in one step: a step that sees the source change mid-way restarts, and
            // one step holds the read lock for the whole copy, so the copy is one snapshot.
            let mut tries = 0;
            loop {
                match backup.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    _ if tries < 500 => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    _ => {
                        return Err(StoreError::Backup(
                            "the database stayed busy for 5 s".into(),
                        ))
                    }
                }
            }
        }
        let check: String = to.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(check));
        }
        Ok(())
    }

    /// A new account; [`StoreError::UsernameTaken`] when the name (ignoring case) is in use.
    pub fn create_account(&self, username: &str, password: &str, role: Role) -> Result<i64> {
        let hash = hash_password(password)?;
        let db = lock(&self.db);
        let inserted = db.execute(
            "INSERT INTO accounts (username, password_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![username, hash, role.as_str(), unix_now()],
        );
        match inserted {
            Ok(_) => Ok(db.last_insert_rowid()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
            {
                Err(StoreError::UsernameTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every account, oldest first.
    pub fn list_accounts(&self) -> Result<Vec<AccountRow>> {
        let db = lock(&self.db);
        let mut stmt = db
            .prepare("SELECT id, username, role, disabled, created_at FROM accounts ORDER BY id")?;
        let rows = stmt
            .query_map([], account_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Applies an admin's change to an account; `None` when there is no such account. A new
    /// password or disabling ends every session of the account, in the same transaction.
    pub fn update_account(&self, id: i64, change: &AccountChange) -> Result<Option<AccountRow>> {
        // Hashing happens outside the lock: it takes tens of milliseconds.
        let hash = change.password.as_deref().map(hash_password).transpose()?;
        let mut db = lock(&self.db);
        let tx = db.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(None);
        }
        if let Some(hash) = &hash {
            tx.execute(
                "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
                params![id, hash],
            )?;
        }
        if let Some(disabled) = change.disabled {
            tx.execute(
                "UPDATE accounts SET disabled = ?2 WHERE id = ?1",
                params![id, disabled],
            )?;
        }
        if let Some(role) = change.role {
            tx.execute(
                "UPDATE accounts SET role = ?2 WHERE id = ?1",
                params![id, role.as_str()],
            )?;
        }
        if hash.is_some() || change.disabled == Some(true) {
            tx.execute("DELETE FROM sessions WHERE account_id = ?1", [id])?;
        }
        let row = tx.query_row(
            "SELECT id, username, role, disabled, created_at FROM accounts WHERE id = ?1",
            [id],
            account_row,
        )?;
        tx.commit()?;
        Ok(Some(row))
    }

    /// Changes an account's own password if `old` is right (false if not). Every other session
    /// of the account ends; `keep` (the caller's) stays valid.
    pub fn change_password(&self, id: i64, old: &str, new: &str, keep: &str) -> Result<bool> {
        let hash: Option<String> = lock(&self.db)
            .query_row(
                "SELECT password_hash FROM accounts WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        if !hash.is_some_and(|h| self.verify(old, &h)) {
            return Ok(false);
        }
        let new_hash = hash_password(new)?;
        let mut db = lock(&self.db);
        let tx = db.transaction()?;
        tx.execute(
            "UPDATE accounts SET password_hash = ?2 WHERE id = ?1",
            params![id, new_hash],
        )?;
        tx.execute(
            "DELETE FROM sessions WHERE account_id = ?1 AND token_hash != ?2",
            params![id, secret_hash(keep)],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// One password check, counted.
    fn verify(&self, password: &str, hash: &str) -> bool {
        self.password_checks.fetch_add(1, Ordering::Relaxed);
        verify_password(password, hash)
    }

    /// Ends one session.
    pub fn logout(&self, token: &str) -> Result<()> {
        lock(&self.db).execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [secret_hash(token)],
        )?;
        Ok(())
    }

    /// A new session token for good credentials; `None` for bad ones or a disabled account.
    pub fn login(&self, username: &str, password: &str) -> Result<Option<String>> {
        let row: Option<(i64, String, bool)> = lock(&self.db)
            .query_row(
                "SELECT id, password_hash, disabled FROM accounts WHERE username = ?1",
                [username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        // Hashing happens outside the lock: it takes tens of milliseconds.
        let Some((id, hash, disabled)) = row else {
            let _ = self.verify(password, DUMMY_HASH); // same cost for unknown users
            return Ok(None);
        };
        // Checked even when disabled: the answer must take as long as for a wrong password.
        let right = self.verify(password, &hash);
        if disabled || !right {
            return Ok(None);
        }
        let token = random_hex(24);
        let now = unix_now();
        let (idle_from, max_from) = self.session_cutoffs(now);
        let db = lock(&self.db);
        // Expired sessions go here, and one by one when presented: no timer needed.
        db.execute(
            "DELETE FROM sessions WHERE last_used_at < ?1 OR created_at < ?2",
            params![idle_from, max_from],
        )?;
        db.execute(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_used_at)
             VALUES (?1, ?2, ?3, ?3)",
            params![secret_hash(&token), id, now],
        )?;
        Ok(Some(token))
    }

    /// Sessions last used before the first, or made before the second, have expired.
    fn session_cutoffs(&self, now: i64) -> (i64, i64) {
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        (
            now.saturating_sub(secs(self.sessions.idle)),
            now.saturating_sub(secs(self.sessions.max)),
        )
    }

    /// The account a live session token belongs to. An expired session is deleted and gives
    /// `None`, like an unknown one. Its last use is written at most once a minute.
    pub fn account_for_token(&self, token: &str) -> Result<Option<Account>> {
        let hash = secret_hash(token);
        let now = unix_now();
        let (idle_from, max_from) = self.session_cutoffs(now);
        let db = lock(&self.db);
        let row = db
            .query_row(
                "SELECT a.id, a.username, a.role, s.created_at, s.last_used_at
                 FROM sessions s JOIN accounts a ON a.id = s.account_id
                 WHERE s.token_hash = ?1 AND a.disabled = 0",
                [&hash],
                |r| {
                    let account = Account {
                        id: r.get(0)?,
                        username: r.get(1)?,
                        role: Role::parse(&r.get::<_, String>(2)?),
                    };
                    Ok((account, r.get::<_, i64>(3)?, r.get::<_, i64>(4)?))
                },
            )
            .optional()?;
        let Some((account, created, used)) = row else {
            return Ok(None);
        };
        if used < idle_from || created < max_from {
            db.execute("DELETE FROM sessions WHERE token_hash = ?1", [&hash])?;
            return Ok(None);
        }
        if now - used >= SESSION_TOUCH_S {
            db.execute(
                "UPDATE sessions SET last_used_at = ?2 WHERE token_hash = ?1",
                params![hash, now],
            )?;
        }
        Ok(Some(account))
    }

    pub fn create_quiz(&self, owner: i64, doc: &QuizDoc) -> Result<QuizId> {
        insert_quiz(&lock(&self.db), owner, doc)
    }

    /// Stores a new quiz unless `owner` already has `max` (deleted and built-in ones do not
    /// count): `None` then. Counted and inserted under one lock, so racing requests cannot
    /// overshoot.
    pub fn create_quiz_within(
        &self,
        owner: i64,
        doc: &QuizDoc,
        max: u32,
    ) -> Result<Option<QuizId>> {
        let db = lock(&self.db);
        let held: u32 = db.query_row(
            "SELECT COUNT(*) FROM quizzes WHERE owner_id = ?1 AND deleted = 0 AND builtin IS NULL",
            [owner],
            |r| r.get(0),
        )?;
        if held >= max {
            return Ok(None);
        }
        insert_quiz(&db, owner, doc).map(Some)
    }

    /// The quizzes an account may host: its own and the built-in ones.
    pub fn list_quizzes(&self, account: &Account) -> Result<Vec<QuizSummary>> {
        let db = lock(&self.db);
        let mut stmt = db.prepare(
            "SELECT id, title, doc, builtin IS NOT NULL FROM quizzes
             WHERE (owner_id = ?1 OR builtin IS NOT NULL) AND deleted = 0 ORDER BY id",
        )?;
        let rows = stmt.query_map([account.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, bool>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, doc, builtin) = row?;
            let doc: QuizDoc = serde_json::from_str(&doc)?;
            out.push(QuizSummary {
                id: QuizId(id),
                // An older server stored titles untrimmed.
                title: title.trim().to_owned(),
                questions: doc.questions.len(),
                builtin,
            });
        }
        Ok(out)
    }

    pub fn get_quiz(&self, id: QuizId) -> Result<Option<StoredQuiz>> {
        let row: Option<(i64, Option<String>, String)> = lock(&self.db)
            .query_row(
                "SELECT owner_id, builtin, doc FROM quizzes WHERE id = ?1 AND deleted = 0",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        row.map(|(owner_id, builtin, doc)| {
            Ok(StoredQuiz {
                owner_id,
                builtin: builtin.is_some(),
                // Normalised as stored today, should an older server have kept it padded.
                doc: serde_json::from_str::<QuizDoc>(&doc)?.tidied(),
            })
        })
        .transpose()
    }

    /// Replaces a quiz's document (the caller checked who may). Games already played keep
    /// the copy they were played with.
    pub fn update_quiz(&self, id: QuizId, doc: &QuizDoc) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE quizzes SET title = ?2, doc = ?3 WHERE id = ?1 AND deleted = 0 AND builtin IS NULL",
            params![id.0, doc.title, serde_json::to_string(doc)?],
        )?;
        Ok(())
    }

    /// Hides a quiz for good. Soft: its games still name it by id and keep their own copy.
    pub fn delete_quiz(&self, id: QuizId) -> Result<()> {
        lock(&self.db).execute(
            "UPDATE quizzes SET deleted = 1 WHERE id = ?1 AND builtin IS NULL",
            [id.0],
        )?;
        Ok(())
    }

    /// The games `account` hosted (an admin: everyone's), newest first.
    pub fn list_games(&self, account: &Account) -> Result<Vec<GameRow>> {
        let db = lock(&self.db);
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
                |r| {
                    let status: String = r.get(4)?;
                    Ok(GameRow {
                        game_id: GameId(r.get(0)?),
                        quiz_id: QuizId(r.get(1)?),
                        title: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        mode: r.get(3)?,
                        host: r.get(5)?,
                        players: r.get(6)?,
                        created_at: seconds_to_ms(r.get(7)?),
                        finished_at: r.get::<_, Option<i64>>(8)?.map(seconds_to_ms),
                        private: r.get(9)?,
                        pin: r.get(10)?,
                        status,
                    })
                },
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
        let mut podiums = lock(&self.podiums);
        podiums.retain(|id, _| ids.contains(id));
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(known) = podiums.get(&id) {
                out.push(known.clone());
                continue;
            }
            let Some(report) = self.game_report(GameId(id))? else {
                continue;
            };
            let active: Vec<&ReportPlayer> = report
                .players
                .iter()
                .filter(|p| p.status == "active")
                .collect();
            let game = LeaderboardGame {
                game_id: report.game_id,
                title: report.title.clone(),
                mode: report.mode.clone(),
                finished_at: report.finished_at,
                players: report.players.len() as u32,
                podium: active
                    .iter()
                    .take(3)
                    .map(|p| PodiumPlace {
                        rank: p.rank,
                        name: p.name.clone(),
                        score: p.score,
                    })
                    .collect(),
            };
            podiums.insert(id, game.clone());
            out.push(game);
        }
        Ok(out)
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
            "SELECT COUNT(*) FROM games WHERE host_id = ?1 AND status = 'running'",
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
        type Row = (
            i64,
            i64,
            String,
            String,
            String,
            bool,
            i64,
            Option<i64>,
            String,
            Option<u32>,
        );
        let game: Option<Row> = db
            .query_row(
                "SELECT quiz_id, host_id, mode, status, quiz_doc, private, created_at, finished_at,
                        phase, phase_index
                 FROM games WHERE id = ?1",
                [id.0],
                |r| Row::try_from(r),
            )
            .optional()?;
        let Some((
            quiz_id,
            host_id,
            mode,
            status,
            doc,
            private,
            created_at,
            finished_at,
            phase,
            phase_index,
        )) = game
        else {
            return Ok(None);
        };
        // Questions opened in the game: through the last phase stored.
        let opened = match (phase.as_str(), phase_index) {
            ("lobby", _) | (_, None) => 0,
            (_, Some(i)) => i + 1,
        };
        // Normalised as stored today, should an older server have kept the copy padded.
        let doc = serde_json::from_str::<QuizDoc>(&doc)?.tidied();
        let mut stmt = db.prepare(
            "SELECT p.player_id, p.name, p.status,
                    COALESCE(SUM(a.points), 0),
                    COALESCE(SUM(CASE WHEN a.points > 0 THEN a.elapsed_ms ELSE 0 END), 0),
                    p.first_index, p.opened_at_exit
             FROM players p LEFT JOIN answers a
               ON a.game_id = p.game_id AND a.player_id = p.player_id
             WHERE p.game_id = ?1 AND p.status != 'removed' GROUP BY p.player_id",
        )?;
        let mut players = stmt
            .query_map([id.0], |r| {
                Ok((
                    ReportPlayer {
                        player_id: PlayerId(r.get(0)?),
                        name: r.get(1)?,
                        status: r.get(2)?,
                        score: r.get(3)?,
                        rank: 0,
                        first_asked: r.get(5)?,
                        asked: {
                            let first: u32 = r.get(5)?;
                            let exit: Option<u32> = r.get(6)?;
                            exit.unwrap_or(opened).min(opened).saturating_sub(first)
                        },
                    },
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // As in the room: score, then time of correct answers, then join order; players who
        // left or were kicked rank after everyone still in the game. Equal scores (in the
        // same group) share a rank: 1, 2, 2, 4.
        players.sort_by_key(|(p, correct_ms)| {
            (
                p.status != "active",
                std::cmp::Reverse(p.score),
                *correct_ms,
                p.player_id,
            )
        });
        let mut players: Vec<ReportPlayer> = players.into_iter().map(|(p, _)| p).collect();
        for i in 0..players.len() {
            let shared = i > 0 && {
                let (above, p) = (&players[i - 1], &players[i]);
                (above.status == "active") == (p.status == "active") && above.score == p.score
            };
            players[i].rank = if shared {
                players[i - 1].rank
            } else {
                i as u32 + 1
            };
        }
        let mut stmt = db.prepare(
            "SELECT question_index, player_id, elapsed_ms, correct, points, answer FROM answers
             WHERE game_id = ?1 ORDER BY question_index, elapsed_ms, player_id",
        )?;
        let answers = stmt
            .query_map([id.0], |r| {
                Ok((
                    ReportAnswer {
                        index: r.get(0)?,
                        player_id: PlayerId(r.get(1)?),
                        elapsed_ms: r.get(2)?,
                        correct: r.get(3)?,
                        points: r.get(4)?,
                        answer: serde_json::Value::Null,
                    },
                    r.get::<_, String>(5)?,
                ))
            })?
            .map(|row| {
                let (mut a, raw) = row?;
                a.answer = serde_json::from_str(&raw)?;
                Ok(a)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(GameReport {
            game_id: id,
            quiz_id: QuizId(quiz_id),
            title: doc.title.clone(),
            mode,
            status,
            questions: doc.questions.len(),
            host_id,
            private,
            created_at: seconds_to_ms(created_at),
            finished_at: finished_at.map(seconds_to_ms),
            quiz: doc,
            players,
            answers,
        }))
    }

    /// `PRAGMA integrity_check`, for tests and operators.
    pub fn integrity_ok(&self) -> Result<bool> {
        let r: String = lock(&self.db).query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }
}

fn account_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get(0)?,
        username: r.get(1)?,
        role: Role::parse(&r.get::<_, String>(2)?),
        disabled: r.get(3)?,
        created_at: seconds_to_ms(r.get(4)?),
    })
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if i + 1 == HASHED_SECRETS {
            hash_secrets(&tx)?;
        }
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
        info!(version = i + 1, "database migrated");
    }
    Ok(())
}

/// Version 5's Rust step: the tokens and keys older versions stored in the clear become
/// hashes, so a phone's token, a host's key and a login keep working across the upgrade.
fn hash_secrets(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let sessions = tx
        .prepare("SELECT token, account_id, created_at FROM sessions")?
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (token, account, created) in sessions {
        // Their last use is unknown: counted from now, so nobody is logged out by the upgrade.
        tx.execute(
            "INSERT OR IGNORE INTO sessions_v5 (token_hash, account_id, created_at, last_used_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![secret_hash(&token), account, created, unix_now()],
        )?;
    }
    tx.execute_batch("DROP TABLE sessions; ALTER TABLE sessions_v5 RENAME TO sessions;")?;
    let players = tx
        .prepare("SELECT game_id, player_id, token_hash FROM players")?
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (game, player, token) in players {
        tx.execute(
            "UPDATE players SET token_hash = ?3 WHERE game_id = ?1 AND player_id = ?2",
            params![game, player, secret_hash(&token)],
        )?;
    }
    let games = tx
        .prepare("SELECT id, host_key_hash FROM games WHERE host_key_hash IS NOT NULL")?
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (game, key) in games {
        let hash = secret_hash(&key);
        tx.execute(
            "UPDATE games SET host_key_hash = ?2 WHERE id = ?1",
            params![game, hash],
        )?;
        tx.execute(
            "INSERT INTO host_keys (game_id, key_hash) VALUES (?1, ?2)",
            params![game, hash],
        )?;
    }
    Ok(())
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
        while let Err(e) = commit(&mut conn, &batch) {
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
                    req.notify.send_replace(req.seq);
                }
                WriterMsg::Flush(done) => {
                    let _ = done.send(());
                }
                WriterMsg::Beat => {}
            }
        }
    }
}

/// Whether a game is `running` (so its open question's time must be tracked). When the
/// database cannot say, assume so: a needless heartbeat costs less than a wrong restore.
fn any_game_running(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM games WHERE status = 'running')",
        [],
        |r| r.get::<_, bool>(0),
    )
    .unwrap_or(true)
}

fn commit(conn: &mut Connection, batch: &[WriterMsg]) -> Result<()> {
    let tx = conn.transaction()?;
    let now_ms = unix_now_ms();
    tx.prepare_cached("UPDATE heartbeat SET at_ms = ?1 WHERE id = 1")?
        .execute([now_ms])?;
    for m in batch {
        let WriterMsg::Write(req) = m else { continue };
        match &req.write {
            Write::Player {
                game,
                player,
                name,
                token_hash,
                first_index,
            } => {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO players (game_id, player_id, name, token_hash, first_index)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![game.0, player.0, name, token_hash, first_index])?;
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
                .execute(params![game.0, player.0, status, opened])?;
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
                .execute(params![game.0, status, unix_now()])?;
            }
            Write::Phase { game, phase, index } => {
                tx.prepare_cached(
                    "UPDATE games SET phase = ?2, phase_index = ?3,
                         opened_ms = CASE WHEN ?2 = 'question' THEN ?4 ELSE opened_ms END
                     WHERE id = ?1",
                )?
                .execute(params![game.0, phase, index, now_ms])?;
            }
            Write::Flags { game, locked, chat } => {
                tx.prepare_cached("UPDATE games SET locked = ?2, chat = ?3 WHERE id = ?1")?
                    .execute(params![game.0, locked, chat])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod secrets_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("t.db")).expect("open");
        (dir, store)
    }

    #[test]
    fn an_idle_server_with_no_running_game_never_commits_a_heartbeat() {
        let (_dir, store) = temp_store();
        std::thread::sleep(HEARTBEAT * 2 + Duration::from_millis(300));
        assert_eq!(store.writer.stats.commits.get(), 0);
    }

    #[test]
    fn both_connections_commit_with_a_full_flush_to_the_write_ahead_log() {
        // The request connection and the writer's are both opened by `open_conn`; an
        // `answer_ack` waits for the writer's commit, so its flush is what makes an ack durable.
        let (dir, store) = temp_store();
        let again = open_conn(&dir.path().join("t.db")).expect("the writer's kind");
        for db in [&*lock(&store.db), &again] {
            let sync: i64 = db
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap();
            let mode: String = db
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!((sync, mode.as_str()), (2, "wal"), "2 is FULL");
        }
    }

    #[test]
    fn passwords_are_stored_only_as_argon2id_hashes() {
        let (_dir, store) = temp_store();
        store.bootstrap_admin(Some("correct horse")).expect("admin");
        store
            .create_account("ada", "battery staple", Role::Host)
            .expect("account");
        let db = lock(&store.db);
        let mut stmt = db
            .prepare("SELECT password_hash FROM accounts")
            .expect("query");
        let hashes: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("hashes");
        assert_eq!(hashes.len(), 2);
        for h in hashes {
            assert!(h.starts_with("$argon2id$"), "{h}");
            assert!(!h.contains("horse") && !h.contains("battery"));
        }
    }

    #[test]
    fn a_password_is_checked_with_reused_memory_and_the_dummy_hash_is_well_formed() {
        let hash = hash_password("battery staple").expect("hash");
        for _ in 0..2 {
            assert!(verify_password("battery staple", &hash));
            assert!(!verify_password("battery stapler", &hash));
        }
        assert!(!verify_password("battery staple", "not a hash"));
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify_password("", DUMMY_HASH));
    }

    #[test]
    fn login_checks_the_password_and_a_new_admin_password_replaces_the_old() {
        let (_dir, store) = temp_store();
        assert!(
            store.bootstrap_admin(None).expect("admin").is_some(),
            "generated once"
        );
        assert!(
            store.bootstrap_admin(None).expect("admin").is_none(),
            "not twice"
        );
        store.bootstrap_admin(Some("new pw")).expect("admin");
        assert!(store.login("admin", "new pw").expect("login").is_some());
        assert!(store.login("admin", "wrong").expect("login").is_none());
        assert!(store.login("nobody", "new pw").expect("login").is_none());
        let token = store
            .login("ADMIN", "new pw")
            .expect("login")
            .expect("token");
        let who = store
            .account_for_token(&token)
            .expect("lookup")
            .expect("account");
        assert_eq!((who.username.as_str(), who.role), ("admin", Role::Admin));
    }

    #[test]
    fn migrations_run_once_and_reopening_is_harmless() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t.db");
        drop(Store::open(&path).expect("first open"));
        let store = Store::open(&path).expect("second open");
        let version: usize = lock(&store.db)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len());
        assert!(store.integrity_ok().expect("check"));
    }

    /// Version 1 as it shipped, with rows in every table: the upgrade keeps them, adds the
    /// resume columns, and a game it left running without a host key cannot resume.
    #[test]
    fn a_version_1_database_upgrades_with_its_rows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v1.db");
        {
            let conn = open_conn(&path).expect("open");
            conn.execute_batch(MIGRATIONS[0]).expect("v1 schema");
            conn.pragma_update(None, "user_version", 1)
                .expect("version");
            conn.execute_batch(
                r#"INSERT INTO accounts VALUES (1, 'admin', 'x', 'admin', 0, 0);
                INSERT INTO quizzes VALUES (1, 1, 'Old', '{"title":"Old","questions":[{"kind":"choice","text":"?","choices":["a","b"],"correct":[0]}]}', NULL, 0);
                INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at)
                    SELECT 1, 1, 1, '123456', 'classic', 'finished', doc, 0 FROM quizzes;
                INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at)
                    SELECT 2, 1, 1, '654321', 'classic', 'running', doc, 0 FROM quizzes;
                INSERT INTO players VALUES (1, 1, 'Ada', 'tok', 'active');
                INSERT INTO answers VALUES (1, 0, 1, 1200, 1, 940, '{"choice":0}');"#,
            )
            .expect("v1 rows");
        }
        let store = Store::open(&path).expect("upgrade");
        let version: usize = lock(&store.db)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len());
        let report = store.game_report(GameId(1)).expect("report").expect("game");
        assert_eq!(report.status, "finished");
        assert_eq!(report.players[0].name, "Ada");
        assert_eq!(report.players[0].score, 940);
        assert_eq!(report.answers.len(), 1);
        let phase: String = lock(&store.db)
            .query_row("SELECT phase FROM games WHERE id = 1", [], |r| r.get(0))
            .expect("new column");
        assert_eq!(phase, "lobby");
        let running = store.running_games().expect("running");
        assert_eq!(running.len(), 1);
        assert!(matches!(&running[0], Err((GameId(2), _))), "{running:?}");
        assert!(store.integrity_ok().expect("check"));
    }

    /// Version 3 with a played game: the upgrade makes the quiz undeleted and the game public,
    /// and deleting the quiz afterwards hides it while the game's report keeps working.
    #[test]
    fn a_version_3_database_upgrades_and_a_deleted_quiz_keeps_its_games() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v3.db");
        {
            let mut conn = open_conn(&path).expect("open");
            for sql in &MIGRATIONS[..3] {
                conn.execute_batch(sql).expect("old schema");
            }
            conn.pragma_update(None, "user_version", 3)
                .expect("version");
            let tx = conn.transaction().expect("tx");
            tx.execute_batch(
                r#"INSERT INTO accounts VALUES (1, 'admin', 'x', 'admin', 0, 0);
                INSERT INTO quizzes (id, owner_id, title, doc, builtin, created_at) VALUES (1, 1, 'Old', '{"title":"Old","questions":[{"kind":"choice","text":"?","choices":["a","b"],"correct":[0]}]}', NULL, 0);
                INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at, finished_at)
                    SELECT 1, 1, 1, '123456', 'classic', 'finished', doc, 5, 7 FROM quizzes;
                INSERT INTO players VALUES (1, 1, 'Ada', 'tok', 'active');
                INSERT INTO answers VALUES (1, 0, 1, 1200, 1, 940, '{"choice":0}');"#,
            )
            .expect("v3 rows");
            tx.commit().expect("commit");
        }
        let store = Store::open(&path).expect("upgrade");
        let version: usize = lock(&store.db)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len());
        let who = Account {
            id: 1,
            username: "admin".into(),
            role: Role::Admin,
        };
        assert_eq!(store.list_quizzes(&who).expect("list").len(), 1);
        let report = store.game_report(GameId(1)).expect("report").expect("game");
        assert!(!report.private);
        assert_eq!((report.created_at, report.finished_at), (5000, Some(7000)));
        assert_eq!(report.answers[0].answer, serde_json::json!({"choice": 0}));
        assert_eq!(store.leaderboard().expect("board").len(), 1);

        store.delete_quiz(QuizId(1)).expect("delete");
        assert!(store.get_quiz(QuizId(1)).expect("get").is_none());
        assert!(store.list_quizzes(&who).expect("list").is_empty());
        let report = store.game_report(GameId(1)).expect("report").expect("game");
        assert_eq!(
            (report.title.as_str(), report.players[0].score),
            ("Old", 940)
        );
        store.set_game_private(GameId(1), true).expect("private");
        assert!(store.leaderboard().expect("board").is_empty());
        assert!(store.integrity_ok().expect("check"));
    }

    #[test]
    fn a_new_password_or_disabling_ends_sessions_and_a_disabled_account_cannot_log_in() {
        let (_dir, store) = temp_store();
        let id = store
            .create_account("ada", "first-password", Role::Host)
            .expect("account");
        assert!(matches!(
            store.create_account("ADA", "other-password", Role::Host),
            Err(StoreError::UsernameTaken)
        ));
        let a = store
            .login("ada", "first-password")
            .expect("login")
            .expect("token");
        let b = store
            .login("ada", "first-password")
            .expect("login")
            .expect("token");
        assert!(!store
            .change_password(id, "wrong", "second-password", &a)
            .expect("change"));
        assert!(store
            .change_password(id, "first-password", "second-password", &a)
            .expect("change"));
        assert!(
            store.account_for_token(&a).expect("lookup").is_some(),
            "the caller stays"
        );
        assert!(
            store.account_for_token(&b).expect("lookup").is_none(),
            "the others end"
        );
        assert!(store
            .login("ada", "first-password")
            .expect("login")
            .is_none());

        let reset = AccountChange {
            password: Some("third-password".into()),
            ..AccountChange::default()
        };
        store
            .update_account(id, &reset)
            .expect("reset")
            .expect("account");
        assert!(store.account_for_token(&a).expect("lookup").is_none());
        let c = store
            .login("ada", "third-password")
            .expect("login")
            .expect("token");
        let off = AccountChange {
            disabled: Some(true),
            role: Some(Role::Admin),
            ..AccountChange::default()
        };
        let row = store
            .update_account(id, &off)
            .expect("disable")
            .expect("account");
        assert!(row.disabled && row.role == Role::Admin);
        assert!(store.account_for_token(&c).expect("lookup").is_none());
        assert!(store
            .login("ada", "third-password")
            .expect("login")
            .is_none());
        assert!(store.update_account(999, &off).expect("update").is_none());
    }

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
        let (notify, seen) = watch::channel(0);
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
                phase: "question",
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
        assert_eq!(*seen.borrow(), 4, "every row reported committed");
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
            (report.status.as_str(), report.answers.len()),
            ("aborted", 1)
        );
    }

    #[test]
    fn a_backup_is_a_complete_database_and_never_overwrites() {
        let (dir, store) = temp_store();
        store.bootstrap_admin(Some("pw")).expect("admin");
        let src = dir.path().join("t.db");
        let dest = dir.path().join("b.db");
        Store::backup(&src, &dest).expect("backup");
        let copy = Store::open(&dest).expect("open copy");
        assert!(copy.login("admin", "pw").expect("login").is_some());
        assert!(matches!(
            Store::backup(&src, &dest),
            Err(StoreError::Backup(_))
        ));
        assert!(Store::backup(&dir.path().join("none.db"), &dir.path().join("c.db")).is_err());
        assert!(!dir.path().join("none.db").exists());
    }
}
