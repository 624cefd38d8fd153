//! What a room needs from storage, and what it hands over: the rows it writes ([`Write`]),
//! what it is rebuilt from after a restart ([`Saved`]), and the [`RoomWriter`] that stores
//! them. The room names no database: `crate::store` implements these for SQLite.

use super::state::PlayerStatus;
#[cfg(doc)]
use super::{state::MAX_HOST_KEYS, Room};
#[cfg(doc)]
use crate::secret::secret_hash;
use quizrace_protocol::{AnswerValue, GameId, PlayerId};
use serde::Serialize;
use std::sync::Arc;
use tokio::sync::watch;

/// What a writer reports on a room's commit channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Every row numbered up to this one is stored (0: none yet).
    UpTo(u64),
    /// This node no longer owns the room: another took it over, and nothing more of this
    /// room's is stored here. A single node (SQLite) never fences.
    Fenced,
}

/// Where a room's rows go. Never blocks: the room must never wait on the disk.
pub trait RoomWriter: Send + Sync {
    /// Hands over a row numbered `seq`; `notify` gets [`Committed::UpTo`] `seq` once it is
    /// stored (rows are stored in the order handed over), or [`Committed::Fenced`].
    fn write(&self, write: Write, seq: u64, notify: Arc<watch::Sender<Committed>>);
    /// The lease epoch `game`'s rows are written at (a cluster's fence); 0 off a cluster.
    fn epoch(&self, _game: GameId) -> i64 {
        0
    }
}

/// A row for the database writer. The room hands these over as data and never waits.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Player {
        game: GameId,
        player: PlayerId,
        name: String,
        /// [`secret_hash`] of the player's token: the token itself is never stored.
        token_hash: String,
        /// The first question the player could answer: the one open when they joined, or
        /// the next one.
        first_index: u32,
        /// In a team game, the player's team.
        team: Option<u32>,
    },
    /// A player chose a team in the lobby, the host moved them, or the start placed them.
    PlayerTeam {
        game: GameId,
        player: PlayerId,
        team: u32,
    },
    /// A host key the room accepts from now on (its hash), minted for a device that took
    /// control with a session token. The store keeps the newest [`MAX_HOST_KEYS`].
    HostKey {
        game: GameId,
        key_hash: String,
    },
    /// `left` or `kicked` after the start, or `removed`: gone from the lobby, in no result.
    PlayerStatus {
        game: GameId,
        player: PlayerId,
        status: PlayerStatus,
        /// Questions opened so far: the last one the player was asked is the one before.
        opened: u32,
    },
    /// Inserted, or replaced for a changed poll vote.
    Answer {
        game: GameId,
        index: u32,
        player: PlayerId,
        elapsed_ms: u64,
        correct: Option<bool>,
        points: i64,
        answer: AnswerValue,
    },
    GameStatus {
        game: GameId,
        status: GameStatus,
    },
    /// The room moved to `phase` (`question`, `reveal` or `leaderboard`) of question `index`.
    /// The writer stamps a `question` row with its own clock: with the heartbeat it also
    /// stamps, that measures how long the question had been open when the server stopped.
    Phase {
        game: GameId,
        phase: StoredPhase,
        index: u32,
    },
    /// The host's `lock` and `set_chat` switches.
    Flags {
        game: GameId,
        locked: bool,
        chat: bool,
    },
}

/// A game's status as stored (`games.status`) and as its report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GameStatus {
    /// In the lobby or in play; after a restart, rebuilt by [`Room::restore`].
    Running,
    Finished,
    /// Ended by the host before the last question, or unreadable at a restart.
    Aborted,
}

/// The phase a `games` row records. A finished game is a [`GameStatus`], not a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredPhase {
    Lobby,
    Question,
    Reveal,
    Leaderboard,
}

/// What the database holds about a running game: enough to rebuild its room after a restart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Saved {
    /// In join order (player ids 1, 2, ...).
    pub players: Vec<SavedPlayer>,
    /// Every stored answer (a poll's last vote), in any order.
    pub answers: Vec<SavedAnswer>,
    pub phase: SavedPhase,
    pub locked: bool,
    pub chat: bool,
    /// Hashes of the host keys the room accepts, oldest first; empty: only `Settings::host_key`.
    pub host_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedPlayer {
    pub id: PlayerId,
    pub name: String,
    pub token_hash: String,
    pub status: PlayerStatus,
    /// The first question the player could answer (`Write::Player`'s `first_index`).
    pub first_index: u32,
    /// In a team game, the player's team (`Write::Player`'s `team`).
    pub team: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SavedAnswer {
    pub index: u32,
    pub player: PlayerId,
    pub elapsed_ms: u64,
    pub correct: Option<bool>,
    pub points: i64,
    pub value: AnswerValue,
}

/// The last phase the database knows of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SavedPhase {
    #[default]
    Lobby,
    /// Open for `elapsed_ms` when the server stopped.
    Question {
        index: u32,
        elapsed_ms: u64,
    },
    Reveal {
        index: u32,
    },
    Leaderboard {
        index: u32,
    },
}

/// A writer that reports every row committed at once without storing it: for tests of the
/// room task's timing, which must not wait on a real disk under a paused clock.
#[cfg(test)]
pub struct InstantWriter;

#[cfg(test)]
impl RoomWriter for InstantWriter {
    fn write(&self, _write: Write, seq: u64, notify: Arc<watch::Sender<Committed>>) {
        notify.send_replace(Committed::UpTo(seq));
    }
}
