//! The question kinds added after the first five, over real sockets: a slider answered by
//! bots (its right and wrong answers from the quiz document), a value off the slider refused
//! with nothing stored, points by distance, and the reveal's value and histogram.

mod common;

use common::{answer_acked, quiz, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, QuestionKind, QuizDoc};
use quizrace_tests::play::{right_answer, wrong_answer};
use serde_json::json;

fn moon() -> serde_json::Value {
    quiz(vec![json!({
        "kind":"slider","text":"Year of the Moon landing?","min":1950,"max":2000,"step":1,
        "correct_value":1969,"tolerance":5,"time_limit_s":10
    })])
}

#[tokio::test]
async fn bots_play_a_slider_and_a_value_off_it_is_refused_and_not_stored() {
    let doc: QuizDoc = serde_json::from_value(moon()).expect("a quiz document");
    let game = Game::with(moon()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let mut views = Vec::new();
    for bot in &mut bots {
        views.push(common::question(bot).await);
    }
    let q = &views[0];
    assert_eq!(q.kind, QuestionKind::Slider);
    let range = q.slider.expect("the question carries the slider's range");
    assert_eq!((range.min, range.max, range.step), (1950, 2000, 1));

    // Off the slider: a clear error naming `value`, and nothing stored.
    for bad in [1949, 2001, i64::MAX] {
        bots[0].answer(0, AnswerValue::Value(bad)).await.unwrap();
        assert_eq!(
            common::error(&mut bots[0]).await,
            (ErrorCode::BadField, Some("value".into())),
            "{bad}"
        );
    }
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    assert_eq!(report["answers"], json!([]), "nothing stored: {report}");

    answer_acked(&mut bots[0], 0, right_answer(&doc, q)).await;
    answer_acked(&mut bots[1], 0, AnswerValue::Value(1972)).await;
    answer_acked(&mut bots[2], 0, wrong_answer(&doc, q)).await;

    let reveal = common::reveal(&mut bots[0]).await;
    let slider = reveal.slider.expect("the reveal carries the slider's key");
    assert_eq!((slider.correct_value, slider.tolerance), (1969, 5));
    assert_eq!(slider.values.iter().map(|b| b.count).sum::<u32>(), 3);
    assert_eq!(reveal.counts, [2, 1], "[within the tolerance, outside]");

    let exact = common::result(&mut bots[0]).await;
    let near = common::result(&mut bots[1]).await;
    let far = common::result(&mut bots[2]).await;
    assert_eq!(exact.correct, Some(true));
    assert_eq!(near.correct, Some(true));
    assert!(
        exact.points > near.points && near.points > 0,
        "{exact:?} {near:?}"
    );
    assert_eq!((far.correct, far.points), (Some(false), 0));

    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let stored: Vec<_> = report["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| a["answer"].clone())
        .collect();
    assert!(stored.contains(&json!({"value": 1969})), "{report}");
}

#[tokio::test]
async fn bots_put_items_in_order_from_their_own_shuffles_and_a_bad_order_is_refused() {
    let sizes = quiz(vec![json!({
        "kind":"order","text":"Smallest to largest","items":["Atom","Cell","Mouse","Whale"],
        "time_limit_s":10
    })]);
    let doc: QuizDoc = serde_json::from_value(sizes.clone()).expect("a quiz document");
    let game = Game::with(sizes).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let mut views = Vec::new();
    for bot in &mut bots {
        views.push(common::question(bot).await);
    }
    for q in &views {
        let texts: Vec<&str> = q
            .items
            .as_deref()
            .expect("items")
            .iter()
            .map(|i| i.text.as_str())
            .collect();
        assert_ne!(
            texts,
            ["Atom", "Cell", "Mouse", "Whale"],
            "shown in the right order"
        );
    }
    bots[0]
        .answer(0, AnswerValue::Order(vec![1, 1, 2, 3]))
        .await
        .unwrap();
    assert_eq!(
        common::error(&mut bots[0]).await,
        (ErrorCode::BadField, Some("order".into()))
    );
    let right = right_answer(&doc, &views[0]);
    answer_acked(&mut bots[0], 0, right.clone()).await;
    answer_acked(&mut bots[1], 0, wrong_answer(&doc, &views[1])).await;
    let reveal = common::reveal(&mut bots[0]).await;
    assert_eq!(
        Some(reveal.correct_order.expect("correct_order")),
        match right {
            AnswerValue::Order(ids) => Some(ids),
            _ => None,
        }
    );
    let ada = common::result(&mut bots[0]).await;
    let bob = common::result(&mut bots[1]).await;
    assert_eq!(ada.correct, Some(true));
    assert_eq!(bob.correct, Some(false));
    assert!(ada.points > bob.points, "{ada:?} {bob:?}");
}
