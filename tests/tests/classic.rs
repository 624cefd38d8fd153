//! Classic mode over real sockets: when a question closes, how each kind is judged, and what the
//! points, streaks and ranks come to, checked against the scoring formula with the server's own
//! elapsed times.

mod common;

use common::{answer_acked, leaderboard, question, quiz, result, reveal, send, Game, Outcome};
use quizrace_protocol::{AnswerValue, ClientMsg, ServerMsg};
use quizrace_tests::{Bot, Host};
use serde_json::json;
use std::time::{Duration, Instant};

/// `round(base × (1 − elapsed/limit ÷ 2))` plus the streak bonus: the contract's formula.
/// A `"points": "none"` question (base 0) is worth nothing, bonus included.
fn expected_points(base: i64, elapsed_ms: u64, limit_ms: u64, streak_before: i64) -> i64 {
    if base == 0 {
        return 0;
    }
    let e = elapsed_ms.min(limit_ms) as f64;
    let speed = (base as f64 * (1.0 - e / limit_ms as f64 / 2.0)).round() as i64;
    speed + (100 * streak_before).min(500)
}

/// From a reveal to the next question (or game over): `next` twice.
async fn advance(host: &mut Host) {
    send(&mut host.bot, ClientMsg::Next).await;
    leaderboard(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Next).await;
}

/// Fails if the host hears `question_closed` within `quiet`.
async fn assert_still_open(host: &mut Host, quiet: Duration) {
    let until = tokio::time::Instant::now() + quiet;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        match host.bot.recv_within(left).await {
            Ok(ServerMsg::QuestionClosed { .. }) => panic!("the question closed too early"),
            Ok(_) => continue,
            Err(e) if e.to_string().starts_with("no message within") => return,
            Err(e) => panic!("{e:#}"),
        }
    }
}

#[tokio::test]
async fn the_question_closes_once_every_connected_player_answered() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    let cy = bots.pop().unwrap();
    let cy_id = cy.player_id();
    cy.close().await;
    host.bot
        .expect("Cy's connection drops", |m| match m {
            ServerMsg::PlayerConnection {
                player_id,
                connected: false,
            } if *player_id == cy_id => Some(()),
            _ => None,
        })
        .await
        .unwrap();
    send(&mut host.bot, ClientMsg::Start).await;
    let opened = Instant::now();
    for bot in bots.iter_mut() {
        question(bot).await;
    }
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    // One connected player has not answered: the question stays open.
    assert_still_open(&mut host, Duration::from_millis(300)).await;
    answer_acked(&mut bots[1], 0, AnswerValue::Choice(0)).await;
    let closed = reveal(&mut host.bot).await;
    assert!(
        opened.elapsed() < Duration::from_secs(5),
        "closed by the answers, not the 10 s timer"
    );
    assert_eq!((closed.answered, closed.total), (2, 3));
    assert_eq!(closed.correct, Some(vec![1]));
    assert_eq!(closed.counts, vec![1, 1, 0, 0]);
    assert_eq!(
        closed.first_correct.map(|f| f.player_id),
        Some(bots[0].player_id())
    );
}

#[tokio::test]
async fn an_unanswered_question_closes_when_its_time_is_up() {
    let game = Game::with(quiz(vec![
        json!({"kind":"choice","text":"Slow","choices":["a","b"],"correct":[0],"time_limit_s":5}),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let opened = Instant::now();
    let q = question(&mut bots[0]).await;
    assert_eq!(q.time_limit_ms, 5000);
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(0)).await;
    // A player resuming mid-question is told how long is left.
    let mut again = Bot::connect(&game.url).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let w = again.resume(&host.pin, &bots[1].token()).await.unwrap();
    let left = w.question.expect("the open question").remaining_ms;
    assert!(
        (2500..=4100).contains(&left),
        "about 4 s left, got {left} ms"
    );
    host.bot.deadline = Duration::from_secs(8);
    let closed = reveal(&mut host.bot).await;
    let took = opened.elapsed();
    assert!(
        took >= Duration::from_millis(5000) && took < Duration::from_millis(7000),
        "closed by the 5 s timer (+250 ms grace), after {took:?}"
    );
    assert_eq!((closed.answered, closed.total), (1, 2));
    let r = result(&mut again).await;
    assert_eq!((r.answered, r.points), (false, 0));
}

#[tokio::test]
async fn multi_is_correct_only_for_the_exact_set() {
    let game = Game::with(quiz(vec![json!({
        "kind":"multi","text":"Which are even?","choices":["1","2","3","4"],"correct":[1,3]
    })]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["A", "B", "C", "D"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let answers = [vec![1, 3], vec![3, 1, 1], vec![1], vec![1, 2, 3]];
    for (bot, choices) in bots.iter_mut().zip(answers) {
        question(bot).await;
        answer_acked(bot, 0, AnswerValue::Choices(choices)).await;
    }
    let mut correct = Vec::new();
    for bot in bots.iter_mut() {
        let r = result(bot).await;
        assert_eq!(r.points > 0, r.correct == Some(true));
        correct.push(r.correct);
    }
    assert_eq!(
        correct,
        vec![Some(true), Some(true), Some(false), Some(false)],
        "the exact set in any order is right; a subset or a superset is wrong"
    );
    let closed = reveal(&mut host.bot).await;
    assert_eq!(closed.correct, Some(vec![1, 3]));
    assert_eq!(closed.counts, vec![0, 4, 1, 3]);
}

#[tokio::test]
async fn type_answer_ignores_case_spacing_and_accents() {
    let game = Game::with(quiz(vec![
        json!({"kind":"type_answer","text":"Chemical symbol of gold?","accept":["Au"]}),
        // Exact: this test is about the normalisation; forgiven typos are tested in pacing.rs.
        json!({"kind":"type_answer","text":"Unit of length","accept":["Ångström"],"typo":"exact"}),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["A", "B", "C", "D"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for (round, answers) in [
        [" au ", "AU", "Ag", "a u"],
        ["angstrom", "  ÅNGSTRÖM ", "angstroms", "Ang strom"],
    ]
    .iter()
    .enumerate()
    {
        for (bot, text) in bots.iter_mut().zip(answers) {
            question(bot).await;
            answer_acked(bot, round as u32, AnswerValue::Text((*text).into())).await;
        }
        let mut correct = Vec::new();
        for bot in bots.iter_mut() {
            correct.push(result(bot).await.correct);
        }
        assert_eq!(
            correct,
            vec![Some(true), Some(true), Some(false), Some(false)],
            "answers {answers:?}"
        );
        let closed = reveal(&mut host.bot).await;
        assert_eq!(
            closed.counts,
            vec![2, 2],
            "type_answer counts are [correct, wrong]"
        );
        assert!(closed.accept.is_some() && closed.correct.is_none());
        advance(&mut host).await;
    }
}

#[tokio::test]
async fn a_poll_vote_can_change_each_change_is_acked_and_scores_nothing() {
    let game = Game::with(quiz(vec![
        json!({"kind":"poll","text":"Tea or coffee?","choices":["Tea","Coffee","Water"]}),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    question(&mut bots[1]).await;
    for vote in [0, 1, 2, 0] {
        answer_acked(&mut bots[0], 0, AnswerValue::Choice(vote)).await;
    }
    assert_still_open(&mut host, Duration::from_millis(200)).await;
    answer_acked(&mut bots[1], 0, AnswerValue::Choice(1)).await;
    let closed = reveal(&mut host.bot).await;
    assert_eq!(closed.counts, vec![1, 1, 0], "only the last vote counts");
    assert_eq!(closed.answered, 2);
    assert!(closed.correct.is_none() && closed.accept.is_none());
    assert!(closed.first_correct.is_none());
    for bot in bots.iter_mut() {
        let r = result(bot).await;
        assert_eq!(
            (r.answered, r.correct, r.points, r.score),
            (true, None, 0, 0),
            "a poll has no right answer and no points"
        );
    }
    // The stored answer is the last vote, once.
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let ada: Vec<_> = report["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["player_id"] == 1)
        .collect();
    assert_eq!(ada.len(), 1, "one stored answer per player: {ada:?}");
}

#[tokio::test]
async fn points_follow_the_formula_with_double_points_and_the_streak_bonus() {
    // correct, correct, wrong, correct, double-correct, unscored-correct, correct
    let q = |points: &str| json!({"kind":"choice","text":"q","choices":["a","b"],"correct":[0],"time_limit_s":10,"points":points});
    let game = Game::with(quiz(vec![
        q("standard"),
        q("standard"),
        q("standard"),
        q("standard"),
        q("double"),
        q("none"),
        q("standard"),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::Start).await;
    // (answer, base, streak before, streak after)
    let plan = [
        (0, 1000, 0, 1),
        (0, 1000, 1, 2),
        (1, 1000, 2, 0),
        (0, 1000, 0, 1),
        (0, 2000, 1, 2),
        (0, 0, 2, 2), // an unscored question neither scores nor breaks the streak
        (0, 1000, 2, 3),
    ];
    let mut total = 0;
    for (index, (choice, base, before, after)) in plan.into_iter().enumerate() {
        question(ada).await;
        // A little wait, so the speed factor is visible.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let elapsed = answer_acked(ada, index as u32, AnswerValue::Choice(choice)).await;
        let r: Outcome = result(ada).await;
        let want = if choice == 0 {
            expected_points(base, elapsed, 10_000, before)
        } else {
            0
        };
        assert_eq!(
            (r.points, r.streak),
            (want, after),
            "question {index}: elapsed {elapsed} ms"
        );
        total += want;
        assert_eq!(r.score, total, "the score is the sum of the points");
        advance(&mut host).await;
    }
    // The double question was worth about twice a standard one.
    assert!(total > 5000);
}

#[tokio::test]
async fn ranks_follow_scores_and_equal_scores_share_one() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["A", "B", "C", "D"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    // Question 0: A right at once, B right a bit later, C and D wrong.
    // Question 1: B right, A wrong, C right (slowly), D does not answer.
    let plans: [[Option<u32>; 4]; 2] = [
        [Some(1), Some(1), Some(0), Some(0)],
        [Some(0), Some(2), Some(2), None],
    ];
    let mut last: Vec<Outcome> = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        for bot in bots.iter_mut() {
            question(bot).await;
        }
        for (i, (bot, choice)) in bots.iter_mut().zip(plan).enumerate() {
            if let Some(c) = choice {
                if i > 0 {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
                answer_acked(bot, index as u32, AnswerValue::Choice(*c)).await;
            }
        }
        if plan.contains(&None) {
            send(&mut host.bot, ClientMsg::Close).await;
        }
        last.clear();
        for bot in bots.iter_mut() {
            last.push(result(bot).await);
        }
        for a in &last {
            // A rank is one more than the number of players with a higher score.
            let above = last.iter().filter(|b| b.score > a.score).count() as u32;
            assert_eq!(a.rank, above + 1, "competition ranks: {last:?}");
        }
        if index == 0 {
            // A was faster than B, so scored more; C and D share third place at 0.
            assert_eq!(
                last.iter().map(|r| r.rank).collect::<Vec<_>>(),
                vec![1, 2, 3, 3],
                "{last:?}"
            );
        }
        send(&mut host.bot, ClientMsg::Next).await;
        let top = leaderboard(&mut host.bot).await;
        assert!(top.windows(2).all(|w| w[0].rank <= w[1].rank));
        for s in &top {
            assert_eq!(s.score, last[s.player_id.0 as usize - 1].score);
            assert_eq!(s.rank, last[s.player_id.0 as usize - 1].rank);
        }
        send(&mut host.bot, ClientMsg::Next).await;
    }
    let podium = common::game_over(&mut host.bot).await;
    assert_eq!(podium.len(), 3);
    let mut finals = Vec::new();
    for bot in bots.iter_mut() {
        finals.push(result(bot).await);
    }
    assert_eq!(
        finals.iter().map(|r| r.rank).collect::<Vec<_>>(),
        last.iter().map(|r| r.rank).collect::<Vec<_>>(),
        "the final result repeats the final ranks"
    );
    for s in &podium {
        assert_eq!(s.rank, finals[s.player_id.0 as usize - 1].rank);
    }
    // B was right twice (with a streak bonus), A and C once each, D never.
    assert_eq!(finals[1].rank, 1, "{finals:?}");
    assert_eq!((finals[3].rank, finals[3].score), (4, 0));
    assert_eq!(
        podium.iter().map(|s| s.player_id).collect::<Vec<_>>(),
        {
            let mut by_rank: Vec<_> = finals.iter().zip(&bots).collect();
            by_rank.sort_by_key(|(r, _)| r.rank);
            by_rank
                .iter()
                .take(3)
                .map(|(_, b)| b.player_id())
                .collect::<Vec<_>>()
        },
        "the podium is the top three"
    );
}

#[tokio::test]
async fn players_with_equal_scores_share_the_rank() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["A", "B", "C"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    send(&mut host.bot, ClientMsg::Close).await;
    let ranks: Vec<u32> = {
        let mut v = Vec::new();
        for bot in bots.iter_mut() {
            v.push(result(bot).await.rank);
        }
        v
    };
    assert_eq!(ranks, vec![1, 1, 1]);
}

#[tokio::test]
async fn a_player_dropping_out_mid_question_lets_it_close() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    assert_still_open(&mut host, Duration::from_millis(200)).await;
    bots.pop().unwrap().close().await;
    let closed = reveal(&mut host.bot).await;
    assert_eq!((closed.answered, closed.total), (1, 2));
}

#[tokio::test]
async fn the_leaderboard_shows_the_top_ten_and_the_podium_the_top_three() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let names: Vec<String> = (0..12).map(|i| format!("P{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut bots = game.players(&mut host, &names).await;
    send(&mut host.bot, ClientMsg::Start).await;
    // Every other player is right: six scores above zero, six at zero.
    for (i, bot) in bots.iter_mut().enumerate() {
        question(bot).await;
        let choice = if i % 2 == 0 { 1 } else { 0 };
        answer_acked(bot, 0, AnswerValue::Choice(choice)).await;
    }
    reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Next).await;
    let top = leaderboard(&mut host.bot).await;
    assert_eq!(top.len(), 10);
    assert!(top.windows(2).all(|w| w[0].score >= w[1].score));
    // Equal scores share a rank: the six at zero are all seventh.
    let ranks: Vec<u32> = top.iter().map(|s| s.rank).collect();
    let shared: Vec<u32> = top
        .iter()
        .map(|s| top.iter().filter(|o| o.score > s.score).count() as u32 + 1)
        .collect();
    assert_eq!(ranks, shared);
    assert!(top[6..].iter().all(|s| s.rank == 7));
    assert!(top[..6].iter().all(|s| s.score > 0) && top[6..].iter().all(|s| s.score == 0));
    send(&mut host.bot, ClientMsg::Next).await;
    let podium = common::game_over(&mut host.bot).await;
    assert_eq!(podium, top[..3].to_vec());
}
