//! Newtype identifiers, serialised as their bare value.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A player's number within one game, assigned in join order from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlayerId(pub u32);

/// A stored game (one play of a quiz in one room).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GameId(pub i64);

/// A stored quiz.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct QuizId(pub i64);

/// A room's join code: six decimal digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(pub String);

impl Pin {
    /// True for exactly six ASCII digits.
    pub fn is_well_formed(&self) -> bool {
        self.0.len() == 6 && self.0.bytes().all(|b| b.is_ascii_digit())
    }
}

macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
display_inner!(PlayerId, GameId, QuizId, Pin);
