//! Quiz documents: validation, bounds, the normalised stored form and the quiz's language.

use super::*;

/// The example document of PROTOCOL.md, verbatim.
const PROTOCOL_EXAMPLE: &str = r#"{"title": "Capitals",
 "questions": [
   {"kind": "choice", "text": "Capital of France?", "choices": ["Paris","Lyon","Nice","Lille"],
    "correct": [0], "time_limit_s": 20},
   {"kind": "true_false", "text": "The Rhine flows through Basel.", "correct": [0], "time_limit_s": 10},
   {"kind": "multi", "text": "Which are prime?", "choices": ["2","4","5","9"], "correct": [0,2]},
   {"kind": "type_answer", "text": "Chemical symbol of gold?", "accept": ["Au"]},
   {"kind": "poll", "text": "Did you enjoy this quiz?", "choices": ["Yes","No"]}
 ]}"#;

fn example_doc() -> QuizDoc {
    serde_json::from_str(PROTOCOL_EXAMPLE).expect("the PROTOCOL.md example is a QuizDoc")
}

fn example_quiz() -> Quiz {
    example_doc()
        .validate()
        .expect("the PROTOCOL.md example is valid")
}

/// A quiz of three good questions followed by `fourth`, so a problem in it is question 3.
fn quiz_with_fourth(fourth: Value) -> QuizDoc {
    let good = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    serde_json::from_value(json!({
        "title": "T",
        "questions": [good.clone(), good.clone(), good, fourth],
    }))
    .expect("a QuizDoc")
}

fn rejected_at_3(fourth: Value, field: &str) -> QuizError {
    let err = match quiz_with_fourth(fourth.clone()).validate() {
        Ok(_) => panic!("accepted {fourth}"),
        Err(e) => e,
    };
    assert_eq!(err.index, Some(3), "index for {fourth}: {err:?}");
    assert_eq!(err.field, field, "field for {fourth}: {err:?}");
    assert!(!err.message.trim().is_empty(), "message for {fourth}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("question 3: "),
        "display for {fourth}: {shown}"
    );
    assert_eq!(shown, format!("question 3: {}", err.message));
    err
}

fn accepted(fourth: Value) -> Question {
    let quiz = quiz_with_fourth(fourth.clone())
        .validate()
        .unwrap_or_else(|e| panic!("refused {fourth}: {e}"));
    quiz.questions[3].clone()
}

#[test]
fn the_protocol_example_is_a_valid_quiz() {
    let quiz = example_quiz();
    assert_eq!(quiz.title, "Capitals");
    let kinds: Vec<QuestionKind> = quiz.questions.iter().map(|q| q.kind).collect();
    assert_eq!(
        kinds,
        [
            QuestionKind::Choice,
            QuestionKind::TrueFalse,
            QuestionKind::Multi,
            QuestionKind::TypeAnswer,
            QuestionKind::Poll
        ]
    );
    let limits: Vec<u64> = quiz.questions.iter().map(|q| q.time_limit_ms).collect();
    assert_eq!(limits, [20000, 10000, 20000, 20000, 20000]);
    assert!(quiz.questions.iter().all(|q| q.points == Points::Standard));
    let keys: Vec<&AnswerKey> = quiz.questions.iter().map(|q| &q.key).collect();
    assert_eq!(
        keys,
        [
            &AnswerKey::Choices(vec![0]),
            &AnswerKey::Choices(vec![0]),
            &AnswerKey::Choices(vec![0, 2]),
            &AnswerKey::Accept(vec!["Au".into()]),
            &AnswerKey::Poll,
        ]
    );
    assert_eq!(
        quiz.questions[0].choices,
        ["Paris", "Lyon", "Nice", "Lille"]
    );
    assert_eq!(quiz.questions[3].choices, Vec::<String>::new());
    assert_eq!(quiz.questions[4].choices, ["Yes", "No"]);
    assert!(quiz.questions[0].is_scored());
    assert!(!quiz.questions[4].is_scored());
}

#[test]
fn true_false_gets_the_choices_true_and_false() {
    let quiz = example_quiz();
    assert_eq!(quiz.questions[1].choices, ["True", "False"]);
    let q = accepted(json!({"kind": "true_false", "text": "Sky is blue", "correct": [1]}));
    assert_eq!(q.choices, ["True", "False"]);
    assert_eq!(q.key, AnswerKey::Choices(vec![1]));
}

#[test]
fn a_kind_refuses_the_fields_it_does_not_use_rather_than_storing_them() {
    // Authored choices cannot relabel a true_false question (`[0]` always means True), and
    // were stored unchecked: they are refused, as are `accept` beside choices and `correct`
    // beside `accept`.
    let cases = [
        (
            json!({"kind": "true_false", "text": "Q", "choices": ["Yes", "No"], "correct": [1]}),
            "choices",
        ),
        (
            json!({"kind": "type_answer", "text": "Q", "choices": ["a", "b"], "accept": ["a"]}),
            "choices",
        ),
        (
            json!({"kind": "type_answer", "text": "Q", "correct": [0], "accept": ["a"]}),
            "correct",
        ),
        (
            json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0], "accept": ["a"]}),
            "accept",
        ),
        (
            json!({"kind": "true_false", "text": "Q", "correct": [0], "accept": ["x"]}),
            "accept",
        ),
        (
            json!({"kind": "multi", "text": "Q", "choices": ["a", "b"], "correct": [0], "accept": []}),
            "accept",
        ),
    ];
    for (q, field) in cases {
        rejected_at_3(q, field);
    }
}

// ---------------------------------------------------------------------------------------------
// Quiz document bounds: raw bytes before trimming, the normalised form that is stored
// ---------------------------------------------------------------------------------------------

fn quiz_titled(title: &str) -> QuizDoc {
    let mut doc = quiz_with_fourth(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]}),
    );
    doc.title = title.to_owned();
    doc
}

#[test]
fn a_title_padded_with_a_megabyte_of_spaces_is_refused_not_trimmed() {
    let padded = format!("Capitals{}", " ".repeat(1 << 20));
    let err = quiz_titled(&padded).validate().expect_err("padded title");
    assert_eq!((err.index, err.field), (None, "title"), "{err:?}");
    assert!(err.message.contains("bytes"), "{err:?}");
    // Within the raw bound, spaces are trimmed away from what is stored.
    let doc = quiz_titled("   Capitals \t ").normalised().expect("valid");
    assert_eq!(doc.title, "Capitals");
}

#[test]
fn every_text_of_a_question_has_a_raw_byte_bound() {
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n));
    let cases = [
        (
            json!({"kind": "choice", "text": pad("Q", 2000), "choices": ["a", "b"], "correct": [0]}),
            "text",
        ),
        (
            json!({"kind": "choice", "text": "Q", "choices": ["a", pad("b", 480)], "correct": [0]}),
            "choices",
        ),
        (
            json!({"kind": "type_answer", "text": "Q", "accept": ["a", pad("b", 400)]}),
            "accept",
        ),
    ];
    for (q, field) in cases {
        let err = rejected_at_3(q, field);
        assert!(err.message.contains("bytes"), "{err:?}");
    }
    // Just inside every bound: accepted, and trimmed.
    let q = accepted(
        json!({"kind": "choice", "text": pad("Q", 1999), "choices": ["a", pad("b", 479)], "correct": [0]}),
    );
    assert_eq!((q.text.as_str(), q.choices[1].as_str()), ("Q", "b"));
    let q = accepted(json!({"kind": "type_answer", "text": "Q", "accept": [pad("b", 399)]}));
    assert_eq!(q.key, AnswerKey::Accept(vec!["b".into()]));
}

#[test]
fn accept_has_at_most_20_entries_of_at_most_100_characters() {
    let twenty: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    accepted(json!({"kind": "type_answer", "text": "Q", "accept": twenty}));
    let mut more = twenty.clone();
    more.push("one too many".into());
    let err = rejected_at_3(
        json!({"kind": "type_answer", "text": "Q", "accept": more}),
        "accept",
    );
    assert!(err.message.contains("20"), "{err:?}");
    accepted(json!({"kind": "type_answer", "text": "Q", "accept": ["é".repeat(100)]}));
    let err = rejected_at_3(
        json!({"kind": "type_answer", "text": "Q", "accept": ["é".repeat(101)]}),
        "accept",
    );
    assert!(err.message.contains("100"), "{err:?}");
}

#[test]
fn a_document_stored_before_the_bounds_is_tidied_into_one_that_plays() {
    // What an older server stored: a padded title, true_false choices, accept on a choice.
    let old: QuizDoc = serde_json::from_value(json!({"title": format!("Old{}", " ".repeat(5000)), "questions": [
        {"kind": "true_false", "text": " Q ", "choices": ["Yes", "No"], "correct": [1]},
        {"kind": "choice", "text": "Q", "choices": ["a ", "b"], "correct": [0], "accept": ["x"]},
        {"kind": "type_answer", "text": "Q", "correct": [0], "accept": [" Au "]}
    ]}))
    .expect("doc");
    assert!(old.validate().is_err(), "new documents like it are refused");
    let tidy = old.tidied();
    let want: QuizDoc = serde_json::from_value(json!({"title": "Old", "questions": [
        {"kind": "true_false", "text": "Q", "correct": [1]},
        {"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]},
        {"kind": "type_answer", "text": "Q", "accept": ["Au"]}
    ]}))
    .expect("doc");
    assert_eq!(tidy, want);
    assert!(tidy.validate().is_ok(), "and it still plays");
}

#[test]
fn the_normalised_document_is_what_validation_read() {
    let doc: QuizDoc = serde_json::from_value(json!({"title": " T ", "questions": [
        {"kind": "choice", "text": " Q ", "choices": [" a", "b "], "correct": [0], "time_limit_s": 10},
        {"kind": "type_answer", "text": "Q\n", "accept": [" Au ", "au"]},
        {"kind": "true_false", "text": "Q", "correct": [1], "points": "double"}
    ]}))
    .expect("doc");
    let want: QuizDoc = serde_json::from_value(json!({"title": "T", "questions": [
        {"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0], "time_limit_s": 10},
        {"kind": "type_answer", "text": "Q", "accept": ["Au", "au"]},
        {"kind": "true_false", "text": "Q", "correct": [1], "points": "double"}
    ]}))
    .expect("doc");
    let normal = doc.normalised().expect("valid");
    assert_eq!(normal, want);
    assert_eq!(
        normal.validate(),
        doc.validate(),
        "the same quiz either way"
    );
    assert_eq!(
        normal.normalised().as_ref(),
        Ok(&normal),
        "normalising twice changes nothing"
    );
    assert!(quiz_titled(" ").normalised().is_err());
}

#[test]
fn time_limit_defaults_to_20_seconds() {
    let q = accepted(json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]}));
    assert_eq!(q.time_limit_ms, 20_000);
    let q = accepted(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0],
                            "time_limit_s": null}),
    );
    assert_eq!(q.time_limit_ms, 20_000);
}

#[test]
fn time_limit_must_be_5_to_240_seconds() {
    for (s, ms) in [(5u32, 5_000u64), (6, 6_000), (239, 239_000), (240, 240_000)] {
        let q = accepted(json!({"kind": "choice", "text": "Q", "choices": ["a", "b"],
                                "correct": [0], "time_limit_s": s}));
        assert_eq!(q.time_limit_ms, ms, "{s} s");
    }
    for s in [0u32, 4, 241, 3600, u32::MAX] {
        rejected_at_3(
            json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0],
                   "time_limit_s": s}),
            "time_limit_s",
        );
    }
}

#[test]
fn points_default_to_standard_and_can_be_double_or_none() {
    let base = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    assert_eq!(accepted(base.clone()).points, Points::Standard);
    for (name, points) in [
        ("standard", Points::Standard),
        ("double", Points::Double),
        ("none", Points::NoPoints),
    ] {
        let mut q = base.clone();
        q["points"] = json!(name);
        assert_eq!(accepted(q).points, points, "{name}");
    }
}

#[test]
fn a_quiz_without_questions_is_rejected_as_a_whole() {
    let doc: QuizDoc =
        serde_json::from_value(json!({"title": "T", "questions": []})).expect("a QuizDoc");
    let err = doc.validate().expect_err("no questions");
    assert_eq!(err.index, None);
    assert_eq!(err.field, "questions");
    assert!(!err.to_string().starts_with("question "), "{err}");
}

#[test]
fn a_quiz_without_a_title_is_rejected_as_a_whole() {
    for title in ["", "   "] {
        let doc = QuizDoc {
            title: title.into(),
            ..example_doc()
        };
        let err = doc.validate().expect_err("no title");
        assert_eq!((err.index, err.field), (None, "title"));
    }
}

#[test]
fn empty_question_text_is_rejected_with_its_index() {
    for text in ["", "   ", "\n\t"] {
        rejected_at_3(
            json!({"kind": "choice", "text": text, "choices": ["a", "b"], "correct": [0]}),
            "text",
        );
    }
}

#[test]
fn fewer_than_2_or_more_than_6_choices_are_rejected_with_its_index() {
    let seven = ["a", "b", "c", "d", "e", "f", "g"];
    for kind in ["choice", "multi"] {
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "correct": [0]}),
            "choices",
        );
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "choices": [], "correct": [0]}),
            "choices",
        );
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "choices": ["a"], "correct": [0]}),
            "choices",
        );
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "choices": seven, "correct": [0]}),
            "choices",
        );
        accepted(json!({"kind": kind, "text": "Q", "choices": ["a", "b"], "correct": [0]}));
        accepted(json!({"kind": kind, "text": "Q", "choices": &seven[..6], "correct": [0]}));
    }
    rejected_at_3(json!({"kind": "poll", "text": "Q"}), "choices");
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a"]}),
        "choices",
    );
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": seven}),
        "choices",
    );
}

#[test]
fn a_correct_index_out_of_range_is_rejected_with_its_index() {
    let err = rejected_at_3(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b", "c", "d"], "correct": [4]}),
        "correct",
    );
    // The example error in docs/protocol.md, to the letter.
    assert_eq!(
        err.to_string(),
        "question 3: correct index 4 is out of range (there are 4 choices)"
    );
    rejected_at_3(
        json!({"kind": "true_false", "text": "Q", "correct": [2]}),
        "correct",
    );
    rejected_at_3(
        json!({"kind": "multi", "text": "Q", "choices": ["a", "b", "c"], "correct": [0, 3]}),
        "correct",
    );
}

#[test]
fn a_scored_question_without_a_correct_answer_is_rejected_with_its_index() {
    for q in [
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"]}),
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": []}),
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": null}),
        json!({"kind": "multi", "text": "Q", "choices": ["a", "b"], "correct": []}),
        json!({"kind": "true_false", "text": "Q"}),
        json!({"kind": "true_false", "text": "Q", "correct": []}),
    ] {
        rejected_at_3(q, "correct");
    }
}

#[test]
fn true_false_takes_exactly_one_correct_answer() {
    rejected_at_3(
        json!({"kind": "true_false", "text": "Q", "correct": [0, 1]}),
        "correct",
    );
    // The same index twice is still one answer.
    let q = accepted(json!({"kind": "true_false", "text": "Q", "correct": [1, 1]}));
    assert_eq!(q.key, AnswerKey::Choices(vec![1]));
}

#[test]
fn multi_correct_set_is_sorted_and_deduplicated() {
    let q = accepted(
        json!({"kind": "multi", "text": "Q", "choices": ["a", "b", "c"],
                            "correct": [2, 0, 2]}),
    );
    assert_eq!(q.key, AnswerKey::Choices(vec![0, 2]));
}

#[test]
fn a_poll_with_a_correct_field_is_rejected_with_its_index() {
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": [0]}),
        "correct",
    );
    // Present but empty is still present.
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": []}),
        "correct",
    );
    // A poll with `accept` is refused too, naming `accept`.
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "accept": ["a"]}),
        "accept",
    );
    // `null` is absent, as everywhere else.
    let q = accepted(json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": null}));
    assert_eq!(q.key, AnswerKey::Poll);
}

#[test]
fn an_empty_accept_list_is_rejected_with_its_index() {
    for q in [
        json!({"kind": "type_answer", "text": "Q", "accept": []}),
        json!({"kind": "type_answer", "text": "Q"}),
        json!({"kind": "type_answer", "text": "Q", "accept": null}),
        json!({"kind": "type_answer", "text": "Q", "accept": [""]}),
        json!({"kind": "type_answer", "text": "Q", "accept": ["Au", "  "]}),
    ] {
        rejected_at_3(q, "accept");
    }
    let q = accepted(json!({"kind": "type_answer", "text": "Q", "accept": [" Au "]}));
    assert_eq!(q.key, AnswerKey::Accept(vec!["Au".into()]));
}

#[test]
fn validation_reports_the_first_bad_question() {
    let good = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    let doc: QuizDoc = serde_json::from_value(json!({"title": "T", "questions": [
        good,
        {"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": [0]},
        {"kind": "choice", "text": "", "choices": ["a", "b"], "correct": [0]},
    ]}))
    .expect("a QuizDoc");
    let err = doc.validate().expect_err("two bad questions");
    assert_eq!(err.index, Some(1));
    assert!(err.to_string().starts_with("question 1: "), "{err}");
}

#[test]
fn question_view_never_contains_the_answer() {
    let quiz = example_quiz();
    let total = u32::try_from(quiz.questions.len()).expect("few questions");
    for (i, question) in quiz.questions.iter().enumerate() {
        let index = u32::try_from(i).expect("few questions");
        let view = question.view(index, total);
        for frame in [
            serde_json::to_string(&view).expect("serialises"),
            serde_json::to_string(&ServerMsg::Question(view.clone())).expect("serialises"),
        ] {
            let mut keys = BTreeSet::new();
            all_keys(&parse_json(&frame), &mut keys);
            for leak in ["correct", "accept", "key", "answer"] {
                assert!(
                    !keys.contains(leak),
                    "question {i} view has `{leak}`: {frame}"
                );
            }
            for q in &quiz.questions {
                if let AnswerKey::Accept(accept) = &q.key {
                    for a in accept {
                        assert!(
                            !frame.contains(a.as_str()),
                            "question {i} leaks {a:?}: {frame}"
                        );
                    }
                }
            }
        }
        assert_eq!(view.index, index);
        assert_eq!(view.total, total);
        assert_eq!(view.remaining_ms, view.time_limit_ms);
        assert_eq!(view.answered, None);
        assert_eq!(view.choices, question.choices);
    }
}

#[test]
fn type_answer_view_shows_no_choices_and_no_accepted_text() {
    let q = accepted(
        json!({"kind": "type_answer", "text": "Capital of Burkina Faso?",
                            "accept": ["Ouagadougou", " Wagadugu "]}),
    );
    let frame = serde_json::to_string(&ServerMsg::Question(q.view(3, 4))).expect("serialises");
    let value = parse_json(&frame);
    assert_eq!(value["choices"], json!([]));
    for leak in ["Ouagadougou", "Wagadugu", "accept"] {
        assert!(!frame.contains(leak), "{leak} in {frame}");
    }
}

// `AnswerKey`, `Question` and `Quiz` must have no `Serialize` impl, so that no code path can
// put the key in a frame. Checked without a compile-fail harness: an inherent associated
// const that exists only when `T: Serialize` shadows a blanket trait const that says `false`.
struct Probe<T>(std::marker::PhantomData<T>);
trait NotSerialize {
    const SERIALIZE: bool = false;
}
impl<T> NotSerialize for T {}
impl<T: serde::Serialize> Probe<T> {
    const SERIALIZE: bool = true;
}

#[test]
fn the_answer_key_cannot_be_serialised() {
    let flags = [
        ("AnswerKey", Probe::<AnswerKey>::SERIALIZE),
        ("Question", Probe::<Question>::SERIALIZE),
        ("Quiz", Probe::<Quiz>::SERIALIZE),
    ];
    for (name, serialize) in flags {
        assert!(!serialize, "{name} implements Serialize");
    }
    // The probe is not vacuous: it sees the impl where there is one.
    let control = [
        Probe::<QuestionView>::SERIALIZE,
        Probe::<ServerMsg>::SERIALIZE,
    ];
    assert_eq!(control, [true, true]);
}

#[test]
fn a_reveal_is_question_closed_without_its_type() {
    let reveal = Reveal {
        correct_order: None,
        words: None,
        filtered: None,
        slider: None,
        index: 5,
        correct: None,
        accept: Some(vec!["Au".into()]),
        counts: vec![9, 12],
        answered: 21,
        total: 23,
        first_correct: Some(FirstCorrect {
            player_id: PlayerId(7),
            name: "Ada".into(),
            elapsed_ms: 1800,
        }),
        explanation: None,
    };
    let mut closed = serde_json::to_value(ServerMsg::from(reveal.clone())).unwrap();
    closed.as_object_mut().unwrap().remove("type");
    assert_eq!(serde_json::to_value(&reveal).unwrap(), closed);
}

// ---------------------------------------------------------------------------------------------
// The quiz's language: an optional BCP-47 tag, so the pages mark quiz text for screen readers
// ---------------------------------------------------------------------------------------------

fn with_lang(lang: Value) -> QuizDoc {
    let mut doc = serde_json::to_value(example_doc()).expect("doc as JSON");
    doc["lang"] = lang;
    serde_json::from_value(doc).expect("a QuizDoc")
}

#[test]
fn quiz_lang_is_an_optional_tag_kept_trimmed_in_the_stored_document() {
    for (given, kept) in [
        ("de", "de"),
        (" de-CH ", "de-CH"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("ar", "ar"),
    ] {
        let stored = with_lang(json!(given)).normalised().expect("a good tag");
        let as_json = serde_json::to_value(&stored).expect("serialises");
        assert_eq!(as_json["lang"], json!(kept), "{given}");
    }
    let without = serde_json::to_value(example_doc().normalised().expect("valid")).expect("json");
    assert!(
        without.get("lang").is_none(),
        "absent stays absent: {without}"
    );
    let null =
        serde_json::to_value(with_lang(Value::Null).normalised().expect("valid")).expect("json");
    assert!(null.get("lang").is_none(), "null counts as absent: {null}");
}

#[test]
fn a_malformed_or_oversized_quiz_lang_is_refused_as_a_whole() {
    let long = format!("en-{}", ["abcdefgh"; 5].join("-"));
    let padded = format!("de{}", " ".repeat(1 << 20));
    for bad in [
        "",
        "   ",
        "d",
        "deutsch",
        "de_DE",
        "de--CH",
        "-de",
        "de-",
        "12",
        "de-CH!",
        "de-abcdefghi",
        "<b>",
        &long,
        &padded,
    ] {
        let err = with_lang(json!(bad))
            .validate()
            .expect_err(&format!("accepted lang {bad:?}"));
        assert_eq!((err.index, err.field), (None, "lang"), "{bad:?}");
        assert!(!err.message.is_empty());
    }
    let err = serde_json::from_value::<QuizDoc>({
        let mut doc = serde_json::to_value(example_doc()).expect("json");
        doc["lang"] = json!(42);
        doc
    });
    assert!(err.is_err(), "a number is not a tag");
}

/// `teams` is one of `{"count": N}` and `{"size": N}`; anything else names the field. (The
/// ranges are the server's to check: an out-of-range number parses here.)
#[test]
fn a_teams_field_that_is_neither_a_count_nor_a_size_is_a_bad_field() {
    for teams in [
        r#""3""#,
        "3",
        "{}",
        r#"{"count":3,"size":4}"#,
        r#"{"count":-1}"#,
        r#"{"colours":3}"#,
    ] {
        let frame = format!(
            r#"{{"type":"host","token":"t","quiz_id":1,"mode":"classic","teams":{teams}}}"#
        );
        assert_bad_field(&frame, "teams");
    }
}

#[test]
fn host_refuses_team_talk_beyond_thirty_seconds_and_an_unknown_team_choice() {
    for frame in [
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":31}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":-1}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":2.5}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":"5"}"#,
    ] {
        assert_bad_field(frame, "team_talk_s");
    }
    for talk in [0, 30] {
        let frame = format!(
            r#"{{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":{talk}}}"#
        );
        assert!(parse_client(&frame).is_ok(), "{frame}");
    }
    assert_bad_field(
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_choice":"host"}"#,
        "team_choice",
    );
}

#[test]
fn choose_team_and_move_player_refuse_missing_or_wrongly_typed_fields() {
    for (frame, field) in [
        (r#"{"type":"choose_team"}"#, "team"),
        (r#"{"type":"choose_team","team":"2"}"#, "team"),
        (r#"{"type":"choose_team","team":-1}"#, "team"),
        (r#"{"type":"move_player","team":2}"#, "player_id"),
        (r#"{"type":"move_player","player_id":1}"#, "team"),
        (
            r#"{"type":"move_player","player_id":"1","team":2}"#,
            "player_id",
        ),
        (
            r#"{"type":"move_player","player_id":1,"team":null}"#,
            "team",
        ),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn an_assignment_code_is_eight_digits_and_a_pin_is_refused() {
    for bad in [
        r#"{"type":"assignment_join","code":"482913","name":"Ada"}"#,
        r#"{"type":"assignment_join","code":"4829130x","name":"Ada"}"#,
        r#"{"type":"assignment_join","code":48291305,"name":"Ada"}"#,
        r#"{"type":"assignment_resume","code":"48291305"}"#,
    ] {
        let e = parse_client(bad).expect_err(bad);
        assert_eq!(e.code, ErrorCode::BadField, "{bad}");
    }
    assert_parses(
        r#"{"type":"assignment_join","code":"48291305","name":"Ada","identifier":null}"#,
        ClientMsg::AssignmentJoin {
            code: "48291305".into(),
            name: "Ada".into(),
            identifier: None,
        },
    );
}
