//! Self-paced assignments: a quiz each player plays alone, at any time before a deadline.
//!
//! `rules` is one attempt's state machine (pure, on wall-clock milliseconds, so that what it
//! needs is stored and any node can take an attempt up); the socket side is `crate::ws`'s
//! `attempt` module, the rows `crate::store`'s `assignments`, the host's API
//! `crate::http`'s `assignments`. Judging and points come from [`crate::room::scoring`], as in
//! live games.

pub mod rules;
#[cfg(test)]
mod rules_tests;

/// Most days ahead a deadline may be set.
pub const MAX_DEADLINE_DAYS: i64 = 60;
/// Most attempts an assignment may allow one player.
pub const MAX_ATTEMPTS: u32 = 10;
/// Most characters of the identifier's label (what the host asks for, "Student number").
pub const MAX_LABEL_CHARS: usize = 40;
