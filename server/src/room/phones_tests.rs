//! What phones are shown of a question with `question_on_phones: false`: the shape tiles of a
//! question answered by a tile, the whole question of every other kind, and the host's screens
//! unchanged.

use super::state::{Effect, Effects, Room, Settings, Target};
use super::tests::{host, settings, HOST};
use quizrace_protocol::{ClientMsg, Mode, QuestionKind, QuestionView, Quiz, QuizDoc, ServerMsg};
use std::sync::Arc;
use std::time::Instant;

/// One question of every kind, each alone in a quiz of its own.
fn every_kind() -> Vec<Arc<Quiz>> {
    let questions = serde_json::json!([
        {"kind":"choice","text":"Capital?","choices":["Paris","Lyon"],"correct":[0]},
        {"kind":"multi","text":"Even?","choices":["1","2","3","4"],"correct":[1,3]},
        {"kind":"true_false","text":"Sky green?","correct":[1]},
        {"kind":"poll","text":"Tea?","choices":["Yes","No"]},
        {"kind":"type_answer","text":"Gold?","accept":["Au"]},
        {"kind":"slider","text":"Year?","min":1900,"max":2000,"correct_value":1969,"tolerance":5},
        {"kind":"order","text":"Sort","items":["a","b","c"]},
        {"kind":"word_cloud","text":"A word?"},
        {"kind":"slide","title":"Break","text":"Half time."}
    ]);
    let serde_json::Value::Array(questions) = questions else {
        unreachable!()
    };
    questions
        .into_iter()
        .map(|q| {
            let doc: QuizDoc =
                serde_json::from_value(serde_json::json!({"title": "T", "questions": [q]}))
                    .expect("doc");
            Arc::new(doc.validate().expect("quiz"))
        })
        .collect()
}

fn shapes_only(shuffle_answers: bool) -> Settings {
    Settings {
        question_on_phones: false,
        shuffle_answers,
        ..settings(Mode::Classic)
    }
}

/// The frames the start of `quiz` sends, with a host, a screen and two players.
fn opening(s: Settings, quiz: Arc<Quiz>) -> (Room, Vec<(Target, QuestionView)>) {
    let t0 = Instant::now();
    let mut room = Room::new(s, quiz, t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    for i in 1..=2 {
        room.join(i, &format!("P{i}"), format!("tok{i}"), t0, &mut fx)
            .expect("join");
    }
    let frames = host(&mut room, ClientMsg::Start, t0)
        .into_iter()
        .filter_map(|e| match e {
            Effect::Send(t, ServerMsg::Question(q)) => Some((t, q)),
            _ => None,
        })
        .collect();
    (room, frames)
}

/// Whether a frame sent to `to` reaches a phone; one to `Everyone` reaches the host too.
fn is_phone(to: &Target) -> bool {
    matches!(to, Target::Player(_) | Target::Players | Target::Everyone)
}

fn is_hosts(to: &Target) -> bool {
    matches!(to, Target::Watchers | Target::Host | Target::Everyone)
}

fn tiles_only(kind: QuestionKind) -> bool {
    matches!(
        kind,
        QuestionKind::Choice | QuestionKind::Multi | QuestionKind::TrueFalse | QuestionKind::Poll
    )
}

#[test]
fn phones_get_shape_tiles_of_choice_kinds_and_the_host_keeps_every_word() {
    for shuffle in [false, true] {
        for quiz in every_kind() {
            let asked = quiz.questions[0].clone();
            let (_, frames) = opening(shapes_only(shuffle), quiz);
            let kind = asked.kind;
            assert!(frames.iter().any(|(t, _)| is_phone(t)), "{kind:?}");
            assert!(frames.iter().any(|(t, _)| is_hosts(t)), "{kind:?}");
            for (to, q) in &frames {
                if is_hosts(to) || !tiles_only(kind) {
                    assert_eq!(q.text, asked.text, "{kind:?} to {to:?}");
                    assert!(!q.shapes_only, "{kind:?} to {to:?}");
                    if is_hosts(to) {
                        assert_eq!(q.choices, asked.choices, "{kind:?} to {to:?}");
                    }
                    assert!(!(is_phone(to) && tiles_only(kind)), "{kind:?} to {to:?}");
                    continue;
                }
                assert!(q.shapes_only, "{kind:?}");
                assert_eq!(q.text, "", "{kind:?}");
                // As many tiles as choices, so answers keep their indices.
                assert_eq!(q.choices.len(), asked.choices.len(), "{kind:?}");
                let words: Vec<&String> = q.choices.iter().filter(|c| !c.is_empty()).collect();
                if kind == QuestionKind::TrueFalse {
                    assert_eq!(q.choices, asked.choices, "a true_false keeps its labels");
                } else {
                    assert!(words.is_empty(), "{kind:?}: {words:?}");
                }
                let own_order = matches!(kind, QuestionKind::Choice | QuestionKind::Multi);
                assert_eq!(q.choice_order.is_some(), shuffle && own_order, "{kind:?}");
            }
        }
    }
}

#[test]
fn without_own_shuffles_every_phone_shares_one_shapes_only_frame() {
    let quiz = every_kind().swap_remove(0);
    let (_, frames) = opening(shapes_only(false), quiz);
    let targets: Vec<Target> = frames.iter().map(|(t, _)| *t).collect();
    assert_eq!(targets, [Target::Players, Target::Watchers]);
}

#[test]
fn a_phone_that_comes_back_and_the_host_state_show_what_the_opening_showed() {
    let quiz = every_kind().swap_remove(1);
    let (mut room, _) = opening(shapes_only(false), quiz);
    let t0 = Instant::now();
    let mut fx = Effects::new();
    room.resume(7, "tok1", t0, &mut fx).expect("P1 is back");
    let again = fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::Welcome { question, .. }) => question.clone(),
        _ => None,
    });
    let again = again.expect("the open question in welcome");
    assert!(again.shapes_only);
    assert_eq!((again.text.as_str(), again.choices.len()), ("", 4));
    let mut fx = Effects::new();
    room.attach_host(HOST + 1, "key", false, t0, &mut fx)
        .expect("a second host device");
    let shown = fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::RoomState { question, .. }) => question.clone(),
        _ => None,
    });
    let shown = shown.expect("the open question in room_state");
    assert_eq!(shown.text, "Even?");
    assert!(!shown.shapes_only);
}

#[test]
fn by_default_phones_get_the_question_as_the_host_does() {
    for quiz in every_kind() {
        let (_, frames) = opening(settings(Mode::Classic), quiz);
        assert!(frames
            .iter()
            .all(|(_, q)| !q.shapes_only && !q.text.is_empty()));
        let kind = frames[0].1.kind;
        if kind != QuestionKind::Order {
            assert!(
                frames.iter().all(|(t, _)| *t == Target::Everyone),
                "{kind:?}"
            );
        }
    }
}
