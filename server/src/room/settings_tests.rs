//! The host's game settings from `host`: the time factor and "no time limit" (and across a
//! restart), and the leaderboard only at the end.

use super::drive::quiz;
use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Settings, Target, Write};
use super::tests::{answer, closed, host, sent, settings, HOST};
use super::Timing;
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, LeaderboardAt, Mode, PhaseName, QuestionView, ServerMsg,
    ANSWER_GRACE_MS, NO_TIME_LIMIT_CAP_MS,
};
use std::time::{Duration, Instant};

/// The answering time of every question of [`quiz`].
const QUIZ_LIMIT: Duration = Duration::from_secs(10);
const GRACE: Duration = Duration::from_millis(ANSWER_GRACE_MS);

fn timed(time_factor: f64, no_time_limit: bool) -> Settings {
    Settings {
        timing: Timing {
            time_factor,
            no_time_limit,
        },
        ..settings(Mode::Classic)
    }
}

/// A room with `settings`, a host and `n` players (conn ids 1..=n), in the lobby.
fn room(settings: Settings, n: u32, t0: Instant) -> (Room, Effects) {
    let mut room = Room::new(settings, quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    for i in 1..=n {
        let name = format!("P{i}");
        room.join(u64::from(i), &name, format!("tok{i}"), t0, &mut fx)
            .expect("join");
    }
    (room, fx)
}

fn tick(room: &mut Room, now: Instant) -> Effects {
    let mut fx = Effects::new();
    room.tick(now, &mut fx);
    room.check_invariants();
    fx
}

fn question_frame(fx: &Effects) -> QuestionView {
    match sent(fx, |m| matches!(m, ServerMsg::Question(_))).first() {
        Some(ServerMsg::Question(q)) => q.clone(),
        other => panic!("no question frame: {other:?}"),
    }
}

fn refused(fx: &Effects, code: ErrorCode) -> bool {
    !sent(
        fx,
        |m| matches!(m, ServerMsg::Error { code: c, .. } if *c == code),
    )
    .is_empty()
}

#[test]
fn the_time_factor_multiplies_the_answering_time_in_the_question_frame() {
    let t0 = Instant::now();
    for (factor, ms) in [(0.5, 5_000), (1.0, 10_000), (2.5, 25_000), (3.0, 30_000)] {
        let (mut room, _) = room(timed(factor, false), 1, t0);
        let q = question_frame(&host(&mut room, ClientMsg::Start, t0));
        assert_eq!((q.time_limit_ms, q.remaining_ms), (ms, ms), "×{factor}");
        assert!(!q.no_time_limit);
    }
}

#[test]
fn a_doubled_time_takes_answers_after_the_quizs_own_limit() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(2.0, false), 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let late_for_the_quiz = t0 + QUIZ_LIMIT + Duration::from_secs(5);
    assert!(!closed(&tick(&mut room, late_for_the_quiz)));
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), late_for_the_quiz);
    assert!(!refused(&fx, ErrorCode::TooLate), "{fx:?}");
    assert!(
        closed(&tick(&mut room, t0 + 2 * QUIZ_LIMIT + GRACE)),
        "the doubled deadline closes it"
    );
}

#[test]
fn a_halved_time_closes_the_question_at_half_the_quizs_limit() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(0.5, false), 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    assert!(closed(&tick(&mut room, t0 + QUIZ_LIMIT / 2 + GRACE)));
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + QUIZ_LIMIT / 2 + GRACE,
    );
    assert!(refused(&fx, ErrorCode::TooLate), "{fx:?}");
}

#[test]
fn without_a_time_limit_the_question_frame_says_so_and_counts_down_the_cap() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(1.0, true), 1, t0);
    let q = question_frame(&host(&mut room, ClientMsg::Start, t0));
    assert!(q.no_time_limit);
    assert_eq!(q.time_limit_ms, NO_TIME_LIMIT_CAP_MS);
}

#[test]
fn without_a_time_limit_the_question_stays_open_past_every_quiz_limit() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(3.0, true), 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let much_later = t0 + Duration::from_secs(20 * 60);
    assert!(!closed(&tick(&mut room, much_later)));
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), much_later);
    assert!(!refused(&fx, ErrorCode::TooLate), "{fx:?}");
    assert!(!closed(&fx), "one of two answered: still open");
}

#[test]
fn without_a_time_limit_the_question_closes_once_every_player_answered() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(1.0, true), 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let later = t0 + Duration::from_secs(90);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), later);
    let fx = answer(&mut room, 2, 0, AnswerValue::Choice(0), later);
    assert!(closed(&fx));
}

#[test]
fn without_a_time_limit_the_host_closes_the_question() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(1.0, true), 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    assert!(closed(&host(
        &mut room,
        ClientMsg::Close,
        t0 + Duration::from_secs(90)
    )));
}

#[test]
fn without_a_time_limit_the_next_question_says_so_too() {
    let t0 = Instant::now();
    let (mut room, _) = room(timed(1.0, true), 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    host(&mut room, ClientMsg::Close, t0);
    host(&mut room, ClientMsg::Next, t0);
    let q = question_frame(&host(&mut room, ClientMsg::Next, t0));
    assert_eq!(q.index, 1);
    assert!(q.no_time_limit);
}

#[test]
fn a_restored_room_keeps_its_time_factor() {
    let t0 = Instant::now();
    let (mut room, fx) = room(timed(2.0, false), 2, t0);
    let mut db = Db::new();
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let crash = t0 + Duration::from_secs(4);
    let later = crash + Duration::from_secs(1);
    let mut restored =
        Room::restore(timed(2.0, false), quiz(), db.saved(crash), later).expect("restore");
    assert!(
        !closed(&tick(
            &mut restored,
            t0 + QUIZ_LIMIT + GRACE + Duration::from_secs(5)
        )),
        "the quiz's own limit has passed, the doubled one has not"
    );
    assert!(closed(&tick(
        &mut restored,
        later + 2 * QUIZ_LIMIT - Duration::from_secs(4) + GRACE
    )));
}

#[test]
fn the_time_factor_scales_and_rounds_to_whole_milliseconds() {
    let t = |time_factor| Timing {
        time_factor,
        no_time_limit: false,
    };
    assert_eq!(t(1.5).limit_ms(10_000), 15_000);
    assert_eq!(t(0.5).limit_ms(1_001), 501);
    assert_eq!(t(3.0).limit_ms(120_000), 360_000);
    let untimed = Timing {
        no_time_limit: true,
        ..t(2.0)
    };
    assert_eq!(untimed.limit_ms(10_000), NO_TIME_LIMIT_CAP_MS);
}

// ----- leaderboard at the end ------------------------------------------------------------

fn standings_at_the_end() -> Settings {
    Settings {
        leaderboard: LeaderboardAt::End,
        ..settings(Mode::Classic)
    }
}

fn leaderboards(fx: &Effects) -> usize {
    sent(fx, |m| matches!(m, ServerMsg::Leaderboard { .. })).len()
}

#[test]
fn with_the_leaderboard_at_the_end_next_goes_from_the_reveal_to_the_next_question() {
    let t0 = Instant::now();
    let (mut room, _) = room(standings_at_the_end(), 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    host(&mut room, ClientMsg::Close, t0);
    let fx = host(&mut room, ClientMsg::Next, t0);
    assert_eq!(leaderboards(&fx), 0, "{fx:?}");
    assert_eq!(question_frame(&fx).index, 1);
    assert_eq!(room.phase_name(), PhaseName::Question);
}

#[test]
fn with_the_leaderboard_at_the_end_the_standings_come_only_with_the_podium() {
    let t0 = Instant::now();
    let (mut room, _) = room(standings_at_the_end(), 2, t0);
    let mut all = host(&mut room, ClientMsg::Start, t0);
    let total = quiz().questions.len();
    for i in 0..total {
        all.extend(answer(&mut room, 1, i as u32, AnswerValue::Choice(0), t0));
        all.extend(host(&mut room, ClientMsg::Close, t0));
        all.extend(host(&mut room, ClientMsg::Next, t0));
    }
    assert_eq!(leaderboards(&all), 0);
    assert_eq!(room.phase_name(), PhaseName::Finished);
    assert_eq!(
        sent(&all, |m| matches!(m, ServerMsg::GameOver { .. })).len(),
        1
    );
}

#[test]
fn with_the_leaderboard_at_the_end_auto_advance_skips_it_too() {
    let t0 = Instant::now();
    let settings = Settings {
        auto_advance_ms: Some(3000),
        ..standings_at_the_end()
    };
    let (mut room, _) = room(settings, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    host(&mut room, ClientMsg::Close, t0);
    let fx = tick(&mut room, t0 + Duration::from_secs(3));
    assert_eq!(leaderboards(&fx), 0);
    assert_eq!(question_frame(&fx).index, 1);
}

#[test]
fn with_the_leaderboard_after_each_question_next_shows_it_as_before() {
    let t0 = Instant::now();
    let (mut room, _) = room(settings(Mode::Classic), 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    host(&mut room, ClientMsg::Close, t0);
    assert_eq!(leaderboards(&host(&mut room, ClientMsg::Next, t0)), 1);
}

// ----- shuffled answers ------------------------------------------------------------------

fn shuffled_answers() -> Settings {
    Settings {
        shuffle_answers: true,
        ..settings(Mode::Classic)
    }
}

/// The `question` frames of `fx`, by who they went to.
fn frames(fx: &Effects) -> Vec<(Target, QuestionView)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(t, ServerMsg::Question(q)) => Some((*t, q.clone())),
            _ => None,
        })
        .collect()
}

/// Opens question 1 of [`quiz`] (a `multi` of four choices, 1 and 3 right).
fn at_the_multi(room: &mut Room, t0: Instant) -> Effects {
    host(room, ClientMsg::Start, t0);
    host(room, ClientMsg::Close, t0);
    host(room, ClientMsg::Next, t0);
    host(room, ClientMsg::Next, t0)
}

fn stored_answer(fx: &Effects) -> Option<(AnswerValue, Option<bool>)> {
    fx.iter().find_map(|e| match e {
        Effect::Persist(Write::Answer {
            answer, correct, ..
        }) => Some((answer.clone(), *correct)),
        _ => None,
    })
}

#[test]
fn with_shuffled_answers_each_phone_gets_its_own_order_and_the_screens_the_quizs() {
    let t0 = Instant::now();
    let (mut room, _) = room(shuffled_answers(), 3, t0);
    let fx = at_the_multi(&mut room, t0);
    let quiz_choices = quiz().questions[1].choices.clone();
    let mut orders = Vec::new();
    for (to, q) in frames(&fx) {
        match to {
            Target::Player(_) => {
                let order = q.choice_order.clone().expect("a phone's own order");
                let shown: Vec<String> = order
                    .iter()
                    .map(|&i| quiz_choices[i as usize].clone())
                    .collect();
                assert_eq!(q.choices, shown, "choices[k] is the quiz's choice_order[k]");
                orders.push(order);
            }
            Target::Watchers => {
                assert_eq!(q.choice_order, None);
                assert_eq!(q.choices, quiz_choices, "the screens show the quiz's order");
            }
            other => panic!("a question frame to {other:?}"),
        }
    }
    assert_eq!(orders.len(), 3, "one frame per phone");
}

#[test]
fn with_shuffled_answers_a_phones_shown_places_are_stored_in_the_quizs_order() {
    let t0 = Instant::now();
    let (mut room, _) = room(shuffled_answers(), 1, t0);
    let fx = at_the_multi(&mut room, t0);
    let (_, mine) = frames(&fx)
        .into_iter()
        .find(|(to, _)| matches!(to, Target::Player(_)))
        .expect("Ada's frame");
    let order = mine.choice_order.expect("an order");
    let place = |quiz_index: u32| order.iter().position(|&i| i == quiz_index).unwrap() as u32;
    let fx = answer(
        &mut room,
        1,
        1,
        AnswerValue::Choices(vec![place(3), place(1)]),
        t0,
    );
    let (stored, correct) = stored_answer(&fx).expect("stored");
    let AnswerValue::Choices(mut stored) = stored else {
        panic!("{stored:?}");
    };
    stored.sort_unstable();
    assert_eq!((stored, correct), (vec![1, 3], Some(true)));
}

#[test]
fn with_shuffled_answers_the_reveal_counts_in_the_quizs_order() {
    let t0 = Instant::now();
    let (mut room, _) = room(shuffled_answers(), 1, t0);
    let fx = at_the_multi(&mut room, t0);
    let (_, mine) = frames(&fx)
        .into_iter()
        .find(|(to, _)| matches!(to, Target::Player(_)))
        .expect("Ada's frame");
    let order = mine.choice_order.expect("an order");
    let shown_first = order[0];
    let fx = answer(&mut room, 1, 1, AnswerValue::Choices(vec![0]), t0);
    let reveal = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    let Some(ServerMsg::QuestionClosed {
        counts, correct, ..
    }) = reveal.first()
    else {
        panic!("no reveal: {fx:?}");
    };
    assert_eq!(correct, &Some(vec![1, 3]), "the quiz's indices");
    let mut want = vec![0; 4];
    want[shown_first as usize] = 1;
    assert_eq!(counts, &want);
}

#[test]
fn a_restored_room_maps_a_phones_places_as_before() {
    let t0 = Instant::now();
    let (mut room, fx) = room(shuffled_answers(), 2, t0);
    let mut db = Db::new();
    db.apply(&fx, t0);
    for step in [
        ClientMsg::Start,
        ClientMsg::Close,
        ClientMsg::Next,
        ClientMsg::Next,
    ] {
        db.apply(&host(&mut room, step, t0), t0);
    }
    let mut restored =
        Room::restore(shuffled_answers(), quiz(), db.saved(t0), t0).expect("restore");
    let before = stored_answer(&answer(
        &mut room,
        1,
        1,
        AnswerValue::Choices(vec![0, 2]),
        t0,
    ));
    let mut fx = Effects::new();
    restored
        .resume(1, "tok1", t0, &mut fx)
        .expect("Ada is back");
    let after = stored_answer(&answer(
        &mut restored,
        1,
        1,
        AnswerValue::Choices(vec![0, 2]),
        t0,
    ));
    assert!(before.is_some());
    assert_eq!(before, after);
}

#[test]
fn with_shuffled_answers_a_phone_that_resumes_gets_its_order_again() {
    let t0 = Instant::now();
    let (mut room, _) = room(shuffled_answers(), 1, t0);
    let fx = at_the_multi(&mut room, t0);
    let (_, first) = frames(&fx)
        .into_iter()
        .find(|(to, _)| matches!(to, Target::Player(_)))
        .expect("Ada's frame");
    let mut fx = Effects::new();
    room.resume(7, "tok1", t0, &mut fx).expect("Ada is back");
    let again = fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::Welcome { question, .. }) => question.clone(),
        _ => None,
    });
    let again = again.expect("the open question in welcome");
    assert_eq!(
        (again.choices, again.choice_order),
        (first.choices, first.choice_order)
    );
}

// ----- media on phones -------------------------------------------------------------------

/// A one-question quiz whose question has an image.
fn pictured() -> std::sync::Arc<quizrace_protocol::Quiz> {
    let doc: quizrace_protocol::QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "T", "questions": [{"kind": "choice", "text": "Which?", "choices": ["A", "B"],
        "correct": [1], "media": {"hash": "ab".repeat(32), "alt": "A fox", "kind": "image",
        "width": 4, "height": 3}}]}))
    .expect("doc");
    std::sync::Arc::new(doc.validate().expect("quiz"))
}

#[test]
fn media_goes_to_the_hosts_screens_always_and_to_phones_only_with_media_on_phones() {
    for on_phones in [false, true] {
        let t0 = Instant::now();
        let s = Settings {
            media_on_phones: on_phones,
            ..settings(Mode::Classic)
        };
        let key = s.host_key.clone();
        let mut room = Room::new(s, pictured(), t0);
        let mut fx = Effects::new();
        room.attach_host(HOST, "key", true, t0, &mut fx)
            .expect("host");
        room.join(1, "P1", "tok1".into(), t0, &mut fx)
            .expect("join");
        let sent = frames(&host(&mut room, ClientMsg::Start, t0));
        let url = crate::media::room_url(&"ab".repeat(32), quizrace_protocol::GameId(1), &key);
        for (to, q) in &sent {
            let media = q.media.as_ref().map(|m| (m.url.as_str(), m.alt.as_str()));
            let phone = matches!(to, Target::Player(_) | Target::Players);
            let want = (!phone || on_phones).then_some((url.as_str(), "A fox"));
            assert_eq!(media, want, "{to:?}, on phones: {on_phones}");
        }
        assert!(sent
            .iter()
            .any(|(t, _)| *t != Target::Player(quizrace_protocol::PlayerId(1))));
        // Phones all see the same frame: serialised once for them, not once per phone.
        let per_phone = sent.iter().any(|(t, _)| matches!(t, Target::Player(_)));
        assert!(
            !per_phone,
            "one frame for every phone, on phones: {on_phones}"
        );
    }
}
