//! One socket's attempt at a self-paced assignment: `assignment_join` / `assignment_resume`,
//! then `answer` and `assignment_next`, and the open question's personal timer. The rules are
//! [`crate::assignment::rules`]; everything an attempt is lives in the database, read when the
//! socket takes it up and written at every step before the player is told, so any node can
//! serve it and a restart loses nothing acknowledged. A socket that takes an attempt up
//! replaces the one that held it (which learns so at its next step: `replaced`).

use super::{blocking, Bound, Conn};
use crate::assignment::rules::{At, Attempt, Counted};
use crate::room::Out;
use crate::room::Timing;
use crate::room::{order, shuffle};
use crate::secret::{random_hex, secret_hash};
use crate::store::{unix_now_ms, AssignmentInfo, StartRefused};
use quizrace_protocol::{
    AnswerKey, AnswerValue, ErrorCode, GameId, PlayerId, QuestionKind, QuestionView, Quiz,
    ServerMsg, MAX_IDENTIFIER_CHARS,
};
use std::sync::Arc;
use tokio::time::Instant;
use tracing::{debug, info};

/// The attempt a socket serves.
pub(super) struct Session {
    game: GameId,
    player: PlayerId,
    /// This socket's claim on the attempt; a write under any other is refused.
    holder: String,
    quiz: Arc<Quiz>,
    secret: String,
    no_time_limit: bool,
    /// Each player sees a `choice` or `multi` question's choices in an order of their own.
    shuffle_answers: bool,
    attempt: Attempt,
}

/// The assignment's quiz as its attempts play it (its time factor applied).
fn playable(info: &AssignmentInfo) -> Result<Arc<Quiz>, ErrorCode> {
    let quiz = info.doc.validate().map_err(|_| ErrorCode::Internal)?;
    let timing = Timing {
        time_factor: info.time_factor,
        no_time_limit: info.no_time_limit,
    };
    Ok(timing.apply(Arc::new(quiz)))
}

/// The identifier as stored, or why it is refused (`bad_field` `identifier`; `label`: what
/// the assignment asks for).
fn checked_identifier(label: &str, given: Option<&str>) -> Result<String, String> {
    let given = given.map(str::trim).unwrap_or_default();
    if given.is_empty() {
        return Err(format!("this assignment asks for your {label}"));
    }
    if given.chars().count() > MAX_IDENTIFIER_CHARS || crate::names::hidden_char(given).is_some() {
        return Err(format!(
            "the {label} is at most {MAX_IDENTIFIER_CHARS} visible characters on one line"
        ));
    }
    Ok(given.to_owned())
}

impl Session {
    fn total(&self) -> u32 {
        self.quiz.questions.len() as u32
    }

    /// This player's order of question `index`'s choices (the quiz's index of each as
    /// shown), when the assignment shuffles them: the live room's rule, drawn from the game's
    /// secret and the player, so a resumed attempt gets the same order again.
    fn choice_order(&self, index: u32) -> Option<Vec<u32>> {
        let q = self.quiz.questions.get(index as usize)?;
        let kinds = matches!(q.kind, QuestionKind::Choice | QuestionKind::Multi);
        (self.shuffle_answers && kinds)
            .then(|| shuffle::choice_order(&self.secret, index, self.player, q.choices.len()))
    }

    /// The open question as this player sees it at `now`, with the time left on it: its
    /// media by a link for this attempt only, and its choices in the player's own order.
    fn question(&self, index: u32, now: i64) -> QuestionView {
        let q = &self.quiz.questions[index as usize];
        let mut view = q.view(index, self.total());
        view.no_time_limit = self.no_time_limit;
        view.media = q.media.as_ref().and_then(|m| {
            m.view(crate::media::attempt_url(
                &m.hash,
                self.game,
                self.player,
                &self.secret,
            ))
        });
        if let Some(order) = self.choice_order(index) {
            shuffle::show_in_order(&mut view, order);
        }
        if let Some((left, opens_in)) = self.attempt.time_left(&self.quiz, now) {
            view.remaining_ms = left;
            view.opens_in_ms = opens_in;
        }
        if q.kind == QuestionKind::Order {
            view.items = Some(order::view(
                &self.secret,
                index,
                &q.items,
                Some(self.player),
            ));
        }
        view
    }

    /// What question `index` earned (`answer`: the stored answer, if any), with the right
    /// answer and the explanation.
    fn result(&self, index: u32, answer: Option<Counted>) -> ServerMsg {
        let q = &self.quiz.questions[index as usize];
        ServerMsg::AssignmentResult {
            index,
            answered: answer.is_some(),
            correct: match answer {
                Some(a) => a.correct,
                None if q.is_scored() => Some(false),
                None => None,
            },
            points: answer.map_or(0, |a| a.points),
            score: self.attempt.score,
            correct_choices: match &q.key {
                AnswerKey::Choices(c) => Some(c.clone()),
                _ => None,
            },
            explanation: q.explanation.clone(),
        }
    }
}

impl Conn {
    /// Takes this socket's attempt out of `bound` for a step (put back by [`Conn::keep`]).
    fn take_session(&mut self) -> Option<Box<Session>> {
        match std::mem::replace(&mut self.bound, Bound::Nothing) {
            Bound::Attempt(s) => Some(s),
            other => {
                self.bound = other;
                None
            }
        }
    }

    fn keep(&mut self, s: Box<Session>) {
        self.bound = Bound::Attempt(s);
    }

    /// Another socket took the attempt up: this one is told and closed.
    fn replaced(&mut self) {
        self.error(ErrorCode::Replaced);
        self.handle.push(Out::Close(1000, ""));
    }

    /// When the open question's personal timer ends, for the socket's `select!`.
    pub(super) fn attempt_wake(&self) -> Option<Instant> {
        let Bound::Attempt(s) = &self.bound else {
            return None;
        };
        let at = s.attempt.closes_at(&s.quiz)?;
        let wait = (at - unix_now_ms()).max(0) as u64;
        Some(Instant::now() + std::time::Duration::from_millis(wait))
    }

    /// The timer fired (or a message came after it): an unanswered question closes, is
    /// stored, and its result is sent. False when the socket lost the attempt.
    async fn settle_timeout(&mut self, s: &mut Session, now: i64) -> bool {
        let before = s.attempt.clone();
        let Some(index) = s.attempt.tick(&s.quiz, now) else {
            return true;
        };
        match self.save(s, now).await {
            Ok(true) => {
                self.send(s.result(index, None));
                true
            }
            Ok(false) => false,
            Err(code) => {
                s.attempt = before;
                self.error(code);
                true
            }
        }
    }

    pub(super) async fn attempt_tick(&mut self) {
        let Some(mut s) = self.take_session() else {
            return;
        };
        if self.settle_timeout(&mut s, unix_now_ms()).await {
            self.keep(s);
        } else {
            self.replaced();
        }
    }

    /// Stores the attempt's place. `Ok(false)`: another socket holds it now.
    async fn save(&self, s: &Session, now: i64) -> Result<bool, ErrorCode> {
        let store = self.app.store().clone();
        let (game, player, holder, at, score) = (
            s.game,
            s.player,
            s.holder.clone(),
            s.attempt.at,
            s.attempt.score,
        );
        blocking(move || {
            store
                .save_attempt(game, player, &holder, at, score, now)
                .map_err(|_| ErrorCode::Internal)
        })
        .await
    }

    async fn assignment(&mut self, code: String) -> Option<AssignmentInfo> {
        let store = self.app.store().clone();
        let found = blocking(move || {
            store
                .assignment_by_code(&code)
                .map_err(|_| ErrorCode::Internal)
        })
        .await;
        match found {
            Ok(Some(info)) if info.closed || unix_now_ms() >= info.deadline_ms => {
                self.error(ErrorCode::AssignmentClosed);
                None
            }
            Ok(Some(info)) => Some(info),
            Ok(None) => {
                self.join_failed(ErrorCode::NoSuchRoom).await;
                None
            }
            Err(code) => {
                self.error(code);
                None
            }
        }
    }

    /// `assignment_join`: a new attempt, then its first question.
    pub(super) async fn assignment_join(
        &mut self,
        code: String,
        name: String,
        identifier: Option<String>,
    ) {
        let Some(info) = self.assignment(code).await else {
            return;
        };
        let blocked = &self.app.config().blocked_words;
        let Some(name) =
            crate::names::clean(&name).filter(|n| !crate::names::is_blocked(n, blocked))
        else {
            return self.error(ErrorCode::BadName);
        };
        // The identifier is kept only when asked for; attempts are counted per identifier,
        // or per name when none is asked for.
        let identifier = match &info.identifier_label {
            Some(label) => match checked_identifier(label, identifier.as_deref()) {
                Ok(id) => Some(id),
                Err(why) => return self.send(ServerMsg::bad_field("identifier", why)),
            },
            None => None,
        };
        let person = identifier
            .as_deref()
            .map_or_else(|| crate::names::key(&name), str::to_lowercase);
        let quiz = match playable(&info) {
            Ok(quiz) => quiz,
            Err(code) => return self.error(code),
        };
        let (token, holder) = (random_hex(16), random_hex(16));
        let store = self.app.store().clone();
        let (game, limit, n, h, t, id) = (
            info.game_id,
            info.attempts,
            name.clone(),
            holder.clone(),
            secret_hash(&token),
            identifier.clone(),
        );
        let started = blocking(move || {
            store
                .start_attempt(game, &n, id.as_deref(), &person, &t, &h, limit)
                .map_err(|e| {
                    tracing::warn!(error = %e, "cannot start an attempt");
                    ErrorCode::Internal
                })
        })
        .await;
        let (player, attempt) = match started {
            Ok(Ok(started)) => started,
            Ok(Err(StartRefused::AttemptsUsed)) => return self.error(ErrorCode::AttemptsUsed),
            Err(code) => return self.error(code),
        };
        info!(game = %game, player = player.0, attempt, "attempt started");
        let session = Session {
            game,
            player,
            holder,
            secret: info.secret.clone(),
            no_time_limit: info.no_time_limit,
            shuffle_answers: info.shuffle_answers,
            attempt: Attempt::new(info.deadline_ms),
            quiz,
        };
        self.welcome(&info, &session, name, token, attempt);
        self.keep(Box::new(session));
        self.attempt_next().await;
    }

    fn welcome(
        &self,
        info: &AssignmentInfo,
        s: &Session,
        name: String,
        token: String,
        attempt: u32,
    ) {
        let index = match s.attempt.at {
            At::Open { index, .. } | At::Closed { index, .. } => Some(index),
            At::Start | At::Done => None,
        };
        self.send(ServerMsg::AssignmentWelcome {
            code: info.code.clone(),
            game_id: info.game_id,
            title: s.quiz.title.clone(),
            name,
            token,
            attempt,
            attempts: info.attempts,
            questions: s.total(),
            deadline_ms: info.deadline_ms,
            index,
            score: s.attempt.score,
            lang: s.quiz.lang.clone(),
        });
    }

    /// `assignment_resume`: takes the attempt up where it is stored.
    pub(super) async fn assignment_resume(&mut self, code: String, token: String) {
        let Some(info) = self.assignment(code).await else {
            return;
        };
        let quiz = match playable(&info) {
            Ok(quiz) => quiz,
            Err(code) => return self.error(code),
        };
        let holder = random_hex(16);
        let store = self.app.store().clone();
        let (game, h, t) = (info.game_id, holder.clone(), secret_hash(&token));
        let taken = blocking(move || {
            store
                .take_attempt(game, &t, &h)
                .map_err(|_| ErrorCode::Internal)
        })
        .await;
        let stored = match taken {
            Ok(Some(stored)) => stored,
            Ok(None) => return self.join_failed(ErrorCode::BadToken).await,
            Err(code) => return self.error(code),
        };
        debug!(game = %game, player = stored.player.0, at = ?stored.at, "attempt taken up");
        let mut s = Box::new(Session {
            game,
            player: stored.player,
            holder,
            secret: info.secret.clone(),
            no_time_limit: info.no_time_limit,
            shuffle_answers: info.shuffle_answers,
            attempt: Attempt::restore(info.deadline_ms, stored.at, &stored.answers),
            quiz,
        });
        self.welcome(&info, &s, stored.name, token, stored.attempt);
        let now = unix_now_ms();
        if !self.settle_timeout(&mut s, now).await {
            return self.replaced();
        }
        match s.attempt.at {
            At::Start => {
                self.keep(s);
                self.attempt_next().await;
            }
            At::Open { index, .. } => {
                self.send(ServerMsg::Question(s.question(index, now)));
                self.keep(s);
            }
            At::Closed { index, .. } => {
                let answer = stored.answers.iter().find(|a| a.index == index).copied();
                self.send(s.result(index, answer));
                self.keep(s);
            }
            At::Done => {
                self.done(&s).await;
                self.keep(s);
            }
        }
    }

    /// `assignment_next` (and the first question of a new attempt).
    pub(super) async fn attempt_next(&mut self) {
        let Some(mut s) = self.take_session() else {
            return self.error(ErrorCode::NotJoined);
        };
        let now = unix_now_ms();
        if !self.settle_timeout(&mut s, now).await {
            return self.replaced();
        }
        let before = s.attempt.clone();
        let at = match s.attempt.next(&s.quiz, now) {
            Ok(at) => at,
            Err(refused) => {
                self.send(refused.to_msg());
                return self.keep(s);
            }
        };
        match self.save(&s, now).await {
            Ok(true) => {}
            Ok(false) => return self.replaced(),
            Err(code) => {
                s.attempt = before;
                self.error(code);
                return self.keep(s);
            }
        }
        match at {
            At::Open { index, .. } => self.send(ServerMsg::Question(s.question(index, now))),
            At::Done => self.done(&s).await,
            At::Start | At::Closed { .. } => {}
        }
        self.keep(s);
    }

    /// `assignment_done`: the score and the rank so far among finished attempts.
    async fn done(&self, s: &Session) {
        let store = self.app.store().clone();
        let (game, score) = (s.game, s.attempt.score);
        match blocking(move || {
            store
                .attempt_rank(game, score)
                .map_err(|_| ErrorCode::Internal)
        })
        .await
        {
            Ok((rank, finished)) => self.send(ServerMsg::AssignmentDone {
                score,
                correct: s.attempt.correct,
                questions: s.quiz.questions.iter().filter(|q| q.is_scored()).count() as u32,
                rank,
                finished,
            }),
            Err(code) => self.error(code),
        }
    }

    /// `answer` in an attempt: judged, stored, then `answer_ack` and the result.
    pub(super) async fn attempt_answer(&mut self, index: u32, value: AnswerValue) {
        let Some(mut s) = self.take_session() else {
            return self.error(ErrorCode::NotJoined);
        };
        let now = unix_now_ms();
        if !self.settle_timeout(&mut s, now).await {
            return self.replaced();
        }
        let before = s.attempt.clone();
        let secret = s.secret.clone();
        // Given in the places shown; judged and stored in the quiz's order, as in a room.
        let value = match s.choice_order(index) {
            Some(order) => shuffle::to_quiz_order(&order, value),
            None => value,
        };
        let answered = match s.attempt.answer(&s.quiz, &secret, index, value, now) {
            Ok(a) => a,
            Err(refused) => {
                self.send(refused.to_msg());
                return self.keep(s);
            }
        };
        let store = self.app.store().clone();
        let (game, player, holder, a, score) = (
            s.game,
            s.player,
            s.holder.clone(),
            answered.clone(),
            s.attempt.score,
        );
        let saved = blocking(move || {
            store
                .save_attempt_answer(game, player, &holder, &a, score)
                .map_err(|_| ErrorCode::Internal)
        })
        .await;
        match saved {
            Ok(true) => {
                self.send(ServerMsg::AnswerAck {
                    index,
                    elapsed_ms: answered.elapsed_ms,
                });
                let counted = Counted {
                    index,
                    correct: answered.correct,
                    points: answered.points,
                };
                self.send(s.result(index, Some(counted)));
                self.keep(s);
            }
            Ok(false) => self.replaced(),
            Err(code) => {
                s.attempt = before;
                self.error(code);
                self.keep(s);
            }
        }
    }
}
