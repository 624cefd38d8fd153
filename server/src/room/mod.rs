//! A room: one game being played. `state` holds the rules (pure), `actor` runs them in a task,
//! `storage` says what the room needs from a database (implemented by `crate::store`).

pub mod actor;
mod cloud;
pub(crate) mod order;
pub mod scoring;
pub mod shuffle;
pub mod state;
pub mod storage;
mod timing;

#[cfg(test)]
mod actor_tests;
#[cfg(test)]
mod cloud_slide_tests;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod drive;
#[cfg(test)]
mod ending_tests;
#[cfg(test)]
mod host_tests;
#[cfg(test)]
mod kinds_tests;
#[cfg(test)]
mod pacing_tests;
#[cfg(test)]
mod phones_tests;
#[cfg(test)]
mod props;
#[cfg(test)]
mod restore_tests;
#[cfg(test)]
mod results_tests;
#[cfg(test)]
mod roster_tests;
#[cfg(test)]
mod settings_tests;
#[cfg(test)]
mod team_choice_tests;
#[cfg(test)]
mod team_talk_tests;
#[cfg(test)]
mod teams_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod walk_tests;

pub use actor::{spawn_room, ConnHandle, Out, RoomCmd, RoomHandle, HOST_BACKLOG, PLAYER_BACKLOG};
pub use state::{ConnId, Room, RoomSummary, Settings, FINISHED_LINGER};
pub use storage::{Committed, RoomWriter};
pub use timing::Timing;
