//! What a host chooses for a room on `host`: the mode, who names the players, the game
//! settings (`HostOptions`) and a team plan, with their limits. The messages that carry them
//! are in `msg.rs`.

use serde::{Deserialize, Serialize};

/// Game mode, chosen by the host when creating the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every correct answer scores, faster answers score more.
    Classic,
    /// Only the first correct answer scores, and it closes the question.
    Race,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Classic => "classic",
            Mode::Race => "race",
        }
    }
}

/// Who picks the players' names in a room, chosen by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamePolicy {
    /// Players choose (the default).
    Free,
    /// The server gives each player a friendly random name, such as `Brave Otter`.
    Generated,
}

/// The game settings a host chose for a room on `host` (besides mode, seats, auto-advance, chat
/// and names); an absent field keeps the default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct HostOptions {
    /// Every question's answering time is multiplied by this, within
    /// [`TIME_FACTOR_MIN`]..=[`TIME_FACTOR_MAX`] (1 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_factor: Option<f64>,
    /// Questions stay open until every active player answered or the host closes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_time_limit: Option<bool>,
    /// When the standings are shown (`each` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaderboard: Option<LeaderboardAt>,
    /// `true`: the room plays the quiz's questions in an order of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_questions: Option<bool>,
    /// `true`: each phone shows a `choice` or `multi` question's choices in its own order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_answers: Option<bool>,
    /// `true`: phones show the questions' images, audio and video too (the host's screens
    /// always do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_on_phones: Option<bool>,
    /// `false`: phones show a choice question's shapes only, without its text and the
    /// choices' text, for a room where everyone watches the big screen (`true` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_on_phones: Option<bool>,
    /// In a team game: who puts players in teams (`auto` when absent). Ignored without teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_choice: Option<TeamChoice>,
    /// In a team game: the seconds of "team talk" before each question's answering opens
    /// ([`TEAM_TALK_S`]; [`DEFAULT_TEAM_TALK_S`] when absent). Ignored without teams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_talk_s: Option<u32>,
}

/// Who puts the players of a team game in teams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamChoice {
    /// The server, as they join: each into the team with fewest members (the default).
    #[default]
    Auto,
    /// The players, in the lobby (`choose_team`); those who chose none when the game starts
    /// are placed as `auto` would.
    Players,
}

/// The seconds of team talk a room may have (`team_talk_s` on `host`).
pub const TEAM_TALK_S: std::ops::RangeInclusive<u32> = 0..=30;
/// The team talk of a team game whose host did not say.
pub const DEFAULT_TEAM_TALK_S: u32 = 5;

/// When a room shows its standings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaderboardAt {
    /// After every question's reveal (the default).
    #[default]
    Each,
    /// Only at the podium: the reveal leads straight to the next question.
    End,
}

pub const TIME_FACTOR_MIN: f64 = 0.5;
pub const TIME_FACTOR_MAX: f64 = 3.0;
/// In a room without time limits a question still closes after this long, so that a room
/// whose host walked away does not stay open for ever; old clients count down to it.
pub const NO_TIME_LIMIT_CAP_MS: u64 = 30 * 60 * 1000;
/// How a room splits its players into teams (`"teams"` on `host`): exactly one of the two.
/// Players are placed as they join, each into the team with fewest members (ties: the lowest
/// id); a player who resumes keeps their team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamPlan {
    /// `{"count": N}`: N teams ([`TEAM_COUNTS`]).
    Count(u32),
    /// `{"size": N}`: teams of at most N players ([`TEAM_SIZES`]); a new team opens when
    /// every team is full.
    Size(u32),
}

/// The number of teams a room may have with `{"count": N}`.
pub const TEAM_COUNTS: std::ops::RangeInclusive<u32> = 2..=20;
/// The team sizes a room may have with `{"size": N}`.
pub const TEAM_SIZES: std::ops::RangeInclusive<u32> = 2..=50;
