//! The quiz document (what a host writes and the API stores) and its validated form.

use crate::media::QuestionMedia;
use crate::msg::{Points, QuestionKind, QuestionView, SliderRange};
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
/// A `slider`'s numbers (`min`, `max`, `correct_value`, `tolerance`, `step`) are whole numbers
/// within this far of zero, so that no arithmetic on them can overflow.
pub const MAX_SLIDER_ABS: i64 = 1_000_000_000;
/// A `slider` has at most this many positions (`(max - min) / step + 1`).
pub const MAX_SLIDER_POSITIONS: i64 = 100_000;
/// The get-ready time before answering opens (`read_s`, per quiz and per question).
pub const MAX_READ_S: u32 = 30;
pub const DEFAULT_READ_S: u32 = 5;
/// A `word_cloud` answer: at most this many words, each at most [`MAX_CLOUD_WORD_CHARS`]
/// characters, at most [`MAX_CLOUD_ANSWER_CHARS`] characters in all (spaces between words
/// included).
pub const MAX_CLOUD_ANSWER_WORDS: usize = 3;
pub const MAX_CLOUD_WORD_CHARS: usize = 20;
pub const MAX_CLOUD_ANSWER_CHARS: usize = 40;
/// An explanation shown at the reveal is bounded like the question text.
pub const MAX_EXPLANATION_CHARS: usize = MAX_TEXT_CHARS;
/// The longest quiz language tag (`lang`): room for a language, script, region and a variant.
pub const MAX_LANG_CHARS: usize = 35;
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
    /// The get-ready time of every question that does not set its own (0..=30, default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_s: Option<u32>,
    /// The language the quiz is written in, a BCP-47 tag such as `de` or `fr-CA`: the pages put
    /// it on quiz text for screen readers. Absent: not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// How a typed answer is compared with the accepted ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Typo {
    /// A small typo still counts: one edit for accepted answers of 5 or more characters, two for
    /// 9 or more.
    #[default]
    Forgive,
    /// Only the accepted spelling (ignoring case, accents and spacing) counts.
    Exact,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionDoc {
    pub kind: QuestionKind,
    /// `slide` only: a heading shown above the text (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
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
    /// This question's get-ready time; wins over the quiz's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_s: Option<u32>,
    /// Shown on every screen at the reveal, never before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// `type_answer` only: whether small typos count (default `forgive`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typo: Option<Typo>,
    /// `multi` only: partial credit for a partly right set of picks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<bool>,
    /// `slider` only: the smallest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// `slider` only: the largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// `slider` only: the distance between two positions (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
    /// `slider` only: the right value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_value: Option<i64>,
    /// `slider` only: how far from `correct_value` still scores (default 0: exact only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<i64>,
    /// `order` only: 3 to 6 items, written in the right order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<String>>,
    /// An uploaded image, audio clip or video shown with the question (any kind, slides too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<QuestionMedia>,
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
    /// `slider`: within `tolerance` of `value` is right, scored by the distance.
    Slider { value: i64, tolerance: i64 },
    /// `order`: the question's `items` in the order they were written.
    Order,
    /// `word_cloud`: nothing is right or wrong, and (unlike a poll vote) an answer is final.
    Words,
    /// `slide`: takes no answer at all.
    Slide,
}

/// A validated question: what players see, plus the key.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub kind: QuestionKind,
    /// `slide`: its heading, if it has one.
    pub title: Option<String>,
    pub text: String,
    pub choices: Vec<String>,
    pub time_limit_ms: u64,
    /// The get-ready time: answering opens this long after the question is shown.
    pub read_ms: u64,
    pub points: Points,
    pub key: AnswerKey,
    /// Sent in `question_closed` only.
    pub explanation: Option<String>,
    pub typo: Typo,
    /// `multi`: a partly right answer earns part of the points.
    pub partial: bool,
    /// `slider`: its range and step.
    pub slider: Option<SliderRange>,
    /// `order`: the items in the right order (players get them shuffled, from the room).
    pub items: Vec<String>,
    /// The question's media, checked (alt text trimmed).
    pub media: Option<QuestionMedia>,
}

/// A validated quiz, ready to be played.
#[derive(Debug, Clone, PartialEq)]
pub struct Quiz {
    pub title: String,
    pub questions: Vec<Question>,
    /// The quiz's language tag, trimmed (see [`QuizDoc::lang`]).
    pub lang: Option<String>,
}

impl Question {
    /// The player-facing view of this question, at the moment it opens.
    pub fn view(&self, index: u32, total: u32) -> QuestionView {
        QuestionView {
            index,
            total,
            kind: self.kind,
            title: self.title.clone(),
            text: self.text.clone(),
            choices: self.choices.clone(),
            time_limit_ms: self.time_limit_ms,
            remaining_ms: self.time_limit_ms,
            opens_in_ms: self.read_ms,
            points: self.points,
            team_talk_ms: 0,
            slider: self.slider,
            items: None,
            no_time_limit: false,
            choice_order: None,
            answered: None,
            media: None,
            shapes_only: false,
        }
    }

    /// Whether this question adds to scores at all.
    pub fn is_scored(&self) -> bool {
        !matches!(
            self.key,
            AnswerKey::Poll | AnswerKey::Words | AnswerKey::Slide
        ) && self.points != Points::NoPoints
    }

    /// Whether this is a `slide`: shown, not asked.
    pub fn is_slide(&self) -> bool {
        self.kind == QuestionKind::Slide
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
        let read_s = self.read_s.unwrap_or(DEFAULT_READ_S);
        if read_s > MAX_READ_S {
            return Err(whole("read_s", &read_s_message()));
        }
        let questions = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| q.validate(i, read_s))
            .collect::<Result<Vec<_>, _>>()?;
        let lang = match &self.lang {
            Some(raw) => Some(lang_tag(raw).map_err(|m| whole("lang", &m))?),
            None => None,
        };
        Ok(Quiz {
            title,
            questions,
            lang,
        })
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
                    QuestionKind::Slider
                    | QuestionKind::Order
                    | QuestionKind::WordCloud
                    | QuestionKind::Slide => (false, false, false),
                };
                let slider = q.kind == QuestionKind::Slider;
                let slide = q.kind == QuestionKind::Slide;
                // Neither kind scores; a slide has no timer and no get-ready time either.
                let unscored = matches!(q.kind, QuestionKind::WordCloud | QuestionKind::Slide);
                QuestionDoc {
                    title: q
                        .title
                        .as_deref()
                        .map(str::trim)
                        .filter(|t| slide && !t.is_empty())
                        .map(str::to_owned),
                    text: trim(&q.text),
                    points: q.points.filter(|_| !unscored),
                    time_limit_s: q.time_limit_s.filter(|_| !slide),
                    read_s: q.read_s.filter(|_| !slide),
                    choices: trim_all(&q.choices).filter(|_| choices),
                    correct: q.correct.clone().filter(|_| correct),
                    accept: trim_all(&q.accept).filter(|_| accept),
                    explanation: q
                        .explanation
                        .as_deref()
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_owned),
                    typo: q.typo.filter(|_| q.kind == QuestionKind::TypeAnswer),
                    partial: q.partial.filter(|_| q.kind == QuestionKind::Multi),
                    min: q.min.filter(|_| slider),
                    max: q.max.filter(|_| slider),
                    step: q.step.filter(|_| slider),
                    correct_value: q.correct_value.filter(|_| slider),
                    tolerance: q.tolerance.filter(|_| slider),
                    items: trim_all(&q.items).filter(|_| q.kind == QuestionKind::Order),
                    media: q.media.as_ref().map(|m| QuestionMedia {
                        alt: m.alt.trim().to_owned(),
                        ..m.clone()
                    }),
                    ..q.clone()
                }
            })
            .collect();
        QuizDoc {
            title: trim(&self.title),
            questions,
            read_s: self.read_s,
            lang: self.lang.as_deref().map(str::trim).map(str::to_owned),
        }
    }
}

/// `raw` trimmed if it has a BCP-47 language tag's shape: a 2- or 3-letter language, then
/// subtags of 1 to 8 letters or digits joined by `-`, at most [`MAX_LANG_CHARS`] in all.
/// (The shape only: whether the registry knows the language is the browser's business.)
fn lang_tag(raw: &str) -> Result<String, String> {
    let what = "lang (the quiz's language)";
    let tag = bounded(raw, MAX_LANG_CHARS, what)?;
    let mut subtags = tag.split('-');
    let language = subtags.next().unwrap_or_default();
    let language_ok =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if language_ok && rest_ok {
        Ok(tag)
    } else {
        Err(format!(
            "{what} must be a language tag such as en, de or fr-CA"
        ))
    }
}

fn read_s_message() -> String {
    format!("read_s (the get-ready time) must be between 0 and {MAX_READ_S} seconds")
}

impl QuestionDoc {
    /// Checks one question; `quiz_read_s` is the quiz's get-ready time, which its own wins over.
    fn validate(&self, index: usize, quiz_read_s: u32) -> Result<Question, QuizError> {
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
        let unused = unused.or(match self.kind {
            QuestionKind::TypeAnswer => None,
            _ if self.typo.is_some() => {
                Some(("typo", "only a type_answer question has `typo`; remove it"))
            }
            _ => None,
        });
        let unused = unused.or(match self.kind {
            QuestionKind::Multi => None,
            _ if self.partial.is_some() => Some((
                "partial",
                "only a multi question gives partial credit; remove `partial`",
            )),
            _ => None,
        });
        let unused = unused.or(match self.kind {
            QuestionKind::Slider if self.choices.is_some() => Some((
                "choices",
                "a slider question has no choices; remove `choices`",
            )),
            QuestionKind::Slider if self.correct.is_some() => Some((
                "correct",
                "a slider question gives its answer in `correct_value`; remove `correct`",
            )),
            QuestionKind::Slider if self.accept.is_some() => Some((
                "accept",
                "only a type_answer question has `accept`; remove it",
            )),
            QuestionKind::Slider => None,
            QuestionKind::Order if self.choices.is_some() => Some((
                "choices",
                "an order question lists its items in `items`; remove `choices`",
            )),
            QuestionKind::Order if self.correct.is_some() => Some((
                "correct",
                "an order question's items are written in the right order; remove `correct`",
            )),
            QuestionKind::Order if self.accept.is_some() => Some((
                "accept",
                "only a type_answer question has `accept`; remove it",
            )),
            _ => [
                ("min", self.min.is_some()),
                ("max", self.max.is_some()),
                ("step", self.step.is_some()),
                ("correct_value", self.correct_value.is_some()),
                ("tolerance", self.tolerance.is_some()),
            ]
            .into_iter()
            .find(|(_, given)| *given)
            .map(|(field, _)| (field, "only a slider question has this field; remove it")),
        });
        let unused = unused.or(match self.kind {
            QuestionKind::Order => None,
            _ if self.items.is_some() => {
                Some(("items", "only an order question has `items`; remove it"))
            }
            _ => None,
        });
        let unused = unused.or(match self.kind {
            QuestionKind::WordCloud | QuestionKind::Slide => {
                let what = if self.kind == QuestionKind::Slide {
                    "a slide takes no answers"
                } else {
                    "a word_cloud question has no right answer"
                };
                [
                    ("choices", self.choices.is_some()),
                    ("correct", self.correct.is_some()),
                    ("accept", self.accept.is_some()),
                ]
                .into_iter()
                .find(|(_, given)| *given)
                .map(|(field, _)| (field, what))
            }
            _ => None,
        });
        let unused = unused.or(match self.kind {
            QuestionKind::Slide
                if self
                    .explanation
                    .as_deref()
                    .is_some_and(|e| !e.trim().is_empty()) =>
            {
                Some((
                    "explanation",
                    "a slide has no reveal to explain; put the text in `text`",
                ))
            }
            QuestionKind::Slide => None,
            _ if self.title.is_some() => Some((
                "title",
                "only a slide has a `title`; put the question in `text`",
            )),
            _ => None,
        });
        if let Some((field, message)) = unused {
            return Err(err(field, message.into()));
        }
        let slider = match self.kind {
            QuestionKind::Slider => Some(self.slider_range().map_err(|(f, m)| err(f, m))?),
            _ => None,
        };
        // A slide ignores the timing fields (the editor sends them for every kind).
        let slide = self.kind == QuestionKind::Slide;
        let title = match self.title.as_deref() {
            Some(t)
                if slide
                    && (t.len() > MAX_TITLE_CHARS * BYTES_PER_CHAR || !t.trim().is_empty()) =>
            {
                Some(
                    bounded(t, MAX_TITLE_CHARS, "the slide's title")
                        .map_err(|m| err("title", m))?,
                )
            }
            _ => None,
        };
        let read_s = self.read_s.unwrap_or(quiz_read_s);
        if read_s > MAX_READ_S && !slide {
            return Err(err("read_s", read_s_message()));
        }
        // An empty explanation is no explanation (the editor sends its empty box as "").
        let explanation = match self.explanation.as_deref() {
            Some(e) if e.len() > MAX_EXPLANATION_CHARS * BYTES_PER_CHAR || !e.trim().is_empty() => {
                Some(
                    bounded(e, MAX_EXPLANATION_CHARS, "the explanation")
                        .map_err(|m| err("explanation", m))?,
                )
            }
            _ => None,
        };
        let media = match &self.media {
            Some(m) => Some(m.checked().map_err(|m| err("media", m))?),
            None => None,
        };
        let limit_s = self.time_limit_s.unwrap_or(DEFAULT_TIME_LIMIT_S);
        if !(MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&limit_s) && !slide {
            return Err(err(
                "time_limit_s",
                format!("time_limit_s must be between {MIN_TIME_LIMIT_S} and {MAX_TIME_LIMIT_S}"),
            ));
        }
        let points = match self.kind {
            QuestionKind::WordCloud | QuestionKind::Slide => Points::NoPoints,
            _ => self.points.unwrap_or_default(),
        };
        let choices: Vec<String> = match self.kind {
            QuestionKind::TrueFalse => vec!["True".into(), "False".into()],
            QuestionKind::TypeAnswer
            | QuestionKind::Slider
            | QuestionKind::Order
            | QuestionKind::WordCloud
            | QuestionKind::Slide => Vec::new(),
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
        let items = match self.kind {
            QuestionKind::Order => self.order_items().map_err(|m| err("items", m))?,
            _ => Vec::new(),
        };
        let key = match self.kind {
            QuestionKind::Order => AnswerKey::Order,
            QuestionKind::WordCloud => AnswerKey::Words,
            QuestionKind::Slide => AnswerKey::Slide,
            QuestionKind::Slider => {
                let range = slider.unwrap_or(SliderRange {
                    min: 0,
                    max: 0,
                    step: 1,
                });
                let value = self.correct_value.ok_or_else(|| {
                    err(
                        "correct_value",
                        "a slider question needs `correct_value`".into(),
                    )
                })?;
                if !range.allows(value) {
                    return Err(err(
                        "correct_value",
                        format!(
                            "correct_value must be between {} and {} on a step of {}",
                            range.min, range.max, range.step
                        ),
                    ));
                }
                let tolerance = self.tolerance.unwrap_or(0);
                if !(0..=range.max - range.min).contains(&tolerance) {
                    return Err(err(
                        "tolerance",
                        format!(
                            "tolerance must be between 0 and {} (max - min)",
                            range.max - range.min
                        ),
                    ));
                }
                AnswerKey::Slider { value, tolerance }
            }
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
        // A slide has no timer: it stays up until the host moves on.
        let (time_limit_ms, read_ms) = if slide {
            (0, 0)
        } else {
            (u64::from(limit_s) * 1000, u64::from(read_s) * 1000)
        };
        Ok(Question {
            kind: self.kind,
            title,
            text,
            choices,
            time_limit_ms,
            read_ms,
            points,
            key,
            explanation,
            typo: self.typo.unwrap_or_default(),
            partial: self.partial.unwrap_or(false),
            slider,
            items,
            media,
        })
    }

    /// An order question's items, checked: 3 to 6, each bounded like a choice, no two alike.
    fn order_items(&self) -> Result<Vec<String>, String> {
        let given = self.items.as_deref().unwrap_or_default();
        if !(3..=6).contains(&given.len()) {
            return Err(format!("needs 3 to 6 items, has {}", given.len()));
        }
        let mut out: Vec<String> = Vec::with_capacity(given.len());
        for (i, item) in given.iter().enumerate() {
            let item = bounded(item, MAX_CHOICE_CHARS, &format!("item {}", i + 1))?;
            if out.contains(&item) {
                return Err(format!("item {} repeats an earlier item", i + 1));
            }
            out.push(item);
        }
        Ok(out)
    }

    /// A slider's `min`, `max` and `step`, checked: whole numbers within [`MAX_SLIDER_ABS`],
    /// `min < max`, a step that divides `max - min`, at most [`MAX_SLIDER_POSITIONS`]
    /// positions. The error names the field at fault.
    fn slider_range(&self) -> Result<SliderRange, (&'static str, String)> {
        let bounded = |field: &'static str, v: Option<i64>| match v {
            None => Err((field, format!("a slider question needs `{field}`"))),
            Some(v) if v.abs() > MAX_SLIDER_ABS => Err((
                field,
                format!("`{field}` must be between -{MAX_SLIDER_ABS} and {MAX_SLIDER_ABS}"),
            )),
            Some(v) => Ok(v),
        };
        let min = bounded("min", self.min)?;
        let max = bounded("max", self.max)?;
        if min >= max {
            return Err(("max", "max must be greater than min".into()));
        }
        let step = self.step.unwrap_or(1);
        if step <= 0 || (max - min) % step != 0 {
            return Err((
                "step",
                format!(
                    "step must be a positive number that divides max - min ({})",
                    max - min
                ),
            ));
        }
        if (max - min) / step + 1 > MAX_SLIDER_POSITIONS {
            return Err((
                "step",
                format!("a slider has at most {MAX_SLIDER_POSITIONS} positions; use a larger step"),
            ));
        }
        Ok(SliderRange { min, max, step })
    }
}
