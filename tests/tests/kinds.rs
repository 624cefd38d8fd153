//! The question kinds added after the first five, over real sockets: a slider answered by
//! bots (its right and wrong answers from the quiz document), a value off the slider refused
//! with nothing stored, points by distance, and the reveal's value and histogram; an order
//! question; a word cloud's words checked, counted and filtered; a slide that takes no answer
//! and moves on without a reveal; and a quiz of every kind played to the end by bots.

mod common;

use common::{answer_acked, quiz, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, QuestionKind, QuizDoc, ServerMsg};
use quizrace_tests::play::{every_kind_quiz, play_game, right_answer, wrong_answer, Strategy};
use serde_json::json;
use std::time::Duration;

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

    let (stored, report) = game.stored_answers(&host).await;
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

#[tokio::test]
async fn bots_fill_a_word_cloud_that_counts_their_words_and_keeps_blocked_ones_out() {
    let cloud = quiz(vec![json!({
        "kind":"word_cloud","text":"One word for the sea?","time_limit_s":10
    })]);
    let game = Game::with_config(cloud, |c| c.blocked_words = vec!["darn".into()]).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for bot in &mut bots {
        assert_eq!(common::question(bot).await.kind, QuestionKind::WordCloud);
    }
    // Four words, or a word over 20 characters: a clear error naming `text`, nothing stored.
    for bad in ["one two three four", "abcdefghijklmnopqrstuvwxyz"] {
        bots[0]
            .answer(0, AnswerValue::Text(bad.into()))
            .await
            .unwrap();
        assert_eq!(
            common::error(&mut bots[0]).await,
            (ErrorCode::BadField, Some("text".into())),
            "{bad}"
        );
    }
    answer_acked(&mut bots[0], 0, AnswerValue::Text(" Ocean ".into())).await;
    bots[0]
        .answer(0, AnswerValue::Text("waves".into()))
        .await
        .unwrap();
    assert_eq!(
        common::error(&mut bots[0]).await.0,
        ErrorCode::AlreadyAnswered,
        "answers are final"
    );
    answer_acked(&mut bots[1], 0, AnswerValue::Text("océan".into())).await;
    answer_acked(&mut bots[2], 0, AnswerValue::Text("darn it".into())).await;

    let reveal = common::reveal(&mut bots[0]).await;
    let words: Vec<(String, u32)> = reveal
        .words
        .expect("the reveal carries the cloud")
        .into_iter()
        .map(|w| (w.text, w.count))
        .collect();
    assert_eq!(words, [("Ocean".to_owned(), 2)]);
    assert_eq!(reveal.filtered, Some(1));
    let mine = common::result(&mut bots[0]).await;
    assert_eq!((mine.answered, mine.correct, mine.points), (true, None, 0));

    let (stored, report) = game.stored_answers(&host).await;
    assert!(stored.contains(&json!({"text": "Ocean"})), "{report}");
    assert_eq!(
        stored.len(),
        3,
        "the filtered answer is stored too: {report}"
    );
}

#[tokio::test]
async fn a_slide_takes_no_answer_and_next_moves_on_without_a_reveal() {
    let lesson = quiz(vec![
        json!({"kind":"slide","title":"Part 2","text":"Now the deep sea."}),
        common::choice(0),
    ]);
    let game = Game::with(lesson).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let slide = common::question(&mut bots[0]).await;
    assert_eq!(
        (
            slide.kind,
            slide.title.as_deref(),
            slide.text.as_str(),
            slide.time_limit_ms,
            slide.total
        ),
        (
            QuestionKind::Slide,
            Some("Part 2"),
            "Now the deep sea.",
            0,
            2
        )
    );
    bots[0].answer(0, AnswerValue::Choice(0)).await.unwrap();
    assert_eq!(common::error(&mut bots[0]).await.0, ErrorCode::BadPhase);
    send(&mut host.bot, ClientMsg::Close).await;
    assert_eq!(common::error(&mut host.bot).await.0, ErrorCode::BadPhase);
    // No timer: nothing comes while the slide is up.
    bots[0]
        .expect_silence(Duration::from_millis(300))
        .await
        .expect("no frame while the slide is up");
    send(&mut host.bot, ClientMsg::Next).await;
    let next = bots[0]
        .expect("the next frame", |m| match m {
            ServerMsg::Question(q) => Some(Ok(q.index)),
            ServerMsg::QuestionClosed { .. }
            | ServerMsg::Result { .. }
            | ServerMsg::Leaderboard { .. } => Some(Err(format!("{m:?}"))),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(next, Ok(1), "straight to the next question");
}

#[tokio::test]
async fn bots_play_a_quiz_of_every_kind_to_the_end() {
    let doc: QuizDoc = serde_json::from_value(every_kind_quiz()).expect("a quiz document");
    let game = Game::with(every_kind_quiz()).await;
    let mut host = game.room().await;
    let bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let players: Vec<_> = bots
        .into_iter()
        .map(|bot| {
            let (url, doc) = (game.url.clone(), doc.clone());
            tokio::spawn(async move { play_game(bot, &url, &doc, Strategy::Right).await })
        })
        .collect();
    send(&mut host.bot, ClientMsg::Start).await;
    host.advance_through_quiz(&doc).await.unwrap();
    let answered = doc.questions.len() - 1; // all but the slide
    for p in players {
        let (_, played) = p.await.unwrap().unwrap();
        assert!(played.refusals.is_empty(), "{:?}", played.refusals);
        assert_eq!(played.questions_seen as usize, doc.questions.len());
        assert_eq!(
            played.results.len(),
            answered,
            "one result per question, none for the slide"
        );
        assert_eq!(played.acks as usize, answered);
        let last = played.last.expect("a final result");
        assert_eq!(last.rank, 1, "right on everything: first, shared");
        // Scored: choice, true_false, multi, type_answer, slider, order (poll and cloud not).
        let scored = played
            .results
            .iter()
            .filter(|r| r.correct.is_some())
            .count();
        assert_eq!(scored, 6);
    }
    // The results sheet has a row per player and question, none for the slide (question 1).
    let csv = game.results_csv(&host).await;
    let rows: Vec<&str> = csv.body.lines().skip(1).collect();
    assert_eq!(rows.len(), 2 * answered, "{rows:?}");
    assert!(
        rows.iter().all(|r| r.split(',').nth(4) != Some("1")),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains(",9,") && r.contains("Bots")),
        "{rows:?}"
    );
}
