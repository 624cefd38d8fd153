//! Helpers the contract's test files share: a frame against its literal JSON, and one question
//! run through the quiz document's validation.
#![allow(dead_code)] // each test file uses its own part

use quizrace_protocol::{Question, QuizDoc, QuizError, ServerMsg};
use serde_json::{json, Value};

/// `msg` serialises to exactly `want`, and `want` reads back as `msg`.
pub fn same_json(msg: &ServerMsg, want: &str) {
    let got = serde_json::to_value(msg).expect("serialises");
    let want: Value = serde_json::from_str(want).expect("golden is JSON");
    assert_eq!(got, want);
    let back: ServerMsg = serde_json::from_value(want).expect("reads back");
    assert_eq!(&back, msg);
}

/// `q` validated as the only question of a quiz.
pub fn validate(q: Value) -> Result<Question, QuizError> {
    let doc: QuizDoc =
        serde_json::from_value(json!({"title": "T", "questions": [q]})).expect("a QuizDoc");
    doc.validate().map(|quiz| quiz.questions[0].clone())
}

/// `q` is refused, naming `field`, with a message.
pub fn refused(q: Value, field: &str) {
    match validate(q.clone()) {
        Ok(_) => panic!("accepted {q}"),
        Err(e) => {
            assert_eq!(e.field, field, "field for {q}: {e:?}");
            assert!(!e.message.is_empty());
        }
    }
}

/// `q` with `key` set to `v`.
pub fn with(mut q: Value, key: &str, v: Value) -> Value {
    q[key] = v;
    q
}
