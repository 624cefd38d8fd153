//! The quiz document (what a host writes and the API stores) and its validated form.

use crate::msg::{Points, QuestionKind, QuestionView};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MIN_TIME_LIMIT_S: u32 = 5;
pub const MAX_TIME_LIMIT_S: u32 = 240;
pub const DEFAULT_TIME_LIMIT_S: u32 = 20;
pub const MAX_QUESTIONS: usize = 200;
const MAX_TITLE_CHARS: usize = 120;
const MAX_TEXT_CHARS: usize = 500;
const MAX_CHOICE_CHARS: usize = 120;

/// A quiz as authored: `POST /api/quizzes` takes this JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizDoc {
    pub title: String,
    pub questions: Vec<QuestionDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionDoc {
    pub kind: QuestionKind,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_s: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Points>,
}

/// The first problem found in a quiz document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuizError {
    /// The question it is in (0-based), or `None` for the quiz as a whole.
    pub index: Option<usize>,
    pub field: &'static str,
    /// The choice it is about (0-based), when one choice is at fault.
    pub choice: Option<usize>,
    pub message: String,
}

impl fmt::Display for QuizError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "question {i}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for QuizError {}

/// What counts as right. Deliberately not `Serialize`: it must never reach a player frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerKey {
    /// `choice`/`true_false`: any listed index is right. `multi`: exactly this set (sorted).
    Choices(Vec<u32>),
    /// `type_answer`: any of these, compared loosely by the server.
    Accept(Vec<String>),
    /// `poll`: nothing is right or wrong.
    Poll,
}

/// A validated question: what players see, plus the key.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub kind: QuestionKind,
    pub text: String,
    pub choices: Vec<String>,
    pub time_limit_ms: u64,
    pub points: Points,
    pub key: AnswerKey,
}

/// A validated quiz, ready to be played.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    pub title: String,
    pub questions: Vec<Question>,
}

impl Question {
    /// The player-facing view of this question, at the moment it opens.
    pub fn view(&self, index: u32, total: u32) -> QuestionView {
        QuestionView {
            index,
            total,
            kind: self.kind,
            text: self.text.clone(),
            choices: self.choices.clone(),
            time_limit_ms: self.time_limit_ms,
            remaining_ms: self.time_limit_ms,
            points: self.points,
            answered: None,
        }
    }

    /// Whether this question adds to scores at all.
    pub fn is_scored(&self) -> bool {
        !matches!(self.key, AnswerKey::Poll) && self.points != Points::NoPoints
    }
}

impl QuizDoc {
    /// Checks the whole document and returns the playable quiz, or the first problem.
    pub fn validate(&self) -> Result<Quiz, QuizError> {
        let whole = |field, message: &str| QuizError {
            index: None,
            field,
            choice: None,
            message: message.to_owned(),
        };
        let title = self.title.trim();
        if title.is_empty() {
            return Err(whole("title", "the quiz needs a title"));
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(whole("title", "the title is at most 120 characters"));
        }
        if self.questions.is_empty() {
            return Err(whole("questions", "the quiz has no questions"));
        }
        if self.questions.len() > MAX_QUESTIONS {
            return Err(whole("questions", "a quiz has at most 200 questions"));
        }
        let questions = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| q.validate(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Quiz {
            title: title.to_owned(),
            questions,
        })
    }
}

impl QuestionDoc {
    fn validate(&self, index: usize) -> Result<Question, QuizError> {
        let err = |field: &'static str, message: String| QuizError {
            index: Some(index),
            field,
            choice: None,
            message,
        };
        // People number choices from 1, as the editor and the CSV columns do.
        let bad_choice = |c: usize, what: &str| QuizError {
            choice: Some(c),
            ..err("choices", format!("choice {} {what}", c + 1))
        };
        let text = self.text.trim();
        if text.is_empty() {
            return Err(err("text", "the question text is empty".into()));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(err(
                "text",
                "the question text is at most 500 characters".into(),
            ));
        }
        let limit_s = self.time_limit_s.unwrap_or(DEFAULT_TIME_LIMIT_S);
        if !(MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&limit_s) {
            return Err(err(
                "time_limit_s",
                format!("time_limit_s must be between {MIN_TIME_LIMIT_S} and {MAX_TIME_LIMIT_S}"),
            ));
        }
        let points = self.points.unwrap_or_default();
        let choices: Vec<String> = match self.kind {
            QuestionKind::TrueFalse => vec!["True".into(), "False".into()],
            QuestionKind::TypeAnswer => Vec::new(),
            QuestionKind::Choice | QuestionKind::Multi | QuestionKind::Poll => {
                let given = self.choices.as_deref().unwrap_or_default();
                if !(2..=6).contains(&given.len()) {
                    return Err(err(
                        "choices",
                        format!("needs 2 to 6 choices, has {}", given.len()),
                    ));
                }
                let mut out = Vec::with_capacity(given.len());
                for (c, choice) in given.iter().enumerate() {
                    let choice = choice.trim();
                    if choice.is_empty() {
                        return Err(bad_choice(c, "is empty"));
                    }
                    if choice.chars().count() > MAX_CHOICE_CHARS {
                        return Err(bad_choice(c, "is longer than 120 characters"));
                    }
                    out.push(choice.to_owned());
                }
                out
            }
        };
        let key = match self.kind {
            QuestionKind::Poll => {
                if self.correct.is_some() {
                    return Err(err(
                        "correct",
                        "a poll has no correct answer; remove `correct`".into(),
                    ));
                }
                if self.accept.is_some() {
                    return Err(err(
                        "accept",
                        "a poll has no accepted answers; remove `accept`".into(),
                    ));
                }
                AnswerKey::Poll
            }
            QuestionKind::TypeAnswer => {
                let accept: Vec<String> = self
                    .accept
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .map(|a| a.trim().to_owned())
                    .collect();
                if accept.is_empty() {
                    return Err(err(
                        "accept",
                        "a type_answer question needs a non-empty `accept` list".into(),
                    ));
                }
                if accept.iter().any(|a| a.is_empty()) {
                    return Err(err("accept", "an accepted answer is empty".into()));
                }
                AnswerKey::Accept(accept)
            }
            QuestionKind::Choice | QuestionKind::TrueFalse | QuestionKind::Multi => {
                let mut correct = self.correct.clone().unwrap_or_default();
                if correct.is_empty() {
                    return Err(err(
                        "correct",
                        "a scored question needs at least one correct answer".into(),
                    ));
                }
                if let Some(bad) = correct.iter().find(|&&c| c as usize >= choices.len()) {
                    return Err(err(
                        "correct",
                        format!(
                            "correct index {bad} is out of range (there are {} choices)",
                            choices.len()
                        ),
                    ));
                }
                correct.sort_unstable();
                correct.dedup();
                if self.kind == QuestionKind::TrueFalse && correct.len() != 1 {
                    return Err(err(
                        "correct",
                        "a true_false question has exactly one correct answer".into(),
                    ));
                }
                AnswerKey::Choices(correct)
            }
        };
        Ok(Question {
            kind: self.kind,
            text: text.to_owned(),
            choices,
            time_limit_ms: u64::from(limit_s) * 1000,
            points,
            key,
        })
    }
}
