//! The message a socket gets most: a choice question's `answer`, read without building a JSON
//! tree (no allocation per answer). Anything else, including every answer of another shape,
//! goes through the full [`parse_client`](quizrace_protocol::parse_client), which is the
//! judge: this only ever agrees with it.

use quizrace_protocol::{AnswerValue, ClientMsg};

/// `{"type":"answer","index":N,"choice":C}` with exactly these fields (in any order, each once,
/// `type` without escapes), as `parse_client` reads it; `None` for anything else.
pub(super) fn quick_answer(text: &str) -> Option<ClientMsg> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Choice<'a> {
        #[serde(rename = "type", borrow)]
        kind: &'a str,
        index: u32,
        choice: u32,
    }
    // Other messages are not even tried: a refusal builds an error message, which costs
    // more than reading an answer.
    if !text.contains(r#""answer""#) {
        return None;
    }
    let answer: Choice<'_> = serde_json::from_str(text).ok()?;
    (answer.kind == "answer")
        .then(|| ClientMsg::answer(answer.index, AnswerValue::Choice(answer.choice)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quizrace_protocol::parse_client;

    #[test]
    fn a_choice_answer_reads_as_the_full_parser_reads_it_and_anything_else_is_left_to_it() {
        let same = [
            r#"{"type":"answer","index":0,"choice":2}"#,
            r#"{"choice":3,"index":4294967295,"type":"answer"}"#,
            r#" { "type" : "answer" , "index" : 1 , "choice" : 0 } "#,
        ];
        for text in same {
            assert_eq!(
                quick_answer(text),
                Some(parse_client(text).unwrap()),
                "{text}"
            );
        }
        let left = [
            r#"{"type":"answer","index":0,"choice":2,"extra":1}"#,
            r#"{"type":"answer","index":0,"choice":2,"choice":3}"#,
            r#"{"type":"answer","index":0,"choice":null}"#,
            r#"{"type":"answer","index":0,"choice":2.0}"#,
            r#"{"type":"answer","index":-1,"choice":2}"#,
            r#"{"type":"answer","index":4294967296,"choice":2}"#,
            r#"{"type":"answer","index":0,"choices":[2]}"#,
            r#"{"type":"answer","index":0,"text":"x"}"#,
            r#"{"type":"answer","index":0}"#,
            r#"{"type":"answ\u0065r","index":0,"choice":2}"#,
            r#"{"type":"chat","index":0,"choice":2}"#,
            r#"{"type":"answer","index":0,"choice":2} x"#,
            r#"[1,2]"#,
            "",
        ];
        for text in left {
            assert_eq!(quick_answer(text), None, "{text}");
        }
    }
}
