//! A question's media in the quiz document: its literal JSON, what validation keeps and
//! refuses, and that a question's frame starts without it (the room adds the URL).

use quizrace_protocol::{MediaKind, QuestionMedia, QuizDoc};
use serde_json::json;

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn doc(media: serde_json::Value) -> QuizDoc {
    serde_json::from_value(json!({"title": "T", "questions": [
        {"kind": "true_false", "text": "Is this Paris?", "correct": [0], "media": media},
        {"kind": "slide", "text": "Listen", "media": {"hash": HASH}}
    ]}))
    .expect("a quiz document")
}

#[test]
fn a_question_media_reference_reads_and_writes_as_documented() {
    let media: QuestionMedia = serde_json::from_value(
        json!({"hash": HASH, "alt": "A tower", "kind": "image", "width": 640, "height": 480}),
    )
    .expect("reads");
    assert_eq!(media.kind, Some(MediaKind::Image));
    assert_eq!(
        serde_json::to_value(&media).expect("writes"),
        json!({"hash": HASH, "alt": "A tower", "kind": "image", "width": 640, "height": 480})
    );
    let bare: QuestionMedia = serde_json::from_value(json!({"hash": HASH})).expect("bare");
    assert_eq!(
        serde_json::to_value(&bare).expect("writes"),
        json!({"hash": HASH, "alt": ""})
    );
}

#[test]
fn media_is_kept_trimmed_on_questions_and_slides_and_never_in_the_opening_frame() {
    let d = doc(json!({"hash": HASH, "alt": "  A tower  ", "kind": "image"}));
    let n = d.normalised().expect("valid");
    assert_eq!(
        n.questions[0].media.as_ref().map(|m| m.alt.as_str()),
        Some("A tower")
    );
    assert_eq!(
        n.questions[1].media.as_ref().map(|m| m.hash.as_str()),
        Some(HASH)
    );
    let quiz = d.validate().expect("valid");
    assert!(quiz.questions[0].media.is_some());
    assert!(quiz.questions[0].view(0, 2).media.is_none());
}

#[test]
fn an_image_without_alt_text_or_a_malformed_hash_is_a_bad_media_field() {
    let e = doc(json!({"hash": HASH, "alt": " ", "kind": "image"}))
        .validate()
        .expect_err("no alt");
    assert_eq!((e.index, e.field), (Some(0), "media"));
    let e = doc(json!({"hash": "nope", "alt": "x"}))
        .validate()
        .expect_err("bad hash");
    assert_eq!((e.index, e.field), (Some(0), "media"));
}
