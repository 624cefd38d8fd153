//! What each connection is shown of a question: the frame everyone gets, a phone's own
//! shuffles (an `order` question's items, its choice order with `shuffle_answers`), and the
//! open question with its time left for a `welcome` or `room_state`.

use super::{Phase, Room};
use quizrace_protocol::{OrderItem, PlayerId, QuestionKind, QuestionView};
use std::time::{Duration, Instant};

impl Room {
    /// Question `index` as everyone sees it when it opens.
    pub(super) fn question_view(&self, index: u32) -> QuestionView {
        let question = &self.quiz.questions[index as usize];
        let mut view = question.view(index, self.total());
        view.no_time_limit = self.settings.timing.no_time_limit;
        view.media = question.media.as_ref().and_then(|m| {
            m.view(crate::media::room_url(
                &m.hash,
                self.settings.game_id,
                &self.settings.host_key,
            ))
        });
        view.team_talk_ms = self.team_talk_ms(index);
        view.opens_in_ms += view.team_talk_ms;
        view
    }

    /// Whether phones get question `index` other than the host does (then each its own
    /// frame): their own shuffles, media the host's screens show and phones do not, or a
    /// choice question's words that only the host's screens show.
    pub(super) fn phones_differ(&self, index: u32) -> bool {
        let q = &self.quiz.questions[index as usize];
        self.phones_shuffle(index)
            || (q.media.is_some() && !self.settings.media_on_phones)
            || self.shapes_only(index)
    }

    /// Whether phones get question `index` as shape tiles without words: a question answered
    /// by picking a tile, in a room with `question_on_phones: false`. Every other kind keeps
    /// its text, which a phone needs to answer (the items to order, the slider, the box to
    /// type in) or to read (a slide).
    fn shapes_only(&self, index: u32) -> bool {
        let kind = self.quiz.questions[index as usize].kind;
        !self.settings.question_on_phones
            && matches!(
                kind,
                QuestionKind::Choice
                    | QuestionKind::TrueFalse
                    | QuestionKind::Multi
                    | QuestionKind::Poll
            )
    }

    /// Question `index` as every phone sees it, before its own shuffles: without the media
    /// the host's screens keep, and without the words of a shapes-only question (a
    /// `true_false` keeps its two labels, which say nothing of the question).
    pub(super) fn phones_view(&self, mut view: QuestionView) -> QuestionView {
        if !self.settings.media_on_phones {
            view.media = None;
        }
        if self.shapes_only(view.index) {
            view.shapes_only = true;
            view.text.clear();
            if view.kind != QuestionKind::TrueFalse {
                view.choices.iter_mut().for_each(String::clear);
            }
        }
        view
    }

    /// Whether each phone gets question `index` in an order of its own (then a frame each).
    pub(super) fn phones_shuffle(&self, index: u32) -> bool {
        self.quiz.questions[index as usize].kind == QuestionKind::Order
            || self.choice_order(index, Some(PlayerId(0))).is_some()
    }

    /// Question `index`'s team talk in this room: none on a slide, which nobody answers.
    fn team_talk_ms(&self, index: u32) -> u64 {
        let q = &self.quiz.questions[index as usize];
        if q.is_slide() {
            0
        } else {
            self.settings.team_talk_ms
        }
    }

    /// From the moment question `index` is shown until answering opens: the quiz's read time
    /// and the room's team talk.
    pub(super) fn get_ready(&self, index: u32) -> Duration {
        let read_ms = self.quiz.questions[index as usize].read_ms;
        Duration::from_millis(read_ms + self.team_talk_ms(index))
    }

    /// Question `index` as `who` sees it (`None`: the host and its screens): an `order`
    /// question's items, and in a room with shuffled answers a phone's own choice order.
    pub(super) fn personal_view(
        &self,
        mut view: QuestionView,
        who: Option<PlayerId>,
    ) -> QuestionView {
        let index = view.index;
        if who.is_some() {
            view = self.phones_view(view);
        }
        view.items = self.order_items(index, who);
        if let Some(order) = self.choice_order(index, who) {
            crate::room::shuffle::show_in_order(&mut view, order);
        }
        view
    }

    /// `who`'s own order of question `index`'s choices, when they get one: the quiz's index of
    /// each choice as shown.
    pub(super) fn choice_order(&self, index: u32, who: Option<PlayerId>) -> Option<Vec<u32>> {
        let q = &self.quiz.questions[index as usize];
        let kinds = matches!(q.kind, QuestionKind::Choice | QuestionKind::Multi);
        let who = who.filter(|_| self.settings.shuffle_answers && kinds)?;
        Some(crate::room::shuffle::choice_order(
            &self.settings.host_key,
            index,
            who,
            q.choices.len(),
        ))
    }

    /// An `order` question's items as `who` sees them (`None`: the host and its screens);
    /// `None` for other kinds.
    pub(super) fn order_items(&self, index: u32, who: Option<PlayerId>) -> Option<Vec<OrderItem>> {
        let q = &self.quiz.questions[index as usize];
        (q.kind == QuestionKind::Order)
            .then(|| crate::room::order::view(&self.settings.host_key, index, &q.items, who))
    }

    /// The open question with the time left, and whether `who` answered it; the slide on show.
    pub(super) fn open_question_view(
        &self,
        who: Option<PlayerId>,
        now: Instant,
    ) -> Option<QuestionView> {
        if let Phase::Slide { index, .. } = self.phase {
            return Some(self.personal_view(self.question_view(index), who));
        }
        let Phase::Question {
            index,
            opened_at,
            answers,
            ..
        } = &self.phase
        else {
            return None;
        };
        let mut view = self.personal_view(self.question_view(*index), who);
        let ends = *opened_at + self.limit(*index);
        // During the get-ready time the whole answering time is still ahead.
        view.remaining_ms = ends
            .saturating_duration_since(now.max(*opened_at))
            .as_millis() as u64;
        view.opens_in_ms = opened_at.saturating_duration_since(now).as_millis() as u64;
        view.answered = Some(who.is_some_and(|w| answers.contains_key(&w)));
        Some(view)
    }
}
