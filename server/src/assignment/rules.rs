//! One attempt's rules: which question is shown, when answering opens and closes, what an
//! answer earns, and when the attempt is over. Synchronous, no clock reads: every call takes
//! `now` in unix milliseconds, the unit stored in the database, so an attempt taken up on
//! another node (or after a restart) continues from its stored state.

use crate::room::scoring::{self, Mismatch};
use quizrace_protocol::{AnswerValue, ErrorCode, Mode, Quiz, ServerMsg, ANSWER_GRACE_MS};

/// Where an attempt is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// No question shown yet.
    Start,
    /// Question `index` was shown at `shown_ms` (shifted forward by any time the server was
    /// down, see `store::assignments`); answering opens after its get-ready time.
    Open { index: u32, shown_ms: i64 },
    /// Question `index` is over: answered, or its time ran out.
    Closed { index: u32, answered: bool },
    /// Every question is over.
    Done,
}

/// One answer as the attempt counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub index: u32,
    pub correct: Option<bool>,
    pub points: i64,
}

/// A stored answer, and what the socket says about it: `answer_ack`, then the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub index: u32,
    pub elapsed_ms: u64,
    pub correct: Option<bool>,
    pub points: i64,
    /// The answer as stored (in the quiz's order).
    pub value: AnswerValue,
}

/// Why a player's message was refused. Nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("the deadline has passed")]
    Closed,
    #[error("wrong question")]
    WrongQuestion,
    #[error("too early")]
    TooEarly,
    #[error("too late")]
    TooLate,
    #[error("already answered")]
    AlreadyAnswered,
    #[error("a slide takes no answer")]
    Slide,
    #[error("the question is still open")]
    StillOpen,
    #[error("the attempt is over")]
    Over,
    #[error("{}", .0.message)]
    Mismatch(Mismatch),
}

impl RuleError {
    pub fn to_msg(&self) -> ServerMsg {
        match self {
            RuleError::Closed => ServerMsg::error_code(ErrorCode::AssignmentClosed),
            RuleError::WrongQuestion => ServerMsg::error_code(ErrorCode::WrongQuestion),
            RuleError::TooEarly => ServerMsg::error_code(ErrorCode::TooEarly),
            RuleError::TooLate => ServerMsg::error_code(ErrorCode::TooLate),
            RuleError::AlreadyAnswered => ServerMsg::error_code(ErrorCode::AlreadyAnswered),
            RuleError::Slide => ServerMsg::error(
                ErrorCode::BadPhase,
                "this is a slide: there is nothing to answer; send assignment_next",
            ),
            RuleError::StillOpen => ServerMsg::error(
                ErrorCode::BadPhase,
                "answer the open question (or let its time run out) before the next one",
            ),
            RuleError::Over => ServerMsg::error(ErrorCode::BadPhase, "this attempt is over"),
            RuleError::Mismatch(m) => ServerMsg::bad_field(m.field, m.message.clone()),
        }
    }
}

/// One attempt: its place, its score and streak, and the assignment's deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub at: At,
    pub score: i64,
    /// Correct answers in a row up to now (the classic streak bonus).
    pub streak: u32,
    pub correct: u32,
    pub deadline_ms: i64,
}

impl Attempt {
    pub fn new(deadline_ms: i64) -> Attempt {
        Attempt {
            at: At::Start,
            score: 0,
            streak: 0,
            correct: 0,
            deadline_ms,
        }
    }

    /// An attempt as stored: its place and its answers (in question order).
    pub fn restore(deadline_ms: i64, at: At, answers: &[Counted]) -> Attempt {
        let mut attempt = Attempt::new(deadline_ms);
        attempt.at = at;
        for a in answers {
            attempt.count(a.correct, a.points);
        }
        attempt
    }

    fn count(&mut self, correct: Option<bool>, points: i64) {
        self.score += points;
        match correct {
            Some(true) => {
                self.streak += 1;
                self.correct += 1;
            }
            Some(false) => self.streak = 0,
            None => {}
        }
    }

    /// When the open question's answering time (and its grace) ends; `None` for a slide and
    /// when no question is open.
    pub fn closes_at(&self, quiz: &Quiz) -> Option<i64> {
        let At::Open { index, shown_ms } = self.at else {
            return None;
        };
        let q = &quiz.questions[index as usize];
        (!q.is_slide()).then(|| shown_ms + (q.read_ms + q.time_limit_ms + ANSWER_GRACE_MS) as i64)
    }

    /// Milliseconds of answering time left on the open question at `now` (the whole limit
    /// during its get-ready time), and of get-ready time left.
    pub fn time_left(&self, quiz: &Quiz, now: i64) -> Option<(u64, u64)> {
        let At::Open { index, shown_ms } = self.at else {
            return None;
        };
        let q = &quiz.questions[index as usize];
        let opens = shown_ms + q.read_ms as i64;
        let ends = opens + q.time_limit_ms as i64;
        let left = (ends - now.max(opens)).max(0) as u64;
        Some((left, (opens - now).max(0) as u64))
    }

    /// The open question's time ran out by `now`: it closes unanswered. `Some(index)` when it
    /// did just now (the socket sends its result); a stale wake-up changes nothing.
    pub fn tick(&mut self, quiz: &Quiz, now: i64) -> Option<u32> {
        let At::Open { index, .. } = self.at else {
            return None;
        };
        if self.closes_at(quiz).is_some_and(|t| now >= t) {
            self.streak = 0;
            self.at = At::Closed {
                index,
                answered: false,
            };
            return Some(index);
        }
        None
    }

    /// `assignment_next` (and the first question): shows the next question, or ends the
    /// attempt after the last. Refused while a question is open (a slide moves on at once).
    pub fn next(&mut self, quiz: &Quiz, now: i64) -> Result<At, RuleError> {
        if now >= self.deadline_ms {
            return Err(RuleError::Closed);
        }
        let total = quiz.questions.len() as u32;
        let following = match self.at {
            At::Start => 0,
            At::Open { index, .. } if quiz.questions[index as usize].is_slide() => index + 1,
            At::Open { .. } => return Err(RuleError::StillOpen),
            At::Closed { index, .. } => index + 1,
            At::Done => return Err(RuleError::Over),
        };
        self.at = if following >= total {
            At::Done
        } else {
            At::Open {
                index: following,
                shown_ms: now,
            }
        };
        Ok(self.at)
    }

    /// An answer to question `index` at `now`: judged and scored as in a classic live game
    /// (`secret`: the game's, which an `order` question's item ids come from).
    pub fn answer(
        &mut self,
        quiz: &Quiz,
        secret: &str,
        index: u32,
        value: AnswerValue,
        now: i64,
    ) -> Result<Answered, RuleError> {
        if now >= self.deadline_ms {
            return Err(RuleError::Closed);
        }
        let (open, shown_ms) = match self.at {
            At::Open { index, shown_ms } => (index, shown_ms),
            At::Closed {
                index: closed,
                answered,
            } if closed == index => {
                return Err(if answered {
                    RuleError::AlreadyAnswered
                } else {
                    RuleError::TooLate
                })
            }
            At::Done => return Err(RuleError::Over),
            At::Start | At::Closed { .. } => return Err(RuleError::WrongQuestion),
        };
        if index != open {
            return Err(RuleError::WrongQuestion);
        }
        let q = &quiz.questions[index as usize];
        if q.is_slide() {
            return Err(RuleError::Slide);
        }
        let opens = shown_ms + q.read_ms as i64;
        if now < opens {
            return Err(RuleError::TooEarly);
        }
        let elapsed_ms = (now - opens) as u64;
        if elapsed_ms > q.time_limit_ms + ANSWER_GRACE_MS {
            return Err(RuleError::TooLate);
        }
        let judged = scoring::judge_given(q, index, secret, &value).map_err(RuleError::Mismatch)?;
        // Alone, every correct answer is the first: classic scoring has no use for it.
        let points = scoring::points(
            Mode::Classic,
            q,
            &value,
            judged,
            elapsed_ms,
            self.streak,
            true,
        );
        self.count(judged.correct, points);
        self.at = At::Closed {
            index,
            answered: true,
        };
        Ok(Answered {
            index,
            elapsed_ms,
            correct: judged.correct,
            points,
            value,
        })
    }
}
