//! The quizzes built into the binary, so that a fresh server is a working game.

use crate::StartError;
use quizrace_protocol::QuizDoc;

const SAMPLES: &[(&str, &str)] = &[
    (
        "general-knowledge",
        include_str!("../quizzes/general-knowledge.json"),
    ),
    (
        "science-and-nature",
        include_str!("../quizzes/science-and-nature.json"),
    ),
];

/// Parses and validates every built-in quiz, normalised as it will be stored.
pub fn load() -> Result<Vec<(&'static str, QuizDoc)>, StartError> {
    SAMPLES
        .iter()
        .map(|(name, json)| {
            let fail = |message: String| StartError::Sample {
                name: (*name).to_owned(),
                message,
            };
            let doc: QuizDoc = serde_json::from_str(json).map_err(|e| fail(e.to_string()))?;
            // Stored normalised, as every quiz is.
            let doc = doc.normalised().map_err(|e| fail(e.to_string()))?;
            Ok((*name, doc))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_quiz_is_valid_and_uses_every_kind() {
        use quizrace_protocol::QuestionKind::*;
        for (name, doc) in super::load().expect("samples load") {
            assert!(
                doc.questions.len() >= 10,
                "{name} has fewer than 10 questions"
            );
            for kind in [Choice, TrueFalse, Multi, TypeAnswer, Poll] {
                assert!(
                    doc.questions.iter().any(|q| q.kind == kind),
                    "{name} has no {kind:?} question"
                );
            }
        }
    }
}
