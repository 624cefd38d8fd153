//! Shared set-up for the scenario tests: a server with a logged-in admin and a stored quiz, rooms,
//! joined bots, typed waits for the messages the tests assert on, and a raw client that sees the
//! exact text the server sent.

// Each test file is its own crate and uses a different part of this module.
#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use quizrace_protocol::{
    ClientMsg, CloseReason, ErrorCode, FirstCorrect, Pin, PlayerId, PlayerInfo, QuestionView,
    ServerMsg, SliderReveal, Standing,
};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A running server, the admin's bearer token and one stored quiz.
pub struct Game {
    pub server: TestServer,
    pub url: String,
    pub token: String,
    pub quiz_id: i64,
}

impl Game {
    /// A fresh server with `quiz` stored by the admin.
    pub async fn with(quiz: Value) -> Game {
        Self::with_config(quiz, |_| {}).await
    }

    /// A fresh server whose configuration `tune` adjusts, with `quiz` stored by the admin.
    pub async fn with_config(quiz: Value, tune: impl FnOnce(&mut quizrace::Config)) -> Game {
        let server = TestServer::start_with(tune).await;
        let http = server.http();
        let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
        let quiz_id = http.create_quiz(&token, &quiz).await.expect("quiz stored");
        let url = server.ws_url();
        Game {
            server,
            url,
            token,
            quiz_id,
        }
    }

    /// The `answer` of every answer stored for `host`'s game, as `GET /api/games/{id}` reports
    /// them, and the whole report (for messages).
    pub async fn stored_answers(&self, host: &Host) -> (Vec<Value>, Value) {
        let report = self
            .server
            .http()
            .game(&self.token, host.game_id.0)
            .await
            .expect("the game's report");
        let answers = report["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .map(|a| a["answer"].clone())
            .collect();
        (answers, report)
    }

    /// `GET /api/games/{id}/results.csv` of `host`'s game, as the admin.
    pub async fn results_csv(&self, host: &Host) -> quizrace_tests::http::Reply {
        self.server
            .http()
            .get(
                &format!("/api/games/{}/results.csv", host.game_id.0),
                Some(&self.token),
            )
            .await
            .expect("the results sheet")
    }

    /// A classic room.
    pub async fn room(&self) -> Host {
        self.room_with(RoomOptions::default()).await
    }

    pub async fn room_with(&self, opts: RoomOptions) -> Host {
        Host::create(&self.url, &self.token, self.quiz_id, opts)
            .await
            .expect("room created")
    }

    /// A connected socket that has not joined anything.
    pub async fn socket(&self) -> Bot {
        Bot::connect(&self.url).await.expect("connect")
    }

    /// Joins `names` in order and waits until the host has seen them all.
    pub async fn players(&self, host: &mut Host, names: &[&str]) -> Vec<Bot> {
        let mut bots = Vec::new();
        for name in names {
            bots.push(
                Bot::joined(&self.url, &host.pin, name)
                    .await
                    .unwrap_or_else(|e| panic!("{name} joins: {e:#}")),
            );
        }
        let before = bots.len() as u32;
        host.await_players(before)
            .await
            .expect("host sees the players");
        bots
    }
}

/// A quiz document from its questions. Answering opens at once (`read_s` 0), so a test can
/// answer the moment the question arrives; the get-ready time has its own tests.
pub fn quiz(questions: Vec<Value>) -> Value {
    json!({"title": "Scenario quiz", "read_s": 0, "questions": questions})
}

pub fn choice(correct: u32) -> Value {
    json!({"kind":"choice","text":"Pick one","choices":["A","B","C","D"],"correct":[correct],"time_limit_s":10})
}

/// A new host account, created by `admin` and logged in: its token.
pub async fn host_account(http: &quizrace_tests::http::Http, admin: &str, name: &str) -> String {
    http.create_account(admin, name, "host-password", "host")
        .await
        .expect("account created");
    http.login(name, "host-password").await.expect("login")
}

/// A one-question quiz, for tests that only need a room.
pub fn one_question() -> Value {
    quiz(vec![choice(1)])
}

/// A `host` message with no optional settings.
pub fn host_msg(
    token: impl Into<String>,
    quiz_id: i64,
    mode: quizrace_protocol::Mode,
) -> ClientMsg {
    ClientMsg::Host {
        token: token.into(),
        quiz_id: quizrace_protocol::QuizId(quiz_id),
        mode,
        max_players: None,
        auto_advance_ms: None,
        chat: None,
        names: None,
        options: Default::default(),
        teams: None,
    }
}

/// Sends a message, panicking on a socket error.
pub async fn send(bot: &mut Bot, msg: ClientMsg) {
    bot.send(&msg).await.expect("send");
}

/// The next error (other messages skipped): its code and `field`.
pub async fn error(bot: &mut Bot) -> (ErrorCode, Option<String>) {
    bot.expect("an error", |m| match m {
        ServerMsg::Error { code, field, .. } => Some((*code, field.clone())),
        _ => None,
    })
    .await
    .expect("an error arrives")
}

/// Sends `raw` text and returns the error it caused.
pub async fn refused(bot: &mut Bot, raw: &str) -> (ErrorCode, Option<String>) {
    bot.send_raw(raw).await.expect("send");
    error(bot).await
}

/// Sends `join` and returns the code it was refused with.
pub async fn join_refused(bot: &mut Bot, pin: &Pin, name: &str) -> ErrorCode {
    send(
        bot,
        ClientMsg::Join {
            pin: pin.clone(),
            name: name.into(),
        },
    )
    .await;
    error(bot).await.0
}

/// Sends `list` and returns the players it reports: proof that the socket still works.
pub async fn list(bot: &mut Bot) -> Vec<PlayerInfo> {
    send(bot, ClientMsg::List).await;
    bot.expect("players", |m| match m {
        ServerMsg::Players { players, .. } => Some(players.clone()),
        _ => None,
    })
    .await
    .expect("players list")
}

pub async fn question(bot: &mut Bot) -> QuestionView {
    bot.next_question().await.expect("a question")
}

/// A `question_closed`, as a struct.
#[derive(Debug, Clone)]
pub struct Reveal {
    pub index: u32,
    pub correct: Option<Vec<u32>>,
    pub accept: Option<Vec<String>>,
    pub counts: Vec<u32>,
    pub answered: u32,
    pub total: u32,
    pub first_correct: Option<FirstCorrect>,
    pub explanation: Option<String>,
    pub slider: Option<SliderReveal>,
    pub correct_order: Option<Vec<u32>>,
    pub words: Option<Vec<quizrace_protocol::WordCount>>,
    pub filtered: Option<u32>,
}

pub async fn reveal(bot: &mut Bot) -> Reveal {
    bot.expect("question_closed", |m| match m {
        ServerMsg::QuestionClosed {
            index,
            correct,
            accept,
            counts,
            answered,
            total,
            first_correct,
            explanation,
            slider,
            correct_order,
            words,
            filtered,
        } => Some(Reveal {
            index: *index,
            correct: correct.clone(),
            accept: accept.clone(),
            counts: counts.clone(),
            answered: *answered,
            total: *total,
            first_correct: first_correct.clone(),
            explanation: explanation.clone(),
            slider: slider.as_deref().cloned(),
            correct_order: correct_order.clone(),
            words: words.clone(),
            filtered: *filtered,
        }),
        _ => None,
    })
    .await
    .expect("question_closed")
}

pub use quizrace_tests::play::Outcome;

pub async fn result(bot: &mut Bot) -> Outcome {
    bot.expect("result", quizrace_tests::play::outcome)
        .await
        .expect("result")
}

pub async fn leaderboard(bot: &mut Bot) -> Vec<Standing> {
    bot.expect("leaderboard", |m| match m {
        ServerMsg::Leaderboard { top, .. } => Some(top.clone()),
        _ => None,
    })
    .await
    .expect("leaderboard")
}

pub async fn game_over(bot: &mut Bot) -> Vec<Standing> {
    bot.expect("game_over", |m| match m {
        ServerMsg::GameOver { podium, .. } => Some(podium.clone()),
        _ => None,
    })
    .await
    .expect("game_over")
}

pub async fn room_closed(bot: &mut Bot) -> CloseReason {
    bot.expect("room_closed", |m| match m {
        ServerMsg::RoomClosed { reason } => Some(*reason),
        _ => None,
    })
    .await
    .expect("room_closed")
}

/// Answers and returns the acknowledged elapsed time, panicking on a refusal.
pub async fn answer_acked(bot: &mut Bot, index: u32, value: quizrace_protocol::AnswerValue) -> u64 {
    bot.answer(index, value).await.expect("send answer");
    match bot.ack().await.expect("ack or error") {
        Ok(ms) => ms,
        Err(code) => panic!("answer refused with {code:?}"),
    }
}

/// Host: `next` twice (reveal -> leaderboard -> next question or game over).
pub async fn host_next(host: &mut Host) {
    host.send(&ClientMsg::Next).await.expect("next");
}

/// What the server told a player on joining: id and token.
pub fn id_of(bot: &Bot) -> PlayerId {
    bot.player_id()
}

/// A PIN that is well formed but not the room's.
pub fn other_pin(pin: &Pin) -> Pin {
    let n: u32 = pin.0.parse().expect("numeric pin");
    Pin(format!("{:06}", (n + 1) % 1_000_000))
}

/// A WebSocket client that keeps the exact text of every frame, for checks on the wire form.
pub struct Raw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Raw {
    pub async fn connect(url: &str) -> Raw {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("raw connect");
        Raw { ws }
    }

    pub async fn send(&mut self, value: Value) {
        self.ws
            .send(Message::text(value.to_string()))
            .await
            .expect("raw send");
    }

    /// The next text frame, as sent.
    pub async fn recv(&mut self) -> String {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("a frame within 10 s")
                .expect("socket open")
                .expect("frame read");
            if let Message::Text(text) = frame {
                return text.to_string();
            }
        }
    }

    /// Reads until the server closes: the close code (`None` for a close without a frame or
    /// a dropped connection), and the text frames sent before it.
    pub async fn until_closed(&mut self) -> (Option<u16>, Vec<String>) {
        let mut texts = Vec::new();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("closed within 10 s");
            match frame {
                Some(Ok(Message::Text(text))) => texts.push(text.to_string()),
                Some(Ok(Message::Close(frame))) => {
                    return (frame.map(|f| u16::from(f.code)), texts)
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return (None, texts),
            }
        }
    }

    /// Skips to the first frame whose `type` is `kind`; returns its text and its JSON.
    pub async fn expect(&mut self, kind: &str) -> (String, Value) {
        loop {
            let text = self.recv().await;
            let value: Value = serde_json::from_str(&text).expect("server frames are JSON");
            if value["type"] == kind {
                return (text, value);
            }
        }
    }
}
