//! The quizrace wire contract, shared by the server, the bots and (by hand) the web pages.
//!
//! - [`ClientMsg`] and [`ServerMsg`]: one JSON object per WebSocket text frame, tagged by `type`.
//! - [`parse_client`]: the strict parser the server uses, so that every refusal names its field.
//! - [`QuizDoc`] and [`Quiz`]: the quiz document as authored, and its validated form. The answer
//!   key lives in [`AnswerKey`], which has no `Serialize` impl: it cannot reach a player.
//!
//! Nothing here does I/O; the crate depends on serde only.

mod errors;
mod ids;
mod media;
mod msg;
mod options;
mod parse;
mod quiz;
mod rank;

pub use errors::ErrorCode;
pub use ids::{GameId, Pin, PlayerId, QuizId};
pub use media::{MediaKind, MediaView, QuestionMedia, MAX_ALT_CHARS};
pub use msg::*;
pub use options::*;
pub use parse::{is_assignment_code, parse_client, ParseError, MAX_IDENTIFIER_CHARS};
pub use quiz::{
    AnswerKey, Question, QuestionDoc, Quiz, QuizDoc, QuizError, Typo, DEFAULT_READ_S,
    DEFAULT_TIME_LIMIT_S, MAX_ACCEPT, MAX_ACCEPT_CHARS, MAX_CHOICE_CHARS, MAX_CLOUD_ANSWER_CHARS,
    MAX_CLOUD_ANSWER_WORDS, MAX_CLOUD_WORD_CHARS, MAX_EXPLANATION_CHARS, MAX_READ_S,
    MAX_SLIDER_ABS, MAX_SLIDER_POSITIONS, MAX_TEXT_CHARS, MAX_TIME_LIMIT_S, MAX_TITLE_CHARS,
    MIN_TIME_LIMIT_S,
};
pub use rank::shared_ranks;

/// Largest text frame a client may send, in bytes.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Longest chat message, in characters.
pub const MAX_CHAT_CHARS: usize = 280;
/// Longest player name, in characters.
pub const MAX_NAME_CHARS: usize = 20;
/// Grace after `time_limit_ms` for answers still in transit.
pub const ANSWER_GRACE_MS: u64 = 250;
