//! The end of a game: each player's `summary` (and again on a resume after the end, and after
//! a restore), and `play_again` as the state machine sees it (who may ask, when, how often).

use super::drive::quiz;
use super::restore_tests::Db;
use super::state::{AgainRefused, Effect, Effects, Room, Target};
use super::tests::{answer, errors, host, room_and_effects, room_with, sent, settings, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, Pin, PlayerId, QuestionPoints, ServerMsg,
};
use std::time::{Duration, Instant};

/// Each question opens this long after the one before.
const STEP: Duration = Duration::from_secs(100);

/// An answer to question `index` of the drive quiz: right when `right` (a poll has no right).
fn answer_to(index: u32, right: bool) -> AnswerValue {
    match (index, right) {
        (0, true) | (4, true) | (5, false) => AnswerValue::Choice(1),
        (0, false) | (4, false) | (5, true) => AnswerValue::Choice(0),
        (1 | 6, true) => AnswerValue::Choices(vec![1, 3]),
        (1 | 6, false) => AnswerValue::Choices(vec![0]),
        (2, true) => AnswerValue::Text("Au".into()),
        (2, false) => AnswerValue::Text("Ag".into()),
        (3, _) => AnswerValue::Choice(0),
        (8, _) => AnswerValue::Text("sun".into()),
        _ => unreachable!("question 7 of the drive quiz is a slide, and it has 9"),
    }
}

/// Plays question `index` opened at `at` (the host's `start` or `next` before it): each
/// `(player, right)` answers 9 s in (after the longest get-ready time), then the host closes
/// it and moves to the leaderboard. Returns every effect, the `db` fed with them.
fn play(room: &mut Room, db: &mut Db, index: u32, answers: &[(u32, bool)], at: Instant) -> Effects {
    let t = at + Duration::from_secs(9);
    let mut all = Effects::new();
    for &(p, right) in answers {
        all.extend(answer(room, p, index, answer_to(index, right), t));
    }
    if room.phase_name() == quizrace_protocol::PhaseName::Question {
        all.extend(host(room, ClientMsg::Close, t));
    }
    all.extend(host(room, ClientMsg::Next, t));
    db.apply(&all, t);
    all
}

/// Player `p`'s `(index, result)` for every question in `fx`, in order.
fn results_of(fx: &Effects, p: u32) -> Vec<QuestionPoints> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(
                Target::Player(id),
                ServerMsg::Result {
                    index,
                    answered,
                    correct,
                    points,
                    ..
                },
            ) if *id == PlayerId(p) => Some(QuestionPoints {
                index: *index,
                answered: *answered,
                correct: *correct,
                points: *points,
            }),
            _ => None,
        })
        .collect()
}

fn summary_to(fx: &Effects, p: u32) -> Option<ServerMsg> {
    fx.iter().find_map(|e| match e {
        Effect::Send(Target::Player(id), m @ ServerMsg::Summary { .. }) if *id == PlayerId(p) => {
            Some(m.clone())
        }
        _ => None,
    })
}

/// A game of three players to its last leaderboard: P1 right on all but question 2, P2 right
/// on 0 and 1 only, P3 answers nothing; the slide (7) is passed, and P1 and P2 send a word to
/// the word cloud (8). Returns the room, its rows and every effect.
fn to_the_last_leaderboard(t0: Instant) -> (Room, Db, Effects) {
    let mut db = Db::new();
    let (mut room, fx) = room_and_effects(Mode::Classic, 3, t0);
    db.apply(&fx, t0);
    let mut all = host(&mut room, ClientMsg::Start, t0);
    db.apply(&all, t0);
    for index in 0..9 {
        let at = t0 + STEP * index;
        if index == 7 {
            // The slide: no answers, no reveal; the host moves straight on to the word cloud.
            let fx = host(&mut room, ClientMsg::Next, at + STEP);
            db.apply(&fx, at + STEP);
            all.extend(fx);
            continue;
        }
        let p1 = (1, index != 2);
        let p2 = (2, index < 2);
        // The last question's `next` is left for the test: it ends the game.
        let fx = play(&mut room, &mut db, index, &[p1, p2], at);
        all.extend(fx);
        if index < 7 {
            let fx = host(&mut room, ClientMsg::Next, at + STEP);
            db.apply(&fx, at);
            all.extend(fx);
        }
    }
    (room, db, all)
}

#[test]
fn every_player_gets_a_summary_of_their_whole_game_after_the_final_result() {
    let t0 = Instant::now();
    let (mut room, _db, played) = to_the_last_leaderboard(t0);
    let end = host(&mut room, ClientMsg::Next, t0 + STEP * 9);
    let over = end
        .iter()
        .position(|e| matches!(e, Effect::Send(_, ServerMsg::GameOver { .. })))
        .expect("game_over");
    for p in 1..=3 {
        let Some(ServerMsg::Summary {
            rank,
            score,
            correct,
            asked,
            best_streak,
            questions,
            ..
        }) = summary_to(&end, p)
        else {
            panic!("P{p} gets a summary");
        };
        let final_result = end
            .iter()
            .position(|e| {
                matches!(e, Effect::Send(Target::Player(id), ServerMsg::Result { .. })
                    if *id == PlayerId(p))
            })
            .expect("a final result");
        let summary_at = end
            .iter()
            .position(|e| {
                matches!(e, Effect::Send(Target::Player(id), ServerMsg::Summary { .. })
                    if *id == PlayerId(p))
            })
            .expect("a summary");
        assert!(
            over < final_result && final_result < summary_at,
            "P{p}: order"
        );
        let per_question = results_of(&played, p);
        assert_eq!(
            questions, per_question,
            "P{p}: one entry per question's result"
        );
        // Every question but the slide was asked; the word cloud scores nothing.
        assert_eq!(asked, 8);
        assert_eq!(score, per_question.iter().map(|q| q.points).sum::<i64>());
        let (want_rank, want_correct, want_streak) = match p {
            // Questions 0, 1 right, 2 wrong, 3 a poll (no streak either way), 4 to 6 right,
            // 8 a word cloud (the streak left alone).
            1 => (1, 5, 3),
            2 => (2, 2, 2),
            _ => (3, 0, 0),
        };
        assert_eq!(
            (rank, correct, best_streak),
            (want_rank, want_correct, want_streak),
            "P{p}"
        );
    }
}

#[test]
fn players_with_equal_scores_share_the_rank_in_their_summaries() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    let fx = host(&mut room, ClientMsg::End, t0);
    for p in 1..=3 {
        match summary_to(&fx, p) {
            Some(ServerMsg::Summary {
                rank: 1,
                shared: true,
                score: 0,
                correct: 0,
                asked: 0,
                best_streak: 0,
                questions,
            }) => assert!(questions.is_empty()),
            other => panic!("P{p}: {other:?}"),
        }
    }
}

/// The podium of a game where P1 and P2 answer question 0 right at the same moment and P3
/// wrong: `(player, rank)` in the podium's order.
fn podium_of_a_tie_for_first(t0: Instant) -> Vec<(u32, u32)> {
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    let t = t0 + Duration::from_secs(2);
    for (p, right) in [(1, true), (2, true), (3, false)] {
        answer(&mut room, p, 0, answer_to(0, right), t);
    }
    host(&mut room, ClientMsg::Close, t);
    let fx = host(&mut room, ClientMsg::End, t);
    let podium = fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::GameOver { podium, .. }) => Some(podium.clone()),
        _ => None,
    });
    podium
        .expect("game_over")
        .iter()
        .map(|s| (s.player_id.0, s.rank))
        .collect()
}

#[test]
fn two_players_tied_first_both_stand_first_on_the_podium_and_the_next_is_third() {
    // "1st, 1st, 3rd", as the results rank them: nobody is second, so no step says 2.
    assert_eq!(
        podium_of_a_tie_for_first(Instant::now()),
        [(1, 1), (2, 1), (3, 3)]
    );
}

#[test]
fn a_late_joiner_was_asked_only_the_questions_that_closed_after_they_joined() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let mut room = room_with(Mode::Classic, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    play(&mut room, &mut db, 0, &[(1, true)], t0);
    let mut fx = Effects::new();
    room.join(2, "Late", "tokL".into(), t0 + STEP, &mut fx)
        .expect("join");
    host(&mut room, ClientMsg::Next, t0 + STEP);
    play(&mut room, &mut db, 1, &[(1, true), (2, true)], t0 + STEP);
    let end = host(&mut room, ClientMsg::End, t0 + STEP * 2);
    match summary_to(&end, 2) {
        Some(ServerMsg::Summary {
            asked, questions, ..
        }) => {
            assert_eq!(asked, 1);
            assert_eq!(questions[0].index, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_player_who_resumes_after_the_end_gets_the_same_summary_again() {
    let t0 = Instant::now();
    let (mut room, _db, _) = to_the_last_leaderboard(t0);
    let end = host(&mut room, ClientMsg::Next, t0 + STEP * 9);
    let mut fx = Effects::new();
    room.conn_closed(2, t0 + STEP * 8, &mut fx);
    let mut fx = Effects::new();
    room.resume(22, "tok2", t0 + STEP * 8, &mut fx)
        .expect("resume");
    assert_eq!(summary_to(&fx, 2), summary_to(&end, 2));
    assert!(
        sent(&fx, |m| matches!(m, ServerMsg::PlayAgain { .. })).is_empty(),
        "not played again yet"
    );
}

#[test]
fn a_kicked_player_gets_no_summary_and_cannot_resume_for_one() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    host(
        &mut room,
        ClientMsg::Kick {
            player_id: PlayerId(2),
        },
        t0,
    );
    let end = host(&mut room, ClientMsg::End, t0);
    assert!(summary_to(&end, 1).is_some());
    assert!(summary_to(&end, 2).is_none());
    let mut fx = Effects::new();
    assert_eq!(
        room.resume(9, "tok2", t0, &mut fx),
        Err(ErrorCode::BadToken)
    );
    assert!(summary_to(&fx, 2).is_none());
}

#[test]
fn a_game_restored_before_its_end_ends_with_the_same_summaries() {
    let t0 = Instant::now();
    let (mut room, db, _) = to_the_last_leaderboard(t0);
    let crash = t0 + STEP * 9;
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(crash), crash).expect("restore");
    assert_eq!(back.digest(), room.digest());
    let mut fx = Effects::new();
    back.attach_host(HOST, "key", false, crash, &mut fx)
        .expect("host");
    let live = host(&mut room, ClientMsg::Next, crash);
    let restored = host(&mut back, ClientMsg::Next, crash);
    for p in 1..=3 {
        assert!(summary_to(&live, p).is_some());
        assert_eq!(summary_to(&restored, p), summary_to(&live, p), "P{p}");
    }
}

// ----- play again ----------------------------------------------------------------------------

fn ended(t0: Instant) -> Room {
    let mut room = room_with(Mode::Race, 2, t0);
    host(&mut room, ClientMsg::End, t0);
    room
}

fn new_pin() -> Pin {
    Pin("654321".into())
}

/// The new room as the server reports it made: its PIN and host key.
fn made() -> Option<(Pin, String)> {
    Some((new_pin(), "new-key".into()))
}

const SCREEN: u64 = 2000;

#[test]
fn play_again_before_the_end_is_refused_and_changes_nothing() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    let before = room.digest();
    assert_eq!(room.play_again(HOST).err(), Some(AgainRefused::NotOver));
    host(&mut room, ClientMsg::Start, t0);
    assert!(room.play_again(HOST).is_err());
    let mut fx = Effects::new();
    room.played_again(made(), &mut fx);
    assert!(fx.is_empty(), "nothing was asked: nothing is sent");
    let mut fx = Effects::new();
    host(&mut room, ClientMsg::End, t0);
    room.played_again(made(), &mut fx);
    assert!(fx.is_empty());
    assert_eq!(before.players, room.digest().players);
}

#[test]
fn only_the_hosts_own_connection_may_play_again() {
    let t0 = Instant::now();
    let mut room = ended(t0);
    for stranger in [1, 2, 77] {
        assert_eq!(room.play_again(stranger).err(), Some(AgainRefused::NotHost));
    }
    let plan = room.play_again(HOST).expect("the host may");
    assert_eq!(plan.settings.mode, Mode::Race);
    assert_eq!(plan.settings.max_players, 100);
    assert_eq!(plan.quiz.questions.len(), 9);
}

#[test]
fn play_again_is_granted_once_and_every_player_is_sent_to_the_new_room() {
    let t0 = Instant::now();
    let mut room = ended(t0);
    room.play_again(HOST).expect("first");
    assert_eq!(room.play_again(HOST).err(), Some(AgainRefused::Pending));
    let mut fx = Effects::new();
    room.played_again(made(), &mut fx);
    assert_eq!(
        fx,
        vec![
            Effect::Send(
                Target::Players,
                ServerMsg::PlayAgain {
                    pin: new_pin(),
                    host_key: None
                }
            ),
            Effect::Send(
                Target::Watchers,
                ServerMsg::PlayAgain {
                    pin: new_pin(),
                    host_key: Some("new-key".into())
                }
            )
        ]
    );
    let refused = room.play_again(HOST).err();
    assert_eq!(refused, Some(AgainRefused::Done(new_pin())));
    match refused.map(|r| r.to_msg()) {
        Some(ServerMsg::Error {
            code: ErrorCode::BadPhase,
            message,
            ..
        }) => assert!(message.contains("654321"), "{message}"),
        other => panic!("{other:?}"),
    }
    // A second report of the same room changes nothing and sends nothing.
    let mut fx = Effects::new();
    room.played_again(Some((Pin("111111".into()), "other-key".into())), &mut fx);
    assert!(fx.is_empty());
    assert_eq!(errors(&fx), vec![]);
}

#[test]
fn a_new_room_that_could_not_be_made_lets_the_host_ask_again() {
    let t0 = Instant::now();
    let mut room = ended(t0);
    room.play_again(HOST).expect("first");
    let mut fx = Effects::new();
    room.played_again(None, &mut fx);
    assert!(fx.is_empty());
    room.play_again(HOST).expect("again");
}

#[test]
fn a_player_back_after_play_again_gets_the_summary_then_the_new_room() {
    let t0 = Instant::now();
    let mut room = ended(t0);
    let mut fx = Effects::new();
    room.conn_closed(1, t0, &mut fx);
    room.play_again(HOST).expect("plan");
    room.played_again(made(), &mut fx);
    let mut fx = Effects::new();
    room.resume(5, "tok1", t0, &mut fx).expect("resume");
    let kinds: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Send(Target::Player(_), m) => Some(match m {
                ServerMsg::Welcome { .. } => "welcome",
                ServerMsg::GameOver { .. } => "game_over",
                ServerMsg::Result { .. } => "result",
                ServerMsg::Summary { .. } => "summary",
                ServerMsg::PlayAgain { .. } => "play_again",
                _ => "other",
            }),
            _ => None,
        })
        .collect();
    assert_eq!(
        kinds,
        ["welcome", "game_over", "result", "summary", "play_again"]
    );
}

#[test]
fn a_big_screen_back_after_play_again_gets_the_new_rooms_key_and_a_player_never_does() {
    let t0 = Instant::now();
    let mut room = ended(t0);
    room.play_again(HOST).expect("plan");
    let mut fx = Effects::new();
    room.played_again(made(), &mut fx);
    let keys = |fx: &Effects, to: Target| -> Vec<Option<String>> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Send(t, ServerMsg::PlayAgain { host_key, .. }) if *t == to => {
                    Some(host_key.clone())
                }
                _ => None,
            })
            .collect()
    };

    // A screen that signs in with the old key afterwards follows the game too.
    let mut fx = Effects::new();
    room.attach_screen(SCREEN, "key", t0, &mut fx)
        .expect("screen");
    assert_eq!(
        keys(&fx, Target::Conn(SCREEN)),
        [Some("new-key".to_owned())]
    );
    // A wrong key gets nothing: not the room, not the new key.
    let mut fx = Effects::new();
    assert!(room
        .attach_screen(SCREEN + 1, "guess", t0, &mut fx)
        .is_err());
    assert!(fx.is_empty());
    // So does a screen a logged-in host opens by taking control.
    let mut fx = Effects::new();
    room.take_control(SCREEN + 2, "wall-key", true, t0, &mut fx)
        .expect("screen");
    assert_eq!(
        keys(&fx, Target::Conn(SCREEN + 2)),
        [Some("new-key".to_owned())]
    );
    // A player coming back gets the PIN and never a key.
    let mut fx = Effects::new();
    room.conn_closed(1, t0, &mut fx);
    let mut fx = Effects::new();
    room.resume(5, "tok1", t0, &mut fx).expect("resume");
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::Send(Target::Player(id), ServerMsg::PlayAgain { .. }) => Some(*id),
            _ => None,
        })
        .expect("play_again to the player");
    assert_eq!(keys(&fx, Target::Player(id)), [None]);
}

#[test]
fn a_finished_room_lingers_as_long_as_it_was_set_to_then_dissolves() {
    let t0 = Instant::now();
    assert_eq!(ended(t0).next_wake(), t0 + super::state::FINISHED_LINGER);
    let mut room = ended(t0);
    room.set_linger(Duration::from_secs(5));
    assert_eq!(room.next_wake(), t0 + Duration::from_secs(5));
    let mut fx = Effects::new();
    room.tick(t0 + Duration::from_secs(4), &mut fx);
    assert!(!fx.contains(&Effect::Dissolve), "{fx:?}");
    room.tick(t0 + Duration::from_secs(5), &mut fx);
    assert!(fx.contains(&Effect::Dissolve), "{fx:?}");
}
