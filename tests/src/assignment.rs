//! Bots for self-paced assignments: making one over HTTP, and a player's attempt over the
//! socket (`assignment_join` / `assignment_resume`, `answer`, `assignment_next`).

use crate::{Bot, Http};
use anyhow::{bail, Context, Result};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, QuestionView, ServerMsg};
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An assignment as `POST /api/assignments` made it.
#[derive(Debug, Clone)]
pub struct Made {
    pub id: i64,
    pub code: String,
    pub url: String,
}

/// `POST /api/assignments` of `quiz_id` due in `due`, with the other fields of `extra` (an
/// object: `identifier_label`, `attempts`, settings).
pub async fn create(
    http: &Http,
    token: &str,
    quiz_id: i64,
    due: Duration,
    extra: Value,
) -> Result<Made> {
    let mut body = serde_json::json!({
        "quiz_id": quiz_id,
        "deadline": now_ms() + due.as_millis() as i64,
    });
    if let (Value::Object(b), Value::Object(e)) = (&mut body, extra) {
        b.extend(e);
    }
    let r = http.post("/api/assignments", Some(token), body).await?;
    if r.status != 201 {
        bail!("assignment refused: {} {}", r.status, r.body);
    }
    let v = r.json()?;
    Ok(Made {
        id: v["id"].as_i64().context("id")?,
        code: v["code"].as_str().context("code")?.to_owned(),
        url: v["url"].as_str().context("url")?.to_owned(),
    })
}

/// What `assignment_welcome` said.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub token: String,
    pub attempt: u32,
    pub questions: u32,
    pub index: Option<u32>,
    pub score: i64,
}

/// What a question's `assignment_result` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub index: u32,
    pub answered: bool,
    pub correct: Option<bool>,
    pub points: i64,
    pub score: i64,
}

/// What `assignment_done` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    pub score: i64,
    pub correct: u32,
    pub rank: u32,
    pub finished: u32,
}

/// The `assignment_welcome`, or the error the server sent instead.
pub async fn welcome(bot: &mut Bot) -> Result<std::result::Result<Welcome, ErrorCode>> {
    bot.expect("assignment_welcome", |m| match m {
        ServerMsg::AssignmentWelcome {
            token,
            attempt,
            questions,
            index,
            score,
            ..
        } => Some(Ok(Welcome {
            token: token.clone(),
            attempt: *attempt,
            questions: *questions,
            index: *index,
            score: *score,
        })),
        ServerMsg::Error { code, .. } => Some(Err(*code)),
        _ => None,
    })
    .await
}

/// Starts an attempt: its welcome, or why it was refused.
pub async fn join(
    bot: &mut Bot,
    code: &str,
    name: &str,
    identifier: Option<&str>,
) -> Result<std::result::Result<Welcome, ErrorCode>> {
    bot.send(&ClientMsg::AssignmentJoin {
        code: code.into(),
        name: name.into(),
        identifier: identifier.map(Into::into),
    })
    .await?;
    welcome(bot).await
}

/// Takes an attempt up again with its token.
pub async fn resume(
    bot: &mut Bot,
    code: &str,
    token: &str,
) -> Result<std::result::Result<Welcome, ErrorCode>> {
    bot.send(&ClientMsg::AssignmentResume {
        code: code.into(),
        token: token.into(),
    })
    .await?;
    welcome(bot).await
}

/// The next `question`.
pub async fn question(bot: &mut Bot) -> Result<QuestionView> {
    bot.expect("a question", |m| match m {
        ServerMsg::Question(q) => Some(q.clone()),
        _ => None,
    })
    .await
}

/// The next `assignment_result`.
pub async fn outcome(bot: &mut Bot) -> Result<Outcome> {
    bot.expect("assignment_result", |m| match m {
        ServerMsg::AssignmentResult {
            index,
            answered,
            correct,
            points,
            score,
            ..
        } => Some(Outcome {
            index: *index,
            answered: *answered,
            correct: *correct,
            points: *points,
            score: *score,
        }),
        _ => None,
    })
    .await
}

/// Answers question `index`: the acknowledged elapsed time and the result, or the refusal.
pub async fn answer(
    bot: &mut Bot,
    index: u32,
    value: AnswerValue,
) -> Result<std::result::Result<(u64, Outcome), ErrorCode>> {
    bot.send(&ClientMsg::answer(index, value)).await?;
    let ack = bot
        .expect("answer_ack", |m| match m {
            ServerMsg::AnswerAck { elapsed_ms, .. } => Some(Ok(*elapsed_ms)),
            ServerMsg::Error { code, .. } => Some(Err(*code)),
            _ => None,
        })
        .await?;
    match ack {
        Ok(elapsed) => Ok(Ok((elapsed, outcome(bot).await?))),
        Err(code) => Ok(Err(code)),
    }
}

/// `assignment_next` after the last question: the end.
pub async fn done(bot: &mut Bot) -> Result<Done> {
    bot.expect("assignment_done", |m| match m {
        ServerMsg::AssignmentDone {
            score,
            correct,
            rank,
            finished,
            ..
        } => Some(Done {
            score: *score,
            correct: *correct,
            rank: *rank,
            finished: *finished,
        }),
        _ => None,
    })
    .await
}

/// Plays a joined attempt from its open question to the end, answering each question with
/// `pick(index)`: the outcomes and the end.
pub async fn play_out(
    bot: &mut Bot,
    questions: u32,
    mut pick: impl FnMut(u32) -> AnswerValue,
) -> Result<(Vec<(u64, Outcome)>, Done)> {
    let mut outcomes = Vec::new();
    for i in 0..questions {
        let q = question(bot).await?;
        anyhow::ensure!(q.index == i, "question {} arrived, {i} expected", q.index);
        match answer(bot, i, pick(i)).await? {
            Ok(o) => outcomes.push(o),
            Err(code) => bail!("answer {i} refused: {code:?}"),
        }
        bot.send(&ClientMsg::AssignmentNext).await?;
    }
    Ok((outcomes, done(bot).await?))
}
