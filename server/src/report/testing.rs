//! Reports made by hand for the report's unit tests.

use crate::store::{GameReport, GameStatus, PlayerStatus, ReportAnswer, ReportPlayer};
use quizrace_protocol::{GameId, Mode, PlayerId, QuizDoc, QuizId};
use serde_json::{json, Value};

/// A player: name, first question asked, questions asked.
pub type Seat<'a> = (&'a str, u32, u32);
/// An answer: question, player (1-based, in `seats` order), ms, correct, points, as stored.
pub type Given = (u32, u32, u64, Option<bool>, i64, Value);

/// A choice question whose right answer is choice 0.
pub fn choice(text: &str) -> Value {
    json!({"kind":"choice","text":text,"choices":["Right","Wrong"],"correct":[0]})
}

/// A finished game of `questions` (their JSON) with `seats`, ranked in the order given.
pub fn report(questions: Vec<Value>, seats: &[Seat<'_>], given: Vec<Given>) -> GameReport {
    let quiz: QuizDoc = serde_json::from_value(json!({"title":"Hand-made","questions":questions}))
        .expect("a quiz document");
    let answers: Vec<ReportAnswer> = given
        .into_iter()
        .map(
            |(index, player, elapsed_ms, correct, points, answer)| ReportAnswer {
                index,
                player_id: PlayerId(player),
                elapsed_ms,
                correct,
                points,
                answer,
            },
        )
        .collect();
    let players = seats
        .iter()
        .enumerate()
        .map(|(i, (name, first_asked, asked))| {
            let id = PlayerId(i as u32 + 1);
            ReportPlayer {
                player_id: id,
                name: (*name).to_owned(),
                score: answers
                    .iter()
                    .filter(|a| a.player_id == id)
                    .map(|a| a.points)
                    .sum(),
                rank: i as u32 + 1,
                status: PlayerStatus::Active,
                first_asked: *first_asked,
                asked: *asked,
                team: None,
                identifier: None,
            }
        })
        .collect();
    GameReport {
        game_id: GameId(7),
        quiz_id: QuizId(3),
        title: quiz.title.clone(),
        mode: Mode::Classic,
        status: GameStatus::Finished,
        questions: quiz.questions.len(),
        host_id: 1,
        private: false,
        // 2026-12-01 18:00:00 UTC.
        created_at: 1_796_148_000_000,
        finished_at: Some(1_796_148_600_000),
        quiz,
        players,
        answers,
        teams: None,
    }
}
