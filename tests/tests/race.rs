//! Race mode: only the first correct answer the server accepts scores, at full base points, and
//! it closes the question for everyone at once.

mod common;

use common::{error, quiz, reveal, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, Mode, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

fn race() -> RoomOptions {
    RoomOptions {
        mode: Mode::Race,
        ..RoomOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_simultaneous_correct_answers_make_exactly_one_winner() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room_with(race()).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy", "Late"]).await;
    let mut late = bots.pop().unwrap();
    send(&mut host.bot, ClientMsg::Start).await;
    let opened = Instant::now();
    for bot in bots.iter_mut() {
        common::question(bot).await;
    }
    common::question(&mut late).await;

    let barrier = Arc::new(Barrier::new(3));
    let mut tasks = Vec::new();
    for mut bot in bots {
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            bot.answer(0, AnswerValue::Choice(1)).await.unwrap();
            // A loser hears the reveal (and its result) before the refusal of its answer,
            // so collect all three in whatever order they come.
            let (mut ack, mut closed, mut result) = (None, None, None);
            while ack.is_none() || closed.is_none() || result.is_none() {
                match bot.recv().await.unwrap() {
                    ServerMsg::AnswerAck { .. } => ack = Some(Ok(())),
                    ServerMsg::Error { code, .. } => ack = Some(Err(code)),
                    ServerMsg::QuestionClosed { first_correct, .. } => {
                        closed = Some(first_correct.map(|f| f.player_id))
                    }
                    ServerMsg::Result { points, rank, .. } => result = Some((points, rank)),
                    _ => {}
                }
            }
            (
                bot.player_id(),
                ack.unwrap(),
                closed.unwrap(),
                result.unwrap(),
            )
        }));
    }
    let closed_for_host = reveal(&mut host.bot).await;
    let took = opened.elapsed();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }

    let acked: Vec<_> = outcomes.iter().filter(|o| o.1.is_ok()).collect();
    assert_eq!(acked.len(), 1, "exactly one answer accepted: {outcomes:?}");
    let winner = acked[0].0;
    for o in &outcomes {
        if o.0 != winner {
            assert_eq!(
                o.1,
                Err(ErrorCode::TooLate),
                "a loser's answer came too late"
            );
            assert_eq!(o.3 .0, 0);
        }
    }
    let winners: Vec<_> = outcomes.iter().filter(|o| o.3 .0 > 0).collect();
    assert_eq!(winners.len(), 1, "exactly one bot scored: {outcomes:?}");
    assert_eq!(
        winners[0].0, winner,
        "the accepted answer is the one that scored"
    );
    assert_eq!(
        winners[0].3,
        (1000, 1),
        "race scores the base, no speed factor"
    );
    for o in &outcomes {
        assert_eq!(o.2, Some(winner), "everyone is told the same winner");
    }
    assert_eq!(
        closed_for_host.first_correct.map(|f| f.player_id),
        Some(winner)
    );
    assert_eq!(
        closed_for_host.answered, 1,
        "only the winner's answer counts"
    );
    assert!(
        took < Duration::from_secs(3),
        "the question closed at once, not by its 10 s timer ({took:?})"
    );

    // A correct answer after the race is won is too late, and scores nothing.
    let r = common::result(&mut late).await;
    assert_eq!((r.answered, r.points, r.score), (false, 0, 0));
    late.answer(0, AnswerValue::Choice(1)).await.unwrap();
    assert_eq!(error(&mut late).await.0, ErrorCode::TooLate);

    // The stored report agrees: one answer with points for question 0.
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let scoring: Vec<_> = report["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["index"] == 0 && a["points"].as_i64() > Some(0))
        .collect();
    assert_eq!(scoring.len(), 1);
    assert_eq!(scoring[0]["player_id"], json!(winner.0));
}

#[tokio::test]
async fn wrong_answers_do_not_close_a_race_and_a_slow_winner_still_gets_full_points() {
    let game = Game::with(quiz(vec![
        common::choice(1),
        json!({"kind":"choice","text":"Double","choices":["a","b"],"correct":[0],"points":"double"}),
    ]))
    .await;
    let mut host = game.room_with(race()).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for bot in bots.iter_mut() {
        common::question(bot).await;
    }
    common::answer_acked(&mut bots[0], 0, AnswerValue::Choice(0)).await;
    common::answer_acked(&mut bots[1], 0, AnswerValue::Choice(3)).await;
    // Two wrong answers, nobody right yet: still open.
    bots[2]
        .expect_silence(Duration::from_millis(300))
        .await
        .unwrap();
    let elapsed = common::answer_acked(&mut bots[2], 0, AnswerValue::Choice(1)).await;
    assert!(elapsed >= 300, "the winner answered late ({elapsed} ms)");
    let closed = reveal(&mut host.bot).await;
    assert_eq!(closed.answered, 3);
    assert_eq!(closed.counts, vec![1, 1, 0, 1]);
    assert_eq!(
        closed.first_correct.map(|f| f.player_id),
        Some(bots[2].player_id())
    );
    let results = [
        common::result(&mut bots[0]).await,
        common::result(&mut bots[1]).await,
        common::result(&mut bots[2]).await,
    ];
    assert_eq!(
        results.iter().map(|r| r.points).collect::<Vec<_>>(),
        vec![0, 0, 1000],
        "a late win is worth the full base"
    );
    assert_eq!(results[0].correct, Some(false));
    assert_eq!(results[2].rank, 1);

    send(&mut host.bot, ClientMsg::Next).await;
    send(&mut host.bot, ClientMsg::Next).await;
    for bot in bots.iter_mut() {
        common::question(bot).await;
    }
    common::answer_acked(&mut bots[0], 1, AnswerValue::Choice(0)).await;
    let r = common::result(&mut bots[0]).await;
    assert_eq!((r.points, r.score), (2000, 2000), "double points in race");
    for bot in bots.iter_mut().skip(1) {
        bot.answer(1, AnswerValue::Choice(0)).await.unwrap();
        assert_eq!(error(bot).await.0, ErrorCode::TooLate);
    }
}
