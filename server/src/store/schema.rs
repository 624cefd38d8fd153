//! The schema and its migrations, opening the database (pragmas, file modes), and the
//! integrity check. Rows are read and written by the modules of each concern.

use super::writer::Writer;
use super::{lock, unix_now, Result, SessionLifetimes, Store, StoreError};
use crate::secret::secret_hash;
use rusqlite::{params, Connection};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::info;

/// Schema versions, applied in order; `PRAGMA user_version` says how many ran.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // 7: a cluster's columns, so that both backends count the same versions. On PostgreSQL
    // a running game has an owner node and an epoch, and each row carries the epoch it was
    // written under; one node never hands a game over, so here every game keeps no owner and
    // epoch 1. (The nodes' leases and the one-running-game-per-PIN index are PostgreSQL's
    // alone: one process holds its PINs in memory.)
    "ALTER TABLE games ADD COLUMN owner_node TEXT;
    ALTER TABLE games ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE players ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE answers ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;",
    // 8: the host's game settings (`time_factor`, `no_time_limit`, `leaderboard` and
    // `shuffle_answers` on `host`), so that a room that comes back after a restart keeps
    // them. (`shuffle_questions` needs no column: the game's quiz copy is stored shuffled.)
    "ALTER TABLE games ADD COLUMN time_factor REAL NOT NULL DEFAULT 1;
    ALTER TABLE games ADD COLUMN no_time_limit INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE games ADD COLUMN leaderboard TEXT NOT NULL DEFAULT 'each'
        CHECK (leaderboard IN ('each', 'end'));
    ALTER TABLE games ADD COLUMN shuffle_answers INTEGER NOT NULL DEFAULT 0;",
    // 9: teams. A team game's plan (`"teams"` on `host`: a count or a size, at most one set)
    // and each player's team, so that a restored room keeps every player in their team and
    // places newcomers as before. Null in a game without teams.
    "ALTER TABLE games ADD COLUMN team_count INTEGER;
    ALTER TABLE games ADD COLUMN team_size INTEGER;
    ALTER TABLE players ADD COLUMN team INTEGER;",
    // 10: question media, in the database so that the one-file backup stays one file. A file
    // is named by the SHA-256 of its stored bytes and kept once however many accounts upload
    // it: `owner_id` is its first uploader, `media_owners` every account that uploaded it
    // (what an account may put in its quizzes, and what its quota counts). Width and height
    // are an image's, null for audio and video. A game keeps the host's `media_on_phones`.
    "CREATE TABLE media (
        hash TEXT PRIMARY KEY,
        mime TEXT NOT NULL,
        bytes BLOB NOT NULL,
        width INTEGER,
        height INTEGER,
        size INTEGER NOT NULL,
        owner_id INTEGER NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL
    );
    CREATE TABLE media_owners (
        hash TEXT NOT NULL REFERENCES media(hash),
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, hash)
    );
    ALTER TABLE games ADD COLUMN media_on_phones INTEGER NOT NULL DEFAULT 0;",
    // 11: who puts players in teams (`"team_choice"` on `host`) and the team talk before each
    // question (`"team_talk_s"`, stored in ms; 0 without teams), so that a restored room keeps
    // both. A player who chooses has no team (null) until they do.
    "ALTER TABLE games ADD COLUMN team_choice TEXT NOT NULL DEFAULT 'auto'
        CHECK (team_choice IN ('auto', 'players'));
    ALTER TABLE games ADD COLUMN team_talk_ms INTEGER NOT NULL DEFAULT 0;",
    // 12: self-paced assignments. An assignment is a game of its own (so Results, reports and
    // exports treat it as one) with an `assignments` row: its 8-digit code (a live PIN has 6),
    // deadline, the identifier it asks for, and how many attempts one person may make. Each
    // attempt is a player of that game with an `attempts` row: whose it is (`person`: the
    // identifier, or the name's key when none is asked for), where it is (the question
    // shown, when, whether it closed), and which socket holds it (`holder`: a socket that
    // takes an attempt up replaces it, and a write under another holder is refused; `node`:
    // on a cluster, the node of that socket, whose last lease renewal ends an open question's
    // clock if the node dies).
    // `players.identifier` is shown to the game's owner only.
    "CREATE TABLE assignments (
        game_id INTEGER PRIMARY KEY REFERENCES games(id),
        code TEXT NOT NULL UNIQUE,
        deadline_ms INTEGER NOT NULL,
        identifier_label TEXT,
        attempts INTEGER NOT NULL,
        created_by INTEGER NOT NULL REFERENCES accounts(id),
        closed_ms INTEGER
    );
    CREATE TABLE attempts (
        game_id INTEGER NOT NULL REFERENCES assignments(game_id),
        player_id INTEGER NOT NULL,
        person TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        question INTEGER,
        shown_ms INTEGER,
        closed INTEGER NOT NULL DEFAULT 0,
        finished_ms INTEGER,
        score INTEGER NOT NULL DEFAULT 0,
        holder TEXT NOT NULL,
        node TEXT,
        PRIMARY KEY (game_id, player_id),
        FOREIGN KEY (game_id, player_id) REFERENCES players(game_id, player_id)
    );
    CREATE INDEX attempts_by_person ON attempts (game_id, person);
    ALTER TABLE players ADD COLUMN identifier TEXT;",
    // 13: whether phones show a choice question's words (`question_on_phones` on `host`), so
    // that a restored room keeps its shapes-only phones. Older games showed them.
    "ALTER TABLE games ADD COLUMN question_on_phones INTEGER NOT NULL DEFAULT 1;",
];

/// The schema version whose SQL is followed by [`hash_secrets`].
const HASHED_SECRETS: usize = 5;

/// Creates `path` readable and writable by its owner only, or makes an existing file so. The
/// database holds password hashes and players' answers; nobody else on the machine needs them.
pub(super) fn make_private(path: &Path) -> Result<()> {
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

pub(super) fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
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
        // Before the writer stamps its first heartbeat, which ends the downtime.
        let credited = super::assignments::credit_downtime(&conn, super::unix_now_ms())?;
        if credited > 0 {
            info!(
                attempts = credited,
                "open assignment questions keep their time left"
            );
        }
        let writer_conn = open_conn(path)?;
        make_journal_private(path)?;
        let writer = Writer::start(writer_conn)?;
        Ok(Store {
            db: Arc::new(Mutex::new(conn)),
            writer,
            podiums: Default::default(),
            sessions: SessionLifetimes::default(),
            password_checks: Arc::default(),
        })
    }

    /// `PRAGMA integrity_check`, for tests and operators.
    pub fn integrity_ok(&self) -> Result<bool> {
        let r: String = lock(&self.db).query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(r == "ok")
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::state::GameStatus;
    use crate::store::testing::temp_store;
    use crate::store::{Account, Role};
    use quizrace_protocol::{GameId, QuizId};

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

    /// The two backends number their versions alike, so an operator reads one version
    /// whichever database a node uses; on one node every game keeps no owner and epoch 1.
    #[test]
    fn sqlite_has_the_cluster_version_with_no_owner_and_epoch_1() {
        assert_eq!(MIGRATIONS.len(), crate::store::pg::schema::MIGRATIONS.len());
        let (_dir, store) = temp_store();
        let db = lock(&store.db);
        db.execute_batch(
            r#"INSERT INTO accounts VALUES (1, 'admin', 'x', 'admin', 0, 0);
            INSERT INTO quizzes (id, owner_id, title, doc, created_at) VALUES (1, 1, 'Q', '{}', 0);
            INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at)
                VALUES (1, 1, 1, '123456', 'classic', 'running', '{}', 0);
            INSERT INTO players (game_id, player_id, name, token_hash) VALUES (1, 1, 'Ada', 't');
            INSERT INTO answers (game_id, question_index, player_id, elapsed_ms, points, answer)
                VALUES (1, 0, 1, 5, 0, '{}');"#,
        )
        .expect("rows");
        let row: (Option<String>, i64, i64, i64) = db
            .query_row(
                "SELECT g.owner_node, g.epoch, p.epoch, a.epoch
                 FROM games g JOIN players p ON p.game_id = g.id JOIN answers a ON a.game_id = g.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("the cluster columns");
        assert_eq!(row, (None, 1, 1, 1));
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
        assert_eq!(report.status, GameStatus::Finished);
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
}
