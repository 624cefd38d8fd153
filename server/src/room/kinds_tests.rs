//! The question kinds added after the first five, in the room: a `slider`'s answers checked
//! against its range and step, scored by distance inside the tolerance, and revealed with the
//! correct value and a histogram.

use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Settings, Target, Write};
use super::tests::{answer, errors, host, sent, settings, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, Quiz, QuizDoc, ServerMsg, SliderReveal,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One slider question (1950..=2000, correct 1969, tolerance 5), answering open at once.
fn moon() -> Arc<Quiz> {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Kinds",
        "read_s": 0,
        "questions": [
            {"kind":"slider","text":"Year of the Moon landing?","min":1950,"max":2000,
             "step":1,"correct_value":1969,"tolerance":5,"time_limit_s":10}
        ]
    }))
    .expect("a quiz document");
    Arc::new(doc.validate().expect("valid"))
}

/// A room of `quiz` with a host and `n` players, its first question open at `t0`; the effects
/// are everything the room did, joins included.
pub(super) fn started(quiz: Arc<Quiz>, n: u32, t0: Instant) -> (Room, Effects) {
    started_with(settings(Mode::Classic), quiz, n, t0)
}

/// [`started`] in a room of these settings.
pub(super) fn started_with(
    settings: Settings,
    quiz: Arc<Quiz>,
    n: u32,
    t0: Instant,
) -> (Room, Effects) {
    let mut room = Room::new(settings, quiz, t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    for i in 1..=n {
        room.join(
            u64::from(i),
            &format!("P{i}"),
            format!("tok{i}"),
            t0,
            &mut fx,
        )
        .expect("join");
    }
    fx.extend(host(&mut room, ClientMsg::Start, t0));
    (room, fx)
}

pub(super) fn stored_answers(fx: &Effects) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::Persist(Write::Answer { .. })))
        .count()
}

/// Player `p`'s personal result: (correct, points).
pub(super) fn result_of(fx: &Effects, p: u32) -> Option<(Option<bool>, i64)> {
    fx.iter().find_map(|e| match e {
        Effect::Send(
            Target::Player(id),
            ServerMsg::Result {
                correct, points, ..
            },
        ) if id.0 == p => Some((*correct, *points)),
        _ => None,
    })
}

fn slider_reveal(fx: &Effects) -> SliderReveal {
    match sent(fx, |m| matches!(m, ServerMsg::QuestionClosed { .. })).first() {
        Some(ServerMsg::QuestionClosed {
            slider: Some(s), ..
        }) => (**s).clone(),
        other => panic!("no slider reveal: {other:?}"),
    }
}

#[test]
fn a_slider_value_off_the_range_or_of_another_form_is_refused_and_nothing_stored() {
    let t0 = Instant::now();
    let (mut room, _) = started(moon(), 1, t0);
    for value in [
        AnswerValue::Value(1949),
        AnswerValue::Value(2001),
        AnswerValue::Value(i64::MIN),
        AnswerValue::Choice(0),
        AnswerValue::Text("1969".into()),
    ] {
        let fx = answer(&mut room, 1, 0, value.clone(), t0);
        assert_eq!(errors(&fx), [ErrorCode::BadField], "{value:?}");
        assert_eq!(stored_answers(&fx), 0, "{value:?} stored");
    }
    let fx = answer(&mut room, 1, 0, AnswerValue::Value(1969), t0);
    assert!(errors(&fx).is_empty(), "{:?}", errors(&fx));
    assert_eq!(stored_answers(&fx), 1);
}

#[test]
fn a_slider_value_off_the_step_is_refused() {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Kinds", "read_s": 0,
        "questions": [{"kind":"slider","text":"Percent?","min":0,"max":100,"step":10,
                       "correct_value":30}]
    }))
    .expect("a quiz document");
    let t0 = Instant::now();
    let (mut room, _) = started(Arc::new(doc.validate().expect("valid")), 1, t0);
    let fx = answer(&mut room, 1, 0, AnswerValue::Value(35), t0);
    assert_eq!(errors(&fx), [ErrorCode::BadField]);
    assert_eq!(stored_answers(&fx), 0);
    let fx = answer(&mut room, 1, 0, AnswerValue::Value(30), t0);
    assert!(errors(&fx).is_empty());
}

#[test]
fn slider_points_fall_off_with_distance_and_nothing_outside_the_tolerance() {
    let t0 = Instant::now();
    let (mut room, _) = started(moon(), 4, t0);
    // All at the same instant, so only the distance differs.
    answer(&mut room, 1, 0, AnswerValue::Value(1969), t0);
    answer(&mut room, 2, 0, AnswerValue::Value(1972), t0);
    answer(&mut room, 3, 0, AnswerValue::Value(1964), t0);
    let fx = answer(&mut room, 4, 0, AnswerValue::Value(1963), t0);
    assert_eq!(result_of(&fx, 1), Some((Some(true), 1000)), "exact: full");
    assert_eq!(result_of(&fx, 2), Some((Some(true), 500)), "3 of 6 off");
    assert_eq!(result_of(&fx, 3), Some((Some(true), 167)), "at the edge");
    assert_eq!(result_of(&fx, 4), Some((Some(false), 0)), "outside");
}

#[test]
fn the_slider_reveal_gives_the_value_the_tolerance_and_a_bounded_histogram() {
    let t0 = Instant::now();
    let (mut room, _) = started(moon(), 3, t0);
    answer(&mut room, 1, 0, AnswerValue::Value(1969), t0);
    answer(&mut room, 2, 0, AnswerValue::Value(1970), t0);
    let fx = answer(&mut room, 3, 0, AnswerValue::Value(2000), t0);
    let reveal = slider_reveal(&fx);
    assert_eq!((reveal.correct_value, reveal.tolerance), (1969, 5));
    assert!(reveal.values.len() <= quizrace_protocol::MAX_SLIDER_BINS);
    assert_eq!(reveal.values.iter().map(|b| b.count).sum::<u32>(), 3);
    let holding = |v: i64| {
        reveal
            .values
            .iter()
            .find(|b| (b.from..=b.to).contains(&v))
            .map(|b| b.count)
    };
    assert_eq!(holding(1969), Some(2));
    assert_eq!(holding(2000), Some(1));
}

#[test]
fn no_slider_value_reaches_anyone_before_the_reveal() {
    let t0 = Instant::now();
    let (mut room, fx) = started(moon(), 2, t0);
    let mut before = fx;
    before.extend(answer(&mut room, 1, 0, AnswerValue::Value(1969), t0));
    for e in &before {
        if let Effect::Send(_, m) = e {
            let text = serde_json::to_string(m).expect("serialises");
            assert!(
                !text.contains("1969") && !text.contains("correct_value"),
                "leaked before the reveal: {text}"
            );
        }
    }
    let fx = answer(
        &mut room,
        2,
        0,
        AnswerValue::Value(1990),
        t0 + Duration::from_millis(5),
    );
    assert_eq!(slider_reveal(&fx).correct_value, 1969);
}

#[test]
fn a_slider_restored_after_a_crash_reveals_the_same_values_and_scores() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = started(moon(), 3, t0);
    db.apply(&fx, t0);
    let t1 = t0 + Duration::from_secs(1);
    db.apply(&answer(&mut room, 1, 0, AnswerValue::Value(1969), t1), t1);
    db.apply(&answer(&mut room, 2, 0, AnswerValue::Value(1990), t1), t1);
    let crash = t1 + Duration::from_millis(100);
    let mut back =
        Room::restore(settings(Mode::Classic), moon(), db.saved(crash), crash).expect("restore");
    back.attach_host(HOST, "key", true, crash, &mut Effects::new())
        .expect("the host comes back");
    let fx = host(&mut back, ClientMsg::Close, crash);
    let restored = slider_reveal(&fx);
    let fx = host(&mut room, ClientMsg::Close, crash);
    assert_eq!(
        restored,
        slider_reveal(&fx),
        "the same reveal as without the crash"
    );
    assert_eq!(restored.values.iter().map(|b| b.count).sum::<u32>(), 2);
    assert_eq!(back.scores(), room.scores());
}

// ----- order -----------------------------------------------------------------------------------

/// One order question of four items, answering open at once.
fn sizes() -> Arc<Quiz> {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Kinds",
        "read_s": 0,
        "questions": [
            {"kind":"order","text":"Smallest to largest","items":["Atom","Cell","Mouse","Whale"],
             "time_limit_s":10}
        ]
    }))
    .expect("a quiz document");
    Arc::new(doc.validate().expect("valid"))
}

/// Each player's items as their own `question` frame showed them: (player, ids, texts).
fn shown(fx: &Effects) -> Vec<(u32, Vec<u32>, Vec<String>)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(Target::Player(id), ServerMsg::Question(q)) => {
                let items = q.items.clone().expect("an order question carries items");
                Some((
                    id.0,
                    items.iter().map(|i| i.id).collect(),
                    items.into_iter().map(|i| i.text).collect(),
                ))
            }
            _ => None,
        })
        .collect()
}

/// The ids of the right order, from a player's shown items.
fn right_ids(ids: &[u32], texts: &[String]) -> Vec<u32> {
    ["Atom", "Cell", "Mouse", "Whale"]
        .iter()
        .map(|t| ids[texts.iter().position(|x| x == t).expect("shown")])
        .collect()
}

#[test]
fn each_player_gets_the_items_shuffled_and_never_in_the_right_order() {
    let t0 = Instant::now();
    let (_, fx) = started(sizes(), 12, t0);
    let frames = shown(&fx);
    assert_eq!(frames.len(), 12, "one question frame per player");
    let right: Vec<String> = ["Atom", "Cell", "Mouse", "Whale"]
        .map(String::from)
        .to_vec();
    for (p, _, texts) in &frames {
        assert_ne!(texts, &right, "player {p} was shown the right order");
    }
    let orders: std::collections::HashSet<&Vec<String>> = frames.iter().map(|f| &f.2).collect();
    assert!(orders.len() > 1, "every player got the same shuffle");
    // The same item has the same id for everyone: ids belong to the room, not the player.
    let ids = right_ids(&frames[0].1, &frames[0].2);
    for (_, i, t) in &frames {
        assert_eq!(right_ids(i, t), ids);
    }
    assert!(
        !sent(&fx, |m| matches!(m, ServerMsg::Question(_))).is_empty(),
        "the host gets its frame too"
    );
}

#[test]
fn an_order_that_is_not_every_id_once_is_refused_and_nothing_stored() {
    let t0 = Instant::now();
    let (mut room, fx) = started(sizes(), 1, t0);
    let (_, ids, _) = shown(&fx).remove(0);
    for bad in [
        vec![ids[0], ids[1], ids[2]],
        vec![ids[0], ids[0], ids[1], ids[2]],
        vec![ids[0], ids[1], ids[2], ids[3], ids[0]],
        vec![ids[0], ids[1], ids[2], 99],
        vec![],
    ] {
        let fx = answer(&mut room, 1, 0, AnswerValue::Order(bad.clone()), t0);
        assert_eq!(errors(&fx), [ErrorCode::BadField], "{bad:?}");
        assert_eq!(stored_answers(&fx), 0, "{bad:?}");
    }
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(0), t0);
    assert_eq!(errors(&fx), [ErrorCode::BadField]);
}

#[test]
fn the_exact_order_scores_in_full_and_items_in_place_score_their_share() {
    let t0 = Instant::now();
    let (mut room, fx) = started(sizes(), 3, t0);
    let frames = shown(&fx);
    let right = right_ids(&frames[0].1, &frames[0].2);
    let two_swapped = vec![right[1], right[0], right[2], right[3]];
    let reversed: Vec<u32> = right.iter().rev().copied().collect();
    answer(&mut room, 1, 0, AnswerValue::Order(right.clone()), t0);
    answer(&mut room, 2, 0, AnswerValue::Order(two_swapped), t0);
    let fx = answer(&mut room, 3, 0, AnswerValue::Order(reversed), t0);
    assert_eq!(result_of(&fx, 1), Some((Some(true), 1000)));
    assert_eq!(
        result_of(&fx, 2),
        Some((Some(false), 500)),
        "2 of 4 in place"
    );
    assert_eq!(result_of(&fx, 3), Some((Some(false), 0)), "none in place");
    match sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. })).first() {
        Some(ServerMsg::QuestionClosed {
            correct_order,
            counts,
            ..
        }) => {
            assert_eq!(correct_order.as_ref(), Some(&right));
            assert_eq!(counts, &[1, 2]);
        }
        other => panic!("no reveal: {other:?}"),
    }
}

#[test]
fn a_player_resuming_during_an_order_question_gets_the_same_shuffle() {
    let t0 = Instant::now();
    let (mut room, fx) = started(sizes(), 1, t0);
    let (_, ids, _) = shown(&fx).remove(0);
    let mut fx = Effects::new();
    room.resume(7, "tok1", t0, &mut fx).expect("resume");
    let again = fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::Welcome { question, .. }) => question.clone(),
        _ => None,
    });
    let again: Vec<u32> = again
        .and_then(|q| q.items)
        .expect("the open question with items")
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(again, ids);
}
