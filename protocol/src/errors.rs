//! The error codes: stable identifiers for programs, each with a standard message for people.

use serde::{Deserialize, Serialize};

/// Stable error identifiers. Messages are for people; codes are for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadMessage,
    BadField,
    NotJoined,
    AlreadyJoined,
    NoSuchRoom,
    BadName,
    NameTaken,
    RoomFull,
    RoomLocked,
    GameFinished,
    BadToken,
    WrongQuestion,
    /// The question is still in its get-ready time: answering has not opened.
    TooEarly,
    TooLate,
    AlreadyAnswered,
    ChatDisabled,
    NoSuchPlayer,
    RateLimited,
    Unauthorized,
    NoSuchQuiz,
    /// HTTP only: no game with that id that this account may see.
    NoSuchGame,
    BadPhase,
    NoPlayers,
    NotHost,
    Replaced,
    BadCredentials,
    ServerBusy,
    Internal,
    /// HTTP only: a browser page from a foreign origin (403).
    Forbidden,
    /// HTTP only: another account has that username (409).
    UsernameTaken,
    /// HTTP only: no account with that id (404).
    NoSuchAccount,
    /// HTTP only: a built-in sample quiz cannot be changed or deleted (409).
    ReadOnly,
    /// An account's quota is used up (live rooms, stored quizzes, quiz size); the message
    /// names the quota. HTTP 403 or 429; on the socket, the answer to `host`.
    QuotaExceeded,
    /// HTTP only: no API endpoint at that path (404).
    NoSuchEndpoint,
    /// HTTP only: the endpoint exists but not with that method (405).
    MethodNotAllowed,
    /// The assignment's deadline has passed, or its host closed it: nothing is accepted.
    AssignmentClosed,
    /// This player (by identifier, or by name when the assignment asks for none) has used
    /// every attempt the assignment allows.
    AttemptsUsed,
    /// HTTP only: an upload that is not an accepted image, audio or video type, judged by its
    /// bytes (415).
    MediaType,
    /// HTTP only: a body over the size cap (`--max-media-mb` for an upload) (413).
    TooLarge,
    /// HTTP only: the upload would put the account's media over `--media-quota-mb` (403).
    MediaQuota,
    /// HTTP only: an image that cannot be decoded, or is too large once decoded (400).
    BadMedia,
    /// A team game with a team size: that team has no room left.
    TeamFull,
}

impl ErrorCode {
    /// The standard human-readable message for this code.
    pub fn message(self) -> &'static str {
        match self {
            ErrorCode::BadMessage => "that is not a message this server understands",
            ErrorCode::BadField => "a field is missing or invalid",
            ErrorCode::NotJoined => "join a room first",
            ErrorCode::AlreadyJoined => "this connection is already in a room",
            ErrorCode::NoSuchRoom => "no room has that PIN",
            ErrorCode::BadName => "names are 1 to 20 letters, digits, emoji, spaces or _-.' characters, with nothing invisible",
            ErrorCode::NameTaken => "that name is already taken in this room",
            ErrorCode::RoomFull => "the room is full",
            ErrorCode::RoomLocked => "the host has locked the room",
            ErrorCode::GameFinished => "this game has finished",
            ErrorCode::BadToken => "that resume token is not valid in this room",
            ErrorCode::WrongQuestion => "that question is not the one open",
            ErrorCode::TooEarly => "answering has not opened yet; wait for the countdown",
            ErrorCode::TooLate => "time is up for that question",
            ErrorCode::AlreadyAnswered => "you already answered this question",
            ErrorCode::ChatDisabled => "the host has turned chat off",
            ErrorCode::NoSuchPlayer => "no such player in this room",
            ErrorCode::RateLimited => "too many messages; slow down",
            ErrorCode::Unauthorized => "not allowed: log in as the host of this room",
            ErrorCode::NoSuchQuiz => "no such quiz",
            ErrorCode::NoSuchGame => "no such game",
            ErrorCode::BadPhase => "that cannot be done at this point of the game",
            ErrorCode::NoPlayers => "no players have joined yet",
            ErrorCode::NotHost => "only the host can do that",
            ErrorCode::Replaced => "this identity was resumed on another connection",
            ErrorCode::BadCredentials => "wrong username or password",
            ErrorCode::ServerBusy => "the server is busy; try again",
            ErrorCode::Internal => "the server failed to do that; try again",
            ErrorCode::Forbidden => "requests from this page's origin are not allowed",
            ErrorCode::UsernameTaken => "another account already has that username",
            ErrorCode::NoSuchAccount => "no such account",
            ErrorCode::ReadOnly => "a built-in sample quiz cannot be changed; copy it instead",
            ErrorCode::QuotaExceeded => "this account has reached a limit set by the server",
            ErrorCode::NoSuchEndpoint => "there is no API endpoint at that path",
            ErrorCode::MethodNotAllowed => "that endpoint does not take this method",
            ErrorCode::AssignmentClosed => "this assignment is closed: its deadline has passed",
            ErrorCode::AttemptsUsed => "you have used every attempt this assignment allows",
            ErrorCode::MediaType => {
                "this file is not an accepted image (PNG, JPEG, WebP, GIF), audio (MP3, OGG, M4A) or video (MP4, WebM)"
            }
            ErrorCode::TooLarge => "the file is larger than this server accepts",
            ErrorCode::MediaQuota => "this account's media quota is used up",
            ErrorCode::BadMedia => "this image could not be read",
            ErrorCode::TeamFull => "that team is full; choose another",
        }
    }
}
