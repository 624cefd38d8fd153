//! A typed WebSocket client for quizrace. Every receive has a deadline.

use anyhow::{anyhow, bail, Context, Result};
use futures::{SinkExt, StreamExt};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, GameId, Mode, NamePolicy, Pin, PlayerId, QuestionView,
    QuizId, ServerMsg,
};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a receive waits unless told otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// The client socket under a bot.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a bot learned from `welcome`.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub pin: Pin,
    pub player_id: PlayerId,
    pub name: String,
    pub token: String,
    pub score: i64,
    pub players: u32,
    pub question: Option<QuestionView>,
    /// In a team game: the player's team id.
    pub team: Option<u32>,
}

/// The socket closed: the close code, if the server sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed(pub Option<u16>);

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "connection closed (code {:?})", self.0)
    }
}

impl std::error::Error for Closed {}

/// Following `moved` failed: the cluster kept redirecting (see "Cluster" in PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GaveUp {
    /// More than [`MAX_MOVES`] `moved` in a row without `retry_after_ms`.
    TooManyMoves(u32),
    /// Still being moved [`MOVED_BUDGET`] after the first `moved`.
    TooLong,
}

impl std::fmt::Display for GaveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GaveUp::TooManyMoves(n) => write!(
                f,
                "gave up after {n} `moved` in a row without retry_after_ms (a redirect loop?)"
            ),
            GaveUp::TooLong => write!(f, "gave up: still being moved after {MOVED_BUDGET:?}"),
        }
    }
}

impl std::error::Error for GaveUp {}

/// `moved` without `retry_after_ms` followed in a row before giving up.
pub const MAX_MOVES: u32 = 5;
/// The whole attempt to reach a room's owner, from the first `moved`.
pub const MOVED_BUDGET: Duration = Duration::from_secs(20);

pub struct Bot {
    ws: Ws,
    pub deadline: Duration,
    /// Set once joined.
    pub welcome: Option<Welcome>,
    /// Where this bot first connected: a `moved` without `url` sends it back here.
    start_url: String,
    /// The last `join`, `resume` or `host_resume` sent, re-sent after following `moved`.
    hello: Option<ClientMsg>,
    /// `moved` without a wait followed since the last other message.
    moves: u32,
    /// When the current run of `moved` began.
    moving_since: Option<tokio::time::Instant>,
    /// Every `moved` this bot followed.
    pub moved: u32,
}

impl Bot {
    /// The socket itself, for drivers that read frames without this client's decoding.
    pub fn into_socket(self) -> Ws {
        self.ws
    }

    pub async fn connect(url: &str) -> Result<Bot> {
        Ok(Bot {
            ws: open(url).await?,
            deadline: DEFAULT_DEADLINE,
            welcome: None,
            start_url: url.to_owned(),
            hello: None,
            moves: 0,
            moving_since: None,
            moved: 0,
        })
    }

    /// Connects to `url` naming the room (`/ws?pin=PIN`), so a cluster node can move the
    /// socket to the room's owner at once.
    pub async fn connect_for(url: &str, pin: &Pin) -> Result<Bot> {
        Bot::connect(&format!("{url}?pin={pin}")).await
    }

    pub async fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        if matches!(
            msg,
            ClientMsg::Join { .. } | ClientMsg::Resume { .. } | ClientMsg::HostResume { .. }
        ) {
            self.hello = Some(msg.clone());
        }
        self.send_raw(serde_json::to_string(msg)?).await
    }

    /// Follows a `moved`: closes this socket, waits `retry_after_ms` if given, opens `url` (or
    /// the URL it started from) and sends its `join` / `resume` / `host_resume` again. Gives up
    /// ([`GaveUp`]) after [`MAX_MOVES`] in a row without a wait, or [`MOVED_BUDGET`] in all.
    async fn follow(&mut self, url: Option<String>, retry_after_ms: Option<u32>) -> Result<()> {
        let now = tokio::time::Instant::now();
        let since = *self.moving_since.get_or_insert(now);
        let wait = Duration::from_millis(retry_after_ms.map_or(0, u64::from));
        if retry_after_ms.is_none() {
            if self.moves >= MAX_MOVES {
                return Err(GaveUp::TooManyMoves(self.moves).into());
            }
            self.moves += 1;
        }
        if now + wait > since + MOVED_BUDGET {
            return Err(GaveUp::TooLong.into());
        }
        self.moved += 1;
        let _ = self.ws.close(None).await;
        tokio::time::sleep(wait).await;
        let url = url.unwrap_or_else(|| self.start_url.clone());
        self.ws = open(&url)
            .await
            .with_context(|| format!("following moved to {url}"))?;
        if let Some(hello) = self.hello.clone() {
            self.send_raw(serde_json::to_string(&hello)?).await?;
        }
        Ok(())
    }

    pub async fn send_raw(&mut self, text: impl Into<String>) -> Result<()> {
        self.ws.send(Message::text(text.into())).await?;
        Ok(())
    }

    pub async fn send_message(&mut self, msg: Message) -> Result<()> {
        self.ws.send(msg).await?;
        Ok(())
    }

    /// The next server message within the deadline. A close becomes a [`Closed`] error.
    pub async fn recv(&mut self) -> Result<ServerMsg> {
        let deadline = self.deadline;
        self.recv_within(deadline).await
    }

    pub async fn recv_within(&mut self, limit: Duration) -> Result<ServerMsg> {
        let until = tokio::time::Instant::now() + limit;
        loop {
            let frame = tokio::time::timeout_at(until, self.ws.next())
                .await
                .map_err(|_| anyhow!("no message within {limit:?}"))?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let msg = serde_json::from_str(&text)
                        .with_context(|| format!("server sent an unparsable frame: {text}"))?;
                    if let ServerMsg::Moved {
                        url,
                        retry_after_ms,
                        ..
                    } = msg
                    {
                        self.follow(url, retry_after_ms).await?;
                        continue;
                    }
                    (self.moves, self.moving_since) = (0, None);
                    return Ok(msg);
                }
                Some(Ok(Message::Close(frame))) => {
                    return Err(Closed(frame.map(|f| u16::from(f.code))).into());
                }
                Some(Ok(_)) => continue, // ping, pong, binary: not protocol messages
                Some(Err(e)) => return Err(anyhow!(Closed(None)).context(e.to_string())),
                None => return Err(Closed(None).into()),
            }
        }
    }

    /// Skips messages until `pick` returns something, within the deadline.
    pub async fn expect<T>(
        &mut self,
        what: &str,
        mut pick: impl FnMut(&ServerMsg) -> Option<T>,
    ) -> Result<T> {
        let until = tokio::time::Instant::now() + self.deadline;
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            let msg = self
                .recv_within(left)
                .await
                .with_context(|| format!("while waiting for {what}"))?;
            if let Some(t) = pick(&msg) {
                return Ok(t);
            }
        }
    }

    /// The next `error`, which must carry `code`. Other messages in between are skipped.
    pub async fn expect_error(&mut self, code: ErrorCode) -> Result<ServerMsg> {
        let msg = self
            .expect("an error", |m| {
                matches!(m, ServerMsg::Error { .. }).then(|| m.clone())
            })
            .await?;
        match &msg {
            ServerMsg::Error { code: got, .. } if *got == code => Ok(msg),
            other => bail!("expected error {code:?}, got {other:?}"),
        }
    }

    /// Waits until the server closes the socket; returns the close code.
    pub async fn expect_close(&mut self) -> Result<Option<u16>> {
        loop {
            match self.recv().await {
                Ok(_) => continue,
                Err(e) => match e.downcast_ref::<Closed>() {
                    Some(Closed(code)) => return Ok(*code),
                    None => match e.chain().find_map(|c| c.downcast_ref::<Closed>()) {
                        Some(Closed(code)) => return Ok(*code),
                        None => return Err(e),
                    },
                },
            }
        }
    }

    /// Asserts that nothing arrives for `quiet` (pings aside).
    pub async fn expect_silence(&mut self, quiet: Duration) -> Result<()> {
        match self.recv_within(quiet).await {
            Ok(msg) => bail!("expected silence, got {msg:?}"),
            Err(e) if e.to_string().starts_with("no message within") => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn take_welcome(&mut self, msg: &ServerMsg) -> Option<Welcome> {
        if let ServerMsg::Welcome {
            pin,
            player_id,
            name,
            token,
            score,
            players,
            question,
            team,
            ..
        } = msg
        {
            let w = Welcome {
                pin: pin.clone(),
                player_id: *player_id,
                name: name.clone(),
                token: token.clone(),
                score: *score,
                players: *players,
                question: question.clone(),
                team: team.as_ref().map(|t| t.id),
            };
            // Joined: a `moved` from now on must bring back this player, not join a new one.
            self.hello = Some(ClientMsg::Resume {
                pin: w.pin.clone(),
                token: w.token.clone(),
            });
            self.welcome = Some(w.clone());
            Some(w)
        } else {
            None
        }
    }

    /// Sends `join` and waits for `welcome` (or the error that refused it).
    pub async fn join(&mut self, pin: &Pin, name: &str) -> Result<Welcome> {
        self.send(&ClientMsg::Join {
            pin: pin.clone(),
            name: name.into(),
        })
        .await?;
        self.await_welcome().await
    }

    pub async fn resume(&mut self, pin: &Pin, token: &str) -> Result<Welcome> {
        self.send(&ClientMsg::Resume {
            pin: pin.clone(),
            token: token.into(),
        })
        .await?;
        self.await_welcome().await
    }

    async fn await_welcome(&mut self) -> Result<Welcome> {
        let msg = self
            .expect("welcome", |m| {
                matches!(m, ServerMsg::Welcome { .. } | ServerMsg::Error { .. }).then(|| m.clone())
            })
            .await?;
        match self.take_welcome(&msg) {
            Some(w) => Ok(w),
            None => bail!("join refused: {msg:?}"),
        }
    }

    /// Connects (with `?pin=`) and joins in one step.
    pub async fn joined(url: &str, pin: &Pin, name: &str) -> Result<Bot> {
        let mut bot = Bot::connect_for(url, pin).await?;
        bot.join(pin, name).await?;
        Ok(bot)
    }

    pub fn player_id(&self) -> PlayerId {
        self.welcome.as_ref().map_or(PlayerId(0), |w| w.player_id)
    }

    pub fn token(&self) -> String {
        self.welcome
            .as_ref()
            .map(|w| w.token.clone())
            .unwrap_or_default()
    }

    pub async fn answer(&mut self, index: u32, value: AnswerValue) -> Result<()> {
        self.send(&ClientMsg::answer(index, value)).await
    }

    /// Waits for the next `question`.
    pub async fn next_question(&mut self) -> Result<QuestionView> {
        self.expect("a question", |m| match m {
            ServerMsg::Question(q) => Some(q.clone()),
            _ => None,
        })
        .await
    }

    /// Waits for `answer_ack` or an error about the answer; returns the ack's elapsed_ms.
    pub async fn ack(&mut self) -> Result<std::result::Result<u64, ErrorCode>> {
        self.expect("answer_ack", |m| match m {
            ServerMsg::AnswerAck { elapsed_ms, .. } => Some(Ok(*elapsed_ms)),
            ServerMsg::Error { code, .. } => Some(Err(*code)),
            _ => None,
        })
        .await
    }

    /// Waits for `play_again` and follows it as a phone does: closes this socket, opens one
    /// for the new room (`/ws?pin=`, so a cluster routes it) and joins with the same name.
    pub async fn follow_play_again(&mut self) -> Result<Welcome> {
        let pin = self
            .expect("play_again", |m| match m {
                ServerMsg::PlayAgain { pin, .. } => Some(pin.clone()),
                _ => None,
            })
            .await?;
        let name = self
            .welcome
            .as_ref()
            .map(|w| w.name.clone())
            .context("a bot follows play_again only from a room it joined")?;
        let _ = self.ws.close(None).await;
        let base = self
            .start_url
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let url = format!("{base}?pin={pin}");
        self.ws = open(&url).await?;
        self.start_url = url;
        self.welcome = None;
        self.hello = None;
        self.join(&pin, &name).await
    }

    /// Closes the socket from this side (a dropped network looks the same to the server).
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Sends a close frame with a code, for tests that need one.
    pub async fn close_with(&mut self, code: u16) -> Result<()> {
        let frame = tokio_tungstenite::tungstenite::protocol::CloseFrame {
            code: CloseCode::from(code),
            reason: "".into(),
        };
        self.ws.close(Some(frame)).await?;
        Ok(())
    }
}

async fn open(url: &str) -> Result<Ws> {
    let (ws, _) = tokio::time::timeout(DEFAULT_DEADLINE, tokio_tungstenite::connect_async(url))
        .await
        .context("connect timed out")?
        .context("connect")?;
    Ok(ws)
}

/// A host bot: a logged-in socket that owns a room.
pub struct Host {
    pub bot: Bot,
    pub pin: Pin,
    pub host_key: String,
    pub game_id: GameId,
}

/// What a host asks for when creating a room.
#[derive(Debug, Clone)]
pub struct RoomOptions {
    pub mode: Mode,
    pub max_players: Option<u32>,
    pub auto_advance_ms: Option<u64>,
    pub chat: Option<bool>,
    pub names: Option<NamePolicy>,
    /// `time_factor` and `no_time_limit`.
    pub options: quizrace_protocol::HostOptions,
    pub teams: Option<quizrace_protocol::TeamPlan>,
}

impl Default for RoomOptions {
    fn default() -> Self {
        RoomOptions {
            mode: Mode::Classic,
            max_players: None,
            auto_advance_ms: None,
            chat: None,
            names: None,
            options: Default::default(),
            teams: None,
        }
    }
}

impl Host {
    /// Connects, sends `host`, waits for `room_created` and the first `room_state`.
    pub async fn create(url: &str, token: &str, quiz_id: i64, opts: RoomOptions) -> Result<Host> {
        let mut bot = Bot::connect(url).await?;
        bot.send(&ClientMsg::Host {
            token: token.into(),
            quiz_id: QuizId(quiz_id),
            mode: opts.mode,
            max_players: opts.max_players,
            auto_advance_ms: opts.auto_advance_ms,
            chat: opts.chat,
            names: opts.names,
            options: opts.options,
            teams: opts.teams,
        })
        .await?;
        let (pin, host_key, game_id) = take_room(&mut bot).await?;
        Ok(Host {
            bot,
            pin,
            host_key,
            game_id,
        })
    }

    pub async fn send(&mut self, msg: &ClientMsg) -> Result<()> {
        self.bot.send(msg).await
    }

    /// Sends `play_again` on a finished room and takes the new room it gets (its PIN, key and
    /// game); fails with the refusal otherwise.
    pub async fn play_again(&mut self) -> Result<()> {
        self.send(&ClientMsg::PlayAgain).await?;
        (self.pin, self.host_key, self.game_id) = take_room(&mut self.bot).await?;
        Ok(())
    }

    /// Drives `questions` questions the usual way: wait for each reveal, `next` to the
    /// leaderboard, `next` again. After the last one the room sends `game_over`.
    pub async fn advance_through(&mut self, questions: usize) -> Result<()> {
        for _ in 0..questions {
            self.bot
                .expect("reveal", |m| {
                    matches!(m, ServerMsg::QuestionClosed { .. }).then_some(())
                })
                .await?;
            self.send(&ClientMsg::Next).await?;
            self.bot
                .expect("leaderboard", |m| {
                    matches!(m, ServerMsg::Leaderboard { .. }).then_some(())
                })
                .await?;
            self.send(&ClientMsg::Next).await?;
        }
        Ok(())
    }

    /// Drives every question of `doc` like [`Host::advance_through`], and each slide with a
    /// single `next` once it is shown (a slide has no reveal and no leaderboard).
    pub async fn advance_through_quiz(&mut self, doc: &quizrace_protocol::QuizDoc) -> Result<()> {
        for (i, q) in doc.questions.iter().enumerate() {
            if q.kind != quizrace_protocol::QuestionKind::Slide {
                self.advance_through(1).await?;
                continue;
            }
            self.bot
                .expect("the slide", |m| {
                    matches!(m, ServerMsg::Question(v) if v.index as usize == i).then_some(())
                })
                .await?;
            self.send(&ClientMsg::Next).await?;
        }
        Ok(())
    }

    /// Waits until the host has seen `n` players join in total.
    pub async fn await_players(&mut self, n: u32) -> Result<()> {
        self.bot
            .expect("players to join", |m| match m {
                ServerMsg::PlayerJoined { count, .. } if *count >= n => Some(()),
                _ => None,
            })
            .await
    }
}

/// After `host` or `play_again`: waits for `room_created` (or the refusal) and the first
/// `room_state`.
async fn take_room(bot: &mut Bot) -> Result<(Pin, String, GameId)> {
    let created = bot
        .expect("room_created", |m| {
            matches!(m, ServerMsg::RoomCreated { .. } | ServerMsg::Error { .. }).then(|| m.clone())
        })
        .await?;
    let ServerMsg::RoomCreated {
        pin,
        host_key,
        game_id,
    } = created
    else {
        bail!("room refused: {created:?}");
    };
    // The room exists: a `moved` from now on must take it back with the key, not open
    // another room.
    bot.hello = Some(ClientMsg::HostResume {
        pin: pin.clone(),
        by: quizrace_protocol::HostCredential::HostKey(host_key.clone()),
        view: None,
    });
    bot.expect("room_state", |m| {
        matches!(m, ServerMsg::RoomState { .. }).then_some(())
    })
    .await?;
    Ok((pin, host_key, game_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::play::test_quiz;
    use crate::server::{TestServer, ADMIN_PASSWORD};

    /// What a bot re-sends after a `moved` (see [`Bot::follow`]) once it is in the room: a
    /// player comes back as itself, a host takes its room back; neither joins or opens anew.
    #[tokio::test]
    async fn once_in_the_room_a_moved_bot_comes_back_as_itself() {
        let server = TestServer::start().await;
        let http = server.http();
        let admin = http.login("admin", ADMIN_PASSWORD).await.expect("login");
        let quiz = http.create_quiz(&admin, &test_quiz(1)).await.expect("quiz");
        let host = Host::create(&server.ws_url(), &admin, quiz, RoomOptions::default())
            .await
            .expect("room");
        let bot = Bot::joined(&server.ws_url(), &host.pin, "Ada")
            .await
            .expect("joined");
        match &bot.hello {
            Some(ClientMsg::Resume { pin, token }) => {
                assert_eq!((pin, token), (&host.pin, &bot.token()));
            }
            other => panic!("a joined bot would re-send {other:?}"),
        }
        match &host.bot.hello {
            Some(ClientMsg::HostResume {
                pin,
                by: quizrace_protocol::HostCredential::HostKey(key),
                ..
            }) => assert_eq!((pin, key), (&host.pin, &host.host_key)),
            other => panic!("a host would re-send {other:?}"),
        }
    }
}
