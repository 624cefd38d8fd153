//! Pacing and feedback in the contract: the get-ready time (`read_s`, `opens_in_ms`,
//! `too_early`), the explanation, typo forgiveness, multi-select partial credit and the mode in
//! `welcome`. The literal JSON of each new field, and every rule (with its abuse cases) of the
//! new quiz document fields.

use quizrace_protocol::{
    ErrorCode, FirstCorrect, Mode, PhaseName, Picks, Pin, PlayerId, QuizDoc, QuizError, ServerMsg,
    Typo, DEFAULT_READ_S, MAX_EXPLANATION_CHARS,
};
use serde_json::{json, Value};

mod support;
use support::same_json;

// ----- golden frames ---------------------------------------------------------------------

#[test]
fn question_closed_carries_the_explanation() {
    same_json(
        &ServerMsg::QuestionClosed {
            correct_order: None,
            words: None,
            filtered: None,
            slider: None,
            index: 2,
            correct: Some(vec![1]),
            accept: None,
            counts: vec![3, 9],
            answered: 12,
            total: 12,
            first_correct: Some(FirstCorrect {
                player_id: PlayerId(4),
                name: "Mia".into(),
                elapsed_ms: 1340,
            }),
            explanation: Some("Canberra was built as a compromise.".into()),
        },
        r#"{"type":"question_closed","index":2,"correct":[1],"counts":[3,9],"answered":12,
            "total":12,"first_correct":{"player_id":4,"name":"Mia","elapsed_ms":1340},
            "explanation":"Canberra was built as a compromise."}"#,
    );
}

#[test]
fn a_multi_result_says_how_many_picks_were_right() {
    same_json(
        &ServerMsg::Result {
            index: 4,
            answered: true,
            correct: Some(false),
            points: 667,
            score: 1667,
            rank: 2,
            streak: 0,
            ahead: None,
            shared: false,
            picks: Some(Picks {
                right: 2,
                wrong: 0,
                of: 3,
            }),
            team: None,
        },
        r#"{"type":"result","index":4,"answered":true,"correct":false,"points":667,
            "score":1667,"rank":2,"streak":0,"ahead":null,
            "picks":{"right":2,"wrong":0,"of":3}}"#,
    );
}

#[test]
fn welcome_names_the_mode() {
    same_json(
        &ServerMsg::Welcome {
            pin: Pin("482913".into()),
            player_id: PlayerId(7),
            name: "Ada".into(),
            token: "t".into(),
            phase: PhaseName::Lobby,
            score: 0,
            players: 3,
            question: None,
            mode: Some(Mode::Race),
            lang: None,
            team: None,
            team_choice: None,
            teams: None,
        },
        r#"{"type":"welcome","pin":"482913","player_id":7,"name":"Ada","token":"t",
            "phase":"lobby","score":0,"players":3,"mode":"race"}"#,
    );
}

#[test]
fn too_early_is_an_error_code() {
    same_json(
        &ServerMsg::error_code(ErrorCode::TooEarly),
        r#"{"type":"error","code":"too_early",
            "message":"answering has not opened yet; wait for the countdown"}"#,
    );
}

#[test]
fn an_older_question_frame_without_opens_in_ms_reads_as_open_now() {
    let msg: ServerMsg = serde_json::from_str(
        r#"{"type":"question","index":0,"total":1,"kind":"choice","text":"Q","choices":["a","b"],
            "time_limit_ms":20000,"remaining_ms":20000,"points":"standard"}"#,
    )
    .expect("reads");
    let ServerMsg::Question(q) = msg else {
        panic!("not a question");
    };
    assert_eq!(q.opens_in_ms, 0);
}

// ----- the quiz document -----------------------------------------------------------------

fn doc(quiz: Value) -> QuizDoc {
    serde_json::from_value(quiz).expect("a QuizDoc")
}

fn with_question(extra: Value) -> Value {
    let mut q = json!({"kind":"choice","text":"Q","choices":["a","b"],"correct":[0]});
    for (k, v) in extra.as_object().expect("an object") {
        q[k] = v.clone();
    }
    json!({"title":"T","questions":[q]})
}

fn refused(quiz: Value) -> QuizError {
    match doc(quiz.clone()).validate() {
        Ok(_) => panic!("accepted {quiz}"),
        Err(e) => e,
    }
}

#[test]
fn read_s_defaults_to_five_and_a_questions_own_wins_over_the_quizs() {
    let quiz = doc(with_question(json!({}))).validate().expect("valid");
    assert_eq!(quiz.questions[0].read_ms, u64::from(DEFAULT_READ_S) * 1000);
    let mut both = with_question(json!({"read_s": 0}));
    both["read_s"] = json!(12);
    both["questions"]
        .as_array_mut()
        .expect("questions")
        .push(json!({"kind":"true_false","text":"Q","correct":[0]}));
    let quiz = doc(both).validate().expect("valid");
    let read: Vec<u64> = quiz.questions.iter().map(|q| q.read_ms).collect();
    assert_eq!(read, [0, 12_000]);
    for q in &quiz.questions {
        assert_eq!(q.view(0, 2).opens_in_ms, q.read_ms);
    }
}

#[test]
fn read_s_out_of_range_is_refused_where_it_is_written() {
    let mut quiz = with_question(json!({}));
    quiz["read_s"] = json!(31);
    let e = refused(quiz);
    assert_eq!((e.index, e.field), (None, "read_s"));
    let e = refused(with_question(json!({"read_s": 31})));
    assert_eq!((e.index, e.field), (Some(0), "read_s"));
    assert!(e.message.contains("0 and 30"), "{}", e.message);
    let ok = doc(with_question(json!({"read_s": 30})))
        .validate()
        .expect("30 is allowed");
    assert_eq!(ok.questions[0].read_ms, 30_000);
}

#[test]
fn read_s_of_the_wrong_type_is_not_a_quiz_document() {
    for bad in [
        json!("5"),
        json!(-1),
        json!(2.5),
        json!(4_294_967_296_u64),
        json!(null),
    ] {
        let quiz = with_question(json!({ "read_s": bad.clone() }));
        // null is "not given"; the others are not a number of seconds.
        let parsed = serde_json::from_value::<QuizDoc>(quiz);
        assert_eq!(parsed.is_ok(), bad.is_null(), "read_s {bad}");
    }
}

#[test]
fn the_explanation_is_trimmed_bounded_and_optional() {
    let q = |e: Value| doc(with_question(json!({ "explanation": e }))).validate();
    let quiz = q(json!("  Because.  ")).expect("valid");
    assert_eq!(quiz.questions[0].explanation.as_deref(), Some("Because."));
    for empty in [json!(""), json!("   ")] {
        let quiz = q(empty).expect("an empty box is no explanation");
        assert_eq!(quiz.questions[0].explanation, None);
    }
    let long = "x".repeat(MAX_EXPLANATION_CHARS + 1);
    let e = q(json!(long)).expect_err("too long");
    assert_eq!((e.index, e.field), (Some(0), "explanation"));
    let padded = format!("x{}", " ".repeat(MAX_EXPLANATION_CHARS * 4));
    let e = q(json!(padded)).expect_err("padded past its byte bound");
    assert_eq!(e.field, "explanation");
    let e = q(json!(" ".repeat(MAX_EXPLANATION_CHARS * 4 + 1))).expect_err("a megabyte of blanks");
    assert_eq!(e.field, "explanation");
    assert!(serde_json::from_value::<QuizDoc>(with_question(json!({"explanation": 7}))).is_err());
}

#[test]
fn the_explanation_never_reaches_the_question_frame() {
    let quiz = doc(with_question(json!({"explanation": "SECRET-WHY"})))
        .validate()
        .expect("valid");
    let frame =
        serde_json::to_string(&ServerMsg::Question(quiz.questions[0].view(0, 1))).expect("json");
    assert!(!frame.contains("SECRET-WHY"), "{frame}");
    assert!(!frame.contains("explanation"), "{frame}");
}

#[test]
fn typo_is_for_typed_answers_and_forgives_by_default() {
    let typed = |extra: Value| {
        let mut q = json!({"kind":"type_answer","text":"Q","accept":["Canberra"]});
        for (k, v) in extra.as_object().expect("object") {
            q[k] = v.clone();
        }
        json!({"title":"T","questions":[q]})
    };
    let quiz = doc(typed(json!({}))).validate().expect("valid");
    assert_eq!(quiz.questions[0].typo, Typo::Forgive);
    let quiz = doc(typed(json!({"typo":"exact"})))
        .validate()
        .expect("valid");
    assert_eq!(quiz.questions[0].typo, Typo::Exact);
    let e = refused(with_question(json!({"typo":"exact"})));
    assert_eq!((e.index, e.field), (Some(0), "typo"));
    for bad in [json!("fuzzy"), json!(true), json!(1)] {
        assert!(
            serde_json::from_value::<QuizDoc>(typed(json!({ "typo": bad.clone() }))).is_err(),
            "typo {bad}"
        );
    }
}

#[test]
fn partial_is_for_multi_questions_only() {
    let multi = json!({"title":"T","questions":[
        {"kind":"multi","text":"Q","choices":["a","b","c"],"correct":[0,1],"partial":true}
    ]});
    let quiz = doc(multi).validate().expect("valid");
    assert!(quiz.questions[0].partial);
    let e = refused(with_question(json!({"partial": true})));
    assert_eq!((e.index, e.field), (Some(0), "partial"));
    assert!(serde_json::from_value::<QuizDoc>(with_question(json!({"partial": "yes"}))).is_err());
}

#[test]
fn the_new_fields_survive_normalising() {
    let quiz = json!({"title":"T","read_s":2,"questions":[
        {"kind":"multi","text":"Q","choices":["a","b","c"],"correct":[0,1],"partial":true,
         "read_s":0,"explanation":" Why. "},
        {"kind":"type_answer","text":"Q","accept":["Au"],"typo":"exact"}
    ]});
    let stored = serde_json::to_value(doc(quiz).normalised().expect("valid")).expect("json");
    assert_eq!(
        stored,
        json!({"title":"T","read_s":2,"questions":[
            {"kind":"multi","text":"Q","choices":["a","b","c"],"correct":[0,1],"partial":true,
             "read_s":0,"explanation":"Why."},
            {"kind":"type_answer","text":"Q","accept":["Au"],"typo":"exact"}
        ]})
    );
}

#[test]
fn the_documented_pacing_example_is_a_valid_quiz() {
    let page = include_str!("../../docs/protocol.md");
    let start = page
        .find(r#"{"title": "Pacing""#)
        .expect("docs/protocol.md has the pacing example");
    let end = start + page[start..].find("```").expect("the example block ends");
    let quiz = doc(serde_json::from_str(&page[start..end]).expect("the example is JSON"))
        .validate()
        .expect("the example is valid");
    let read: Vec<u64> = quiz.questions.iter().map(|q| q.read_ms).collect();
    assert_eq!(read, [0, 3000, 3000]);
    assert!(quiz.questions[0].explanation.is_some());
    assert!(quiz.questions[1].partial);
    assert_eq!(quiz.questions[2].typo, Typo::Exact);
}
