//! Answers to the open question: checking and scoring one, the host's throttled count, closing
//! early once everyone answered, and what a closed question's answers come to (the reveal, and
//! each player's score and streak).

use super::{
    ConnId, Effect, Effects, Given, LastResult, Phase, Room, Target, Write, ANSWER_COUNT_EVERY,
};
use crate::room::scoring::{self, Mismatch};
use crate::room::{cloud, order};
use quizrace_protocol::{
    AnswerKey, AnswerValue, ErrorCode, FirstCorrect, Mode, PlayerId, Question, QuestionPoints,
    Reveal, ServerMsg, SliderReveal, ANSWER_GRACE_MS,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// Why an `answer` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("wrong question")]
    WrongQuestion,
    #[error("too early")]
    TooEarly,
    #[error("too late")]
    TooLate,
    #[error("already answered")]
    AlreadyAnswered,
    /// A slide is on show: there is nothing to answer.
    #[error("a slide takes no answer")]
    Slide,
    #[error("{}", .0.message)]
    Mismatch(Mismatch),
}

impl AnswerError {
    pub(super) fn to_msg(&self) -> ServerMsg {
        match self {
            AnswerError::WrongQuestion => ServerMsg::error_code(ErrorCode::WrongQuestion),
            AnswerError::TooEarly => ServerMsg::error_code(ErrorCode::TooEarly),
            AnswerError::TooLate => ServerMsg::error_code(ErrorCode::TooLate),
            AnswerError::AlreadyAnswered => ServerMsg::error_code(ErrorCode::AlreadyAnswered),
            AnswerError::Slide => ServerMsg::error(
                ErrorCode::BadPhase,
                "this is a slide: there is nothing to answer; wait for the next question",
            ),
            AnswerError::Mismatch(m) => ServerMsg::bad_field(m.field, m.message.clone()),
        }
    }
}

/// Answers per choice; for `type_answer`, `slider` and `order`, which have no choices,
/// `[correct, wrong]`; none for a `word_cloud`, whose reveal counts its `words`.
pub(super) fn tally(q: &Question, answers: &HashMap<PlayerId, Given>) -> Vec<u32> {
    if q.key == AnswerKey::Words {
        return Vec::new();
    }
    let mut counts = vec![0u32; q.choices.len().max(2)];
    for g in answers.values() {
        match &g.value {
            AnswerValue::Choice(c) => counts[*c as usize] += 1,
            AnswerValue::Choices(cs) => {
                let mut cs = cs.clone();
                cs.sort_unstable();
                cs.dedup();
                for c in cs {
                    counts[c as usize] += 1;
                }
            }
            // A slider's answers are counted like a typed answer's; its histogram is apart.
            AnswerValue::Text(_) | AnswerValue::Value(_) | AnswerValue::Order(_) => {
                counts[usize::from(g.correct != Some(true))] += 1
            }
        }
    }
    counts
}

impl Room {
    pub(super) fn answer(
        &mut self,
        id: PlayerId,
        index: u32,
        value: AnswerValue,
        at: Instant,
        now: Instant,
        fx: &mut Effects,
    ) -> Result<(), AnswerError> {
        // A phone with its own choice order answers in shown places: from here on, the quiz's.
        let order = (index < self.total())
            .then(|| self.choice_order(index, Some(id)))
            .flatten();
        let value = match order {
            Some(order) => super::super::shuffle::to_quiz_order(&order, value),
            None => value,
        };
        let mode = self.settings.mode;
        let game = self.settings.game_id;
        let quiz = Arc::clone(&self.quiz);
        let secret = self.settings.host_key.clone();
        let streak_before = self.players[id.0 as usize - 1].streak;
        if matches!(self.phase, super::Phase::Slide { index: on_show, .. } if on_show == index) {
            return Err(AnswerError::Slide);
        }
        let Phase::Question {
            index: open,
            opened_at,
            answers,
            ..
        } = &mut self.phase
        else {
            return Err(if self.last_index == Some(index) {
                AnswerError::TooLate
            } else {
                AnswerError::WrongQuestion
            });
        };
        if index != *open {
            return Err(AnswerError::WrongQuestion);
        }
        let q = &quiz.questions[index as usize];
        if at < *opened_at {
            return Err(AnswerError::TooEarly);
        }
        let elapsed_ms = at.saturating_duration_since(*opened_at).as_millis() as u64;
        if elapsed_ms > q.time_limit_ms + ANSWER_GRACE_MS {
            return Err(AnswerError::TooLate);
        }
        let judged =
            scoring::judge_given(q, index, &secret, &value).map_err(AnswerError::Mismatch)?;
        let correct = judged.correct;
        // A poll vote may change while the poll is open; everything else is final.
        if answers.contains_key(&id) && q.key != AnswerKey::Poll {
            return Err(AnswerError::AlreadyAnswered);
        }
        // A word cloud keeps the words as checked: trimmed, one space between them.
        let value = match (&q.key, value) {
            (AnswerKey::Words, AnswerValue::Text(t)) => {
                AnswerValue::Text(cloud::answer(&t).map_err(AnswerError::Mismatch)?)
            }
            (_, value) => value,
        };
        let first = correct == Some(true) && !answers.values().any(|g| g.correct == Some(true));
        let points = scoring::points(mode, q, &value, judged, elapsed_ms, streak_before, first);
        answers.insert(
            id,
            Given {
                value: value.clone(),
                elapsed_ms,
                correct,
                points,
            },
        );
        fx.push(Effect::Persist(Write::Answer {
            game,
            index,
            player: id,
            elapsed_ms,
            correct,
            points,
            answer: value,
        }));
        fx.push(Effect::Send(
            Target::Player(id),
            ServerMsg::AnswerAck { index, elapsed_ms },
        ));
        if mode == Mode::Race && first {
            self.close_question(now, fx);
        } else {
            self.count_changed(now, fx);
            self.close_if_all_answered(now, fx);
        }
        Ok(())
    }

    /// Tells the host the answer count, at most once per [`ANSWER_COUNT_EVERY`].
    pub(super) fn count_changed(&mut self, now: Instant, fx: &mut Effects) {
        let total = self.active_count();
        let Phase::Question {
            count_sent_at,
            count_dirty,
            ..
        } = &mut self.phase
        else {
            return;
        };
        if count_sent_at.is_some_and(|at| now < at + ANSWER_COUNT_EVERY) {
            *count_dirty = true;
            return;
        }
        *count_sent_at = Some(now);
        *count_dirty = false;
        if let Some(count) = self.answer_count(total) {
            fx.push(Effect::Send(Target::Watchers, count));
        }
    }

    /// The open question's `answer_count`, if a question is open.
    pub(super) fn answer_count(&self, total: u32) -> Option<ServerMsg> {
        let Phase::Question { index, answers, .. } = &self.phase else {
            return None;
        };
        let q = &self.quiz.questions[*index as usize];
        // A poll's votes are no secret, and change as players change their minds.
        let votes = (q.key == AnswerKey::Poll).then(|| tally(q, answers));
        Some(ServerMsg::AnswerCount {
            index: *index,
            answered: answers.len() as u32,
            total: total + self.gone_answered(answers),
            votes,
        })
    }

    /// After the snapshot, a host or screen that arrives during a poll gets the votes so far:
    /// `room_state` carries the count but not the chart.
    pub(super) fn poll_so_far(&self, conn: ConnId, fx: &mut Effects) {
        if let Some(count @ ServerMsg::AnswerCount { votes: Some(_), .. }) =
            self.answer_count(self.active_count())
        {
            fx.push(Effect::Send(Target::Conn(conn), count));
        }
    }

    pub(super) fn close_if_all_answered(&mut self, now: Instant, fx: &mut Effects) {
        let Phase::Question {
            answers,
            grace_until,
            ..
        } = &self.phase
        else {
            return;
        };
        if grace_until.is_some_and(|until| now < until) {
            return; // someone just dropped: `tick` checks again when the grace ends
        }
        // Nobody there: let the timer run, players may come back. Fewer answers than
        // connected players: someone connected has not answered (the common case, in O(1)).
        if self.connected == 0 || (answers.len() as u32) < self.connected {
            return;
        }
        let all = self
            .players
            .iter()
            .filter(|p| p.is_active() && p.conn.is_some())
            .all(|p| answers.contains_key(&p.id));
        if all {
            self.close_question(now, fx);
        }
    }

    /// Answers to the open question from players who have left since: they count. None when
    /// nobody has left, in O(1): the host's count asks every [`ANSWER_COUNT_EVERY`], and a
    /// look at each of a million answers each time was half of a giant room's owner's work.
    pub(super) fn gone_answered(&self, answers: &HashMap<PlayerId, Given>) -> u32 {
        if self.players.len() == self.active_count() as usize {
            return 0;
        }
        answers
            .keys()
            .filter(|id| self.player(**id).is_some_and(|p| !p.is_active()))
            .count() as u32
    }

    /// Question `index`'s reveal from its answers, those of players who left since included:
    /// `total` is everyone still in the room and everyone who answered.
    pub(super) fn reveal_of(&self, index: u32, answers: &HashMap<PlayerId, Given>) -> Reveal {
        let q: &Question = &self.quiz.questions[index as usize];
        let first_correct = answers
            .iter()
            .filter(|(_, g)| g.correct == Some(true))
            .min_by_key(|(id, g)| (g.elapsed_ms, **id))
            .map(|(id, g)| FirstCorrect {
                player_id: *id,
                name: self.players[id.0 as usize - 1].name.clone(),
                elapsed_ms: g.elapsed_ms,
            });
        let (correct, accept) = match &q.key {
            AnswerKey::Choices(c) => (Some(c.clone()), None),
            AnswerKey::Accept(a) => (None, Some(a.clone())),
            AnswerKey::Poll
            | AnswerKey::Slider { .. }
            | AnswerKey::Order
            | AnswerKey::Words
            | AnswerKey::Slide => (None, None),
        };
        let (words, filtered) = if q.key == AnswerKey::Words {
            // In the order they were given, so that a tie of spellings goes to the first.
            let mut given: Vec<(&PlayerId, &Given)> = answers.iter().collect();
            given.sort_by_key(|(id, g)| (g.elapsed_ms, **id));
            let texts = given.into_iter().filter_map(|(_, g)| match &g.value {
                AnswerValue::Text(t) => Some(t.as_str()),
                _ => None,
            });
            let (words, filtered) = cloud::cloud(texts, &self.settings.blocked_words);
            (Some(words), Some(filtered))
        } else {
            (None, None)
        };
        let correct_order = (q.key == AnswerKey::Order)
            .then(|| order::ids(&self.settings.host_key, index, q.items.len()));
        let slider = match (&q.key, q.slider) {
            (AnswerKey::Slider { value, tolerance }, Some(range)) => Some(Box::new(SliderReveal {
                correct_value: *value,
                tolerance: *tolerance,
                values: range.histogram(answers.values().filter_map(|g| match g.value {
                    AnswerValue::Value(v) => Some(v),
                    _ => None,
                })),
            })),
            _ => None,
        };
        Reveal {
            index,
            correct,
            accept,
            counts: tally(q, answers),
            answered: answers.len() as u32,
            total: self.active_count() + self.gone_answered(answers),
            first_correct,
            explanation: q.explanation.clone(),
            slider,
            correct_order,
            words,
            filtered,
        }
    }

    /// Applies question `index`'s answers to every player: last result, score, streak.
    pub(super) fn settle(&mut self, index: u32, answers: &HashMap<PlayerId, Given>) {
        let q: &Question = &self.quiz.questions[index as usize];
        if q.is_slide() {
            return; // shown, not asked: nobody's result changes
        }
        let scored = q.is_scored();
        // Only those in the game when the question opened: a restore settles every stored
        // question for every player, and a late joiner was not asked the earlier ones.
        for p in self.players.iter_mut().filter(|p| p.first_index <= index) {
            let given = answers.get(&p.id);
            p.last = LastResult {
                index,
                answered: given.is_some(),
                correct: given.and_then(|g| g.correct),
                points: given.map_or(0, |g| g.points),
                picks: given.and_then(|g| scoring::picks(q, &g.value)),
            };
            if let Some(g) = given {
                p.score += g.points;
                // Only answers that scored break ties: being right on a question worth
                // nothing must not cost rank.
                if g.points > 0 {
                    p.correct_ms += g.elapsed_ms;
                }
            }
            if scored {
                // In race mode only the winner's answer counts as a run of correct answers.
                let right = given.is_some_and(|g| {
                    g.correct == Some(true) && (self.settings.mode == Mode::Classic || g.points > 0)
                });
                p.streak = if right { p.streak + 1 } else { 0 };
                p.best_streak = p.best_streak.max(p.streak);
            }
            p.history.push(QuestionPoints {
                index,
                answered: p.last.answered,
                correct: p.last.correct,
                points: p.last.points,
            });
        }
        self.settle_teams(index, answers);
    }
}
