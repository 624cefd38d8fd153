//! Golden tests for the wire contract (PROTOCOL.md). Outside bots and the hand-written
//! JavaScript are written against the literal JSON, not against these Rust types, so a test
//! here that breaks is a contract change to be made on purpose, never a refactor to wave through.
//!
//! - Every `ServerMsg` and `ClientMsg` variant: its literal JSON, and the way back.
//! - `parse_client`: agreement with the serde derive, and every refusal with its code and field.
//! - `ErrorCode`: the stable snake_case names and a message for each.
//! - `QuizDoc::validate`: each rule of "Validation rejects", the defaults, and the claim that
//!   a question as players see it carries no answer.

use quizrace_protocol::{
    parse_client, Ahead, AnswerKey, ChatFrom, ClientMsg, CloseReason, ErrorCode, FirstCorrect,
    GameId, HostCredential, HostLiteral, HostOptions, HostView, LeaderboardAt, MediaKind,
    MediaView, Mode, NamePolicy, PhaseName, Pin, PlayerId, PlayerInfo, Points, Question,
    QuestionKind, QuestionPoints, QuestionView, Quiz, QuizDoc, QuizError, QuizId, Reveal,
    ServerMsg, Standing, TeamChoice, TeamInfo, TeamPlan, TeamRef, TeamStanding, ANSWER_GRACE_MS,
    MAX_CHAT_CHARS, MAX_FRAME_BYTES, MAX_NAME_CHARS,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;

mod client;
mod errors;
mod quiz;
mod server;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One golden case: a value, the JSON a bot sees for it, and the top-level field names as
/// PROTOCOL.md lists them (a second, independent witness against a typo in the golden).
struct Golden<M> {
    name: &'static str,
    msg: M,
    json: &'static str,
    fields: &'static [&'static str],
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// Every object key anywhere in `value`.
fn all_keys(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                all_keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| all_keys(v, out)),
        _ => {}
    }
}

/// Checks the encoding side of a golden case; returns a description of each problem.
fn check_encoding<M: serde::Serialize>(case: &Golden<M>, tag: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let text = serde_json::to_string(&case.msg).expect("every message serialises");
    let got = parse_json(&text);
    let want = parse_json(case.json);
    if got != want {
        problems.push(format!(
            "{}: serialised as\n    {text}\n  golden is\n    {}",
            case.name, case.json
        ));
    }
    if sorted_keys(&want) != sorted(case.fields) {
        problems.push(format!(
            "{}: golden has fields {:?}, the contract lists {:?}",
            case.name,
            sorted_keys(&want),
            sorted(case.fields)
        ));
    }
    // The literal spelling, as it appears in the frame (not only in a parsed map).
    for field in case.fields {
        if !text.contains(&format!("\"{field}\":")) {
            problems.push(format!(
                "{}: frame lacks literal \"{field}\": {text}",
                case.name
            ));
        }
    }
    if got.get("type") != Some(&Value::String(tag.to_owned())) {
        problems.push(format!("{}: `type` is not {tag:?}: {text}", case.name));
    }
    problems
}

fn parse_err(text: &str) -> quizrace_protocol::ParseError {
    match parse_client(text) {
        Ok(msg) => panic!("accepted {text} as {msg:?}"),
        Err(e) => e,
    }
}

fn assert_bad_message(text: &str) {
    let e = parse_err(text);
    assert_eq!(e.code, ErrorCode::BadMessage, "code for {text}: {e:?}");
    assert_eq!(e.field, None, "field for {text}: {e:?}");
    assert!(!e.message.trim().is_empty(), "message for {text}");
}

fn assert_bad_field(text: &str, field: &str) {
    let e = parse_err(text);
    assert_eq!(e.code, ErrorCode::BadField, "code for {text}: {e:?}");
    assert_eq!(e.field, Some(field), "field for {text}: {e:?}");
    assert!(!e.message.trim().is_empty(), "message for {text}");
}

fn assert_parses(text: &str, want: ClientMsg) {
    match parse_client(text) {
        Ok(got) => assert_eq!(got, want, "parse_client({text})"),
        Err(e) => panic!("refused {text}: {e:?}"),
    }
}

fn pin() -> Pin {
    Pin("482913".into())
}

fn capital_of_france(remaining_ms: u64, answered: Option<bool>) -> QuestionView {
    QuestionView {
        items: None,
        title: None,
        slider: None,
        index: 3,
        total: 12,
        kind: QuestionKind::Choice,
        text: "Capital of France?".into(),
        choices: vec!["Paris".into(), "Lyon".into(), "Nice".into(), "Lille".into()],
        time_limit_ms: 20000,
        remaining_ms,
        opens_in_ms: 0,
        points: Points::Standard,
        no_time_limit: false,
        choice_order: None,
        answered,
        media: None,
        team_talk_ms: 0,
        shapes_only: false,
    }
}

fn standing(player_id: u32, name: &str, score: i64, rank: u32) -> Standing {
    Standing {
        player_id: PlayerId(player_id),
        name: name.into(),
        score,
        rank,
    }
}
