//! A player's identity is the token, not the connection: resume keeps id, name, score and the
//! answer already given; leaving ends the identity and frees the name.

mod common;

use common::{answer_acked, error, list, question, quiz, result, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, PhaseName, ServerMsg};
use quizrace_tests::Bot;

#[tokio::test]
async fn resume_keeps_player_id_name_and_score() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let ada = &mut bots[0];
    question(ada).await;
    answer_acked(ada, 0, AnswerValue::Choice(1)).await;
    send(&mut host.bot, ClientMsg::Close).await;
    let before = result(ada).await;
    assert!(before.score > 0);
    let (id, token) = (ada.player_id(), ada.token());

    let old = bots.remove(0);
    old.close().await;
    let mut back = Bot::connect(&game.url).await.unwrap();
    let w = back.resume(&host.pin, &token).await.unwrap();
    assert_eq!(
        (w.player_id, w.name.as_str(), w.score, w.token.as_str()),
        (id, "Ada", before.score, token.as_str())
    );
    assert_eq!(w.players, 2);
    // Back during the reveal: the result missed while away is sent again.
    let again = result(&mut back).await;
    assert_eq!(again.score, before.score);
    assert_eq!(again.points, before.points);
    // And the list agrees.
    let me = list(&mut back)
        .await
        .into_iter()
        .find(|p| p.player_id == id)
        .unwrap();
    assert_eq!(
        (me.name.as_str(), me.score, me.connected),
        ("Ada", before.score, true)
    );
}

#[tokio::test]
async fn a_player_resuming_after_answering_is_told_so_and_cannot_answer_again() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let mut ada = bots.remove(0);
    question(&mut ada).await;
    answer_acked(&mut ada, 0, AnswerValue::Choice(1)).await;
    let token = ada.token();
    ada.close().await;

    let mut back = Bot::connect(&game.url).await.unwrap();
    let w = back.resume(&host.pin, &token).await.unwrap();
    let q = w.question.expect("the open question is in welcome");
    assert_eq!(q.index, 0);
    assert_eq!(q.answered, Some(true));
    assert!(q.remaining_ms > 0 && q.remaining_ms <= q.time_limit_ms);
    // No ballot stuffing by reconnecting, whether the new answer is the same or different.
    for choice in [0, 1] {
        back.answer(0, AnswerValue::Choice(choice)).await.unwrap();
        assert_eq!(error(&mut back).await.0, ErrorCode::AlreadyAnswered);
    }
    // Bob answers, everyone connected has answered: the reveal counts Ada once.
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    let closed = common::reveal(&mut back).await;
    assert_eq!((closed.answered, closed.total), (2, 2));
    assert_eq!(closed.counts, vec![0, 2, 0, 0]);
}

#[tokio::test]
async fn a_player_resuming_before_answering_can_still_answer() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let token = bots[0].token();
    bots.remove(0).close().await;
    send(&mut host.bot, ClientMsg::Start).await;
    let mut back = Bot::connect(&game.url).await.unwrap();
    let w = back.resume(&host.pin, &token).await.unwrap();
    assert_eq!(w.question.and_then(|q| q.answered), Some(false));
    answer_acked(&mut back, 0, AnswerValue::Choice(1)).await;
}

#[tokio::test]
async fn a_player_who_leaves_is_removed_their_name_freed_and_their_token_dead() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let (id, token) = (bots[0].player_id(), bots[0].token());
    send(&mut bots[0], ClientMsg::Leave).await;
    assert_eq!(bots[0].expect_close().await.unwrap(), Some(1000));
    let count = host
        .bot
        .expect("player_left", |m| match m {
            ServerMsg::PlayerLeft { player_id, count } if *player_id == id => Some(*count),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(count, 1);
    let names: Vec<String> = list(&mut bots[1])
        .await
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["Bob".to_string()]);

    let mut back = Bot::connect(&game.url).await.unwrap();
    send(
        &mut back,
        ClientMsg::Resume {
            pin: host.pin.clone(),
            token,
        },
    )
    .await;
    assert_eq!(error(&mut back).await.0, ErrorCode::BadToken);
    let w = back
        .join(&host.pin, "ada")
        .await
        .expect("the name is free again");
    assert_ne!(w.player_id, id, "a new identity");
}

#[tokio::test]
async fn a_locked_room_still_lets_its_players_resume() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let token = bots[0].token();
    send(&mut host.bot, ClientMsg::Lock { locked: true }).await;
    list(&mut host.bot).await;
    bots.remove(0).close().await;
    let mut back = Bot::connect(&game.url).await.unwrap();
    back.resume(&host.pin, &token)
        .await
        .expect("lock keeps new players out, not returning ones");
}

#[tokio::test]
async fn welcome_reports_the_room_phase_and_player_count() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut first = game.socket().await;
    first
        .send(&ClientMsg::Join {
            pin: host.pin.clone(),
            name: "Ada".into(),
        })
        .await
        .unwrap();
    let (phase, players, open) = first
        .expect("welcome", |m| match m {
            ServerMsg::Welcome {
                phase,
                players,
                question,
                ..
            } => Some((*phase, *players, question.clone())),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!((phase, players, open), (PhaseName::Lobby, 1, None));
    let second = Bot::joined(&game.url, &host.pin, "Bob").await.unwrap();
    assert_eq!(second.welcome.as_ref().unwrap().players, 2);
    host.await_players(2).await.unwrap();
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut first).await;
    let token = second.token();
    second.close().await;
    let mut back = Bot::connect(&game.url).await.unwrap();
    back.send(&ClientMsg::Resume {
        pin: host.pin.clone(),
        token,
    })
    .await
    .unwrap();
    let phase = back
        .expect("welcome", |m| match m {
            ServerMsg::Welcome { phase, .. } => Some(*phase),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(phase, PhaseName::Question);
}

#[tokio::test]
async fn a_player_back_after_the_end_sees_the_podium_and_the_final_result() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    let token = bots[0].token();
    bots.remove(0).close().await;
    send(&mut host.bot, ClientMsg::End).await;
    common::game_over(&mut host.bot).await;
    let mut back = Bot::connect(&game.url).await.unwrap();
    let w = back.resume(&host.pin, &token).await.unwrap();
    assert!(w.score > 0);
    let podium = common::game_over(&mut back).await;
    assert_eq!(podium[0].player_id, w.player_id);
    let r = result(&mut back).await;
    assert_eq!((r.rank, r.score), (1, w.score));
}

#[tokio::test]
async fn a_player_who_leaves_mid_question_keeps_the_answer_given_in_the_reveal_and_the_report() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    send(&mut bots[0], ClientMsg::Leave).await;
    bots[0].expect_close().await.unwrap();
    answer_acked(&mut bots[1], 0, AnswerValue::Choice(0)).await;
    answer_acked(&mut bots[2], 0, AnswerValue::Choice(0)).await;
    let closed = common::reveal(&mut host.bot).await;
    // An answer given while present counts, as it is stored: the reveal and the results agree.
    assert_eq!((closed.answered, closed.total), (3, 3));
    assert_eq!(closed.counts, vec![2, 1, 0, 0]);
    assert_eq!(closed.first_correct.map(|f| f.name), Some("Ada".to_owned()));
    send(&mut host.bot, ClientMsg::End).await;
    common::game_over(&mut host.bot).await;
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    assert_eq!(report["answers"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn a_player_joining_mid_question_gets_it_in_welcome_and_may_answer() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mut late = Bot::connect(&game.url).await.unwrap();
    let w = late.join(&host.pin, "Late").await.unwrap();
    let q = w.question.expect("the open question");
    assert_eq!((q.index, q.answered), (0, Some(false)));
    assert!(q.remaining_ms < q.time_limit_ms);
    // Timed from the question's opening, not from the late join.
    let elapsed = answer_acked(&mut late, 0, AnswerValue::Choice(1)).await;
    assert!(elapsed >= 200, "elapsed {elapsed} ms");
    // Ada has not answered: the late joiner counts as a connected player.
    send(&mut host.bot, ClientMsg::Close).await;
    let closed = common::reveal(&mut late).await;
    assert_eq!((closed.answered, closed.total), (1, 2));
}
