//! What a game leaves behind, checked against what the room showed: seats and churn, votes of
//! players who left, shared ranks, the bounded `players` reply, the CSV and who was asked what.

mod common;

use common::{answer_acked, game_over, question, quiz, reveal, send, Game};
use quizrace::limits::Rate;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::Bot;
use serde_json::{json, Value};

fn seats(n: u32) -> RoomOptions {
    RoomOptions {
        max_players: Some(n),
        ..RoomOptions::default()
    }
}

fn poll() -> Value {
    json!({"kind":"poll","text":"Tea?","choices":["Yes","No"],"time_limit_s":10})
}

/// Joins as `name`, sends `leave` and waits until the server closed the socket: the room has
/// then handled the leave.
async fn join_and_leave(
    game: &Game,
    pin: &quizrace_protocol::Pin,
    name: &str,
    vote: Option<u32>,
) -> bool {
    let mut bot = Bot::connect(&game.url).await.expect("connect");
    if bot.join(pin, name).await.is_err() {
        return false;
    }
    if let Some(c) = vote {
        answer_acked(&mut bot, 0, AnswerValue::Choice(c)).await;
    }
    send(&mut bot, ClientMsg::Leave).await;
    let _ = bot.expect_close().await;
    true
}

fn names(report: &Value) -> Vec<String> {
    report["players"]
        .as_array()
        .expect("players")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn lobby_churn_leaves_no_more_players_in_the_report_than_the_room_has_seats() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room_with(seats(2)).await;
    for i in 0..40 {
        assert!(
            join_and_leave(&game, &host.pin, &format!("Churn{i}"), None).await,
            "seat {i}"
        );
    }
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let code = common::join_refused(&mut game.socket().await, &host.pin, "Cy").await;
    assert_eq!(code, ErrorCode::RoomFull);
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    assert_eq!(names(&report), ["Ada", "Bob"]);
}

#[tokio::test]
async fn poll_churn_stores_exactly_the_votes_the_room_revealed() {
    let game = Game::with(quiz(vec![poll()])).await;
    let mut host = game.room_with(seats(6)).await;
    // Cy never votes, so the poll stays open until the host closes it.
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for bot in &mut bots[..2] {
        question(bot).await;
        answer_acked(bot, 0, AnswerValue::Choice(1)).await;
    }
    let mut voted = 0;
    for i in 0..40 {
        if join_and_leave(&game, &host.pin, &format!("Churn{i}"), Some(0)).await {
            voted += 1;
        }
    }
    assert_eq!(voted, 3, "a leaver after the start keeps the seat");
    send(&mut host.bot, ClientMsg::Close).await;
    let shown = reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let mut stored = vec![0u32; 2];
    for a in report["answers"].as_array().unwrap() {
        stored[a["answer"]["choice"].as_u64().unwrap() as usize] += 1;
    }
    assert_eq!(shown.counts, stored, "the reveal and the stored results");
    assert_eq!(shown.counts, [3, 2]);
    assert_eq!((shown.answered, shown.total), (5, 6));
}

#[tokio::test]
async fn a_burst_of_lists_in_a_big_room_runs_out_of_the_sockets_budget() {
    let game =
        Game::with_config(common::one_question(), |c| c.msg_rate = Rate::new(0.1, 5.0)).await;
    let mut host = game.room().await;
    let names: Vec<String> = (0..40)
        .map(|i| format!("Long-named player {i:02}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut bots = game.players(&mut host, &names).await;
    let bot = &mut bots[0];
    // The join took one of five tokens; each reply here is a few KiB, and costs its size.
    let mut replies = Vec::new();
    for _ in 0..3 {
        send(bot, ClientMsg::List).await;
        replies.push(
            bot.expect("players or an error", |m| match m {
                ServerMsg::Players { .. } => Some(Ok(())),
                ServerMsg::Error { code, .. } => Some(Err(*code)),
                _ => None,
            })
            .await
            .unwrap(),
        );
    }
    assert_eq!(replies[0], Ok(()));
    assert!(
        replies.contains(&Err(ErrorCode::RateLimited)),
        "{replies:?}"
    );
}

#[tokio::test]
async fn equal_scores_share_a_rank_in_the_report_and_on_the_leaderboard() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy", "Dee"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let mut dee = bots.pop().unwrap();
    question(&mut dee).await;
    send(&mut dee, ClientMsg::Leave).await;
    let _ = dee.expect_close().await;
    for bot in &mut bots {
        question(bot).await;
        answer_acked(bot, 0, AnswerValue::Choice(0)).await;
    }
    reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::End).await;
    let podium = game_over(&mut host.bot).await;
    assert_eq!(podium.iter().map(|s| s.rank).collect::<Vec<_>>(), [1, 1, 1]);
    let http = game.server.http();
    let report = http.game(&game.token, host.game_id.0).await.unwrap();
    let ranks: Vec<(String, u64)> = report["players"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["rank"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ranks,
        [
            ("Ada".into(), 1),
            ("Bob".into(), 1),
            ("Cy".into(), 1),
            ("Dee".into(), 4)
        ]
    );
    let board = http
        .get("/api/leaderboard", None)
        .await
        .unwrap()
        .json()
        .unwrap();
    let entry = &board[0];
    assert_eq!(entry["game_id"], host.game_id.0);
    assert_eq!(
        entry["players"], 4,
        "the players who joined the game, as Results counts them"
    );
    let podium: Vec<u64> = entry["podium"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(podium, [1, 1, 1]);
}

/// The CSV's rows as fields, quoted fields unquoted (enough for these names and texts).
fn rows(body: &str) -> Vec<Vec<String>> {
    body.lines()
        .map(|l| {
            let mut out = Vec::new();
            let (mut field, mut quoted) = (String::new(), false);
            let mut chars = l.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        field.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => out.push(std::mem::take(&mut field)),
                    c => field.push(c),
                }
            }
            out.push(field);
            out
        })
        .collect()
}

#[tokio::test]
async fn results_csv_numbers_from_one_with_a_bom_the_question_and_the_answer_given() {
    let game = Game::with(quiz(vec![
        json!({"kind":"choice","text":"Café, où?","choices":["Paris","Lyon"],"correct":[0],"time_limit_s":10}),
        json!({"kind":"multi","text":"Even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":10}),
        json!({"kind":"type_answer","text":"Gold?","accept":["Au"],"time_limit_s":10}),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Zoë"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let given = [
        AnswerValue::Choice(0),
        AnswerValue::Choices(vec![1, 3]),
        AnswerValue::Text("au".into()),
    ];
    for (i, value) in given.into_iter().enumerate() {
        question(&mut bots[0]).await;
        answer_acked(&mut bots[0], i as u32, value).await;
        reveal(&mut host.bot).await;
        if i < 2 {
            send(&mut host.bot, ClientMsg::Next).await;
            send(&mut host.bot, ClientMsg::Next).await;
        }
    }
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    let csv = game.results_csv(&host).await;
    assert_eq!(csv.status, 200);
    assert_eq!(
        csv.disposition,
        format!(
            "attachment; filename=\"quizrace-game-{}.csv\"",
            host.game_id.0
        )
    );
    let body = csv
        .body
        .strip_prefix('\u{feff}')
        .expect("a UTF-8 byte-order mark for Excel");
    let rows = rows(body);
    let col = |name: &str| {
        rows[0]
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", rows[0]))
    };
    let (q, text, ans, name) = (
        col("question"),
        col("question_text"),
        col("answer"),
        col("name"),
    );
    let got: Vec<(&str, &str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[name].as_str(),
                r[q].as_str(),
                r[text].as_str(),
                r[ans].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Zoë", "1", "Café, où?", "Paris"),
            ("Zoë", "2", "Even?", "2; 4"),
            ("Zoë", "3", "Gold?", "au"),
        ]
    );
}

#[tokio::test]
async fn a_late_joiner_is_asked_only_the_questions_from_the_one_open_when_joining() {
    let game = Game::with(quiz(vec![
        common::choice(1),
        common::choice(1),
        common::choice(1),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Next).await;
    send(&mut host.bot, ClientMsg::Next).await;
    question(&mut bots[0]).await;
    // Bob comes in while question 2 (index 1) is open.
    bots.push(Bot::joined(&game.url, &host.pin, "Bob").await.unwrap());
    for i in 1..3 {
        if i == 2 {
            question(&mut bots[0]).await;
            question(&mut bots[1]).await;
        }
        for bot in &mut bots {
            answer_acked(bot, i, AnswerValue::Choice(1)).await;
        }
        reveal(&mut host.bot).await;
        if i < 2 {
            send(&mut host.bot, ClientMsg::Next).await;
            send(&mut host.bot, ClientMsg::Next).await;
        }
    }
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let asked: Vec<(String, Value, Value)> = report["players"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_owned();
            (name, p["first_asked"].clone(), p["asked"].clone())
        })
        .collect();
    // Bob was asked questions 1 and 2: the Results page counts him for those alone.
    assert_eq!(
        asked,
        [
            ("Ada".into(), json!(0), json!(3)),
            ("Bob".into(), json!(1), json!(2))
        ]
    );
}
