//! The messages themselves: what clients send and what the server sends (the error codes
//! they carry are in `errors`).

use crate::errors::ErrorCode;
use crate::ids::{GameId, Pin, PlayerId, QuizId};
use crate::options::{HostOptions, LeaderboardAt, Mode, NamePolicy, TeamChoice, TeamPlan};
use serde::{Deserialize, Serialize};

/// Most teams a `leaderboard` or `game_over` lists (best first).
pub const TEAMS_LISTED: usize = 20;

/// A player's team, in `welcome`: ids from 1; the name is `"Team <id>"` (pages may translate
/// it by id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub id: u32,
    pub name: String,
}

/// One line of the team standings in `leaderboard` and `game_over`: equal scores share a rank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamStanding {
    pub id: u32,
    pub name: String,
    pub score: i64,
    pub rank: u32,
}

/// One team as a room has it now, in `room_state`, a players-choose `welcome` and
/// `team_changed`: every team in id order, with its members (active, placed players) and score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInfo {
    pub id: u32,
    pub name: String,
    pub members: u32,
    pub score: i64,
}

/// What a `host_resume` connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostView {
    /// The host's controls (the default): replaces an earlier control connection.
    Control,
    /// A read-only big screen (a projector): sees what the host sees, may not command.
    Screen,
}

/// How a `host_resume` proves it may run the room: exactly one of the two fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostCredential {
    /// `"host_key"`: the key from `room_created` (or from a `room_state` after a `token`).
    HostKey(String),
    /// `"token"`: a session token from `POST /api/login` of the game's host or of an admin
    /// ("Take control" from another device). The room answers with a new host key for this
    /// device in `room_state`'s `host_key`.
    Token(String),
}

/// Where a room is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    Lobby,
    Question,
    Reveal,
    Leaderboard,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Choice,
    TrueFalse,
    Multi,
    TypeAnswer,
    Poll,
    /// A number picked on a slider in `[min, max]` by `step`; close enough scores.
    Slider,
    /// 3 to 6 items put in order; each player sees them shuffled.
    Order,
    /// Unscored open text of 1 to 3 words; the reveal shows everyone's words as a cloud.
    WordCloud,
    /// A content page between questions (a title and a text): no answers, no timer; the host
    /// moves on with `next`.
    Slide,
}

/// How much a question is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Points {
    #[default]
    Standard,
    Double,
    #[serde(rename = "none")]
    NoPoints,
}

impl Points {
    /// Points for a correct answer before the speed factor.
    pub fn base(self) -> i64 {
        match self {
            Points::Standard => 1000,
            Points::Double => 2000,
            Points::NoPoints => 0,
        }
    }
}

/// Messages a client (player or host) sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    Join {
        pin: Pin,
        name: String,
    },
    Resume {
        pin: Pin,
        token: String,
    },
    /// Exactly one of `choice`, `choices`, `text`, `value` is present, matching the question
    /// kind.
    Answer {
        index: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        choice: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        choices: Option<Vec<u32>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
        /// A `slider` answer: a whole number in `[min, max]` on the step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<i64>,
        /// An `order` answer: every item id of the question, in the player's order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order: Option<Vec<u32>>,
    },
    /// To the room, or with `to` to one player. Hosts may chat too (shown as from "host").
    Chat {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<PlayerId>,
    },
    List,
    Leave,
    Host {
        token: String,
        quiz_id: QuizId,
        mode: Mode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_players: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auto_advance_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chat: Option<bool>,
        /// `generated`: the server names every player (their `name` is ignored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        names: Option<NamePolicy>,
        #[serde(flatten)]
        options: HostOptions,
        /// A team game: `{"count": N}` or `{"size": N}`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        teams: Option<TeamPlan>,
    },
    HostResume {
        pin: Pin,
        #[serde(flatten)]
        by: HostCredential,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        view: Option<HostView>,
    },
    Start,
    Close,
    Next,
    Kick {
        player_id: PlayerId,
    },
    Lock {
        locked: bool,
    },
    SetChat {
        enabled: bool,
    },
    End,
    /// After `game_over`: a new room of the same quiz with the same settings; the players
    /// still connected follow the host into it (each gets `play_again`).
    PlayAgain,
    /// A player of a players-choose team game joins team `team`, in the lobby.
    ChooseTeam {
        team: u32,
    },
    /// The host puts a player in team `team`, in the lobby of a team game.
    MovePlayer {
        player_id: PlayerId,
        team: u32,
    },
    /// Starts an attempt at a self-paced assignment: its 8-digit `code`, the player's name
    /// (the rules of `join`), and the identifier the assignment asks for (absent when it asks
    /// for none).
    AssignmentJoin {
        code: String,
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identifier: Option<String>,
    },
    /// Takes up an attempt again with the `token` from `assignment_welcome`.
    AssignmentResume {
        code: String,
        token: String,
    },
    /// In an attempt, after a question's `assignment_result`: the next question (or
    /// `assignment_done` after the last).
    AssignmentNext,
}

/// An answer as given, after the parser checked that exactly one form was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerValue {
    Choice(u32),
    Choices(Vec<u32>),
    Text(String),
    /// A `slider` answer.
    Value(i64),
    /// An `order` answer: item ids.
    Order(Vec<u32>),
}

impl ClientMsg {
    /// Messages only a host socket may send.
    pub fn is_host_command(&self) -> bool {
        matches!(
            self,
            ClientMsg::Start
                | ClientMsg::Close
                | ClientMsg::Next
                | ClientMsg::Kick { .. }
                | ClientMsg::Lock { .. }
                | ClientMsg::SetChat { .. }
                | ClientMsg::End
                | ClientMsg::PlayAgain
                | ClientMsg::MovePlayer { .. }
        )
    }

    /// The `type` tag of this message.
    pub fn type_name(&self) -> &'static str {
        match self {
            ClientMsg::Join { .. } => "join",
            ClientMsg::Resume { .. } => "resume",
            ClientMsg::Answer { .. } => "answer",
            ClientMsg::Chat { .. } => "chat",
            ClientMsg::List => "list",
            ClientMsg::Leave => "leave",
            ClientMsg::Host { .. } => "host",
            ClientMsg::HostResume { .. } => "host_resume",
            ClientMsg::Start => "start",
            ClientMsg::Close => "close",
            ClientMsg::Next => "next",
            ClientMsg::Kick { .. } => "kick",
            ClientMsg::Lock { .. } => "lock",
            ClientMsg::SetChat { .. } => "set_chat",
            ClientMsg::End => "end",
            ClientMsg::PlayAgain => "play_again",
            ClientMsg::ChooseTeam { .. } => "choose_team",
            ClientMsg::MovePlayer { .. } => "move_player",
            ClientMsg::AssignmentJoin { .. } => "assignment_join",
            ClientMsg::AssignmentResume { .. } => "assignment_resume",
            ClientMsg::AssignmentNext => "assignment_next",
        }
    }
}

/// A question as players see it. It carries no answer and no hint of one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub index: u32,
    pub total: u32,
    pub kind: QuestionKind,
    /// `slide` only, when its author gave one: the heading shown above `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub text: String,
    /// The choices shown; `["True","False"]` for `true_false`, empty for `type_answer`.
    pub choices: Vec<String>,
    pub time_limit_ms: u64,
    /// Answering time left: the whole `time_limit_ms` until answering opens.
    pub remaining_ms: u64,
    /// The get-ready time left: answering opens this many milliseconds after the frame was
    /// sent (0: open now). An `answer` before then gets `too_early`.
    #[serde(default)]
    pub opens_in_ms: u64,
    pub points: Points,
    /// In a team game with team talk: how much of the get-ready time is the team talk (the
    /// last `team_talk_ms` before answering opens). Absent otherwise, and on slides.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub team_talk_ms: u64,
    /// `slider` only: the range and step of the slider (never the correct value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slider: Option<SliderRange>,
    /// `order` only: the items to put in order, shuffled for this player (never in the right
    /// order when another order exists). Ids are the room's own, unrelated to the right order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<OrderItem>>,
    /// Only to a phone in a room with `shuffle_answers`, for `choice` and `multi`: the quiz's
    /// index of each choice as shown (`choices[k]` is the quiz's choice `choice_order[k]`).
    /// The phone answers with shown places; the reveal's indices are the quiz's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_order: Option<Vec<u32>>,
    /// Present (`true`) only in a room without time limits: the question stays open until
    /// every player answered or the host closes it; `time_limit_ms` and `remaining_ms` then
    /// count down the room's safety cap ([`NO_TIME_LIMIT_CAP_MS`](crate::NO_TIME_LIMIT_CAP_MS)), not a real deadline.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_time_limit: bool,
    /// Only in `welcome`: whether this player already answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// The question's image, audio clip or video, when it has one: always to the host and its
    /// screens, to phones only in a room with `media_on_phones`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<crate::MediaView>,
    /// Present (`true`) only to a phone in a room with `question_on_phones: false`, on a
    /// `choice`, `true_false`, `multi` or `poll` question: `text` is empty and so is each of
    /// `choices` (a `true_false` keeps its two labels); the phone draws the shape tiles and
    /// points at the big screen. The list keeps its length, so answers are the same indices.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shapes_only: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A `slider` question's range, as players see it: whole numbers from `min` to `max` by `step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliderRange {
    pub min: i64,
    pub max: i64,
    pub step: i64,
}

impl SliderRange {
    /// Whether `v` is a position of this slider: in `[min, max]` and on the step.
    pub fn allows(&self, v: i64) -> bool {
        (self.min..=self.max).contains(&v) && (v - self.min) % self.step == 0
    }

    /// The histogram of `values` in at most [`MAX_SLIDER_BINS`] bars of equal width, each a
    /// whole number of steps, covering `[min, max]`. Values off the slider are not counted.
    pub fn histogram(&self, values: impl IntoIterator<Item = i64>) -> Vec<SliderBin> {
        let positions = (self.max - self.min) / self.step + 1;
        let per_bin = (positions + MAX_SLIDER_BINS as i64 - 1) / MAX_SLIDER_BINS as i64;
        let width = per_bin * self.step;
        let bins = (positions + per_bin - 1) / per_bin;
        let mut out: Vec<SliderBin> = (0..bins)
            .map(|b| SliderBin {
                from: self.min + b * width,
                to: (self.min + b * width + width - self.step).min(self.max),
                count: 0,
            })
            .collect();
        for v in values.into_iter().filter(|v| self.allows(*v)) {
            if let Some(bin) = out.get_mut(((v - self.min) / width) as usize) {
                bin.count += 1;
            }
        }
        out
    }
}

/// One item of an `order` question, as players see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    pub id: u32,
    pub text: String,
}

/// One bar of a `slider` reveal's histogram: how many answers fell in `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliderBin {
    pub from: i64,
    pub to: i64,
    pub count: u32,
}

/// Most bars a `slider` reveal's `values` histogram has.
pub const MAX_SLIDER_BINS: usize = 20;

/// The fastest correct answer of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstCorrect {
    pub player_id: PlayerId,
    pub name: String,
    pub elapsed_ms: u64,
}

/// One line of a leaderboard or podium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub player_id: PlayerId,
    pub name: String,
    pub score: i64,
    pub rank: u32,
}

/// One question of a player's `summary`: what it earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionPoints {
    pub index: u32,
    pub answered: bool,
    /// `null` for a poll, and when the player did not answer.
    pub correct: Option<bool>,
    pub points: i64,
}

/// The player ranked just above, in a personal `result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ahead {
    pub name: String,
    pub score: i64,
}

/// A closed question as everyone saw it: the fields of `question_closed`, which a `room_state`
/// during the reveal and the leaderboard after it carries again as `reveal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reveal {
    pub index: u32,
    /// Correct choice indices (absent for `type_answer` and `poll`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<Vec<u32>>,
    /// Accepted answers (only for `type_answer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<String>>,
    /// Answers per choice; for `type_answer`, `[correct, wrong]`.
    pub counts: Vec<u32>,
    pub answered: u32,
    pub total: u32,
    /// The fastest correct answer; in `race`, the winner.
    pub first_correct: Option<FirstCorrect>,
    /// The author's explanation of the answer, if the question has one. Never sent before
    /// the reveal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// `slider` only: the correct value, the tolerance and the answers as a histogram.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    /// Boxed, like `room_state`'s reveal: every other message stays small.
    pub slider: Option<Box<SliderReveal>>,
    /// `order` only: the item ids in the right order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_order: Option<Vec<u32>>,
    /// `word_cloud` only: the most given answers, most first (at most [`MAX_CLOUD_WORDS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<Vec<WordCount>>,
    /// `word_cloud` only: how many answers the server's word filter kept out of `words`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filtered: Option<u32>,
}

/// Most entries a `word_cloud` reveal's `words` carries.
pub const MAX_CLOUD_WORDS: usize = 50;

/// One entry of a `word_cloud` reveal: an answer as most players spelled it, and how many gave
/// it (compared ignoring case, accents and spacing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordCount {
    pub text: String,
    pub count: u32,
}

/// What a `slider` question's reveal adds: `correct_value`, `tolerance`, and `values`, the
/// answers in at most [`MAX_SLIDER_BINS`] bars of equal width covering `[min, max]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliderReveal {
    pub correct_value: i64,
    pub tolerance: i64,
    pub values: Vec<SliderBin>,
}

impl From<Reveal> for ServerMsg {
    fn from(r: Reveal) -> ServerMsg {
        ServerMsg::QuestionClosed {
            index: r.index,
            correct: r.correct,
            accept: r.accept,
            counts: r.counts,
            answered: r.answered,
            total: r.total,
            first_correct: r.first_correct,
            explanation: r.explanation,
            slider: r.slider,
            correct_order: r.correct_order,
            words: r.words,
            filtered: r.filtered,
        }
    }
}

/// How a `multi` answer's picks compare with the correct set, in a personal `result`:
/// "2 of 3 right".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Picks {
    /// Correct choices the player picked.
    pub right: u32,
    /// Choices picked that are not correct.
    pub wrong: u32,
    /// How many choices are correct.
    pub of: u32,
}

/// Most names one `players` reply carries; `count` says how many there are in all.
pub const PLAYERS_LISTED: usize = 200;

/// One player in a `players` list or a `room_state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlayerInfo {
    pub player_id: PlayerId,
    pub name: String,
    pub score: i64,
    pub connected: bool,
    /// In a team game, the player's team; absent while a player who chooses has not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<u32>,
}

/// Who wrote a chat message: a player, or the literal string `"host"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChatFrom {
    Player { player_id: PlayerId, name: String },
    Host(HostLiteral),
}

/// Serialises as the string `"host"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostLiteral {
    #[serde(rename = "host")]
    Host,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    HostEnded,
    Kicked,
    ServerShutdown,
    Idle,
}

/// Messages the server sends. `question` frames go to the whole room as one shared frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    Welcome {
        pin: Pin,
        player_id: PlayerId,
        name: String,
        token: String,
        phase: PhaseName,
        score: i64,
        players: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionView>,
        /// The room's mode, so that a phone can explain the rules before the first question.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<Mode>,
        /// The quiz's language tag (the quiz document's `lang`), when its author gave one: the
        /// page marks the quiz text with it for screen readers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// In a team game: the player's team (absent while a player who chooses has not).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<TeamRef>,
        /// Only in the lobby of a team game where players choose: `"players"`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team_choice: Option<TeamChoice>,
        /// With `team_choice`: the teams to choose from, with their members so far.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        teams: Option<Vec<TeamInfo>>,
    },
    Question(QuestionView),
    AnswerAck {
        index: u32,
        elapsed_ms: u64,
    },
    QuestionClosed {
        index: u32,
        /// Correct choice indices (absent for `type_answer` and `poll`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correct: Option<Vec<u32>>,
        /// Accepted answers (only for `type_answer`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        accept: Option<Vec<String>>,
        /// Answers per choice; for `type_answer`, `[correct, wrong]`.
        counts: Vec<u32>,
        answered: u32,
        total: u32,
        /// The fastest correct answer; in `race`, the winner.
        first_correct: Option<FirstCorrect>,
        /// The author's explanation, if the question has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<String>,
        /// `slider` only: `correct_value`, `tolerance` and the `values` histogram.
        #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
        slider: Option<Box<SliderReveal>>,
        /// `order` only: the item ids in the right order.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correct_order: Option<Vec<u32>>,
        /// `word_cloud` only: the most given answers with their counts, most first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        words: Option<Vec<WordCount>>,
        /// `word_cloud` only: answers kept out of `words` by the word filter.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filtered: Option<u32>,
    },
    Result {
        index: u32,
        answered: bool,
        /// `null` for a poll, which has no right answer.
        correct: Option<bool>,
        points: i64,
        score: i64,
        rank: u32,
        streak: u32,
        /// The player ranked just above; `null` for the leader.
        #[serde(default)]
        ahead: Option<Ahead>,
        /// True when another player holds the same `rank` (equal scores share one); left out
        /// when the rank is this player's alone.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        shared: bool,
        /// Only for an answered `multi` question: how the picks compare with the correct set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        picks: Option<Picks>,
        /// In a team game: the player's team as it stands now (its place among all the teams),
        /// so that a phone shows it after every question, leaderboard or not.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<TeamStanding>,
    },
    Leaderboard {
        index: u32,
        top: Vec<Standing>,
        /// In a team game: the team standings, best first (at most [`TEAMS_LISTED`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        teams: Option<Vec<TeamStanding>>,
    },
    GameOver {
        game_id: GameId,
        podium: Vec<Standing>,
        /// In a team game: the final team standings, best first (at most [`TEAMS_LISTED`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        teams: Option<Vec<TeamStanding>>,
    },
    /// Personal, after `game_over` and the final `result`: the player's whole game.
    Summary {
        rank: u32,
        /// True when another player holds the same `rank`; left out otherwise.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        shared: bool,
        score: i64,
        /// Questions answered correctly, of the `asked` ones (those that closed while the
        /// player was in the game).
        correct: u32,
        asked: u32,
        /// The longest run of correct answers.
        best_streak: u32,
        /// One entry per question asked, in order.
        questions: Vec<QuestionPoints>,
    },
    /// The host played the quiz again: join the new room `pin` (with the same name).
    PlayAgain {
        pin: Pin,
        /// Only to big screens: the new room's host key, so a presenter opened by its own
        /// link follows the game as a screen of the new room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        host_key: Option<String>,
    },
    Chat {
        from: ChatFrom,
        text: String,
        /// Set on a direct message: the player it was sent to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<PlayerId>,
    },
    /// The first [`PLAYERS_LISTED`] active players in join order, and how many there are.
    Players {
        players: Vec<PlayerInfo>,
        count: u32,
        /// Present (and true) only when `players` is cut short of `count`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        truncated: bool,
    },
    RoomClosed {
        reason: CloseReason,
    },
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    // --- to the host only ---
    RoomCreated {
        pin: Pin,
        host_key: String,
        game_id: GameId,
    },
    /// The full picture of a room, sent to a host on `host_resume` and after `room_created`.
    RoomState {
        pin: Pin,
        game_id: GameId,
        mode: Mode,
        title: String,
        phase: PhaseName,
        /// Index of the current or last question, if any was opened.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u32>,
        total: u32,
        /// The open question; during `reveal` and `leaderboard`, the last one (`remaining_ms` 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question: Option<QuestionView>,
        answered: u32,
        players: Vec<PlayerInfo>,
        locked: bool,
        chat: bool,
        /// During `reveal` and `leaderboard`: that question's `question_closed`, less `type`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        /// Boxed: a `room_state` is rare, and every other message stays small.
        reveal: Option<Box<Reveal>>,
        /// Only to a host that resumed with a session `token`: the host key minted for this
        /// device, to use in later `host_resume`s and presenter links.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        host_key: Option<String>,
        /// The quiz's language tag, as in `welcome`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
        /// Present only when standings are shown at the end alone (`"end"`): the room's
        /// `leaderboard` setting, so that a host page that took control labels `next` right.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        leaderboard: Option<LeaderboardAt>,
        /// In a team game: every team, in id order (each player's team is in `players`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        teams: Option<Vec<TeamInfo>>,
        /// In a team game where players choose their team: `"players"`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team_choice: Option<TeamChoice>,
        /// In a team game with team talk: its length, in milliseconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team_talk_ms: Option<u64>,
    },
    PlayerJoined {
        player_id: PlayerId,
        name: String,
        count: u32,
        /// In a team game, the newcomer's team (absent while a player who chooses has not).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        team: Option<u32>,
    },
    /// In the lobby of a team game, to everyone: a player chose a team, or the host moved
    /// them; `teams` is every team with its members now.
    TeamChanged {
        player_id: PlayerId,
        team: u32,
        teams: Vec<TeamInfo>,
    },
    PlayerLeft {
        player_id: PlayerId,
        count: u32,
    },
    /// A player's socket dropped or came back; the player keeps their place.
    PlayerConnection {
        player_id: PlayerId,
        connected: bool,
    },
    AnswerCount {
        index: u32,
        answered: u32,
        total: u32,
        /// Votes per choice, while a `poll` is open (the host's live chart).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        votes: Option<Vec<u32>>,
    },
    // --- self-paced assignments (to the one player of an attempt) ---
    /// An attempt began or was taken up again. `token` resumes it (`assignment_resume`);
    /// `index` is the question it is at (`null`: none shown yet). The next frame is the
    /// open question, its `assignment_result`, or `assignment_done`.
    AssignmentWelcome {
        code: String,
        game_id: GameId,
        title: String,
        name: String,
        token: String,
        /// This attempt's number (from 1) and the most the assignment allows.
        attempt: u32,
        attempts: u32,
        questions: u32,
        /// Unix milliseconds: nothing is accepted from then on.
        deadline_ms: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u32>,
        score: i64,
        /// The quiz's language tag, as in `welcome`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
    },
    /// A question of an attempt closed (answered, or its time ran out): what it earned, with
    /// the right answer and the author's explanation.
    AssignmentResult {
        index: u32,
        answered: bool,
        /// `null` for a poll, a word cloud and a slide.
        correct: Option<bool>,
        points: i64,
        /// The attempt's score so far.
        score: i64,
        /// Correct choice indices (as in `question_closed`; the quiz's order).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correct_choices: Option<Vec<u32>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation: Option<String>,
    },
    /// The attempt is over: its score, its correct answers of the scored questions, and its
    /// rank among the finished attempts so far (equal scores share a rank).
    AssignmentDone {
        score: i64,
        correct: u32,
        questions: u32,
        rank: u32,
        finished: u32,
    },
    // --- cluster routing (a single node never sends it) ---
    /// This node does not own room `pin`: reconnect to `url` and send the same
    /// `join` / `resume` / `host_resume` again. The node closes the socket normally after it.
    Moved {
        pin: Pin,
        /// The owner's socket URL; absent during a failover (reconnect to any node).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        /// Wait this long before reconnecting (a failover in progress).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u32>,
    },
}

impl ServerMsg {
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        ServerMsg::Error {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// An error with the code's standard message.
    pub fn error_code(code: ErrorCode) -> Self {
        Self::error(code, code.message())
    }

    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServerMsg::Error {
            code: ErrorCode::BadField,
            message: message.into(),
            field: Some(field.into()),
        }
    }
}
