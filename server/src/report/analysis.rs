//! Which questions were hard and which players may need help, computed from a game's report.
//! Pure: no store, no clock, no I/O.
//!
//! The rules (also in docs/protocol.md):
//! - A question is *scored* unless it is a poll, a word cloud, a slide or worth no points
//!   (a slide is not even *asked*: its line counts nobody); only scored questions
//!   are ranked, reviewed, or count towards a player's percentage.
//! - A question's percentage is its correct answers over the players who were *asked* it
//!   (`first_asked .. first_asked + asked` of each player), so a late joiner does not make an
//!   early question look hard. Its average time is over every answer given to it.
//! - Difficulty: lowest percentage first, then the slower average time, then quiz order.
//! - "To review": a scored question asked to someone and answered right by fewer than
//!   [`REVIEW_BELOW`] percent of them.
//! - "May need help": a player whose correct answers are fewer than `need_help_below` percent
//!   of the scored questions they were asked. A player asked none is never flagged.

use crate::store::{GameReport, GameStatus, PlayerStatus, ReportAnswer};
use quizrace_protocol::{GameId, Mode, PlayerId, Points, QuestionDoc, QuestionKind, TeamStanding};
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// A question answered right by fewer than this percentage of those asked is "to review".
pub const REVIEW_BELOW: u8 = 50;
/// The "may need help" threshold when the page sets none: below half right.
pub const DEFAULT_NEED_HELP_BELOW: u8 = 50;

/// `GET /api/games/{id}/report`.
#[derive(Debug, Clone, Serialize)]
pub struct TeacherReport {
    pub game_id: GameId,
    pub title: String,
    pub mode: Mode,
    /// A `running` game is reported as far as it has gone.
    pub status: GameStatus,
    /// Unix milliseconds.
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub review_below: u8,
    pub need_help_below: u8,
    /// The mean of the players' scores; `null` without players.
    pub average_score: Option<f64>,
    /// Every question of the quiz, in quiz order.
    pub questions: Vec<QuestionLine>,
    /// Indexes of the scored questions asked to someone, hardest first.
    pub by_difficulty: Vec<u32>,
    /// Indexes of the questions to review, in quiz order.
    pub to_review: Vec<u32>,
    /// The players who may need help, in rank order.
    pub need_help: Vec<PlayerId>,
    /// Every player of the report, in its order (rank), with their answers.
    pub players: Vec<PlayerLine>,
    /// In a team game: the team standings, best first (as in the game's report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teams: Option<Vec<TeamStanding>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionLine {
    pub index: u32,
    pub text: String,
    pub kind: QuestionKind,
    /// Not a poll, and worth points.
    pub scored: bool,
    /// Players who were in the game while it was open.
    pub asked: u32,
    pub answered: u32,
    pub correct: u32,
    /// `correct` over `asked`, rounded; `null` when unscored or asked to nobody.
    pub percent_correct: Option<u32>,
    /// Mean time of the answers given; `null` without answers.
    pub average_ms: Option<u64>,
    pub review: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlayerLine {
    pub player_id: PlayerId,
    pub name: String,
    pub rank: u32,
    pub score: i64,
    pub status: PlayerStatus,
    /// In a team game, the player's team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<u32>,
    /// In an assignment that asks for one, the identifier the player gave (a student number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Scored questions the player was asked, and how many of them they got right.
    pub scored_asked: u32,
    pub correct: u32,
    /// `correct` over `scored_asked`, rounded; `null` when asked none.
    pub percent_correct: Option<u32>,
    pub need_help: bool,
    /// One line per question the player was asked (or answered), in quiz order.
    pub answers: Vec<PlayerAnswer>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlayerAnswer {
    pub index: u32,
    /// The answer as the player saw it (see [`answer_text`]); `null` when not answered.
    pub answer: Option<String>,
    /// `null` for a poll or no answer.
    pub correct: Option<bool>,
    pub elapsed_ms: Option<u64>,
    pub points: i64,
}

/// Whether a question can be hard: polls, word clouds, slides and no-points questions cannot.
pub fn scored(q: &QuestionDoc) -> bool {
    !matches!(
        q.kind,
        QuestionKind::Poll | QuestionKind::WordCloud | QuestionKind::Slide
    ) && q.points != Some(Points::NoPoints)
}

/// `part` of `whole` in percent, rounded half up; `None` of nothing.
fn percent(part: u32, whole: u32) -> Option<u32> {
    (whole > 0)
        .then(|| ((u64::from(part) * 200 + u64::from(whole)) / (u64::from(whole) * 2)) as u32)
}

/// `part / whole < limit %`, exactly.
fn below(part: u32, whole: u32, limit: u8) -> bool {
    u64::from(part) * 100 < u64::from(limit) * u64::from(whole)
}

/// Running sums for one question.
#[derive(Default, Clone)]
struct Tally {
    asked: u32,
    answered: u32,
    correct: u32,
    total_ms: u64,
}

/// The teacher's report of `r`, flagging players below `need_help_below` percent (0..=100).
/// Time and memory are linear in players × questions plus answers.
pub fn analyse(r: &GameReport, need_help_below: u8) -> TeacherReport {
    let questions = &r.quiz.questions;
    let n = questions.len();
    let scored: Vec<bool> = questions.iter().map(scored).collect();
    let mut by_player: HashMap<PlayerId, Vec<&ReportAnswer>> = HashMap::new();
    for a in &r.answers {
        if (a.index as usize) < n {
            by_player.entry(a.player_id).or_default().push(a);
        }
    }
    let mut tallies = vec![Tally::default(); n];
    let mut players = Vec::with_capacity(r.players.len());
    let mut mine: Vec<Option<&ReportAnswer>> = vec![None; n];
    for p in &r.players {
        mine.iter_mut().for_each(|m| *m = None);
        for a in by_player.get(&p.player_id).map_or(&[][..], Vec::as_slice) {
            mine[a.index as usize] = Some(a);
        }
        let first = p.first_asked as usize;
        let asked_range = first..first.saturating_add(p.asked as usize);
        let (mut scored_asked, mut correct) = (0, 0);
        let mut answers = Vec::new();
        for (i, given) in mine.iter().enumerate() {
            // An answer outside the range cannot happen, but counts as asked if it did.
            if !asked_range.contains(&i) && given.is_none() {
                continue;
            }
            // A slide is shown, not asked: it has no line of its own in a player's answers.
            if questions[i].kind == QuestionKind::Slide {
                continue;
            }
            let t = &mut tallies[i];
            t.asked += 1;
            let right = given.and_then(|a| a.correct) == Some(true);
            if let Some(a) = given {
                t.answered += 1;
                t.total_ms += a.elapsed_ms;
            }
            if right {
                t.correct += 1;
            }
            if scored[i] {
                scored_asked += 1;
                correct += u32::from(right);
            }
            answers.push(PlayerAnswer {
                index: i as u32,
                answer: given.map(|a| answer_text(&questions[i], &a.answer)),
                correct: given.and_then(|a| a.correct),
                elapsed_ms: given.map(|a| a.elapsed_ms),
                points: given.map_or(0, |a| a.points),
            });
        }
        players.push(PlayerLine {
            player_id: p.player_id,
            name: p.name.clone(),
            rank: p.rank,
            score: p.score,
            status: p.status,
            team: p.team,
            identifier: p.identifier.clone(),
            scored_asked,
            correct,
            percent_correct: percent(correct, scored_asked),
            need_help: scored_asked > 0 && below(correct, scored_asked, need_help_below),
            answers,
        });
    }
    let lines: Vec<QuestionLine> = questions
        .iter()
        .zip(&tallies)
        .enumerate()
        .map(|(i, (q, t))| {
            let scored = scored[i];
            QuestionLine {
                index: i as u32,
                text: q.text.clone(),
                kind: q.kind,
                scored,
                asked: t.asked,
                answered: t.answered,
                correct: t.correct,
                percent_correct: if scored {
                    percent(t.correct, t.asked)
                } else {
                    None
                },
                average_ms: (t.answered > 0).then(|| t.total_ms / u64::from(t.answered)),
                review: scored && t.asked > 0 && below(t.correct, t.asked, REVIEW_BELOW),
            }
        })
        .collect();
    let mut by_difficulty: Vec<&QuestionLine> =
        lines.iter().filter(|q| q.scored && q.asked > 0).collect();
    by_difficulty.sort_by(|a, b| harder_first(a, b));
    let average_score = (!r.players.is_empty())
        .then(|| r.players.iter().map(|p| p.score as f64).sum::<f64>() / r.players.len() as f64);
    TeacherReport {
        game_id: r.game_id,
        title: r.title.clone(),
        mode: r.mode,
        status: r.status,
        created_at: r.created_at,
        finished_at: r.finished_at,
        review_below: REVIEW_BELOW,
        need_help_below,
        average_score,
        by_difficulty: by_difficulty.iter().map(|q| q.index).collect(),
        to_review: lines.iter().filter(|q| q.review).map(|q| q.index).collect(),
        need_help: players
            .iter()
            .filter(|p| p.need_help)
            .map(|p| p.player_id)
            .collect(),
        questions: lines,
        players,
        teams: r.teams.clone(),
    }
}

/// Lower share right first (compared exactly), then slower, then quiz order.
fn harder_first(a: &QuestionLine, b: &QuestionLine) -> Ordering {
    let share =
        |q: &QuestionLine, other: &QuestionLine| u64::from(q.correct) * u64::from(other.asked);
    share(a, b)
        .cmp(&share(b, a))
        .then(b.average_ms.unwrap_or(0).cmp(&a.average_ms.unwrap_or(0)))
        .then(a.index.cmp(&b.index))
}

/// The answer given, as the player saw it: the choice's text (several joined with "; "),
/// what was typed, or a slider's number.
pub fn answer_text(q: &QuestionDoc, stored: &Value) -> String {
    let label = |c: &Value| -> String {
        let Some(c) = c.as_u64() else {
            return String::new();
        };
        let choices: &[String] = q.choices.as_deref().unwrap_or_default();
        match (q.kind, choices.get(c as usize)) {
            (_, Some(text)) => text.clone(),
            (QuestionKind::TrueFalse, None) => ["True", "False"]
                .get(c as usize)
                .map_or(String::new(), |t| (*t).to_owned()),
            _ => (c + 1).to_string(),
        }
    };
    if let Some(text) = stored.get("text").and_then(Value::as_str) {
        text.to_owned()
    } else if let Some(c) = stored.get("choice") {
        label(c)
    } else if let Some(cs) = stored.get("choices").and_then(Value::as_array) {
        cs.iter().map(label).collect::<Vec<_>>().join("; ")
    } else if let Some(v) = stored.get("value").and_then(Value::as_i64) {
        v.to_string()
    } else {
        String::new()
    }
}

#[cfg(test)]
#[path = "analysis_tests.rs"]
mod tests;
