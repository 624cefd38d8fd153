//! `play_again`: a finished room hands its settings and quiz to the server, which makes the
//! next room (that needs the database, so it happens outside the state machine, between
//! [`Room::play_again`] and [`Room::played_again`]), and then sends its players there. A room
//! is played again at most once.

use super::{ConnId, Effect, Effects, Phase, Room, Settings, Target};
use quizrace_protocol::{ErrorCode, Pin, Quiz, ServerMsg};
use std::sync::Arc;

/// Whether a finished room was played again, and as which room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Again {
    NotAsked,
    /// The new room is being made.
    Pending,
    /// The players were sent to this room; its host key is for this room's big screens.
    Done {
        pin: Pin,
        screen_key: String,
    },
}

/// Why a `play_again` is refused; nothing changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgainRefused {
    /// Not the host's current connection.
    NotHost,
    /// The game is not over.
    NotOver,
    /// The new room is being made.
    Pending,
    /// Played again already, as this room.
    Done(Pin),
}

impl AgainRefused {
    /// The `error` frame for the asker.
    pub fn to_msg(&self) -> ServerMsg {
        match self {
            AgainRefused::NotHost => ServerMsg::error_code(ErrorCode::NotHost),
            AgainRefused::NotOver => ServerMsg::error(
                ErrorCode::BadPhase,
                "the game can be played again once it is over",
            ),
            AgainRefused::Pending => ServerMsg::error(
                ErrorCode::ServerBusy,
                "the new room is being made; wait for it",
            ),
            AgainRefused::Done(pin) => ServerMsg::error(
                ErrorCode::BadPhase,
                format!("this game was already played again, in room {pin}"),
            ),
        }
    }
}

/// What the server needs to make the new room: the old room's settings (the server replaces
/// its PIN, game and host key) and its quiz.
#[derive(Debug, Clone)]
pub struct AgainPlan {
    pub settings: Settings,
    pub quiz: Arc<Quiz>,
}

impl Room {
    /// The host's `play_again`. Only the host's current connection, only once the game has
    /// finished, only once; a refusal changes nothing.
    pub fn play_again(&mut self, conn: ConnId) -> Result<AgainPlan, AgainRefused> {
        if self.host != Some(conn) {
            return Err(AgainRefused::NotHost);
        }
        if !matches!(self.phase, Phase::Finished { .. }) {
            return Err(AgainRefused::NotOver);
        }
        match &self.again {
            Again::NotAsked => {
                self.again = Again::Pending;
                Ok(AgainPlan {
                    settings: self.settings.clone(),
                    quiz: Arc::clone(&self.quiz),
                })
            }
            Again::Pending => Err(AgainRefused::Pending),
            Again::Done { pin, .. } => Err(AgainRefused::Done(pin.clone())),
        }
    }

    /// The new room of a `play_again` is open under `pin` with host key `key` (every
    /// connected player is sent there, and every big screen with the key, so that it follows
    /// as a screen of the new room), or could not be made (`None`: the host may ask again).
    ///
    /// A screen signs in with this room's host key, which commands this room as fully as the
    /// new key commands the new one: handing it over gives a screen nothing it did not have.
    pub fn played_again(&mut self, made: Option<(Pin, String)>, fx: &mut Effects) {
        if self.again != Again::Pending {
            return;
        }
        match made {
            Some((pin, screen_key)) => {
                self.again = Again::Done { pin, screen_key };
                fx.extend(
                    self.again_msg(false)
                        .map(|m| Effect::Send(Target::Players, m)),
                );
                fx.extend(
                    self.again_msg(true)
                        .map(|m| Effect::Send(Target::Watchers, m)),
                );
            }
            None => self.again = Again::NotAsked,
        }
    }

    /// The `play_again` that someone who comes back to the finished room missed, if any: with
    /// the new room's host key for a big screen (`to_screen`), without for a player.
    pub(super) fn again_msg(&self, to_screen: bool) -> Option<ServerMsg> {
        match &self.again {
            Again::Done { pin, screen_key } => Some(ServerMsg::PlayAgain {
                pin: pin.clone(),
                host_key: to_screen.then(|| screen_key.clone()),
            }),
            Again::NotAsked | Again::Pending => None,
        }
    }
}
