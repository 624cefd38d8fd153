//! The game's course: opening a question (or a slide), closing it with the reveal, moving on
//! to the leaderboard or the next question (or straight on, with the leaderboard at the end),
//! and finishing with the podium and each player's summary.

use super::{Effect, Effects, GameStatus, Phase, Room, StoredPhase, Target, Write};
use quizrace_protocol::{LeaderboardAt, PlayerId, QuestionView, ServerMsg};
use std::collections::HashMap;
use std::time::{Duration, Instant};

impl Room {
    /// How many questions have been opened.
    pub(super) fn opened(&self) -> u32 {
        self.last_index.map_or(0, |i| i + 1)
    }

    /// Moves on from reveal or leaderboard. False where `next` means nothing.
    pub(super) fn advance(&mut self, now: Instant, fx: &mut Effects) -> bool {
        match self.phase {
            // A slide has no reveal and changes no score: straight on to what follows.
            Phase::Slide { index, .. } => {
                self.open_next(index, now, fx);
                true
            }
            Phase::Reveal { index, .. } if self.settings.leaderboard == LeaderboardAt::End => {
                self.open_next(index, now, fx);
                true
            }
            Phase::Reveal { index, .. } => {
                let top = self.standings(10);
                self.phase = Phase::Leaderboard {
                    index,
                    advance_at: self.auto_advance(now),
                };
                fx.push(Effect::Record(Write::Phase {
                    game: self.settings.game_id,
                    phase: StoredPhase::Leaderboard,
                    index,
                }));
                fx.push(Effect::Send(
                    Target::Everyone,
                    ServerMsg::Leaderboard {
                        index,
                        top,
                        teams: self.team_standings(),
                    },
                ));
                true
            }
            Phase::Leaderboard { index, .. } => {
                self.open_next(index, now, fx);
                true
            }
            _ => false,
        }
    }

    /// The question after `index`, or the end of the game after the last.
    pub(super) fn open_next(&mut self, index: u32, now: Instant, fx: &mut Effects) {
        if index + 1 < self.total() {
            self.open_question(index + 1, now, fx);
        } else {
            self.finish(now, fx);
        }
    }

    pub(super) fn auto_advance(&self, now: Instant) -> Option<Instant> {
        self.settings
            .auto_advance_ms
            .map(|ms| now + Duration::from_millis(ms))
    }

    pub(super) fn open_question(&mut self, index: u32, now: Instant, fx: &mut Effects) {
        let view = self.question_view(index);
        let question = &self.quiz.questions[index as usize];
        let opens_at = now + self.get_ready(index);
        self.last_index = Some(index);
        if question.is_slide() {
            self.phase = Phase::Slide {
                index,
                advance_at: self.auto_advance(now),
            };
            // Stored as its question's opening, so a restart shows the slide again.
            fx.push(Effect::Record(Write::Phase {
                game: self.settings.game_id,
                phase: StoredPhase::Question,
                index,
            }));
            self.send_question(view, fx);
            return;
        }
        self.phase = Phase::Question {
            index,
            opened_at: opens_at,
            answers: HashMap::new(),
            count_sent_at: None,
            count_dirty: false,
            grace_until: None,
        };
        // Not a barrier: the frame must not wait for the disk (answers are timed from now).
        // If this row is lost in a crash, so is every answer to the question (they are stored
        // after it), and the game resumes before the question, which then opens afresh.
        fx.push(Effect::Record(Write::Phase {
            game: self.settings.game_id,
            phase: StoredPhase::Question,
            index,
        }));
        self.send_question(view, fx);
    }

    /// A question's opening frame: one for all; one for the phones and one for the watchers
    /// when only the host's screens show its media or its words; or, with each phone's own
    /// shuffles, one per player and one for the watchers.
    fn send_question(&self, view: QuestionView, fx: &mut Effects) {
        if !self.phones_differ(view.index) {
            fx.push(Effect::Send(Target::Everyone, ServerMsg::Question(view)));
            return;
        }
        if !self.phones_shuffle(view.index) {
            let phones = self.phones_view(view.clone());
            fx.push(Effect::Send(Target::Players, ServerMsg::Question(phones)));
            fx.push(Effect::Send(Target::Watchers, ServerMsg::Question(view)));
            return;
        }
        let players: Vec<PlayerId> = self
            .players
            .iter()
            .filter(|p| p.is_active() && p.conn.is_some())
            .map(|p| p.id)
            .collect();
        for id in players {
            let mine = self.personal_view(view.clone(), Some(id));
            fx.push(Effect::Send(Target::Player(id), ServerMsg::Question(mine)));
        }
        let shown = self.personal_view(view, None);
        fx.push(Effect::Send(Target::Watchers, ServerMsg::Question(shown)));
    }

    /// Ends the open question: scores are applied, the reveal goes to everyone and each player
    /// gets a personal result.
    pub(super) fn close_question(&mut self, now: Instant, fx: &mut Effects) {
        let advance_at = self.auto_advance(now);
        let Phase::Question { index, answers, .. } = std::mem::replace(
            &mut self.phase,
            Phase::Lobby, // replaced below
        ) else {
            return;
        };
        self.phase = Phase::Reveal { index, advance_at };
        // A barrier, unlike the question's opening: once a player has seen the correct answer
        // the question must never re-open for them after a crash.
        fx.push(Effect::Persist(Write::Phase {
            game: self.settings.game_id,
            phase: StoredPhase::Reveal,
            index,
        }));
        self.settle(index, &answers);
        let reveal = self.reveal_of(index, &answers);
        self.reveal = Some(reveal.clone());
        fx.push(Effect::Send(Target::Everyone, reveal.into()));
        self.send_results(fx);
    }

    pub(super) fn finish(&mut self, now: Instant, fx: &mut Effects) {
        self.phase = Phase::Finished { since: now };
        fx.push(Effect::Persist(Write::GameStatus {
            game: self.settings.game_id,
            status: GameStatus::Finished,
        }));
        fx.push(Effect::Send(Target::Everyone, self.game_over()));
        self.send_results(fx);
        self.send_summaries(fx);
    }
}
