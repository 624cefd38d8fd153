//! What the database keeps of secrets (hashes only), how long a session lives, the upgrade
//! that hashes an older database's secrets in place, and who may read the files.

use super::both::{both, Backend};
use super::pg::testing::temp_pg;
use super::schema::{open_conn, MIGRATIONS};
use super::testing::temp_store;
use super::{lock, unix_now, Role, SessionLifetimes, Store};
use crate::room::state::{Effects, Room, Settings, Write};
use crate::room::storage::Committed;
use crate::secret::secret_hash;
use quizrace_protocol::{GameId, Mode, NamePolicy, Pin, PlayerId, QuizDoc};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Every cell of `table`, as text, one row a line.
fn dump(store: &Store, table: &str) -> String {
    let db = lock(&store.db);
    let mut stmt = db
        .prepare(&format!("SELECT * FROM {table}"))
        .expect("select");
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .expect("query")
        .collect::<rusqlite::Result<Vec<_>>>()
        .expect("rows");
    rows.iter().map(|r| r.join(" ") + "\n").collect()
}

fn set_session_times(b: &Backend, created_ago_s: i64, used_ago_s: i64) {
    let now = unix_now();
    b.execute(&format!(
        "UPDATE sessions SET created_at = {}, last_used_at = {}",
        now - created_ago_s,
        now - used_ago_s
    ));
}

fn sessions(b: &Backend) -> i64 {
    b.int("SELECT COUNT(*) FROM sessions")
}

#[test]
fn session_tokens_are_stored_only_as_hashes_and_still_work() {
    both(session_tokens_are_stored_only_as_hashes_and_still_work_on);
}

fn session_tokens_are_stored_only_as_hashes_and_still_work_on(db: &Backend) {
    let store = db.catalog();
    let id = store
        .create_account("ada", "a-password", Role::Host)
        .expect("account");
    let a = store.login("ada", "a-password").expect("login").expect("a");
    let b = store.login("ada", "a-password").expect("login").expect("b");
    let rows = db.rows("SELECT * FROM sessions").join("\n");
    assert!(!rows.contains(&a) && !rows.contains(&b), "{rows}");
    assert!(rows.contains(&secret_hash(&a)), "{rows}");
    assert_eq!(
        store.account_for_token(&a).expect("lookup").map(|x| x.id),
        Some(id)
    );
    assert!(
        store
            .account_for_token(&secret_hash(&a))
            .expect("lookup")
            .is_none(),
        "the stored hash is no token"
    );
    assert!(store
        .change_password(id, "a-password", "b-password", &a)
        .expect("change"));
    assert!(
        store.account_for_token(&a).expect("lookup").is_some(),
        "kept"
    );
    assert!(
        store.account_for_token(&b).expect("lookup").is_none(),
        "ended"
    );
    store.logout(&a).expect("logout");
    assert!(store.account_for_token(&a).expect("lookup").is_none());
    assert_eq!(sessions(db), 0);
}

#[test]
fn a_session_ends_after_its_idle_time_and_after_its_absolute_lifetime() {
    let lifetimes = SessionLifetimes {
        idle: Duration::from_secs(12 * 3600),
        max: Duration::from_secs(7 * 24 * 3600),
    };
    let (dir, store) = temp_store();
    let sqlite = Backend::Sqlite(dir, store.with_session_lifetimes(lifetimes));
    a_session_ends_after_its_idle_time_and_after_its_absolute_lifetime_on(&sqlite);
    let pg = Backend::Pg(temp_pg().with_session_lifetimes(lifetimes));
    a_session_ends_after_its_idle_time_and_after_its_absolute_lifetime_on(&pg);
}

fn a_session_ends_after_its_idle_time_and_after_its_absolute_lifetime_on(b: &Backend) {
    let store = b.catalog();
    store
        .create_account("ada", "a-password", Role::Host)
        .expect("account");
    let token = store.login("ada", "a-password").expect("login").expect("t");
    set_session_times(b, 11 * 3600, 11 * 3600);
    assert!(
        store.account_for_token(&token).expect("lookup").is_some(),
        "11 h idle"
    );
    set_session_times(b, 13 * 3600, 13 * 3600);
    assert!(
        store.account_for_token(&token).expect("lookup").is_none(),
        "13 h idle"
    );
    assert_eq!(sessions(b), 0, "an expired session's row is deleted");

    let token = store.login("ada", "a-password").expect("login").expect("t");
    set_session_times(b, 8 * 24 * 3600, 30);
    assert!(
        store.account_for_token(&token).expect("lookup").is_none(),
        "used a minute ago, but created 8 days ago"
    );

    let old = store.login("ada", "a-password").expect("login").expect("t");
    set_session_times(b, 8 * 24 * 3600, 0);
    store.login("ada", "a-password").expect("login").expect("t");
    assert_eq!(sessions(b), 1, "a login sweeps expired sessions");
    assert!(store.account_for_token(&old).expect("lookup").is_none());
}

#[test]
fn a_session_records_its_use_at_most_once_a_minute() {
    both(a_session_records_its_use_at_most_once_a_minute_on);
}

fn a_session_records_its_use_at_most_once_a_minute_on(b: &Backend) {
    let store = b.catalog();
    store
        .create_account("ada", "a-password", Role::Host)
        .expect("account");
    let token = store.login("ada", "a-password").expect("login").expect("t");
    let used = || -> i64 { b.int("SELECT last_used_at FROM sessions") };
    set_session_times(b, 3600, 30);
    let before = used();
    assert!(store.account_for_token(&token).expect("lookup").is_some());
    assert_eq!(used(), before, "used 30 s ago: no write");
    set_session_times(b, 3600, 120);
    assert!(store.account_for_token(&token).expect("lookup").is_some());
    assert!(used() >= unix_now() - 5, "used 2 min ago: stamped now");
}

#[test]
fn a_new_admin_password_given_at_start_ends_the_admins_sessions() {
    both(a_new_admin_password_given_at_start_ends_the_admins_sessions_on);
}

fn a_new_admin_password_given_at_start_ends_the_admins_sessions_on(b: &Backend) {
    let store = b.catalog();
    store.bootstrap_admin(Some("first")).expect("admin");
    let host = store
        .create_account("ada", "a-password", Role::Host)
        .expect("account");
    let admin = store.login("admin", "first").expect("login").expect("t");
    let ada = store.login("ada", "a-password").expect("login").expect("t");
    store
        .bootstrap_admin(Some("first"))
        .expect("same password again");
    assert!(
        store.account_for_token(&admin).expect("lookup").is_some(),
        "a restart with the same password logs nobody out"
    );
    store.bootstrap_admin(Some("second")).expect("new password");
    assert!(store.account_for_token(&admin).expect("lookup").is_none());
    store.bootstrap_admin(None).expect("no password given");
    let admin = store.login("admin", "second").expect("login").expect("t");
    store.bootstrap_admin(None).expect("no password given");
    assert!(
        store.account_for_token(&admin).expect("lookup").is_some(),
        "a start without a password leaves sessions alone"
    );
    assert_eq!(
        store.account_for_token(&ada).expect("lookup").map(|a| a.id),
        Some(host),
        "other accounts keep theirs"
    );
}

/// The room's rows and the game's keys as the writer and `create_game` get them (hashes,
/// from the room and the socket code) come back from a restore unchanged, and the host keys
/// a room minted later are kept, at most [`MAX_HOST_KEYS`] of them.
#[test]
fn minted_host_keys_are_stored_and_restored_newest_last_at_most_eight() {
    both(minted_host_keys_are_stored_and_restored_newest_last_at_most_eight_on);
}

fn minted_host_keys_are_stored_and_restored_newest_last_at_most_eight_on(b: &Backend) {
    let store = b.catalog();
    store.bootstrap_admin(Some("pw")).expect("admin");
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({"title":"T","questions":[
        {"kind":"choice","text":"?","choices":["a","b"],"correct":[0]}]}))
    .expect("doc");
    let quiz = store.create_quiz(1, &doc).expect("quiz");
    let settings = Settings {
        pin: Pin("111222".into()),
        game_id: GameId(0),
        mode: Mode::Classic,
        max_players: 7,
        auto_advance_ms: None,
        chat: true,
        host_key: secret_hash("k0"),
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
    };
    let game = store.create_game(quiz, 1, &settings, &doc).expect("game");
    let (notify, _seen) = watch::channel(Committed::UpTo(0));
    let notify = Arc::new(notify);
    for i in 1..=9 {
        let write = Write::HostKey {
            game,
            key_hash: secret_hash(&format!("k{i}")),
        };
        store.room_writer().write(write, i, Arc::clone(&notify));
    }
    b.flush();
    let running = b.running();
    let [Ok(g)] = running.as_slice() else {
        panic!("{running:?}");
    };
    let want: Vec<String> = (2..=9).map(|i| secret_hash(&format!("k{i}"))).collect();
    assert_eq!(g.saved.host_keys, want);
}

/// Version 4 with a running game, its player and a logged-in host: after the upgrade no
/// plain secret is left in the file, the session still works, and the restored room takes
/// the player back with the token their phone kept and the host with their key.
#[test]
fn a_version_4_database_upgrades_with_its_secrets_hashed_in_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("v4.db");
    {
        let mut conn = open_conn(&path).expect("open");
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).expect("old schema");
        }
        conn.pragma_update(None, "user_version", 4)
            .expect("version");
        let tx = conn.transaction().expect("tx");
        tx.execute_batch(
            r#"INSERT INTO accounts VALUES (1, 'admin', 'x', 'admin', 0, 0);
            INSERT INTO sessions VALUES ('plain-session-token', 1, strftime('%s','now'));
            INSERT INTO quizzes (id, owner_id, title, doc, builtin, created_at) VALUES (1, 1, 'Old', '{"title":"Old","questions":[{"kind":"choice","text":"?","choices":["a","b"],"correct":[0]}]}', NULL, 0);
            INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at, host_key, max_players)
                SELECT 1, 1, 1, '123456', 'classic', 'running', doc, 5, 'plain-host-key', 10 FROM quizzes;
            INSERT INTO players (game_id, player_id, name, token) VALUES (1, 1, 'Ada', 'plain-player-token');"#,
        )
        .expect("v4 rows");
        tx.commit().expect("commit");
    }
    let store = Store::open(&path).expect("upgrade");
    for table in ["sessions", "games", "players"] {
        let rows = dump(&store, table);
        assert!(!rows.contains("plain-"), "{table}: {rows}");
    }
    assert!(store
        .account_for_token("plain-session-token")
        .expect("lookup")
        .is_some());
    let running = store.running_games().expect("running");
    let [Ok(g)] = running.as_slice() else {
        panic!("{running:?}");
    };
    let g = g.clone();
    let settings = Settings {
        pin: g.pin,
        game_id: g.game,
        mode: g.mode,
        max_players: g.max_players,
        auto_advance_ms: g.auto_advance_ms,
        chat: g.saved.chat,
        host_key: g.host_key,
        names: g.names,
        teams: None,
        team_choice: Default::default(),
        team_talk_ms: 0,
        blocked_words: Default::default(),
        timing: g.timing,
        leaderboard: g.leaderboard,
        shuffle_answers: g.shuffle_answers,
        media_on_phones: g.media_on_phones,
        question_on_phones: g.question_on_phones,
    };
    let quiz = Arc::new(g.doc.validate().expect("quiz"));
    let now = std::time::Instant::now();
    let mut room = Room::restore(settings, quiz, g.saved, now).expect("restore");
    let mut fx = Effects::new();
    assert_eq!(
        room.resume(1, "plain-player-token", now, &mut fx),
        Ok(PlayerId(1))
    );
    assert!(room
        .attach_host(2, "plain-host-key", false, now, &mut fx)
        .is_ok());
    assert!(store.integrity_ok().expect("check"));
}

#[test]
fn the_database_its_journal_files_and_a_backup_are_readable_by_the_owner_only() {
    let (dir, store) = temp_store();
    store.bootstrap_admin(Some("pw")).expect("admin");
    store.login("admin", "pw").expect("login");
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    for name in ["t.db", "t.db-wal", "t.db-shm"] {
        assert_eq!(mode(name), 0o600, "{name}");
    }
    Store::backup(&dir.path().join("t.db"), &dir.path().join("b.db")).expect("backup");
    assert_eq!(mode("b.db"), 0o600, "backup");
}
