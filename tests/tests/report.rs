//! The teacher's report over HTTP: `GET /api/games/{id}/report` (JSON) and
//! `/report.xlsx` (read back with calamine), who may read them, the threshold parameter, and
//! a game still running.

mod common;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use common::{answer_acked, game_over, reveal, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg};
use quizrace_tests::Host;
use serde_json::{json, Value};
use std::io::Cursor;

const HOSTILE: &str = "=cmd|' /C calc'!A0";
/// Bob's name: typed into a cell, Excel would take it for the formula `=-1-1`.
const BOB: &str = "-1-1";

/// A choice question nobody gets right, and a typed one Ada gets right.
fn two_questions() -> Value {
    common::quiz(vec![
        json!({"kind":"choice","text":"Capital of Australia?","choices":["Sydney","Canberra"],"correct":[1],"time_limit_s":10}),
        json!({"kind":"type_answer","text":"Gold?","accept":["Au"],"time_limit_s":10}),
    ])
}

/// Ada: wrong, then right; Bob (named [`BOB`]): wrong, then a formula typed as his answer.
/// The host ends.
async fn play(game: &Game) -> Host {
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", BOB]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let given = [
        [AnswerValue::Choice(0), AnswerValue::Choice(0)],
        [
            AnswerValue::Text("Au".into()),
            AnswerValue::Text(HOSTILE.into()),
        ],
    ];
    for (i, pair) in given.into_iter().enumerate() {
        for (bot, value) in bots.iter_mut().zip(pair) {
            common::question(bot).await;
            answer_acked(bot, i as u32, value).await;
        }
        send(&mut host.bot, ClientMsg::Close).await;
        reveal(&mut host.bot).await;
        if i == 0 {
            send(&mut host.bot, ClientMsg::Next).await;
            send(&mut host.bot, ClientMsg::Next).await;
        }
    }
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    host
}

async fn get_report(game: &Game, id: i64, query: &str) -> Value {
    let r = game
        .server
        .http()
        .get(&format!("/api/games/{id}/report{query}"), Some(&game.token))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    r.json().unwrap()
}

#[tokio::test]
async fn the_report_ranks_the_questions_and_flags_the_players_below_the_threshold() {
    let game = Game::with(two_questions()).await;
    let host = play(&game).await;
    let t = get_report(&game, host.game_id.0, "").await;
    assert_eq!(t["status"], "finished");
    assert_eq!(t["by_difficulty"], json!([0, 1]));
    assert_eq!(t["to_review"], json!([0]));
    assert_eq!(t["questions"][0]["percent_correct"], 0);
    assert_eq!(t["questions"][1]["percent_correct"], 50);
    assert_eq!(t["need_help_below"], 50);
    let names = |t: &Value| -> Vec<String> {
        let flagged = t["need_help"].as_array().unwrap();
        t["players"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| flagged.contains(&p["player_id"]))
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&t), [BOB]);
    let strict = get_report(&game, host.game_id.0, "?need_help_below=51").await;
    assert_eq!(names(&strict), ["Ada", BOB]);
    let none = get_report(&game, host.game_id.0, "?need_help_below=0").await;
    assert!(names(&none).is_empty());
    let bob = &t["players"][1];
    assert_eq!(bob["name"], BOB);
    assert_eq!(bob["answers"][0]["answer"], "Sydney");
    assert_eq!(bob["answers"][1]["answer"], HOSTILE);
    assert_eq!(bob["answers"][1]["correct"], false);
}

#[tokio::test]
async fn the_workbook_downloads_as_an_attachment_and_reads_back() {
    let game = Game::with(two_questions()).await;
    let host = play(&game).await;
    let id = host.game_id.0;
    let r = game
        .server
        .http()
        .get(&format!("/api/games/{id}/report.xlsx"), Some(&game.token))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        r.disposition,
        format!("attachment; filename=\"quizrace-game-{id}.xlsx\"")
    );
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Players", "Q1", "Q2", "P1 Ada", "P2 -1-1"]
    );
    let mut cell = |sheet: &str, row: u32, col: u32| -> Data {
        let range = book.worksheet_range(sheet).unwrap();
        range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    };
    assert!(
        matches!(cell("Summary", 3, 1), Data::DateTime(_)),
        "the game's date is a date cell"
    );
    assert_eq!(cell("Summary", 1, 1), Data::String("Scenario quiz".into()));
    assert_eq!(cell("Summary", 5, 1), Data::Float(2.0), "players");
    // Q2's answers in the report's order: Ada (rank 1) then Bob.
    assert_eq!(cell("Q2", 5, 0), Data::String("Ada".into()));
    assert!(
        matches!(cell("Q2", 5, 3), Data::Float(_)),
        "time in seconds, a number"
    );
    assert_eq!(cell("Q2", 6, 1), Data::String(HOSTILE.into()));
    assert_eq!(cell("P2 -1-1", 7, 2), Data::String(HOSTILE.into()));
    // The names stay text too.
    assert_eq!(cell("Q2", 6, 0), Data::String(BOB.into()));
    assert_eq!(cell("Players", 2, 1), Data::String(BOB.into()));
}

#[tokio::test]
async fn strangers_unknown_games_and_bad_thresholds_are_refused() {
    let game = Game::with(two_questions()).await;
    let host = play(&game).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let id = host.game_id.0;
    for path in [
        format!("/api/games/{id}/report"),
        format!("/api/games/{id}/report.xlsx"),
    ] {
        let r = http.get(&path, Some(&carol)).await.unwrap();
        r.assert_refused(404, "no_such_game", None, &format!("{path} as Carol"));
        assert!(!r.body.contains("Ada"), "{}", r.body);
        // A bad threshold from a stranger is still a 404: nothing about the game is told.
        let r = http
            .get(&format!("{path}?need_help_below=900"), Some(&carol))
            .await
            .unwrap();
        r.assert_refused(404, "no_such_game", None, &format!("{path} as Carol"));
        let r = http.get(&path, None).await.unwrap();
        r.assert_refused(401, "unauthorized", None, &format!("{path} without login"));
        let unknown = path.replace(&format!("/{id}/"), "/999999/");
        let r = http.get(&unknown, Some(&game.token)).await.unwrap();
        r.assert_refused(404, "no_such_game", None, &unknown);
        for bad in ["101", "-5", "half", "12.5", ""] {
            let r = http
                .get(&format!("{path}?need_help_below={bad}"), Some(&game.token))
                .await
                .unwrap();
            r.assert_refused(400, "bad_field", Some("need_help_below"), bad);
        }
        let r = http
            .get(
                &format!("{path}?need_help_below=10&need_help_below=20"),
                Some(&game.token),
            )
            .await
            .unwrap();
        r.assert_refused(400, "bad_field", Some("query"), "a repeated threshold");
    }
}

#[tokio::test]
async fn a_running_game_is_reported_as_far_as_it_has_gone() {
    let game = Game::with(two_questions()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    let t = get_report(&game, host.game_id.0, "").await;
    assert_eq!(t["status"], "running");
    assert_eq!(t["questions"][0]["correct"], 1);
    assert_eq!(t["questions"][1]["asked"], 0, "not opened yet");
    let r = game
        .server
        .http()
        .get(
            &format!("/api/games/{}/report.xlsx", host.game_id.0),
            Some(&game.token),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes)).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(
        summary.get_value((2, 1)),
        Some(&Data::String("running (the report so far)".into()))
    );
}
