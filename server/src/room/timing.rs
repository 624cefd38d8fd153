//! How long a room's questions run: the host's `time_factor` and `no_time_limit` applied to
//! the quiz's own limits once, when the room is built, so the rules, the scoring and the
//! question frames all read one number per question.

use quizrace_protocol::{HostOptions, Quiz, NO_TIME_LIMIT_CAP_MS};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Every answering time is multiplied by this (0.5 to 3; the parser checks the range).
    pub time_factor: f64,
    /// Questions stay open until everyone answered or the host closes them.
    pub no_time_limit: bool,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            time_factor: 1.0,
            no_time_limit: false,
        }
    }
}

impl From<HostOptions> for Timing {
    fn from(p: HostOptions) -> Self {
        Timing {
            time_factor: p.time_factor.unwrap_or(1.0),
            no_time_limit: p.no_time_limit.unwrap_or(false),
        }
    }
}

impl Timing {
    /// A question's answering time in this room, from the quiz's. Without time limits a
    /// question still has the safety cap (a room whose host walked away ends by itself).
    pub fn limit_ms(&self, quiz_ms: u64) -> u64 {
        if self.no_time_limit {
            NO_TIME_LIMIT_CAP_MS
        } else {
            (quiz_ms as f64 * self.time_factor).round() as u64
        }
    }

    /// The quiz as this room plays it: the same questions with their answering times set.
    pub fn apply(&self, quiz: Arc<Quiz>) -> Arc<Quiz> {
        if *self == Timing::default() {
            return quiz;
        }
        let mut timed = Quiz::clone(&quiz);
        for q in &mut timed.questions {
            q.time_limit_ms = self.limit_ms(q.time_limit_ms);
        }
        Arc::new(timed)
    }
}
