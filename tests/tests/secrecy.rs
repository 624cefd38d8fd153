//! The answer never travels before the reveal. Checked on the raw text of every frame a player
//! (and a resuming player, and a resuming host) receives while a question is open, for every
//! question kind (a slider's correct value and tolerance, an order question's right order, a
//! word cloud's words); the `question_closed` that
//! follows does carry the key. The author's explanation of the answer is held back the same way.

mod common;

use common::{quiz, Game, Raw};
use serde_json::{json, Value};

/// Distinctive accepted answer, so a leak anywhere in a frame is visible in its text.
const SECRET: &str = "Zyxwvut";
/// Distinctive word of every question's explanation, which only the reveal may carry.
const WHY: &str = "Qjexplained";
/// The slider question's correct value: only the reveal may carry it, under `correct_value`.
const SLIDER_VALUE: i64 = 37;

/// The keys of a `question` object, as the contract lists them (plus `answered` where allowed).
const QUESTION_KEYS: [&str; 13] = [
    "index",
    "total",
    "kind",
    "text",
    "choices",
    "time_limit_ms",
    "remaining_ms",
    "opens_in_ms",
    "points",
    "answered",
    "slider",
    "items",
    "title",
];

fn secret_quiz() -> Value {
    let mut questions = vec![
        json!({"kind":"choice","text":"Pick the second","choices":["w","x","y","z"],"correct":[1]}),
        json!({"kind":"true_false","text":"False is right","correct":[1]}),
        json!({"kind":"multi","text":"First and third","choices":["a","b","c"],"correct":[0,2]}),
        json!({"kind":"type_answer","text":"Type the word","accept":[SECRET, "other spelling"]}),
        json!({"kind":"poll","text":"Any opinion","choices":["yes","no"]}),
        json!({"kind":"slider","text":"Slide to it","min":0,"max":100,"step":1,
               "correct_value":SLIDER_VALUE,"tolerance":3}),
        json!({"kind":"order","text":"In order","items":["one","two","three","four"]}),
        json!({"kind":"word_cloud","text":"A word for it"}),
    ];
    for (i, q) in questions.iter_mut().enumerate() {
        q["explanation"] = json!(format!("{WHY} number {i}"));
    }
    quiz(questions)
}

/// Panics if `value` has, at any depth, a key that would carry an answer.
fn assert_no_answer_keys(value: &Value, frame: &str) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                assert!(
                    ![
                        "correct",
                        "accept",
                        "key",
                        "answer",
                        "answers",
                        "first_correct",
                        "explanation",
                        "correct_value",
                        "tolerance",
                        "values",
                        "correct_order",
                        "words",
                        "filtered"
                    ]
                    .contains(&k.as_str()),
                    "frame leaks `{k}`: {frame}"
                );
                assert_no_answer_keys(v, frame);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| assert_no_answer_keys(v, frame)),
        _ => {}
    }
}

fn assert_clean(text: &str) -> Value {
    let lower = text.to_lowercase();
    assert!(
        !lower.contains(&SECRET.to_lowercase()) && !lower.contains("other spelling"),
        "frame carries the accepted answer: {text}"
    );
    assert!(
        !lower.contains(&WHY.to_lowercase()),
        "frame carries the explanation: {text}"
    );
    let value: Value = serde_json::from_str(text).unwrap();
    assert_no_answer_keys(&value, text);
    value
}

fn assert_question_shape(q: &Value, text: &str) {
    let keys: Vec<&str> = q.as_object().unwrap().keys().map(String::as_str).collect();
    for k in &keys {
        assert!(
            QUESTION_KEYS.contains(k) || *k == "type",
            "unexpected key `{k}` in {text}"
        );
    }
}

#[tokio::test]
async fn no_frame_carries_the_answer_before_the_reveal_for_any_kind() {
    let game = Game::with(secret_quiz()).await;
    let mut host_bot = game.room().await;
    let pin = host_bot.pin.0.clone();

    let mut player = Raw::connect(&game.url).await;
    player
        .send(json!({"type":"join","pin":pin,"name":"Eve"}))
        .await;
    let (_, welcome) = player.expect("welcome").await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    host_bot.await_players(1).await.unwrap();

    // The host too comes back on a raw socket, to see its room_state as sent.
    let mut host = Raw::connect(&game.url).await;
    host.send(json!({"type":"host_resume","pin":pin,"host_key":host_bot.host_key}))
        .await;
    host.expect("room_state").await;
    host.send(json!({"type":"start"})).await;

    for index in 0..8u64 {
        let (text, q) = player.expect("question").await;
        assert_clean(&text);
        assert_question_shape(&q, &text);
        if let Some(items) = q["items"].as_array() {
            let texts: Vec<&Value> = items.iter().map(|i| &i["text"]).collect();
            assert_ne!(
                texts,
                ["one", "two", "three", "four"],
                "the right order: {text}"
            );
        }
        assert_eq!(q["index"], index);

        // A player resuming mid-question gets the open question in `welcome`: also clean.
        let mut again = Raw::connect(&game.url).await;
        again
            .send(json!({"type":"resume","pin":pin,"token":token}))
            .await;
        let (text, w) = again.expect("welcome").await;
        assert_clean(&text);
        assert_question_shape(&w["question"], &text);
        assert_eq!(w["question"]["answered"], false);
        player = again;

        // A host resuming mid-question gets a snapshot with the question: also clean.
        let mut host_again = Raw::connect(&game.url).await;
        host_again
            .send(json!({"type":"host_resume","pin":pin,"host_key":host_bot.host_key}))
            .await;
        let (text, state) = host_again.expect("room_state").await;
        assert_clean(&text);
        assert_eq!(state["question"]["index"], index);
        host = host_again;

        host.send(json!({"type":"close"})).await;
        // Everything the player gets up to the reveal is clean; the reveal carries the key.
        let closed = loop {
            let text = player.recv().await;
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "question_closed" {
                break value;
            }
            assert_clean(&text);
        };
        match index {
            0 => assert_eq!(closed["correct"], json!([1])),
            1 => assert_eq!(closed["correct"], json!([1])),
            2 => assert_eq!(closed["correct"], json!([0, 2])),
            3 => {
                assert_eq!(closed["accept"], json!([SECRET, "other spelling"]));
                assert!(closed.get("correct").is_none());
            }
            4 => {
                assert!(closed.get("correct").is_none() && closed.get("accept").is_none());
            }
            6 => assert!(closed["correct_order"].is_array(), "{closed}"),
            7 => assert_eq!(closed["words"], json!([]), "{closed}"),
            _ => {
                assert_eq!(closed["correct_value"], SLIDER_VALUE);
                assert_eq!(closed["tolerance"], 3);
                assert!(closed["values"].is_array());
            }
        }
        assert_eq!(
            closed["explanation"],
            json!(format!("{WHY} number {index}"))
        );
        host.expect("question_closed").await;
        host.send(json!({"type":"next"})).await;
        host.expect("leaderboard").await;
        host.send(json!({"type":"next"})).await;
    }
    host.expect("game_over").await;
}

#[tokio::test]
async fn the_question_frame_is_the_same_text_for_every_player() {
    let game = Game::with(secret_quiz()).await;
    let mut host = game.room().await;
    let pin = host.pin.0.clone();
    let mut raws = Vec::new();
    for name in ["Ann", "Ben", "Cat"] {
        let mut raw = Raw::connect(&game.url).await;
        raw.send(json!({"type":"join","pin":pin,"name":name})).await;
        raw.expect("welcome").await;
        raws.push(raw);
    }
    host.await_players(3).await.unwrap();
    host.send(&quizrace_protocol::ClientMsg::Start)
        .await
        .unwrap();
    let mut texts = Vec::new();
    for raw in &mut raws {
        texts.push(raw.expect("question").await.0);
    }
    assert!(
        texts.windows(2).all(|w| w[0] == w[1]),
        "one shared frame: {texts:?}"
    );
}
