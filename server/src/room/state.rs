//! The room's rules: a synchronous state machine. No tokio, no clock reads, no I/O.
//!
//! Every entry point takes `now` and pushes [`Effect`]s (messages to send, rows to store,
//! connections to drop) into a caller-owned list; the actor applies them in order. The phase is
//! an enum that owns its data, so a question's answers cannot outlive the question.
//!
//! This file holds the types, the commands' dispatch and the clock (`tick`); the rest of
//! `impl Room` lives in child modules, one concern each (children, so they see the room's
//! private fields): `course` (opening and closing questions and slides, moving on,
//! finishing), `roster` (join, resume, names, seats, leave and kick), `host` (host and big-screen seats,
//! `room_state`), `again` (`play_again` after the end), `answers` (taking, counting and
//! settling answers, the reveal), `chat`, `standings` (ranking, ranks with ties, results,
//! summaries, podium), `teams` (placing players in teams, team points and standings), `views`
//! (what each connection is shown of a question), `restore` (rebuilding from stored rows, the
//! digest) and `checks` (invariants for tests).

mod again;
mod answers;
mod chat;
mod checks;
mod course;
mod host;
mod restore;
mod roster;
mod standings;
mod teams;
mod views;

pub use again::{Again, AgainPlan, AgainRefused};
pub use answers::AnswerError;
pub use restore::{Digest, DigestPlayer, RestoreError, RESTART_GRACE};
pub use roster::{clean_name, JoinError};
pub use teams::{average as team_average, TeamError};

pub use super::storage::{
    GameStatus, Saved, SavedAnswer, SavedPhase, SavedPlayer, StoredPhase, Write,
};
use quizrace_protocol::{
    AnswerValue, ChatFrom, ClientMsg, CloseReason, ErrorCode, GameId, HostLiteral, LeaderboardAt,
    Mode, NamePolicy, PhaseName, Pin, PlayerId, PlayerInfo, QuestionPoints, Quiz, Reveal,
    ServerMsg, ANSWER_GRACE_MS,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One WebSocket connection, as numbered by the server.
pub type ConnId = u64;

/// The host gets at most one `answer_count` per this interval.
pub const ANSWER_COUNT_EVERY: Duration = Duration::from_millis(100);
/// Chat: at most this many messages per player per window.
pub const CHAT_BURST: usize = 5;
pub const CHAT_WINDOW: Duration = Duration::from_secs(10);
/// After a player's socket drops mid-question, the question waits this long before it
/// closes early for "everyone answered": a reloading phone must not end the round for all.
pub const RECONNECT_GRACE: Duration = Duration::from_secs(3);
/// A room nobody touches for this long is closed with `idle`.
pub const IDLE_AFTER: Duration = Duration::from_secs(30 * 60);
/// Big screens one room may have at once.
pub const MAX_SCREENS: usize = 8;
/// Host keys a room accepts at most: the one it was created with and one per device its host
/// took control from with a session token. A ninth drops the oldest.
pub const MAX_HOST_KEYS: usize = 8;

/// A finished room lingers this long so players can read the podium.
pub const FINISHED_LINGER: Duration = Duration::from_secs(10 * 60);

/// Who a message goes to. Player targets are resolved when the message is delivered, so a
/// message held behind a database commit reaches the player's current connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Conn(ConnId),
    Player(PlayerId),
    /// The host's own connection: answers meant for the one who commands the room.
    Host,
    /// The host and its read-only big screens: the room's events that the control page shows.
    Watchers,
    /// Every connected player, without the host and its screens: a frame phones see other
    /// than the host does, still serialised once.
    Players,
    /// Every connected player, the host and its screens.
    Everyone,
}

// A `Send` is nearly every effect, so boxing its message to shrink the rare small variants
// would cost an allocation per message for nothing; effects live briefly in short vectors.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send(Target, ServerMsg),
    /// Store this before delivering anything that follows it.
    Persist(Write),
    /// Store this in order with the other rows, but hold nothing for it: for rows whose loss
    /// in a crash is harmless because nothing a client saw depends on them alone.
    Record(Write),
    /// Close the connection (after the messages before it), with close code 1000.
    Disconnect(ConnId),
    /// The room is over: remove it from the directory and stop its task.
    Dissolve,
}

pub type Effects = Vec<Effect>;

#[derive(Debug, Clone)]
pub struct Settings {
    pub pin: Pin,
    pub game_id: GameId,
    pub mode: Mode,
    pub max_players: u32,
    pub auto_advance_ms: Option<u64>,
    pub chat: bool,
    /// [`secret_hash`](crate::secret::secret_hash) of the key the room was created with.
    pub host_key: String,
    /// Who names the players: they do, or the server (`"names": "generated"` on `host`).
    pub names: NamePolicy,
    /// A team game: how players are split into teams (`"teams"` on `host`).
    pub teams: Option<quizrace_protocol::TeamPlan>,
    /// In a team game, who puts players in teams: the server as they join, or they themselves
    /// in the lobby (`"team_choice"` on `host`). `Auto` without teams.
    pub team_choice: quizrace_protocol::TeamChoice,
    /// In a team game, the team talk before each question's answering opens, in ms
    /// (`"team_talk_s"` on `host`); 0 without teams.
    pub team_talk_ms: u64,
    /// The operator's word list (`--blocked-words`): `word_cloud` answers containing one are
    /// kept out of the cloud. Not stored with the game: a restored room takes the server's.
    pub blocked_words: Arc<[String]>,
    pub timing: super::Timing,
    /// `end`: the reveal leads straight to the next question; standings only at the podium.
    pub leaderboard: LeaderboardAt,
    /// Each phone gets `choice` and `multi` choices in its own order (`choice_order`).
    pub shuffle_answers: bool,
    /// Phones get the questions' media too (`media_on_phones` on `host`); the host and its
    /// screens always do.
    pub media_on_phones: bool,
    /// Phones get the text of choice questions too (`question_on_phones` on `host`, `true`
    /// when absent); without it they get the shape tiles only and the host's screens carry
    /// the words.
    pub question_on_phones: bool,
}

/// Where a player is, as stored (`players.status`) and as reports show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlayerStatus {
    Active,
    /// Kicked or left after the start: still holds a seat, and appears in the results.
    Kicked,
    Left,
    /// Left or kicked in the lobby: frees the seat and appears in no result.
    Removed,
}

#[derive(Debug, Clone, Default)]
struct LastResult {
    index: u32,
    answered: bool,
    correct: Option<bool>,
    points: i64,
    /// For an answered `multi` question: "2 of 3 right".
    picks: Option<quizrace_protocol::Picks>,
}

#[derive(Debug, Clone)]
struct Player {
    id: PlayerId,
    name: String,
    conn: Option<ConnId>,
    status: PlayerStatus,
    score: i64,
    streak: u32,
    /// Total elapsed time of answers that scored: the first tie-breaker.
    correct_ms: u64,
    chat_times: VecDeque<Instant>,
    last: LastResult,
    /// The first question the player could answer (open when they joined, or the next).
    first_index: u32,
    /// The longest run of correct answers so far.
    best_streak: u32,
    /// Every question that closed while the player was in the game, in order: the summary.
    history: Vec<QuestionPoints>,
    /// In a team game, the player's team (ids from 1): a resume keeps it. `None` in the lobby
    /// of a room whose players choose, until they do; the start places those who did not.
    team: Option<u32>,
}

impl Player {
    fn is_active(&self) -> bool {
        self.status == PlayerStatus::Active
    }

    fn info(&self) -> PlayerInfo {
        PlayerInfo {
            player_id: self.id,
            name: self.name.clone(),
            score: self.score,
            connected: self.conn.is_some(),
            team: self.team,
        }
    }
}

#[derive(Debug, Clone)]
struct Given {
    value: AnswerValue,
    elapsed_ms: u64,
    correct: Option<bool>,
    points: i64,
}

#[derive(Debug)]
enum Phase {
    Lobby,
    Question {
        index: u32,
        /// When answering opens: the moment the question was shown plus its get-ready time.
        /// Answers are timed from here, and refused (`too_early`) before it.
        opened_at: Instant,
        answers: HashMap<PlayerId, Given>,
        /// When the host was last told the answer count, and whether it is stale.
        count_sent_at: Option<Instant>,
        count_dirty: bool,
        /// Until then, "everyone answered" does not close the question: someone dropped.
        grace_until: Option<Instant>,
    },
    /// A `slide` on show: no answers, no timer, no reveal; `next` moves on to the next
    /// question. On the wire it is the `question` phase, with a `question` of kind `slide`.
    Slide {
        index: u32,
        /// Only in a room that advances by itself.
        advance_at: Option<Instant>,
    },
    Reveal {
        index: u32,
        advance_at: Option<Instant>,
    },
    Leaderboard {
        index: u32,
        advance_at: Option<Instant>,
    },
    Finished {
        since: Instant,
    },
}

/// The rules of one room.
#[derive(Debug)]
pub struct Room {
    settings: Settings,
    quiz: Arc<Quiz>,
    players: Vec<Player>,
    /// Players by the [`secret_hash`](crate::secret::secret_hash) of their token: the room
    /// keeps neither the token itself nor a second copy of its hash in the player.
    by_token: HashMap<String, usize>,
    /// Hashes of the host keys this room accepts, oldest first (at most [`MAX_HOST_KEYS`]).
    host_keys: VecDeque<String>,
    /// Name keys ([`crate::names::key`]) of active and kicked players.
    names: HashSet<String>,
    host: Option<ConnId>,
    /// Read-only big screens (`host_resume` with `"view": "screen"`): they get what the host
    /// gets, and never command.
    screens: Vec<ConnId>,
    locked: bool,
    chat: bool,
    phase: Phase,
    last_activity: Instant,
    /// Index of the last question opened.
    last_index: Option<u32>,
    /// Active players, and those of them with a connection. Kept up to date on every change
    /// (and re-counted by `check_invariants`) so that an answer costs O(1), not O(players).
    active: u32,
    connected: u32,
    /// Players removed from the lobby: every other player holds a seat.
    removed: u32,
    /// The last question's reveal, for a host or screen that arrives during it.
    reveal: Option<Reveal>,
    /// Whether the finished game was played again (`play_again`), and as which room.
    again: Again,
    /// In a team game, the teams by id (index 0 is team 1); empty otherwise.
    teams: Vec<teams::Team>,
    /// How long the room stays once finished ([`FINISHED_LINGER`] unless the operator set
    /// `--room-linger-s`).
    linger: Duration,
}

/// A live room as the admin page lists it ([`Room::summary`]), in `GET /api/admin/rooms`'s
/// field names.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoomSummary {
    pub pin: Pin,
    pub game_id: GameId,
    pub title: String,
    pub mode: Mode,
    pub phase: PhaseName,
    pub index: Option<u32>,
    pub total: u32,
    pub locked: bool,
    pub chat: bool,
    /// Active players, in join order.
    pub players: Vec<PlayerInfo>,
}

impl Room {
    pub fn new(settings: Settings, quiz: Arc<Quiz>, now: Instant) -> Room {
        let chat = settings.chat;
        let quiz = settings.timing.apply(quiz);
        Room {
            teams: teams::initial(settings.teams),
            host_keys: VecDeque::from([settings.host_key.clone()]),
            settings,
            quiz,
            players: Vec::new(),
            by_token: HashMap::new(),
            names: HashSet::new(),
            host: None,
            screens: Vec::new(),
            locked: false,
            chat,
            phase: Phase::Lobby,
            last_activity: now,
            last_index: None,
            active: 0,
            connected: 0,
            removed: 0,
            reveal: None,
            again: Again::NotAsked,
            linger: FINISHED_LINGER,
        }
    }

    /// The room stays this long once finished instead of [`FINISHED_LINGER`].
    pub fn set_linger(&mut self, linger: Duration) {
        self.linger = linger;
    }

    pub fn pin(&self) -> &Pin {
        &self.settings.pin
    }

    pub fn names(&self) -> NamePolicy {
        self.settings.names
    }

    pub fn mode(&self) -> Mode {
        self.settings.mode
    }

    pub fn game_id(&self) -> GameId {
        self.settings.game_id
    }

    /// Players whose socket is connected.
    pub fn connected(&self) -> u32 {
        self.connected
    }

    pub fn phase_name(&self) -> PhaseName {
        match self.phase {
            Phase::Lobby => PhaseName::Lobby,
            Phase::Question { .. } | Phase::Slide { .. } => PhaseName::Question,
            Phase::Reveal { .. } => PhaseName::Reveal,
            Phase::Leaderboard { .. } => PhaseName::Leaderboard,
            Phase::Finished { .. } => PhaseName::Finished,
        }
    }

    fn total(&self) -> u32 {
        self.quiz.questions.len() as u32
    }

    fn active_count(&self) -> u32 {
        self.active
    }

    fn player(&self, id: PlayerId) -> Option<&Player> {
        self.players.get((id.0 as usize).checked_sub(1)?)
    }

    /// The connection a player currently reads, if any.
    pub fn conn_of(&self, id: PlayerId) -> Option<ConnId> {
        self.player(id)
            .filter(|p| p.is_active())
            .and_then(|p| p.conn)
    }

    pub fn host_conn(&self) -> Option<ConnId> {
        self.host
    }

    /// The host and the screens: where a `Target::Watchers` message goes.
    pub fn watchers(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.host.into_iter().chain(self.screens.iter().copied())
    }

    /// The connections a message for `target` goes to, as they are now.
    pub fn recipients(&self, target: Target) -> Vec<ConnId> {
        match target {
            Target::Conn(c) => vec![c],
            Target::Player(p) => self.conn_of(p).into_iter().collect(),
            Target::Host => self.host.into_iter().collect(),
            Target::Watchers => self.watchers().collect(),
            Target::Players => self.player_conns().collect(),
            Target::Everyone => self.everyone().collect(),
        }
    }

    /// Every connection that a `Target::Players` message goes to.
    fn player_conns(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.players
            .iter()
            .filter(|p| p.is_active())
            .filter_map(|p| p.conn)
    }

    /// Every connection that a `Target::Everyone` message goes to.
    pub fn everyone(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.player_conns().chain(self.watchers())
    }

    /// Whether `conn` is the current connection of `player` (a replaced socket is not).
    pub fn is_current(&self, conn: ConnId, player: PlayerId) -> bool {
        self.conn_of(player) == Some(conn)
    }

    /// When the room next needs `tick`. Derived from the state, so a stale wake-up is harmless.
    pub fn next_wake(&self) -> Instant {
        let idle = match self.phase {
            Phase::Finished { since } => since + self.linger,
            _ => self.last_activity + IDLE_AFTER,
        };
        let phase = match &self.phase {
            Phase::Question {
                index,
                opened_at,
                count_sent_at,
                count_dirty,
                grace_until,
                ..
            } => {
                let deadline =
                    *opened_at + self.limit(*index) + Duration::from_millis(ANSWER_GRACE_MS);
                let count = count_sent_at
                    .filter(|_| *count_dirty)
                    .map(|at| at + ANSWER_COUNT_EVERY);
                [Some(deadline), count, *grace_until]
                    .into_iter()
                    .flatten()
                    .min()
            }
            Phase::Slide { advance_at, .. }
            | Phase::Reveal { advance_at, .. }
            | Phase::Leaderboard { advance_at, .. } => *advance_at,
            Phase::Lobby | Phase::Finished { .. } => None,
        };
        phase.map_or(idle, |p| p.min(idle))
    }

    fn limit(&self, index: u32) -> Duration {
        Duration::from_millis(self.quiz.questions[index as usize].time_limit_ms)
    }

    /// A socket went away. Players keep their place; a classic question may now be complete.
    pub fn conn_closed(&mut self, conn: ConnId, now: Instant, fx: &mut Effects) {
        if self.host == Some(conn) {
            self.host = None;
            return;
        }
        if let Some(i) = self.screens.iter().position(|&c| c == conn) {
            self.screens.swap_remove(i);
            return;
        }
        let Some(p) = self
            .players
            .iter_mut()
            .find(|p| p.conn == Some(conn) && p.is_active())
        else {
            return;
        };
        p.conn = None;
        let id = p.id;
        self.connected -= 1;
        if let Phase::Question { grace_until, .. } = &mut self.phase {
            *grace_until = Some(now + RECONNECT_GRACE);
        }
        fx.push(Effect::Send(
            Target::Watchers,
            ServerMsg::PlayerConnection {
                player_id: id,
                connected: false,
            },
        ));
        self.close_if_all_answered(now, fx);
    }

    // ----- player commands -----------------------------------------------------------------

    /// A message from a joined player's current connection.
    pub fn player_msg(
        &mut self,
        conn: ConnId,
        id: PlayerId,
        msg: ClientMsg,
        at: Instant,
        now: Instant,
        fx: &mut Effects,
    ) {
        if !self.is_current(conn, id) {
            // A replaced or removed connection: it is being closed; obey nothing from it.
            return;
        }
        self.last_activity = now;
        let reply = |fx: &mut Effects, msg| fx.push(Effect::Send(Target::Conn(conn), msg));
        match msg {
            ClientMsg::Answer { index, .. } => {
                let Some(value) = msg.answer_value() else {
                    return reply(fx, ServerMsg::bad_field("choice", "no answer given"));
                };
                if let Err(e) = self.answer(id, index, value, at, now, fx) {
                    reply(fx, e.to_msg());
                }
            }
            ClientMsg::Chat { text, to } => self.player_chat(conn, id, text, to, now, fx),
            ClientMsg::List => reply(fx, self.players_reply()),
            ClientMsg::Leave => self.remove(id, PlayerStatus::Left, now, fx),
            ClientMsg::ChooseTeam { team } => {
                if let Err(e) = self.choose_team(id, team, fx) {
                    reply(fx, e.to_msg());
                }
            }
            other => reply(
                fx,
                ServerMsg::error(
                    ErrorCode::BadMessage,
                    format!("`{}` is not a player message here", other.type_name()),
                ),
            ),
        }
    }

    // ----- host commands -------------------------------------------------------------------

    /// A message from the host's current connection.
    pub fn host_msg(&mut self, conn: ConnId, msg: ClientMsg, now: Instant, fx: &mut Effects) {
        if self.host != Some(conn) {
            return;
        }
        self.last_activity = now;
        let err = |fx: &mut Effects, code| {
            fx.push(Effect::Send(
                Target::Conn(conn),
                ServerMsg::error_code(code),
            ))
        };
        match msg {
            ClientMsg::Start => match self.phase {
                Phase::Lobby if self.active_count() == 0 => err(fx, ErrorCode::NoPlayers),
                Phase::Lobby => {
                    self.place_the_undecided(fx);
                    self.open_question(0, now, fx)
                }
                _ => err(fx, ErrorCode::BadPhase),
            },
            ClientMsg::Close => match self.phase {
                Phase::Question { .. } => self.close_question(now, fx),
                _ => err(fx, ErrorCode::BadPhase),
            },
            ClientMsg::Next => {
                if !self.advance(now, fx) {
                    err(fx, ErrorCode::BadPhase)
                }
            }
            ClientMsg::MovePlayer { player_id, team } => {
                if let Err(e) = self.move_player(player_id, team, fx) {
                    fx.push(Effect::Send(Target::Conn(conn), e.to_msg()));
                }
            }
            ClientMsg::Kick { player_id } => {
                if self.player(player_id).is_some_and(Player::is_active) {
                    self.remove(player_id, PlayerStatus::Kicked, now, fx)
                } else {
                    err(fx, ErrorCode::NoSuchPlayer)
                }
            }
            ClientMsg::Lock { locked } => {
                self.locked = locked;
                self.record_flags(fx);
            }
            ClientMsg::SetChat { enabled } => {
                self.chat = enabled;
                self.record_flags(fx);
            }
            ClientMsg::End => self.end(now, fx),
            // The sender is the host's own connection, so a direct message's echo and a
            // `no_such_player` reach the host and never a screen on the wall.
            ClientMsg::Chat { text, to } => {
                self.chat_to(ChatFrom::Host(HostLiteral::Host), text, to, conn, fx)
            }
            ClientMsg::List => fx.push(Effect::Send(Target::Conn(conn), self.players_reply())),
            other => fx.push(Effect::Send(
                Target::Conn(conn),
                ServerMsg::error(
                    ErrorCode::BadMessage,
                    format!("a host cannot send `{}`", other.type_name()),
                ),
            )),
        }
    }

    /// The host's `end`, also what an admin's close does: an open question is closed and
    /// scored, the game finishes (results stored, `game_over` to all); a finished room closes.
    pub fn end(&mut self, now: Instant, fx: &mut Effects) {
        self.last_activity = now;
        match self.phase {
            Phase::Finished { .. } => self.dissolve(CloseReason::HostEnded, fx),
            Phase::Question { .. } => {
                self.close_question(now, fx);
                self.finish(now, fx);
            }
            _ => self.finish(now, fx),
        }
    }

    /// What the admin page shows of a live room.
    pub fn summary(&self) -> RoomSummary {
        RoomSummary {
            pin: self.settings.pin.clone(),
            game_id: self.settings.game_id,
            title: self.quiz.title.clone(),
            mode: self.settings.mode,
            phase: self.phase_name(),
            index: self.last_index,
            total: self.total(),
            locked: self.locked,
            chat: self.chat,
            players: self.active_infos(),
        }
    }

    fn dissolve(&mut self, reason: CloseReason, fx: &mut Effects) {
        fx.push(Effect::Send(
            Target::Everyone,
            ServerMsg::RoomClosed { reason },
        ));
        for conn in self.everyone().collect::<Vec<_>>() {
            fx.push(Effect::Disconnect(conn));
        }
        fx.push(Effect::Dissolve);
    }

    fn record_flags(&self, fx: &mut Effects) {
        fx.push(Effect::Record(Write::Flags {
            game: self.settings.game_id,
            locked: self.locked,
            chat: self.chat,
        }));
    }

    /// The server is stopping: tell everyone. An unfinished game stays `running` in the
    /// database (every decided row is already handed to the writer), so the next start
    /// resumes it.
    pub fn shutdown(&mut self, fx: &mut Effects) {
        self.dissolve(CloseReason::ServerShutdown, fx);
    }

    // ----- time ----------------------------------------------------------------------------

    /// Whatever is due at `now`: question deadline, throttled answer count, auto-advance, idle.
    pub fn tick(&mut self, now: Instant, fx: &mut Effects) {
        let idle_at = match self.phase {
            Phase::Finished { since } => since + self.linger,
            _ => self.last_activity + IDLE_AFTER,
        };
        if now >= idle_at {
            if !matches!(self.phase, Phase::Finished { .. }) {
                fx.push(Effect::Persist(Write::GameStatus {
                    game: self.settings.game_id,
                    status: GameStatus::Aborted,
                }));
            }
            return self.dissolve(CloseReason::Idle, fx);
        }
        match &self.phase {
            Phase::Question {
                index,
                opened_at,
                count_dirty,
                count_sent_at,
                grace_until,
                ..
            } => {
                let deadline =
                    *opened_at + self.limit(*index) + Duration::from_millis(ANSWER_GRACE_MS);
                let grace_over = grace_until.is_some_and(|until| now >= until);
                if now >= deadline {
                    self.close_question(now, fx);
                } else if grace_over {
                    if let Phase::Question { grace_until, .. } = &mut self.phase {
                        *grace_until = None;
                    }
                    self.close_if_all_answered(now, fx);
                } else if *count_dirty
                    && count_sent_at.is_some_and(|at| now >= at + ANSWER_COUNT_EVERY)
                {
                    self.count_changed(now, fx);
                }
            }
            Phase::Slide { advance_at, .. }
            | Phase::Reveal { advance_at, .. }
            | Phase::Leaderboard { advance_at, .. } => {
                if advance_at.is_some_and(|at| now >= at) {
                    self.advance(now, fx);
                }
            }
            Phase::Lobby | Phase::Finished { .. } => {}
        }
    }
}
