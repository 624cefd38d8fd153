//! Strategies and a game loop for bots, so scenario and swarm tests are short and replayable.

use crate::bot::Bot;
use anyhow::{bail, Context, Result};
use quizrace_protocol::{AnswerValue, QuestionKind, QuestionView, QuizDoc, ServerMsg};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How a bot answers.
#[derive(Debug, Clone)]
pub enum Strategy {
    Right,
    Wrong,
    /// Right or wrong at random, a random moment within `max_delay`: replayable from the seed.
    Random {
        seed: u64,
        max_delay: Duration,
    },
    /// Waits, then answers right.
    Slow(Duration),
    /// Answers right, drops the connection, and resumes with its token.
    DropsAndResumes,
    /// Never answers.
    Silent,
}

/// The right answer to `q`, from the quiz document the test wrote. A word cloud has none: every
/// bot gives the same word. (A slide takes no answer; [`play_game`] sends none.)
pub fn right_answer(doc: &QuizDoc, q: &QuestionView) -> AnswerValue {
    let d = &doc.questions[q.index as usize];
    match q.kind {
        QuestionKind::WordCloud | QuestionKind::Slide => AnswerValue::Text("Bots".into()),
        QuestionKind::TypeAnswer => AnswerValue::Text(
            d.accept
                .as_ref()
                .and_then(|a| a.first().cloned())
                .unwrap_or_default(),
        ),
        QuestionKind::Multi => AnswerValue::Choices(d.correct.clone().unwrap_or_default()),
        QuestionKind::Poll => AnswerValue::Choice(0),
        QuestionKind::Slider => AnswerValue::Value(d.correct_value.unwrap_or_default()),
        // The items' ids put in the order the document wrote their texts.
        QuestionKind::Order => AnswerValue::Order(
            d.items
                .iter()
                .flatten()
                .filter_map(|text| {
                    let shown = q.items.as_deref().unwrap_or_default();
                    shown.iter().find(|i| &i.text == text).map(|i| i.id)
                })
                .collect(),
        ),
        _ => AnswerValue::Choice(
            d.correct
                .as_ref()
                .and_then(|c| c.first().copied())
                .unwrap_or(0),
        ),
    }
}

/// A wrong answer to `q` (for a poll, just another vote).
pub fn wrong_answer(doc: &QuizDoc, q: &QuestionView) -> AnswerValue {
    let d = &doc.questions[q.index as usize];
    let correct = d.correct.clone().unwrap_or_default();
    let n = q.choices.len() as u32;
    let wrong_choice = (0..n).find(|c| !correct.contains(c)).unwrap_or(0);
    match q.kind {
        QuestionKind::TypeAnswer => AnswerValue::Text("definitely not it".into()),
        QuestionKind::WordCloud | QuestionKind::Slide => AnswerValue::Text("robots".into()),
        QuestionKind::Multi => AnswerValue::Choices(vec![wrong_choice]),
        QuestionKind::Poll => AnswerValue::Choice(n.saturating_sub(1)),
        // The slider's end furthest from the correct value: outside any tolerance short of
        // the whole range.
        QuestionKind::Slider => {
            let right = d.correct_value.unwrap_or_default();
            let (min, max) = (d.min.unwrap_or_default(), d.max.unwrap_or_default());
            AnswerValue::Value(if right - min > max - right { min } else { max })
        }
        // The items as shown: never the right order.
        QuestionKind::Order => AnswerValue::Order(
            q.items
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|i| i.id)
                .collect(),
        ),
        _ => AnswerValue::Choice(wrong_choice),
    }
}

/// One personal `result` as a bot received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub index: u32,
    pub answered: bool,
    pub correct: Option<bool>,
    pub points: i64,
    pub score: i64,
    pub rank: u32,
    pub streak: u32,
}

/// What a bot saw over a whole game.
#[derive(Debug, Clone, Default)]
pub struct Played {
    /// One per closed question, in order.
    pub results: Vec<Outcome>,
    /// The personal result after `game_over`.
    pub last: Option<Outcome>,
    pub acks: u32,
    /// Question indices whose answer was acknowledged (last ack wins for polls).
    pub acked: Vec<u32>,
    pub refusals: Vec<quizrace_protocol::ErrorCode>,
    pub questions_seen: u32,
    /// From sending each answer to its `answer_ack`, as this bot measured it.
    pub ack_latency: Vec<Duration>,
}

/// The personal `result` in `msg`, if it is one.
pub fn outcome(msg: &ServerMsg) -> Option<Outcome> {
    match msg {
        ServerMsg::Result {
            index,
            answered,
            correct,
            points,
            score,
            rank,
            streak,
            ..
        } => Some(Outcome {
            index: *index,
            answered: *answered,
            correct: *correct,
            points: *points,
            score: *score,
            rank: *rank,
            streak: *streak,
        }),
        _ => None,
    }
}

/// Plays until `game_over` and the final `result`. Returns the bot (it may have reconnected).
pub async fn play_game(
    mut bot: Bot,
    url: &str,
    doc: &QuizDoc,
    strategy: Strategy,
) -> Result<(Bot, Played)> {
    bot.deadline = Duration::from_secs(90);
    let mut played = Played::default();
    let mut rng = match &strategy {
        Strategy::Random { seed, .. } => fastrand::Rng::with_seed(*seed),
        _ => fastrand::Rng::with_seed(0),
    };
    let mut over = false;
    // A question that opened while the dropping bot was away: its `welcome` carries it.
    let mut missed: Option<QuestionView> = None;
    let mut sent_at: Option<Instant> = None;
    loop {
        let msg = match missed.take() {
            Some(q) => ServerMsg::Question(q),
            None => bot.recv().await?,
        };
        match &msg {
            ServerMsg::Question(q) => {
                played.questions_seen += 1;
                if q.kind == QuestionKind::Slide {
                    continue; // nothing to answer; the host moves on
                }
                let answer = match &strategy {
                    Strategy::Right | Strategy::DropsAndResumes => Some(right_answer(doc, q)),
                    Strategy::Wrong => Some(wrong_answer(doc, q)),
                    Strategy::Slow(delay) => {
                        tokio::time::sleep(*delay).await;
                        Some(right_answer(doc, q))
                    }
                    Strategy::Random { max_delay, .. } => {
                        let ms = rng.u64(0..=max_delay.as_millis() as u64);
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        Some(if rng.bool() {
                            right_answer(doc, q)
                        } else {
                            wrong_answer(doc, q)
                        })
                    }
                    Strategy::Silent => None,
                };
                if let Some(a) = answer {
                    bot.answer(q.index, a).await?;
                    sent_at = Some(Instant::now());
                }
                if matches!(strategy, Strategy::DropsAndResumes) {
                    // Wait for the ack, so the answer is known stored, then drop and come back.
                    let acked = bot.ack().await?.is_ok();
                    if let (true, Some(at)) = (acked, sent_at.take()) {
                        played.ack_latency.push(at.elapsed());
                    }
                    if acked {
                        played.acks += 1;
                        played.acked.push(q.index);
                    }
                    let (pin, token) = match &bot.welcome {
                        Some(w) => (w.pin.clone(), w.token.clone()),
                        None => bail!("dropping bot never joined"),
                    };
                    bot.close().await;
                    bot = Bot::connect_for(url, &pin).await?;
                    bot.deadline = Duration::from_secs(90);
                    let w = bot.resume(&pin, &token).await?;
                    match w.question {
                        Some(open)
                            if open.index == q.index && acked && open.answered != Some(true) =>
                        {
                            bail!("resumed mid-question but the answer was forgotten");
                        }
                        Some(open) if open.index != q.index && open.answered != Some(true) => {
                            missed = Some(open)
                        }
                        _ => {}
                    }
                }
            }
            ServerMsg::AnswerAck { index, .. } => {
                if let Some(at) = sent_at.take() {
                    played.ack_latency.push(at.elapsed());
                }
                played.acks += 1;
                played.acked.push(*index);
            }
            ServerMsg::Error { code, .. } => played.refusals.push(*code),
            ServerMsg::Result { .. } => {
                let o = outcome(&msg).expect("a result");
                if over {
                    played.last = Some(o);
                    return Ok((bot, played));
                }
                played.results.push(o);
            }
            ServerMsg::GameOver { .. } => over = true,
            ServerMsg::RoomClosed { .. } => bail!("room closed mid-game: {msg:?}"),
            _ => {}
        }
    }
}

/// A small quiz with every kind, short limits, for socket tests.
pub fn test_quiz(questions: usize) -> Value {
    let pool = [
        json!({"kind":"choice","text":"2 + 2?","choices":["3","4","5","22"],"correct":[1],"time_limit_s":10}),
        json!({"kind":"true_false","text":"The sky is green.","correct":[1],"time_limit_s":10}),
        json!({"kind":"multi","text":"Which are even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":10}),
        json!({"kind":"type_answer","text":"Chemical symbol of gold?","accept":["Au"],"time_limit_s":10}),
        json!({"kind":"choice","text":"Largest planet?","choices":["Mars","Jupiter"],"correct":[1],"time_limit_s":10,"points":"double"}),
        json!({"kind":"poll","text":"Tea or coffee?","choices":["Tea","Coffee"],"time_limit_s":10}),
    ];
    let qs: Vec<Value> = (0..questions)
        .map(|i| pool[i % pool.len()].clone())
        .collect();
    // Answering opens at once (`read_s` 0): bots answer the moment a question arrives.
    json!({"title": "Test quiz", "read_s": 0, "questions": qs})
}

/// A quiz of every kind, each once, with short limits: for socket and browser tests that
/// must see every kind work end to end.
pub fn every_kind_quiz() -> Value {
    json!({"title": "Every kind", "read_s": 0, "questions": [
        {"kind":"slide","title":"Welcome","text":"One question of every kind."},
        {"kind":"choice","text":"2 + 2?","choices":["3","4","5","22"],"correct":[1],"time_limit_s":10},
        {"kind":"true_false","text":"The sky is green.","correct":[1],"time_limit_s":10},
        {"kind":"multi","text":"Which are even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":10},
        {"kind":"type_answer","text":"Chemical symbol of gold?","accept":["Au"],"time_limit_s":10},
        {"kind":"poll","text":"Tea or coffee?","choices":["Tea","Coffee"],"time_limit_s":10},
        {"kind":"slider","text":"Year of the Moon landing?","min":1950,"max":2000,"correct_value":1969,"tolerance":5,"time_limit_s":10},
        {"kind":"order","text":"Smallest to largest","items":["Atom","Cell","Mouse"],"time_limit_s":10},
        {"kind":"word_cloud","text":"One word for this quiz?","time_limit_s":10}
    ]})
}

/// The document form of [`test_quiz`].
pub fn test_quiz_doc(questions: usize) -> QuizDoc {
    serde_json::from_value(test_quiz(questions)).expect("test quiz parses")
}

/// The answers a stored game report (`GET /api/games/{id}`) holds: points by (question index,
/// player id). An answer stored twice is an error: the fault and cluster tests check that
/// every acknowledged answer is here exactly once.
pub fn stored_answers(report: &Value) -> Result<HashMap<(u32, u32), i64>> {
    let answers = report["answers"].as_array().context("answers")?;
    let mut stored = HashMap::new();
    for a in answers {
        let key = (
            a["index"].as_u64().context("index")? as u32,
            a["player_id"].as_u64().context("player")? as u32,
        );
        if stored
            .insert(key, a["points"].as_i64().context("points")?)
            .is_some()
        {
            bail!("answer {key:?} stored twice");
        }
    }
    Ok(stored)
}
