//! The quiz document (what a host writes and the API stores) and its validated form.

use crate::msg::{Points, QuestionKind, QuestionView};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const MIN_TIME_LIMIT_S: u32 = 5;
pub const MAX_TIME_LIMIT_S: u32 = 240;
pub const DEFAULT_TIME_LIMIT_S: u32 = 20;
pub const MAX_QUESTIONS: usize = 200;
pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_TEXT_CHARS: usize = 500;
pub const MAX_CHOICE_CHARS: usize = 120;
/// Accepted answers of a `type_answer` question, and the length of each.
pub const MAX_ACCEPT: usize = 20;
pub const MAX_ACCEPT_CHARS: usize = 100;
/// Every text is bounded in raw bytes too, before trimming: at most this many bytes per
/// character allowed (UTF-8 needs up to 4), so a short title padded with a megabyte of spaces
/// is refused rather than trimmed.
const BYTES_PER_CHAR: usize = 4;

/// `raw` trimmed, or why not: empty after trimming, over `max_chars` characters, or over
/// `max_chars * BYTES_PER_CHAR` bytes before trimming. `what` names it in the message.
fn bounded(raw: &str, max_chars: usize, what: &str) -> Result<String, String> {
    let max_bytes = max_chars * BYTES_PER_CHAR;
    if raw.len() > max_bytes {
        return Err(format!("{what} is longer than {max_bytes} bytes"));
    }
    let text = raw.trim();
    if text.is_empty() {
        return Err(format!("{what} is empty"));
    }
    if text.chars().count() > max_chars {
        return Err(format!("{what} is longer than {max_chars} characters"));
    }
    Ok(text.to_owned())
}

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
        if self.title.trim().is_empty() {
            return Err(whole("title", "the quiz needs a title"));
        }
        let title =
            bounded(&self.title, MAX_TITLE_CHARS, "the title").map_err(|m| whole("title", &m))?;
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
        Ok(Quiz { title, questions })
    }

    /// The document as it is stored and served: what [`QuizDoc::validate`] read, every text
    /// trimmed. Refused for the same reasons as `validate`.
    pub fn normalised(&self) -> Result<QuizDoc, QuizError> {
        self.validate()?;
        Ok(self.tidied())
    }

    /// Every text trimmed and every field its kind does not use dropped, without checking
    /// anything else: for a document stored before [`QuizDoc::normalised`] existed, so that it
    /// is served and played in the normalised form (and still plays).
    pub fn tidied(&self) -> QuizDoc {
        let trim = |s: &String| s.trim().to_owned();
        let trim_all = |v: &Option<Vec<String>>| v.as_ref().map(|v| v.iter().map(trim).collect());
        let questions = self
            .questions
            .iter()
            .map(|q| {
                let (choices, correct, accept) = match q.kind {
                    QuestionKind::Choice | QuestionKind::Multi => (true, true, false),
                    QuestionKind::TrueFalse => (false, true, false),
                    QuestionKind::TypeAnswer => (false, false, true),
                    QuestionKind::Poll => (true, false, false),
                };
                QuestionDoc {
                    text: trim(&q.text),
                    choices: trim_all(&q.choices).filter(|_| choices),
                    correct: q.correct.clone().filter(|_| correct),
                    accept: trim_all(&q.accept).filter(|_| accept),
                    ..q.clone()
                }
            })
            .collect();
        QuizDoc {
            title: trim(&self.title),
            questions,
        }
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
        let text =
            bounded(&self.text, MAX_TEXT_CHARS, "the question text").map_err(|m| err("text", m))?;
        // A kind refuses what it does not use rather than storing it unchecked.
        let unused = match self.kind {
            QuestionKind::TrueFalse if self.choices.is_some() => Some((
                "choices",
                "a true_false question has the fixed choices True and False; remove `choices`",
            )),
            QuestionKind::TypeAnswer if self.choices.is_some() => Some((
                "choices",
                "a type_answer question has no choices; remove `choices`",
            )),
            QuestionKind::TypeAnswer if self.correct.is_some() => Some((
                "correct",
                "a type_answer question lists its answers in `accept`; remove `correct`",
            )),
            QuestionKind::Choice | QuestionKind::TrueFalse | QuestionKind::Multi
                if self.accept.is_some() =>
            {
                Some((
                    "accept",
                    "only a type_answer question has `accept`; use `correct`",
                ))
            }
            _ => None,
        };
        if let Some((field, message)) = unused {
            return Err(err(field, message.into()));
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
                    let choice = bounded(choice, MAX_CHOICE_CHARS, "")
                        .map_err(|m| bad_choice(c, m.trim_start()))?;
                    out.push(choice);
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
                let given = self.accept.as_deref().unwrap_or_default();
                if given.is_empty() {
                    return Err(err(
                        "accept",
                        "a type_answer question needs a non-empty `accept` list".into(),
                    ));
                }
                if given.len() > MAX_ACCEPT {
                    return Err(err(
                        "accept",
                        format!("at most {MAX_ACCEPT} accepted answers, has {}", given.len()),
                    ));
                }
                let accept = given
                    .iter()
                    .map(|a| bounded(a, MAX_ACCEPT_CHARS, "an accepted answer"))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|m| err("accept", m))?;
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
            text,
            choices,
            time_limit_ms: u64::from(limit_s) * 1000,
            points,
            key,
        })
    }
}
