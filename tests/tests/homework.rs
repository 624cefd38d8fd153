//! Self-paced assignments over real sockets: bots finish one scored as live games are, the
//! host's live view and Results count them, the deadline and the attempts limit refuse what
//! they should, the identifier reaches the owner only, every abuse is refused with nothing
//! changed, and an attempt taken up on another socket replaces the first; shuffled answers
//! per player, and question media by a link for the attempt's own player.

mod common;

use common::{host_account, Game};
use quizrace::room::scoring::classic_points;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, ServerMsg};
use quizrace_tests::assignment::{self as a, Made};
use quizrace_tests::Bot;
use serde_json::{json, Value};
use std::time::Duration;

/// Three 10-second questions: choice (right: 1), true/false (right: 0), choice (right: 2).
fn three() -> Value {
    common::quiz(vec![
        common::choice(1),
        json!({"kind":"true_false","text":"Ice is cold.","correct":[0],"time_limit_s":10}),
        common::choice(2),
    ])
}

const RIGHT: [u32; 3] = [1, 0, 2];
const WRONG: [u32; 3] = [0, 1, 0];

async fn made(game: &Game, due: Duration, extra: Value) -> Made {
    a::create(&game.server.http(), &game.token, game.quiz_id, due, extra)
        .await
        .expect("assignment made")
}

async fn socket(game: &Game) -> Bot {
    game.socket().await
}

/// A bot's attempt, joined: its socket and welcome.
async fn joined(game: &Game, m: &Made, name: &str, id: Option<&str>) -> (Bot, a::Welcome) {
    let mut bot = socket(game).await;
    let w = a::join(&mut bot, &m.code, name, id)
        .await
        .expect("welcome")
        .unwrap_or_else(|code| panic!("{name} refused: {code:?}"));
    (bot, w)
}

/// `GET path` as `token`, answered 200 with JSON.
async fn get_json(http: &quizrace_tests::Http, path: &str, token: &str) -> Value {
    let r = http.get(path, Some(token)).await.expect(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json().expect("json")
}

async fn live_view(game: &Game, id: i64) -> Value {
    let r = game
        .server
        .http()
        .get(&format!("/api/assignments/{id}"), Some(&game.token))
        .await
        .expect("view");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().expect("json")
}

#[tokio::test]
async fn bots_finish_an_assignment_scored_as_live_games_and_the_owner_sees_it_live() {
    let game = Game::with(three()).await;
    let m = made(
        &game,
        Duration::from_secs(120),
        json!({"identifier_label": "Student number"}),
    )
    .await;
    assert!(m.url.ends_with(&format!("/?code={}", m.code)), "{}", m.url);
    // Ada answers all right, Bob the first only, Cy nothing right.
    let plans: [(&str, &str, [bool; 3]); 3] = [
        ("Ada", "s-1001", [true, true, true]),
        ("Bob", "s-1002", [true, false, false]),
        ("Cy", "s-1003", [false, false, false]),
    ];
    let mut seen = Vec::new();
    for (name, id, rights) in plans {
        let (mut bot, w) = joined(&game, &m, name, Some(id)).await;
        assert_eq!((w.attempt, w.questions, w.index, w.score), (1, 3, None, 0));
        let (outcomes, done) = a::play_out(&mut bot, 3, |i| {
            let i = i as usize;
            AnswerValue::Choice(if rights[i] { RIGHT[i] } else { WRONG[i] })
        })
        .await
        .expect("played to the end");
        // Every point as a live classic game gives it: base, time taken, limit, streak.
        let mut streak = 0;
        let mut total = 0;
        for (i, (elapsed, o)) in outcomes.iter().enumerate() {
            assert!(o.answered);
            assert_eq!(o.correct, Some(rights[i]), "{name} question {i}");
            let want = if rights[i] {
                classic_points(1000, *elapsed, 10_000, streak)
            } else {
                0
            };
            streak = if rights[i] { streak + 1 } else { 0 };
            assert_eq!(o.points, want, "{name} question {i}");
            total += want;
            assert_eq!(o.score, total);
        }
        assert_eq!(done.score, total);
        assert_eq!(done.correct, rights.iter().filter(|r| **r).count() as u32);
        seen.push((name, id, done, bot));
    }
    // Ranks so far: each finished when the others before had.
    assert_eq!((seen[0].2.rank, seen[0].2.finished), (1, 1));
    assert_eq!((seen[1].2.rank, seen[1].2.finished), (2, 2));
    assert_eq!((seen[2].2.rank, seen[2].2.finished), (3, 3));

    let view = live_view(&game, m.id).await;
    assert_eq!(
        (view["started"].as_u64(), view["finished"].as_u64()),
        (Some(3), Some(3))
    );
    let scores: Vec<i64> = seen.iter().map(|s| s.2.score).collect();
    let mean = scores.iter().sum::<i64>() as f64 / 3.0;
    assert!((view["average_score"].as_f64().expect("average") - mean).abs() < 1e-6);
    let board = view["leaderboard"].as_array().expect("board");
    assert_eq!(board[0]["name"], "Ada");
    assert_eq!(
        board[0]["identifier"], "s-1001",
        "the owner sees the identifier"
    );
    assert_eq!(board[0]["score"], scores[0]);
    assert_eq!(board[2]["rank"], 3);

    // Results treat it like a game: listed, and its report sums the same scores.
    let http = game.server.http();
    let games = http
        .get("/api/games", Some(&game.token))
        .await
        .expect("games");
    let games = games.json().expect("json");
    assert!(games
        .as_array()
        .expect("list")
        .iter()
        .any(|g| g["game_id"] == m.id && g["players"] == 3));
    let report = get_json(&http, &format!("/api/games/{}", m.id), &game.token).await;
    let reported: Vec<i64> = report["players"]
        .as_array()
        .expect("players")
        .iter()
        .map(|p| p["score"].as_i64().expect("score"))
        .collect();
    assert_eq!(reported, scores);
    assert_eq!(report["answers"].as_array().expect("answers").len(), 9);
    assert_eq!(report["players"][0]["asked"], 3);
    assert_eq!(report["players"][0]["identifier"], "s-1001");
    // The downloads work as for a game, the CSV with the identifier as its last column.
    let csv = http
        .get(
            &format!("/api/games/{}/results.csv", m.id),
            Some(&game.token),
        )
        .await
        .expect("csv");
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].ends_with(",points,identifier"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + 9);
    assert!(
        lines[1].starts_with("1,Ada,1,") && lines[1].ends_with(",s-1001"),
        "{}",
        lines[1]
    );
    for path in ["report", "report.xlsx"] {
        let r = http
            .get(&format!("/api/games/{}/{path}", m.id), Some(&game.token))
            .await
            .expect(path);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
    }
    // The QR code of the assignment's link, and a code that is not one.
    let qr = http
        .get(&format!("/api/qr.svg?code={}", m.code), None)
        .await
        .expect("qr");
    assert_eq!(
        (qr.status, qr.content_type.as_str()),
        (200, "image/svg+xml")
    );
    http.get("/api/qr.svg?code=123", None)
        .await
        .expect("qr")
        .assert_refused(400, "bad_field", Some("code"), "a short code");
}

#[tokio::test]
async fn an_attempt_after_the_deadline_is_refused_and_nothing_is_stored() {
    let game = Game::with(three()).await;
    let m = made(&game, Duration::from_millis(1500), json!({})).await;
    // One player starts in time.
    let (mut early, _) = joined(&game, &m, "Early", None).await;
    a::question(&mut early).await.expect("question 0");
    tokio::time::sleep(Duration::from_millis(1700)).await;
    // From the deadline on nothing is accepted: neither an answer nor a new attempt.
    early
        .send(&ClientMsg::answer(0, AnswerValue::Choice(1)))
        .await
        .expect("send");
    early
        .expect_error(ErrorCode::AssignmentClosed)
        .await
        .expect("answer refused");
    let mut late = socket(&game).await;
    let refused = a::join(&mut late, &m.code, "Late", None)
        .await
        .expect("reply");
    assert_eq!(refused.err(), Some(ErrorCode::AssignmentClosed));
    let view = live_view(&game, m.id).await;
    assert_eq!(
        (view["started"].as_u64(), view["finished"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(view["closed"], true);
    // The game is now a finished one in Results.
    let games = get_json(&game.server.http(), "/api/games", &game.token).await;
    let row = games
        .as_array()
        .expect("list")
        .iter()
        .find(|g| g["game_id"] == m.id)
        .cloned()
        .expect("listed");
    assert_eq!(row["status"], "finished");
}

#[tokio::test]
async fn the_attempts_limit_counts_per_identifier_or_per_name() {
    let game = Game::with(three()).await;
    let by_id = made(
        &game,
        Duration::from_secs(60),
        json!({"identifier_label": "Student number", "attempts": 2}),
    )
    .await;
    for n in 1..=2 {
        let (_bot, w) = joined(&game, &by_id, "Ada", Some("S-7")).await;
        assert_eq!(w.attempt, n);
    }
    // The same identifier (any case, any name) has used both.
    let mut third = socket(&game).await;
    let r = a::join(&mut third, &by_id.code, "Someone", Some("s-7"))
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::AttemptsUsed));
    joined(&game, &by_id, "Ada", Some("S-8")).await;

    let by_name = made(&game, Duration::from_secs(60), json!({})).await;
    joined(&game, &by_name, "Bob", None).await;
    let mut again = socket(&game).await;
    let r = a::join(&mut again, &by_name.code, "bob", None)
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::AttemptsUsed));
    let view = live_view(&game, by_name.id).await;
    assert_eq!(view["started"], 1);
}

#[tokio::test]
async fn the_identifier_reaches_the_owner_only() {
    let game = Game::with(three()).await;
    let m = made(
        &game,
        Duration::from_secs(60),
        json!({"identifier_label": "Student number"}),
    )
    .await;
    let (mut ada, _) = joined(&game, &m, "Ada", Some("secret-4242")).await;
    a::play_out(&mut ada, 3, |i| AnswerValue::Choice(RIGHT[i as usize]))
        .await
        .expect("Ada finishes");
    // Bob plays after Ada: nothing he is told carries her identifier.
    let mut bob = socket(&game).await;
    bob.send(&ClientMsg::AssignmentJoin {
        code: m.code.clone(),
        name: "Bob".into(),
        identifier: Some("s-2".into()),
    })
    .await
    .expect("send");
    let mut told = Vec::new();
    loop {
        let msg = bob.recv().await.expect("message");
        told.push(serde_json::to_string(&msg).expect("json"));
        match msg {
            ServerMsg::Question(q) => {
                bob.send(&ClientMsg::answer(q.index, AnswerValue::Choice(0)))
                    .await
                    .expect("answer");
            }
            ServerMsg::AssignmentResult { .. } => {
                bob.send(&ClientMsg::AssignmentNext).await.expect("next")
            }
            ServerMsg::AssignmentDone { .. } => break,
            _ => {}
        }
    }
    assert!(told.iter().all(|t| !t.contains("secret-4242")), "{told:?}");
    // Another host does not see the assignment at all.
    let http = game.server.http();
    let other = host_account(&http, &game.token, "other").await;
    for path in [
        format!("/api/assignments/{}", m.id),
        format!("/api/games/{}", m.id),
    ] {
        let r = http.get(&path, Some(&other)).await.expect("reply");
        assert_eq!(r.status, 404, "{path}: {}", r.body);
    }
    let r = http
        .post(
            &format!("/api/assignments/{}/close", m.id),
            Some(&other),
            json!({}),
        )
        .await
        .expect("reply");
    assert_eq!(r.status, 404);
    let mine = http
        .get("/api/assignments", Some(&other))
        .await
        .expect("list");
    assert_eq!(mine.json().expect("json"), json!([]));
}

#[tokio::test]
async fn abuse_of_an_attempt_is_refused_and_changes_nothing() {
    let game = Game::with(three()).await;
    let m = made(
        &game,
        Duration::from_secs(60),
        json!({"identifier_label": "Student number"}),
    )
    .await;
    // Joining: an unknown code, no identifier, an oversized one, a bad name.
    let mut bot = socket(&game).await;
    let r = a::join(&mut bot, "00000000", "Ada", Some("s-1"))
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::NoSuchRoom));
    for id in [None, Some("   "), Some(&*"9".repeat(41))] {
        let r = a::join(&mut bot, &m.code, "Ada", id).await.expect("reply");
        assert_eq!(r.err(), Some(ErrorCode::BadField), "{id:?}");
    }
    let r = a::join(&mut bot, &m.code, "\u{202e}Ada", Some("s-1"))
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::BadName));
    assert_eq!(live_view(&game, m.id).await["started"], 0);

    // In an attempt: out of order, twice, and next before the answer.
    let w = a::join(&mut bot, &m.code, "Ada", Some("s-1"))
        .await
        .expect("reply")
        .expect("joined");
    let q = a::question(&mut bot).await.expect("question 0");
    assert_eq!(q.index, 0);
    bot.send(&ClientMsg::AssignmentNext).await.expect("send");
    bot.expect_error(ErrorCode::BadPhase)
        .await
        .expect("next refused");
    let r = a::answer(&mut bot, 1, AnswerValue::Choice(0))
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::WrongQuestion));
    let (_, first) = a::answer(&mut bot, 0, AnswerValue::Choice(1))
        .await
        .expect("reply")
        .expect("answered");
    let r = a::answer(&mut bot, 0, AnswerValue::Choice(1))
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::AlreadyAnswered));
    // Joining again on the same socket, and a stranger's token on another.
    bot.send(&ClientMsg::AssignmentJoin {
        code: m.code.clone(),
        name: "Ada".into(),
        identifier: Some("s-1".into()),
    })
    .await
    .expect("send");
    bot.expect_error(ErrorCode::AlreadyJoined)
        .await
        .expect("refused");
    let mut stranger = socket(&game).await;
    let r = a::resume(&mut stranger, &m.code, "0123456789abcdef0123456789abcdef")
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::BadToken));
    // Nothing changed: one answer stored, the score as told.
    let mut back = socket(&game).await;
    let again = a::resume(&mut back, &m.code, &w.token)
        .await
        .expect("reply")
        .expect("resumed");
    assert_eq!((again.index, again.score), (Some(0), first.score));
    let shown = a::outcome(&mut back)
        .await
        .expect("the closed question's result");
    assert_eq!(shown, first);
    // The first socket was replaced: its next step is refused.
    bot.send(&ClientMsg::AssignmentNext).await.expect("send");
    bot.expect_error(ErrorCode::Replaced)
        .await
        .expect("replaced");
    let report = get_json(
        &game.server.http(),
        &format!("/api/games/{}", m.id),
        &game.token,
    )
    .await;
    assert_eq!(report["answers"].as_array().expect("answers").len(), 1);
}

#[tokio::test]
async fn an_unanswered_question_closes_by_itself_on_the_personal_timer() {
    let game = Game::with(three()).await;
    // 5 s × 0.5: each question runs 5 s at 0.5.
    let m = made(&game, Duration::from_secs(60), json!({"time_factor": 0.5})).await;
    let (mut bot, _) = joined(&game, &m, "Slow", None).await;
    let q = a::question(&mut bot).await.expect("question 0");
    assert_eq!(q.time_limit_ms, 5_000);
    let timed_out = a::outcome(&mut bot)
        .await
        .expect("result without an answer");
    assert_eq!(
        (
            timed_out.index,
            timed_out.answered,
            timed_out.correct,
            timed_out.points
        ),
        (0, false, Some(false), 0)
    );
    let r = a::answer(&mut bot, 0, AnswerValue::Choice(1))
        .await
        .expect("reply");
    assert_eq!(r.err(), Some(ErrorCode::TooLate));
    bot.send(&ClientMsg::AssignmentNext).await.expect("send");
    assert_eq!(a::question(&mut bot).await.expect("question 1").index, 1);
}

#[tokio::test]
async fn a_deadline_in_the_past_or_too_far_and_bad_fields_are_refused() {
    let game = Game::with(three()).await;
    let http = game.server.http();
    let now = a::now_ms();
    for (body, field) in [
        (
            json!({"quiz_id": game.quiz_id, "deadline": now - 1000}),
            "deadline",
        ),
        (
            json!({"quiz_id": game.quiz_id, "deadline": now + 61 * 86_400_000}),
            "deadline",
        ),
        (
            json!({"quiz_id": game.quiz_id, "deadline": "next week"}),
            "deadline",
        ),
        (
            json!({"quiz_id": game.quiz_id, "deadline": now + 60_000, "attempts": 11}),
            "attempts",
        ),
        (
            json!({"quiz_id": game.quiz_id, "deadline": now + 60_000, "identifier_label": "x".repeat(41)}),
            "identifier_label",
        ),
        (
            json!({"quiz_id": game.quiz_id, "deadline": now + 60_000, "colour": "red"}),
            "colour",
        ),
        (
            json!({"quiz_id": game.quiz_id, "deadline": now + 60_000, "shuffle_answers": "yes"}),
            "shuffle_answers",
        ),
    ] {
        let r = http
            .post("/api/assignments", Some(&game.token), body)
            .await
            .expect("reply");
        r.assert_refused(400, "bad_field", Some(field), field);
    }
    let r = http
        .post(
            "/api/assignments",
            Some(&game.token),
            json!({"quiz_id": 999_999, "deadline": "2099-01-01T00:00:00Z"}),
        )
        .await
        .expect("reply");
    assert!(r.status == 400 || r.status == 404, "{}", r.body);
    let r = http
        .post(
            "/api/assignments",
            None,
            json!({"quiz_id": game.quiz_id, "deadline": now + 60_000}),
        )
        .await
        .expect("reply");
    assert_eq!(r.status, 401);
    assert_eq!(
        get_json(&http, "/api/assignments", &game.token).await,
        json!([])
    );
}

/// The real binary, killed with SIGKILL while a bot's third question is open, and restarted
/// on the same database after a pause: the bot takes its attempt up with its token at the
/// same question, with the time it had left when the server was last alive (not the whole
/// limit again, and not charged for the time the server was down), and its two answers kept.
#[tokio::test]
async fn an_attempt_resumes_after_a_sigkill_at_the_same_question_with_its_time_left() {
    use quizrace_tests::server::{ServerProcess, ADMIN_PASSWORD};
    use std::net::SocketAddr;
    use std::time::Instant;
    const LIMIT_MS: u64 = 20_000;
    if quizrace_tests::server::skip_on_postgres("kills the server process on its SQLite file") {
        return;
    }
    let bin = tokio::task::spawn_blocking(ServerProcess::binary)
        .await
        .expect("task")
        .expect("server binary");
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("homework.db");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let (bin2, db2) = (bin.clone(), db.clone());
    let first = tokio::task::spawn_blocking(move || {
        ServerProcess::start(&bin2, &db2, any, Duration::from_secs(10))
    })
    .await
    .expect("task")
    .expect("server starts");
    let (addr, url, http) = (first.addr, first.ws_url(), first.http());
    let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
    let q = |right: u32| {
        json!({"kind":"choice","text":"?","choices":["A","B","C"],"correct":[right],
               "time_limit_s": LIMIT_MS / 1000})
    };
    let quiz = common::quiz(vec![q(0), q(1), q(2), q(0)]);
    let quiz_id = http.create_quiz(&token, &quiz).await.expect("quiz");
    let m = a::create(&http, &token, quiz_id, Duration::from_secs(300), json!({}))
        .await
        .expect("assignment");

    let mut bot = Bot::connect(&url).await.expect("connect");
    let w = a::join(&mut bot, &m.code, "Ada", None)
        .await
        .expect("reply")
        .expect("joined");
    let mut told = Vec::new();
    for (i, right) in [0, 1].into_iter().enumerate() {
        a::question(&mut bot).await.expect("question");
        let (_, o) = a::answer(&mut bot, i as u32, AnswerValue::Choice(right))
            .await
            .expect("reply")
            .expect("answered");
        told.push(o);
        bot.send(&ClientMsg::AssignmentNext).await.expect("next");
    }
    let third = a::question(&mut bot).await.expect("question 2");
    let shown = Instant::now();
    assert_eq!(third.index, 2);
    // Part of its time passes (the writer's heartbeat ticks meanwhile), then the crash.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    let used = shown.elapsed().as_millis() as u64;
    first.kill();
    let down = Duration::from_millis(5_000);
    tokio::time::sleep(down).await;
    let (bin2, db2) = (bin.clone(), db.clone());
    let second = tokio::task::spawn_blocking(move || {
        ServerProcess::start(&bin2, &db2, addr, Duration::from_secs(10))
    })
    .await
    .expect("task")
    .expect("server restarts");

    let mut back = Bot::connect(&second.ws_url()).await.expect("connect");
    let again = a::resume(&mut back, &m.code, &w.token)
        .await
        .expect("reply")
        .expect("resumed");
    assert_eq!(again.index, Some(2), "the same question");
    assert_eq!(again.score, told[1].score, "both answers kept");
    let resumed = a::question(&mut back).await.expect("question 2 again");
    assert_eq!(resumed.index, 2);
    let left = resumed.remaining_ms;
    // As stored: at most the heartbeat's second more than at the kill, never the whole limit,
    // and the time the server was down is not charged.
    // The clock runs again from the restart: the server's start-up and the bot's reconnection
    // count (up to 2.5 s allowed here, on a busy machine), the 5 s down do not.
    let at_kill = LIMIT_MS - used;
    assert!(
        left <= at_kill + 1_200,
        "left {left} ms, {at_kill} ms at the kill"
    );
    assert!(
        left + 2_500 >= at_kill,
        "left {left} ms: the {down:?} down were charged ({at_kill} ms at the kill)"
    );
    let report = get_json(&second.http(), &format!("/api/games/{}", m.id), &token).await;
    let points: Vec<i64> = report["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| a["points"].as_i64().expect("points"))
        .collect();
    assert_eq!(points, vec![told[0].points, told[1].points]);
    // The attempt plays on to its end.
    let (_, last) = a::answer(&mut back, 2, AnswerValue::Choice(2))
        .await
        .expect("reply")
        .expect("answered after the restart");
    back.send(&ClientMsg::AssignmentNext).await.expect("next");
    a::question(&mut back).await.expect("question 3");
    a::answer(&mut back, 3, AnswerValue::Choice(1))
        .await
        .expect("reply")
        .expect("answered");
    back.send(&ClientMsg::AssignmentNext).await.expect("next");
    let done = a::done(&mut back).await.expect("done");
    assert_eq!(done.score, last.score);
    assert_eq!((done.correct, done.rank, done.finished), (3, 1, 1));
    second.kill();
}

/// `["A","B","C","D"]` as `q` shows them, and the place `q` shows `want` at.
fn place_of(q: &quizrace_protocol::QuestionView, want: &str) -> u32 {
    q.choices.iter().position(|c| c == want).expect("shown") as u32
}

#[tokio::test]
async fn with_shuffled_answers_an_attempt_answers_its_own_tiles_and_keeps_its_order_on_resume() {
    let letters = ["A", "B", "C", "D"];
    let game = Game::with(common::quiz(vec![
        json!({"kind":"choice","text":"Pick C","choices":letters,"correct":[2],"time_limit_s":10}),
        json!({"kind":"multi","text":"B and D","choices":letters,"correct":[1,3],"time_limit_s":10}),
        json!({"kind":"true_false","text":"Ice is cold.","correct":[0],"time_limit_s":10}),
    ]))
    .await;
    let m = made(
        &game,
        Duration::from_secs(60),
        json!({"shuffle_answers": true}),
    )
    .await;
    let (mut ada, w) = joined(&game, &m, "Ada", None).await;
    let first = a::question(&mut ada).await.expect("question 0");
    let order = first.choice_order.clone().expect("Ada's own order");
    let shown: Vec<&str> = order.iter().map(|&i| letters[i as usize]).collect();
    assert_eq!(first.choices, shown);
    // Taken up on another socket: the same order again.
    let mut again = socket(&game).await;
    a::resume(&mut again, &m.code, &w.token)
        .await
        .expect("reply")
        .expect("taken up");
    let resumed = a::question(&mut again).await.expect("the open question");
    assert_eq!(
        (&resumed.choices, &resumed.choice_order),
        (&first.choices, &first.choice_order)
    );
    let (_, o) = a::answer(&mut again, 0, AnswerValue::Choice(place_of(&first, "C")))
        .await
        .expect("reply")
        .expect("acked");
    assert_eq!(o.correct, Some(true), "judged in the quiz's order");
    again.send(&ClientMsg::AssignmentNext).await.expect("next");
    let multi = a::question(&mut again).await.expect("question 1");
    assert!(multi.choice_order.is_some());
    let mut picks = vec![place_of(&multi, "B"), place_of(&multi, "D")];
    picks.sort_unstable();
    let (_, o) = a::answer(&mut again, 1, AnswerValue::Choices(picks))
        .await
        .expect("reply")
        .expect("acked");
    assert_eq!(o.correct, Some(true));
    again.send(&ClientMsg::AssignmentNext).await.expect("next");
    let tf = a::question(&mut again).await.expect("question 2");
    assert_eq!(tf.choice_order, None, "a true/false keeps its two tiles");
    // The report keeps the quiz's order: both answers right, as given.
    let report = get_json(
        &game.server.http(),
        &format!("/api/games/{}", m.id),
        &game.token,
    )
    .await;
    let answers = report["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 2);
    assert!(
        answers.iter().all(|a| a["correct"] == json!(true)),
        "{report}"
    );
}

#[tokio::test]
async fn an_attempts_media_link_works_for_its_player_while_the_attempt_runs_and_no_longer() {
    let game = Game::with(three()).await;
    let http = game.server.http();
    let picture = quizrace::media::samples::encoded(8, 6, image::ImageFormat::Png);
    let up = http
        .send(
            "POST",
            "/api/media",
            Some(&game.token),
            quizrace_tests::http::Body::Bytes("image/png", picture),
        )
        .await
        .expect("upload");
    assert_eq!(up.status, 201, "{}", up.body);
    let hash = up.json().expect("json")["hash"]
        .as_str()
        .expect("hash")
        .to_owned();
    let quiz = common::quiz(vec![
        json!({"kind":"choice","text":"Which animal?","choices":["Fox","Cat"],"correct":[0],
               "time_limit_s":10,"media":{"hash":hash,"alt":"A red fox"}}),
    ]);
    let quiz_id = http.create_quiz(&game.token, &quiz).await.expect("quiz");
    let m = a::create(
        &http,
        &game.token,
        quiz_id,
        Duration::from_secs(60),
        json!({}),
    )
    .await
    .expect("assignment made");
    let status = |path: String| {
        let http = http.clone();
        async move { http.get(&path, None).await.expect("reply").status }
    };
    let (mut ada, _) = joined(&game, &m, "Ada", None).await;
    let ada_q = a::question(&mut ada).await.expect("Ada's question");
    let media = ada_q.media.expect("the attempt's frame carries the media");
    assert_eq!(media.alt, "A red fox");
    assert!(media.url.contains("?attempt="), "{}", media.url);
    assert_eq!(
        status(media.url.clone()).await,
        200,
        "Ada, without a session"
    );
    let (mut bob, _) = joined(&game, &m, "Bob", None).await;
    let bob_url = a::question(&mut bob)
        .await
        .expect("Bob's question")
        .media
        .expect("media")
        .url;
    assert_ne!(bob_url, media.url, "a link of each attempt's own");
    // Ada's key under Bob's player id, and no key at all, open nothing.
    let (path, link) = media.url.split_once("?attempt=").expect("link");
    let mut parts: Vec<&str> = link.split('.').collect();
    let bob_id = bob_url
        .split("?attempt=")
        .nth(1)
        .expect("link")
        .split('.')
        .nth(1)
        .expect("id");
    parts[1] = bob_id;
    assert_eq!(
        status(format!("{path}?attempt={}", parts.join("."))).await,
        404,
        "forged"
    );
    assert_eq!(status(path.to_owned()).await, 404, "a stranger");
    // Ada finishes: her link stops working; Bob's runs on until the assignment closes.
    a::answer(&mut ada, 0, AnswerValue::Choice(0))
        .await
        .expect("reply")
        .expect("acked");
    ada.send(&ClientMsg::AssignmentNext).await.expect("next");
    a::done(&mut ada).await.expect("done");
    assert_eq!(
        status(media.url.clone()).await,
        404,
        "Ada's attempt is over"
    );
    assert_eq!(status(bob_url.clone()).await, 200, "Bob's runs");
    let r = http
        .post(
            &format!("/api/assignments/{}/close", m.id),
            Some(&game.token),
            json!({}),
        )
        .await
        .expect("close");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(status(bob_url).await, 404, "the assignment is closed");
}
