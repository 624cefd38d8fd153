//! The `word_cloud` and `slide` kinds in the contract: their quiz fields and validation, the
//! `text` answer of a word cloud, the literal JSON of a slide's and a word cloud's `question`,
//! and of a word cloud's `question_closed` (`words`, `filtered`) and `room_state` reveal.

use quizrace_protocol::{
    parse_client, AnswerKey, AnswerValue, ClientMsg, GameId, Mode, PhaseName, Pin, Points,
    QuestionKind, QuizDoc, Reveal, ServerMsg, WordCount,
};
use serde_json::{json, Value};

mod support;
use support::{refused, same_json, validate, with};

fn cloud() -> Value {
    json!({"kind": "word_cloud", "text": "One word for today's lesson?"})
}

fn slide() -> Value {
    json!({"kind": "slide", "title": "Part 2", "text": "Now the oceans."})
}

// ----- the quiz document ---------------------------------------------------------------------

#[test]
fn the_protocol_examples_are_valid_and_neither_kind_scores() {
    let q = validate(cloud()).expect("valid");
    assert_eq!(q.kind, QuestionKind::WordCloud);
    assert_eq!(q.key, AnswerKey::Words);
    assert!(!q.is_scored());
    assert_eq!(
        q.time_limit_ms, 20_000,
        "a word cloud is timed like any question"
    );
    let q = validate(json!({"kind": "slide", "text": "Part 2: the oceans"})).expect("valid");
    assert_eq!(
        (q.kind, &q.key, q.title.as_deref()),
        (QuestionKind::Slide, &AnswerKey::Slide, None)
    );
    assert!(!q.is_scored() && q.is_slide());
    assert_eq!(
        (q.time_limit_ms, q.read_ms, q.points),
        (0, 0, Points::NoPoints)
    );
}

#[test]
fn neither_kind_takes_choices_or_a_right_answer() {
    for q in [cloud(), slide()] {
        refused(with(q.clone(), "choices", json!(["a", "b"])), "choices");
        refused(with(q.clone(), "correct", json!([0])), "correct");
        refused(with(q.clone(), "accept", json!(["x"])), "accept");
        refused(with(q.clone(), "items", json!(["a", "b", "c"])), "items");
        refused(with(q.clone(), "min", json!(1)), "min");
    }
}

#[test]
fn only_a_slide_has_a_title_and_a_slide_has_no_explanation() {
    refused(with(cloud(), "title", json!("T")), "title");
    refused(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0], "title": "T"}),
        "title",
    );
    refused(
        with(slide(), "explanation", json!("Because.")),
        "explanation",
    );
    refused(with(slide(), "title", json!("x".repeat(121))), "title");
    refused(with(slide(), "text", json!("  ")), "text");
    // The editor sends an empty explanation box and timing for every kind: harmless.
    let q = with(
        with(slide(), "explanation", json!("")),
        "time_limit_s",
        json!(999),
    );
    assert!(validate(q).is_ok());
}

#[test]
fn a_slide_is_stored_without_timing_or_points_and_a_word_cloud_without_points() {
    let doc: QuizDoc = serde_json::from_value(json!({"title": "T", "questions": [
        with(with(with(slide(), "time_limit_s", json!(30)), "read_s", json!(3)), "points", json!("double")),
        with(with(cloud(), "points", json!("double")), "time_limit_s", json!(30)),
    ]}))
    .expect("doc");
    let stored = serde_json::to_value(doc.normalised().expect("valid")).expect("serialises");
    assert_eq!(
        stored["questions"],
        json!([
            {"kind": "slide", "title": "Part 2", "text": "Now the oceans."},
            {"kind": "word_cloud", "text": "One word for today's lesson?", "time_limit_s": 30}
        ])
    );
}

// ----- answers -------------------------------------------------------------------------------

#[test]
fn a_word_cloud_answer_is_a_text() {
    let msg = parse_client(r#"{"type":"answer","index":2,"text":"ocean"}"#).expect("parses");
    assert_eq!(msg.answer_value(), Some(AnswerValue::Text("ocean".into())));
    assert_eq!(msg, ClientMsg::answer(2, AnswerValue::Text("ocean".into())));
}

// ----- frames --------------------------------------------------------------------------------

#[test]
fn a_slide_question_frame_has_its_title_no_timer_and_no_points() {
    let q = validate(slide()).expect("valid");
    same_json(
        &ServerMsg::Question(q.view(1, 4)),
        r#"{"type":"question","index":1,"total":4,"kind":"slide","title":"Part 2",
            "text":"Now the oceans.","choices":[],"time_limit_ms":0,"remaining_ms":0,
            "opens_in_ms":0,"points":"none"}"#,
    );
}

#[test]
fn a_word_cloud_question_frame_is_a_plain_unscored_question() {
    let q = validate(cloud()).expect("valid");
    same_json(
        &ServerMsg::Question(q.view(2, 4)),
        r#"{"type":"question","index":2,"total":4,"kind":"word_cloud",
            "text":"One word for today's lesson?","choices":[],"time_limit_ms":20000,
            "remaining_ms":20000,"opens_in_ms":5000,"points":"none"}"#,
    );
}

fn cloud_reveal() -> Reveal {
    Reveal {
        index: 2,
        correct: None,
        accept: None,
        counts: vec![],
        answered: 4,
        total: 5,
        first_correct: None,
        explanation: None,
        slider: None,
        correct_order: None,
        words: Some(vec![
            WordCount {
                text: "Café".into(),
                count: 2,
            },
            WordCount {
                text: "tea".into(),
                count: 1,
            },
        ]),
        filtered: Some(1),
    }
}

#[test]
fn question_closed_carries_the_words_with_their_counts_and_the_number_filtered() {
    same_json(
        &cloud_reveal().into(),
        r#"{"type":"question_closed","index":2,"counts":[],"answered":4,"total":5,
            "first_correct":null,"words":[{"text":"Café","count":2},{"text":"tea","count":1}],
            "filtered":1}"#,
    );
}

#[test]
fn room_state_during_a_word_cloud_reveal_carries_the_cloud() {
    let q = validate(cloud()).expect("valid");
    let mut view = q.view(2, 4);
    view.remaining_ms = 0;
    view.opens_in_ms = 0;
    let msg = ServerMsg::RoomState {
        pin: Pin("482913".into()),
        game_id: GameId(7),
        mode: Mode::Classic,
        title: "Oceans".into(),
        phase: PhaseName::Reveal,
        index: Some(2),
        total: 4,
        question: Some(view),
        answered: 0,
        players: vec![],
        locked: false,
        chat: true,
        reveal: Some(Box::new(cloud_reveal())),
        host_key: None,
        lang: None,
        leaderboard: None,
        teams: None,
        team_choice: None,
        team_talk_ms: None,
    };
    let frame = serde_json::to_value(&msg).expect("serialises");
    assert_eq!(
        frame["reveal"]["words"],
        json!([{"text": "Café", "count": 2}, {"text": "tea", "count": 1}])
    );
    assert_eq!(frame["reveal"]["filtered"], json!(1));
    let back: ServerMsg = serde_json::from_value(frame).expect("reads back");
    assert_eq!(back, msg);
}
