//! The host's game settings over real sockets: a time factor stretches every phone's
//! countdown, a room without time limits waits for its slowest player, and a time factor out
//! of range creates no room; shuffles, the leaderboard at the end, and shapes-only phones.

mod common;

use common::{error, quiz, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, HostOptions, LeaderboardAt, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use serde_json::{json, Value};
use std::time::Duration;

/// A choice question of `s` seconds whose right answer is B.
fn pick_b(s: u32) -> Value {
    json!({"kind":"choice","text":"Pick B","choices":["A","B"],"correct":[1],"time_limit_s":s})
}

fn paced(time_factor: Option<f64>, no_time_limit: Option<bool>) -> RoomOptions {
    RoomOptions {
        options: HostOptions {
            time_factor,
            no_time_limit,
            ..HostOptions::default()
        },
        ..RoomOptions::default()
    }
}

#[tokio::test]
async fn a_time_factor_stretches_every_phones_countdown_and_the_deadline() {
    let game = Game::with(quiz(vec![pick_b(5), pick_b(8)])).await;
    let mut host = game.room_with(paced(Some(1.5), None)).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for bot in &mut bots {
        let q = common::question(bot).await;
        assert_eq!((q.time_limit_ms, q.no_time_limit), (7_500, false));
    }
    // Past the quiz's own 5 s, within the room's 7.5 s: still taken.
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    let elapsed = common::answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    assert!(elapsed > 5_000, "{elapsed}");
    common::reveal(&mut bots[0]).await;
    common::host_next(&mut host).await;
    common::host_next(&mut host).await;
    let q = common::question(&mut bots[1]).await;
    assert_eq!(
        q.time_limit_ms, 12_000,
        "the next question is stretched too"
    );
}

#[tokio::test]
async fn a_room_without_time_limits_waits_for_its_slowest_player() {
    let game = Game::with(quiz(vec![pick_b(5)])).await;
    let mut host = game.room_with(paced(None, Some(true))).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let q = common::question(&mut bots[0]).await;
    assert!(q.no_time_limit, "{q:?}");
    common::question(&mut bots[1]).await;
    common::answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    // Longer than the quiz's 5 s: nothing closes while Bob thinks.
    let until = tokio::time::Instant::now() + Duration::from_millis(6_000);
    while let Some(left) = until.checked_duration_since(tokio::time::Instant::now()) {
        match bots[0].recv_within(left).await {
            Ok(ServerMsg::QuestionClosed { .. }) => panic!("closed before Bob answered"),
            Ok(_) => continue,
            Err(_) => break, // the wait ran out: still open
        }
    }
    common::answer_acked(&mut bots[1], 0, AnswerValue::Choice(0)).await;
    let reveal = common::reveal(&mut bots[0]).await;
    assert_eq!(reveal.index, 0, "closed once everyone answered");
}

/// `host` with each of `bad` as `field` gets `bad_field` naming it, and stores no game: the
/// socket, still free to create a room.
async fn refused_option(game: &Game, field: &str, bad: &[Value]) -> quizrace_tests::Bot {
    let mut bot = game.socket().await;
    for bad in bad {
        let mut frame = json!({"type":"host","token":game.token,"quiz_id":game.quiz_id,
                               "mode":"classic"});
        frame[field] = bad.clone();
        bot.send_raw(frame.to_string()).await.unwrap();
        assert_eq!(
            error(&mut bot).await,
            (ErrorCode::BadField, Some(field.into())),
            "{bad}"
        );
    }
    let games = game
        .server
        .http()
        .get("/api/games", Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(games, json!([]), "no game stored");
    bot
}

#[tokio::test]
async fn a_time_factor_out_of_range_creates_no_room() {
    let game = Game::with(common::one_question()).await;
    let bad = [json!(0.4), json!(3.5), json!("2"), json!(-1)];
    let mut bot = refused_option(&game, "time_factor", &bad).await;
    // The same socket may still create a room.
    let frame = json!({"type":"host","token":game.token,"quiz_id":game.quiz_id,
                       "mode":"classic","time_factor":3});
    bot.send_raw(frame.to_string()).await.unwrap();
    bot.expect("room_created", |m| {
        matches!(m, ServerMsg::RoomCreated { .. }).then_some(())
    })
    .await
    .expect("a room at ×3");
}

#[tokio::test]
async fn with_the_leaderboard_at_the_end_no_phone_sees_standings_before_the_podium() {
    let game = Game::with(quiz(vec![pick_b(5), pick_b(5)])).await;
    let opts = RoomOptions {
        options: HostOptions {
            leaderboard: Some(LeaderboardAt::End),
            ..HostOptions::default()
        },
        ..RoomOptions::default()
    };
    let mut host = game.room_with(opts).await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    // Everything Ada is sent from the start to the podium.
    let mut seen: Vec<ServerMsg> = Vec::new();
    send(&mut host.bot, ClientMsg::Start).await;
    for index in 0..2 {
        ada.expect("question", |m| {
            seen.push(m.clone());
            matches!(m, ServerMsg::Question(_)).then_some(())
        })
        .await
        .unwrap();
        ada.answer(index, AnswerValue::Choice(1)).await.unwrap();
        ada.expect("question_closed", |m| {
            seen.push(m.clone());
            matches!(m, ServerMsg::QuestionClosed { .. }).then_some(())
        })
        .await
        .unwrap();
        common::host_next(&mut host).await;
    }
    let podium = ada
        .expect("game_over", |m| {
            seen.push(m.clone());
            match m {
                ServerMsg::GameOver { podium, .. } => Some(podium.clone()),
                _ => None,
            }
        })
        .await
        .unwrap();
    assert_eq!(podium.len(), 1);
    assert!(
        !seen
            .iter()
            .any(|m| matches!(m, ServerMsg::Leaderboard { .. })),
        "{seen:?}"
    );
}

/// Four questions whose texts say their place in the quiz.
fn numbered() -> Value {
    quiz(
        (1..=4)
            .map(|n| {
                json!({"kind":"choice","text":format!("Q{n}"),"choices":["A","B"],
                            "correct":[1],"time_limit_s":10})
            })
            .collect(),
    )
}

/// The texts in the order the room with `host_key` plays [`numbered`]'s questions.
fn shuffled_texts(host_key: &str) -> Vec<String> {
    let secret = quizrace::secret::secret_hash(host_key);
    quizrace::room::shuffle::question_order(&secret, 4)
        .into_iter()
        .map(|i| format!("Q{}", i + 1))
        .collect()
}

fn shuffled() -> RoomOptions {
    RoomOptions {
        options: HostOptions {
            shuffle_questions: Some(true),
            ..HostOptions::default()
        },
        ..RoomOptions::default()
    }
}

#[tokio::test]
async fn a_shuffled_room_plays_every_question_once_in_an_order_of_its_own() {
    let game = Game::with(numbered()).await;
    let mut host = game.room_with(shuffled()).await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::Start).await;
    let mut played = Vec::new();
    for index in 0..4 {
        let q = common::question(ada).await;
        assert_eq!((q.index, q.total), (index, 4));
        played.push(q.text);
        common::answer_acked(ada, index, AnswerValue::Choice(1)).await;
        common::reveal(ada).await;
        common::host_next(&mut host).await;
        common::host_next(&mut host).await;
    }
    assert_eq!(played, shuffled_texts(&host.host_key));
    assert_ne!(played, ["Q1", "Q2", "Q3", "Q4"], "not the quiz's order");
}

#[tokio::test]
async fn a_shuffled_room_keeps_its_order_after_a_restart() {
    let mut game = Game::with(numbered()).await;
    let host = game.room_with(shuffled()).await;
    let dir = std::mem::replace(&mut game.server.dir, tempfile::tempdir().unwrap());
    let Game { server, .. } = game;
    server.stop().await;

    let again = quizrace_tests::TestServer::start_in(dir, |_| {}).await;
    let url = again.ws_url();
    let mut ada = quizrace_tests::Bot::connect(&url).await.unwrap();
    ada.join(&host.pin, "Ada")
        .await
        .expect("joined the resumed room");
    let mut back = quizrace_tests::Bot::connect(&url).await.unwrap();
    send(
        &mut back,
        ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: quizrace_protocol::HostCredential::HostKey(host.host_key.clone()),
            view: None,
        },
    )
    .await;
    back.expect("room_state", |m| {
        matches!(m, ServerMsg::RoomState { .. }).then_some(())
    })
    .await
    .unwrap();
    send(&mut back, ClientMsg::Start).await;
    let q = common::question(&mut ada).await;
    assert_eq!(q.text, shuffled_texts(&host.host_key)[0]);
    again.stop().await;
}

#[tokio::test]
async fn with_shuffled_answers_each_phone_answers_its_own_tiles_and_the_report_keeps_the_quizs_order(
) {
    let game = Game::with(quiz(vec![json!({"kind":"choice","text":"Pick C",
        "choices":["A","B","C","D"],"correct":[2],"time_limit_s":10})]))
    .await;
    let opts = RoomOptions {
        options: HostOptions {
            shuffle_answers: Some(true),
            ..HostOptions::default()
        },
        ..RoomOptions::default()
    };
    let mut host = game.room_with(opts).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let on_screen = common::question(&mut host.bot).await;
    assert_eq!(
        on_screen.choices,
        ["A", "B", "C", "D"],
        "the screen shows the quiz's order"
    );
    assert_eq!(on_screen.choice_order, None);
    for bot in &mut bots {
        let q = common::question(bot).await;
        let order = q.choice_order.clone().expect("a phone's own order");
        let place = q.choices.iter().position(|c| c == "C").unwrap() as u32;
        assert_eq!(order[place as usize], 2, "{q:?}");
        common::answer_acked(bot, 0, AnswerValue::Choice(place)).await;
    }
    for bot in &mut bots {
        assert_eq!(common::result(bot).await.correct, Some(true));
    }
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let answers = report["answers"].as_array().expect("answers");
    assert_eq!(answers.len(), 2);
    assert!(
        answers.iter().all(|a| a["correct"] == json!(true)),
        "{report}"
    );
}

#[tokio::test]
async fn with_questions_off_phones_phones_get_shapes_the_screen_the_words_and_answers_still_count()
{
    let game = Game::with(quiz(vec![
        json!({"kind":"choice","text":"Pick C","choices":["A","B","C","D"],"correct":[2],
               "time_limit_s":10}),
        json!({"kind":"type_answer","text":"Gold?","accept":["Au"],"time_limit_s":10}),
    ]))
    .await;
    let opts = RoomOptions {
        options: HostOptions {
            question_on_phones: Some(false),
            ..HostOptions::default()
        },
        ..RoomOptions::default()
    };
    let mut host = game.room_with(opts).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let on_screen = common::question(&mut host.bot).await;
    assert_eq!(
        (on_screen.text.as_str(), on_screen.shapes_only),
        ("Pick C", false)
    );
    assert_eq!(on_screen.choices, ["A", "B", "C", "D"]);
    for bot in &mut bots {
        let q = common::question(bot).await;
        assert!(q.shapes_only, "{q:?}");
        assert_eq!((q.text.as_str(), q.choices.len()), ("", 4));
        assert!(q.choices.iter().all(String::is_empty), "{q:?}");
        common::answer_acked(bot, 0, AnswerValue::Choice(2)).await;
    }
    for bot in &mut bots {
        assert_eq!(common::result(bot).await.correct, Some(true));
    }
    common::host_next(&mut host).await;
    common::host_next(&mut host).await;
    // A typed answer keeps its text: the phone needs nothing else, and has nothing to tap.
    let typed = common::question(&mut bots[0]).await;
    assert_eq!((typed.text.as_str(), typed.shapes_only), ("Gold?", false));
}

#[tokio::test]
async fn question_on_phones_that_is_not_a_boolean_creates_no_room() {
    let game = Game::with(common::one_question()).await;
    let bad = [json!("no"), json!(0), json!([]), json!({"on": false})];
    refused_option(&game, "question_on_phones", &bad).await;
}
