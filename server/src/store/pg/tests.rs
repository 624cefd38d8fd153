//! What only a cluster's database does: the fence, PINs and quotas shared by several nodes,
//! commits that survive cut connections, and its own upgrade path.

use super::testing::{fresh_database, temp_pg, test_node};
use super::{NodeId, PgStore};
use crate::room::state::{StoredPhase, Write};
use crate::room::storage::Committed;
use crate::store::both::Backend;
use crate::store::testing::{quiz_doc, settings};
use crate::store::{Catalog, Role, StoreError};
use quizrace_protocol::{AnswerValue, GameId, PlayerId, QuizDoc, QuizId};
use std::sync::Arc;
use tokio::sync::watch;

fn node(name: &str) -> NodeId {
    NodeId {
        name: name.into(),
        url: format!("http://{name}.invalid:1"),
    }
}

fn doc() -> QuizDoc {
    quiz_doc("T", 1)
}

/// An admin (account 1) and a quiz of theirs.
fn seeded(store: &PgStore) -> QuizId {
    store.bootstrap_admin(Some("pw")).expect("admin");
    store.create_quiz(1, &doc()).expect("quiz")
}

/// Raw SQL on `store`'s database, through the tests' [`Backend`].
fn sql(store: &PgStore, sql: &str) {
    Backend::Pg(store.clone()).execute(sql);
}

/// Every row of a query as text (booleans as 1 and 0), through the tests' [`Backend`].
fn text(store: &PgStore, sql: &str) -> Vec<String> {
    Backend::Pg(store.clone()).rows(sql)
}

fn flush(store: &PgStore) {
    Backend::Pg(store.clone()).flush();
}

fn player(game: GameId, n: u32) -> Write {
    Write::Player {
        game,
        player: PlayerId(n),
        name: format!("P{n}"),
        token_hash: format!("t{n}"),
        first_index: 0,
        team: None,
    }
}

fn answer(game: GameId, index: u32, n: u32) -> Write {
    Write::Answer {
        game,
        index,
        player: PlayerId(n),
        elapsed_ms: 100,
        correct: Some(true),
        points: 10,
        answer: AnswerValue::Choice(0),
    }
}

#[test]
fn every_connection_commits_synchronously_whatever_the_database_default() {
    let url = fresh_database();
    let db = url.rsplit('/').next().expect("name").to_owned();
    let setup = PgStore::open(&url, test_node()).expect("open");
    sql(
        &setup,
        &format!("ALTER DATABASE {db} SET synchronous_commit = off"),
    );
    drop(setup);
    let store = PgStore::open(&url, test_node()).expect("open");
    assert_eq!(text(&store, "SHOW synchronous_commit"), ["on"]);
}

/// Node b claims a game of node a's (the claim is the UPDATE of the design): a's writer
/// stores nothing more of that game, tells its room `Fenced`, and goes on storing its other
/// game; b's rows carry the new epoch.
#[test]
fn a_claimed_games_rows_are_fenced_and_other_games_rows_are_stored() {
    let url = fresh_database();
    let a = PgStore::open(&url, node("a")).expect("node a");
    let b = PgStore::open(&url, node("b")).expect("node b");
    let quiz = seeded(&a);
    let lost = a
        .create_game(quiz, 1, &settings("100001"), &doc())
        .expect("game");
    let kept = a
        .create_game(quiz, 1, &settings("100002"), &doc())
        .expect("game");
    let (lost_tx, lost_rx) = watch::channel(Committed::UpTo(0));
    let (kept_tx, kept_rx) = watch::channel(Committed::UpTo(0));
    let (lost_tx, kept_tx) = (Arc::new(lost_tx), Arc::new(kept_tx));
    let w = a.room_writer();
    w.write(player(lost, 1), 1, Arc::clone(&lost_tx));
    w.write(player(kept, 1), 1, Arc::clone(&kept_tx));
    flush(&a);
    assert_eq!(*lost_rx.borrow(), Committed::UpTo(1));

    sql(
        &b,
        &format!(
            "UPDATE games SET owner_node = 'b', epoch = epoch + 1 WHERE id = {}",
            lost.0
        ),
    );
    w.write(answer(lost, 0, 1), 2, Arc::clone(&lost_tx));
    w.write(answer(kept, 0, 1), 2, Arc::clone(&kept_tx));
    w.write(player(lost, 2), 3, Arc::clone(&lost_tx));
    flush(&a);
    assert_eq!(*lost_rx.borrow(), Committed::Fenced);
    assert_eq!(*kept_rx.borrow(), Committed::UpTo(2));
    w.write(player(lost, 3), 4, Arc::clone(&lost_tx));
    flush(&a);
    assert_eq!(*lost_rx.borrow(), Committed::Fenced, "and stays fenced");

    b.writer().own(lost, 2);
    let (b_tx, b_rx) = watch::channel(Committed::UpTo(0));
    b.room_writer().write(answer(lost, 0, 1), 1, Arc::new(b_tx));
    flush(&b);
    assert_eq!(*b_rx.borrow(), Committed::UpTo(1));
    let q = |table: &str, game: GameId| {
        text(
            &a,
            &format!(
                "SELECT player_id, epoch FROM {table} WHERE game_id = {} ORDER BY 1",
                game.0
            ),
        )
    };
    assert_eq!(
        q("players", lost),
        ["1 1"],
        "nothing of a's after the claim"
    );
    assert_eq!(q("answers", lost), ["1 2"], "b's answer, at b's epoch");
    assert_eq!(q("answers", kept), ["1 1"]);
    assert_eq!(a.writer_stats().rows.get(), 3);
}

#[test]
fn two_nodes_cannot_run_two_games_with_one_pin() {
    let url = fresh_database();
    let a = PgStore::open(&url, node("a")).expect("node a");
    let b = PgStore::open(&url, node("b")).expect("node b");
    let quiz = seeded(&a);
    let first = a
        .create_game_within(quiz, 1, &settings("424242"), &doc(), 10)
        .expect("first")
        .expect("quota");
    assert!(matches!(
        b.create_game_within(quiz, 1, &settings("424242"), &doc(), 10),
        Err(StoreError::PinTaken)
    ));
    assert!(matches!(
        b.create_game(quiz, 1, &settings("424242"), &doc()),
        Err(StoreError::PinTaken)
    ));
    assert_eq!(
        text(&a, "SELECT COUNT(*) FROM games"),
        ["1"],
        "nothing stored"
    );
    b.create_game_within(quiz, 1, &settings("434343"), &doc(), 10)
        .expect("another PIN")
        .expect("quota");
    a.abort_game(first).expect("end the first");
    b.create_game_within(quiz, 1, &settings("424242"), &doc(), 10)
        .expect("a PIN free again")
        .expect("quota");
}

/// Hosts on several nodes at once: the quota holds across them.
#[test]
fn a_quota_holds_across_nodes_creating_at_once() {
    let url = fresh_database();
    let stores: Vec<PgStore> = ["a", "b", "c"]
        .iter()
        .map(|n| PgStore::open(&url, node(n)).expect("node"))
        .collect();
    let quiz = seeded(&stores[0]);
    let host = stores[0]
        .create_account("ada", "a-password", Role::Host)
        .expect("host");
    let tries: Vec<_> = (0..12)
        .map(|i| {
            let store = stores[i % stores.len()].clone();
            std::thread::spawn(move || {
                let game = store
                    .create_game_within(quiz, host, &settings(&format!("5000{i:02}")), &doc(), 3)
                    .expect("create")
                    .is_some();
                let quiz = store
                    .create_quiz_within(host, &doc(), 2)
                    .expect("create")
                    .is_some();
                (game, quiz)
            })
        })
        .collect();
    let made: Vec<(bool, bool)> = tries
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(made.iter().filter(|m| m.0).count(), 3, "games");
    assert_eq!(made.iter().filter(|m| m.1).count(), 2, "quizzes");
}

/// The database cuts every connection of the writer's, again and again, while a room
/// streams rows: every row is stored once, and every one is reported committed.
#[test]
fn rows_survive_cut_connections_stored_once_each() {
    let url = fresh_database();
    let store = PgStore::open(&url, test_node()).expect("open");
    let killer = PgStore::open(&url, node("killer")).expect("open");
    let quiz = seeded(&store);
    let game = store
        .create_game(quiz, 1, &settings("777777"), &doc())
        .expect("game");
    let (tx, rx) = watch::channel(Committed::UpTo(0));
    let tx = Arc::new(tx);
    let w = store.room_writer();
    let mut seq = 0;
    for n in 1..=20 {
        seq += 1;
        w.write(player(game, n), seq, Arc::clone(&tx));
    }
    for index in 0..100 {
        for n in 1..=20 {
            seq += 1;
            w.write(answer(game, index, n), seq, Arc::clone(&tx));
        }
        if index % 10 == 0 {
            sql(
                &killer,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            );
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }
    flush(&store);
    assert_eq!(*rx.borrow(), Committed::UpTo(seq));
    assert_eq!(
        text(
            &killer,
            &format!("SELECT COUNT(*), COUNT(DISTINCT (question_index, player_id)) FROM answers WHERE game_id = {}", game.0)
        ),
        ["2000 2000"]
    );
    assert_eq!(store.writer_stats().answers.get(), 2000);
}

/// An open question's time on a claim runs to when the old owner was last alive (the
/// caller's `stopped_at_ms`), from the stamp the database's clock put on it. At start a
/// cluster node resumes nothing by itself.
#[test]
fn a_claimed_question_has_been_open_until_its_owner_stopped() {
    let store = temp_pg();
    let quiz = seeded(&store);
    let game = store
        .create_game(quiz, 1, &settings("818181"), &doc())
        .expect("game");
    let (tx, _rx) = watch::channel(Committed::UpTo(0));
    let open = Write::Phase {
        game,
        phase: StoredPhase::Question,
        index: 0,
    };
    store.room_writer().write(open, 1, Arc::new(tx));
    flush(&store);
    let opened: i64 = text(&store, "SELECT opened_ms FROM games")[0]
        .parse()
        .expect("opened_ms");
    let now = text(
        &store,
        "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint",
    )[0]
    .parse::<i64>()
    .expect("now");
    assert!((0..5000).contains(&(now - opened)), "the database's clock");
    let games = store
        .read_running(&[(game, opened + 4200), (GameId(999), 0)])
        .expect("read");
    let [Ok(g)] = games.as_slice() else {
        panic!("{games:?}");
    };
    assert_eq!(
        g.saved.phase,
        crate::room::storage::SavedPhase::Question {
            index: 0,
            elapsed_ms: 4200
        }
    );
    assert!(store.running_games().expect("running").is_empty());
}

/// Version 1 on PostgreSQL, with rows: the upgrade keeps them, and a game it left running
/// without a host key cannot be rebuilt.
#[test]
fn a_version_1_database_upgrades_with_its_rows() {
    let url = fresh_database();
    let setup = {
        let config: tokio_postgres::Config = url.parse().expect("url");
        config
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (client, conn) = setup.connect(tokio_postgres::NoTls).await.expect("connect");
        tokio::spawn(conn);
        client
            .batch_execute(super::schema::MIGRATIONS[0])
            .await
            .expect("v1 schema");
        client
            .batch_execute(
                r#"CREATE TABLE schema_version (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
                INSERT INTO schema_version VALUES (1, 1);
                INSERT INTO accounts VALUES (1, 'admin', 'x', 'admin', FALSE, 0);
                INSERT INTO quizzes VALUES (1, 1, 'Old', '{"title":"Old","questions":[{"kind":"choice","text":"?","choices":["a","b"],"correct":[0]}]}', NULL, 0);
                INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at)
                    SELECT 1, 1, 1, '123456', 'classic', 'finished', doc, 0 FROM quizzes;
                INSERT INTO games (id, quiz_id, host_id, pin, mode, status, quiz_doc, created_at)
                    SELECT 2, 1, 1, '654321', 'classic', 'running', doc, 0 FROM quizzes;
                INSERT INTO players VALUES (1, 1, 'Ada', 'tok', 'active');
                INSERT INTO answers VALUES (1, 0, 1, 1200, TRUE, 940, '{"choice":0}');"#,
            )
            .await
            .expect("v1 rows");
    });
    let store = PgStore::open(&url, test_node()).expect("upgrade");
    assert_eq!(
        text(&store, "SELECT version FROM schema_version"),
        [super::schema::MIGRATIONS.len().to_string()]
    );
    let report = store.game_report(GameId(1)).expect("report").expect("game");
    assert_eq!(report.players[0].name, "Ada");
    assert_eq!(report.players[0].score, 940);
    assert_eq!(
        text(
            &store,
            "SELECT phase, epoch, owner_node IS NULL FROM games WHERE id = 1"
        ),
        ["lobby 1 1"]
    );
    let running = store.read_running(&[(GameId(2), 0)]).expect("running");
    assert!(matches!(&running[..], [Err((GameId(2), _))]), "{running:?}");
    // Identity columns continue after the rows given with their ids.
    sql(
        &store,
        "SELECT setval(pg_get_serial_sequence('games', 'id'), (SELECT MAX(id) FROM games))",
    );
    store
        .create_game(QuizId(1), 1, &settings("111111"), &doc())
        .expect("a new game");
}

/// A role this server does not know is an error, never a host, on PostgreSQL too.
#[test]
fn an_unknown_stored_role_is_an_error_not_a_host() {
    let store = temp_pg();
    let id = store
        .create_account("ada", "a-password", Role::Host)
        .expect("account");
    let token = store
        .login("ada", "a-password")
        .expect("login")
        .expect("token");
    sql(
        &store,
        &format!(
            "ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
             UPDATE accounts SET role = 'root' WHERE id = {id}"
        ),
    );
    assert!(store.account_for_token(&token).is_err());
    assert!(store.list_accounts().is_err());
}

/// Rows are applied in the order handed over even within one pipelined commit: a changed
/// poll vote handed over right after the first is the one stored.
#[test]
fn a_changed_vote_in_one_commit_is_stored_last_wins() {
    let store = temp_pg();
    let quiz = seeded(&store);
    let game = store
        .create_game(quiz, 1, &settings("929292"), &doc())
        .expect("game");
    let (tx, rx) = watch::channel(Committed::UpTo(0));
    let tx = Arc::new(tx);
    let w = store.room_writer();
    w.write(player(game, 1), 1, Arc::clone(&tx));
    for (i, choice) in [0, 1, 0, 1].into_iter().enumerate() {
        let vote = Write::Answer {
            game,
            index: 0,
            player: PlayerId(1),
            elapsed_ms: 100 + i as u64,
            correct: None,
            points: 0,
            answer: AnswerValue::Choice(choice),
        };
        w.write(vote, i as u64 + 2, Arc::clone(&tx));
    }
    flush(&store);
    assert_eq!(*rx.borrow(), Committed::UpTo(5));
    assert_eq!(
        text(&store, "SELECT elapsed_ms, answer FROM answers"),
        [r#"103 {"choice":1}"#]
    );
}

/// Answers in a row go to the database as one statement: a row written twice keeps the
/// later (as a statement per row did), a `correct` of NULL stays NULL, and a player's row
/// handed over between answers is stored before the answers after it, which need it.
#[test]
fn answers_in_a_row_are_stored_as_one_statement_in_their_order() {
    let url = fresh_database();
    let store = PgStore::open(&url, test_node()).expect("open");
    let quiz = seeded(&store);
    let game = store
        .create_game(quiz, 1, &settings("100003"), &doc())
        .expect("game");
    let (tx, rx) = watch::channel(Committed::UpTo(0));
    let tx = Arc::new(tx);
    let w = store.room_writer();
    let mut later = answer(game, 0, 1);
    if let Write::Answer {
        points, correct, ..
    } = &mut later
    {
        (*points, *correct) = (7, None);
    }
    let writes = [
        player(game, 1),
        player(game, 2),
        answer(game, 0, 1),
        later,
        answer(game, 0, 2),
        player(game, 3),
        answer(game, 0, 3),
    ];
    for (seq, write) in (1..).zip(writes) {
        w.write(write, seq, Arc::clone(&tx));
    }
    flush(&store);
    assert_eq!(*rx.borrow(), Committed::UpTo(7));
    let rows = text(
        &store,
        &format!(
            "SELECT player_id, points, coalesce(correct::int, -1) FROM answers
             WHERE game_id = {} ORDER BY 1",
            game.0
        ),
    );
    assert_eq!(rows, ["1 7 -1", "2 10 1", "3 10 1"]);
}
