//! The question kinds added after the first five, in the contract: `slider` (its quiz fields,
//! the `value` answer, the range in `question`, and the reveal's `correct_value`, `tolerance`
//! and `values` histogram) and `order` (its `items`, the `order` answer, the items in
//! `question`, and the reveal's `correct_order`). The literal JSON of each new field, and every validation rule with
//! its abuse cases.

use quizrace_protocol::{
    parse_client, AnswerKey, AnswerValue, ClientMsg, ErrorCode, OrderItem, QuestionKind, ServerMsg,
    SliderBin, SliderRange, SliderReveal, MAX_SLIDER_ABS,
};
use serde_json::{json, Value};

mod support;
use support::{refused, same_json, validate, with};

fn moon() -> Value {
    json!({"kind": "slider", "text": "Year of the Moon landing?", "min": 1950, "max": 2000,
           "step": 1, "correct_value": 1969, "tolerance": 5})
}

fn without(mut q: Value, key: &str) -> Value {
    q.as_object_mut().expect("an object").remove(key);
    q
}

// ----- the quiz document ---------------------------------------------------------------------

#[test]
fn the_protocol_slider_example_is_valid() {
    let q = validate(moon()).expect("valid");
    assert_eq!(q.kind, QuestionKind::Slider);
    assert_eq!(
        q.key,
        AnswerKey::Slider {
            value: 1969,
            tolerance: 5
        }
    );
    assert_eq!(
        q.slider,
        Some(SliderRange {
            min: 1950,
            max: 2000,
            step: 1
        })
    );
    assert!(q.choices.is_empty());
    assert!(q.is_scored());
}

#[test]
fn a_slider_defaults_to_step_one_and_no_tolerance() {
    let q = validate(without(without(moon(), "step"), "tolerance")).expect("valid");
    assert_eq!(q.slider.map(|r| r.step), Some(1));
    assert_eq!(
        q.key,
        AnswerKey::Slider {
            value: 1969,
            tolerance: 0
        }
    );
}

#[test]
fn a_slider_refuses_every_bad_number_with_its_field() {
    refused(without(moon(), "min"), "min");
    refused(without(moon(), "max"), "max");
    refused(without(moon(), "correct_value"), "correct_value");
    refused(with(moon(), "max", json!(1950)), "max");
    refused(with(moon(), "max", json!(1940)), "max");
    refused(with(moon(), "step", json!(0)), "step");
    refused(with(moon(), "step", json!(-1)), "step");
    refused(with(moon(), "step", json!(7)), "step"); // 50 is not a multiple of 7
    refused(with(moon(), "correct_value", json!(2001)), "correct_value");
    refused(with(moon(), "correct_value", json!(1949)), "correct_value");
    refused(
        with(
            with(moon(), "step", json!(10)),
            "correct_value",
            json!(1969),
        ),
        "correct_value",
    );
    refused(with(moon(), "tolerance", json!(-1)), "tolerance");
    refused(with(moon(), "tolerance", json!(51)), "tolerance");
    refused(with(moon(), "min", json!(-MAX_SLIDER_ABS - 1)), "min");
    refused(with(moon(), "max", json!(i64::MAX)), "max");
    // A million positions would make the histogram and the phone's slider useless.
    refused(
        with(with(moon(), "min", json!(0)), "max", json!(MAX_SLIDER_ABS)),
        "step",
    );
}

#[test]
fn a_slider_refuses_fields_of_other_kinds_and_others_refuse_its_fields() {
    refused(with(moon(), "choices", json!(["a", "b"])), "choices");
    refused(with(moon(), "correct", json!([0])), "correct");
    refused(with(moon(), "accept", json!(["1969"])), "accept");
    let choice = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    for field in ["min", "max", "step", "correct_value", "tolerance"] {
        refused(with(choice.clone(), field, json!(1)), field);
    }
}

#[test]
fn a_slider_question_frame_carries_the_range_and_never_the_answer() {
    let q = validate(moon()).expect("valid");
    let frame = serde_json::to_value(ServerMsg::Question(q.view(0, 1))).expect("serialises");
    assert_eq!(
        frame["slider"],
        json!({"min": 1950, "max": 2000, "step": 1})
    );
    assert_eq!(frame["kind"], json!("slider"));
    let text = frame.to_string();
    assert!(!text.contains("1969"), "the correct value leaked: {text}");
    assert!(!text.contains("tolerance"), "the tolerance leaked: {text}");
}

// ----- answers -------------------------------------------------------------------------------

#[test]
fn a_slider_answer_is_a_whole_value() {
    let msg = parse_client(r#"{"type":"answer","index":0,"value":1969}"#).expect("parses");
    assert_eq!(msg.answer_value(), Some(AnswerValue::Value(1969)));
    assert_eq!(msg, ClientMsg::answer(0, AnswerValue::Value(1969)));
    assert_eq!(
        serde_json::to_value(&msg).expect("serialises"),
        json!({"type": "answer", "index": 0, "value": 1969})
    );
    assert_eq!(
        serde_json::to_value(AnswerValue::Value(-3)).expect("serialises"),
        json!({"value": -3})
    );
}

#[test]
fn a_slider_answer_that_is_not_a_whole_number_or_not_alone_is_refused() {
    for frame in [
        r#"{"type":"answer","index":0,"value":19.5}"#,
        r#"{"type":"answer","index":0,"value":"1969"}"#,
        r#"{"type":"answer","index":0,"value":1e400}"#,
        r#"{"type":"answer","index":0,"value":1969,"choice":1}"#,
        r#"{"type":"answer","index":0,"value":1969,"text":"1969"}"#,
    ] {
        match parse_client(frame) {
            Ok(m) => panic!("accepted {frame}: {m:?}"),
            Err(e) => assert!(
                matches!(e.code, ErrorCode::BadField | ErrorCode::BadMessage),
                "{frame}: {e:?}"
            ),
        }
    }
}

// ----- the reveal ----------------------------------------------------------------------------

#[test]
fn question_closed_carries_the_slider_reveal() {
    same_json(
        &ServerMsg::QuestionClosed {
            correct_order: None,
            words: None,
            filtered: None,
            index: 0,
            correct: None,
            accept: None,
            counts: vec![2, 1],
            answered: 3,
            total: 3,
            first_correct: None,
            explanation: None,
            slider: Some(Box::new(SliderReveal {
                correct_value: 1969,
                tolerance: 5,
                values: vec![
                    SliderBin {
                        from: 1950,
                        to: 1974,
                        count: 2,
                    },
                    SliderBin {
                        from: 1975,
                        to: 2000,
                        count: 1,
                    },
                ],
            })),
        },
        r#"{"type":"question_closed","index":0,"counts":[2,1],"answered":3,"total":3,
            "first_correct":null,"correct_value":1969,"tolerance":5,
            "values":[{"from":1950,"to":1974,"count":2},{"from":1975,"to":2000,"count":1}]}"#,
    );
}

#[test]
fn the_histogram_has_at_most_twenty_bars_covering_the_range() {
    let range = SliderRange {
        min: 1950,
        max: 2000,
        step: 1,
    };
    let bins = range.histogram([1950, 1969, 1969, 2000, 2001, 1949]);
    assert!(bins.len() <= 20, "{} bars", bins.len());
    assert_eq!(bins.first().map(|b| b.from), Some(1950));
    assert_eq!(bins.last().map(|b| b.to), Some(2000));
    for pair in bins.windows(2) {
        assert_eq!(pair[0].to + 1, pair[1].from, "{bins:?}");
    }
    // Off-slider values are not counted.
    assert_eq!(bins.iter().map(|b| b.count).sum::<u32>(), 4);
    let small = SliderRange {
        min: 0,
        max: 10,
        step: 5,
    };
    let bins = small.histogram([0, 5, 5, 10]);
    let counts: Vec<(i64, i64, u32)> = bins.iter().map(|b| (b.from, b.to, b.count)).collect();
    assert_eq!(counts, [(0, 0, 1), (5, 5, 2), (10, 10, 1)]);
}

// ----- order ---------------------------------------------------------------------------------

fn sizes() -> Value {
    json!({"kind": "order", "text": "Smallest to largest",
           "items": ["Atom", "Cell", "Mouse", "Whale"]})
}

#[test]
fn the_protocol_order_example_is_valid_and_its_frame_has_no_items_of_its_own() {
    let q = validate(sizes()).expect("valid");
    assert_eq!(q.kind, QuestionKind::Order);
    assert_eq!(q.key, AnswerKey::Order);
    assert_eq!(q.items, ["Atom", "Cell", "Mouse", "Whale"]);
    assert!(q.choices.is_empty());
    // The room fills `items` per player; the question alone never carries the right order.
    let frame = serde_json::to_value(ServerMsg::Question(q.view(0, 1))).expect("serialises");
    assert!(frame.get("items").is_none(), "{frame}");
}

#[test]
fn an_order_question_refuses_bad_items_and_fields_of_other_kinds() {
    refused(without(sizes(), "items"), "items");
    refused(with(sizes(), "items", json!(["a", "b"])), "items");
    refused(
        with(sizes(), "items", json!(["a", "b", "c", "d", "e", "f", "g"])),
        "items",
    );
    refused(with(sizes(), "items", json!(["a", "b", " a "])), "items");
    refused(with(sizes(), "items", json!(["a", "b", "  "])), "items");
    refused(
        with(sizes(), "items", json!(["a", "b", "x".repeat(121)])),
        "items",
    );
    refused(with(sizes(), "choices", json!(["a", "b"])), "choices");
    refused(with(sizes(), "correct", json!([0])), "correct");
    let choice = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    refused(with(choice, "items", json!(["a", "b", "c"])), "items");
}

#[test]
fn an_order_answer_is_a_list_of_item_ids() {
    let msg = parse_client(r#"{"type":"answer","index":1,"order":[3,1,4,2]}"#).expect("parses");
    assert_eq!(
        msg.answer_value(),
        Some(AnswerValue::Order(vec![3, 1, 4, 2]))
    );
    assert_eq!(
        msg,
        ClientMsg::answer(1, AnswerValue::Order(vec![3, 1, 4, 2]))
    );
    assert_eq!(
        serde_json::to_value(AnswerValue::Order(vec![2, 1])).expect("serialises"),
        json!({"order": [2, 1]})
    );
    for frame in [
        r#"{"type":"answer","index":1,"order":"3,1"}"#,
        r#"{"type":"answer","index":1,"order":[-1]}"#,
        r#"{"type":"answer","index":1,"order":[1],"choice":1}"#,
    ] {
        assert!(parse_client(frame).is_err(), "accepted {frame}");
    }
}

#[test]
fn question_and_question_closed_carry_the_order_fields() {
    let q = validate(sizes()).expect("valid");
    let mut view = q.view(1, 2);
    view.items = Some(vec![
        OrderItem {
            id: 2,
            text: "Whale".into(),
        },
        OrderItem {
            id: 4,
            text: "Atom".into(),
        },
        OrderItem {
            id: 1,
            text: "Mouse".into(),
        },
        OrderItem {
            id: 3,
            text: "Cell".into(),
        },
    ]);
    same_json(
        &ServerMsg::Question(view),
        r#"{"type":"question","index":1,"total":2,"kind":"order","text":"Smallest to largest",
            "choices":[],"time_limit_ms":20000,"remaining_ms":20000,"opens_in_ms":5000,
            "points":"standard","items":[{"id":2,"text":"Whale"},{"id":4,"text":"Atom"},
            {"id":1,"text":"Mouse"},{"id":3,"text":"Cell"}]}"#,
    );
    same_json(
        &ServerMsg::QuestionClosed {
            index: 1,
            correct: None,
            accept: None,
            counts: vec![1, 2],
            answered: 3,
            total: 3,
            first_correct: None,
            explanation: None,
            slider: None,
            correct_order: Some(vec![4, 3, 1, 2]),
            words: None,
            filtered: None,
        },
        r#"{"type":"question_closed","index":1,"counts":[1,2],"answered":3,"total":3,
            "first_correct":null,"correct_order":[4,3,1,2]}"#,
    );
}
