//! Error codes: the stable snake_case names and a message for each.

use super::*;

/// The wire name of every code. No wildcard: a new code does not compile until it is named
/// here and added to `ALL_CODES`.
fn wire_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadMessage => "bad_message",
        ErrorCode::BadField => "bad_field",
        ErrorCode::NotJoined => "not_joined",
        ErrorCode::AlreadyJoined => "already_joined",
        ErrorCode::NoSuchRoom => "no_such_room",
        ErrorCode::BadName => "bad_name",
        ErrorCode::NameTaken => "name_taken",
        ErrorCode::RoomFull => "room_full",
        ErrorCode::RoomLocked => "room_locked",
        ErrorCode::GameFinished => "game_finished",
        ErrorCode::BadToken => "bad_token",
        ErrorCode::WrongQuestion => "wrong_question",
        ErrorCode::TooLate => "too_late",
        ErrorCode::TooEarly => "too_early",
        ErrorCode::AlreadyAnswered => "already_answered",
        ErrorCode::ChatDisabled => "chat_disabled",
        ErrorCode::NoSuchPlayer => "no_such_player",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::Unauthorized => "unauthorized",
        ErrorCode::NoSuchQuiz => "no_such_quiz",
        ErrorCode::NoSuchGame => "no_such_game",
        ErrorCode::BadPhase => "bad_phase",
        ErrorCode::NoPlayers => "no_players",
        ErrorCode::NotHost => "not_host",
        ErrorCode::Replaced => "replaced",
        ErrorCode::BadCredentials => "bad_credentials",
        ErrorCode::ServerBusy => "server_busy",
        ErrorCode::Internal => "internal",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::UsernameTaken => "username_taken",
        ErrorCode::NoSuchAccount => "no_such_account",
        ErrorCode::ReadOnly => "read_only",
        ErrorCode::QuotaExceeded => "quota_exceeded",
        ErrorCode::NoSuchEndpoint => "no_such_endpoint",
        ErrorCode::MethodNotAllowed => "method_not_allowed",
        ErrorCode::MediaType => "media_type",
        ErrorCode::TooLarge => "too_large",
        ErrorCode::MediaQuota => "media_quota",
        ErrorCode::BadMedia => "bad_media",
        ErrorCode::TeamFull => "team_full",
        ErrorCode::AssignmentClosed => "assignment_closed",
        ErrorCode::AttemptsUsed => "attempts_used",
    }
}

const ALL_CODES: [ErrorCode; 42] = [
    ErrorCode::TeamFull,
    ErrorCode::AssignmentClosed,
    ErrorCode::AttemptsUsed,
    ErrorCode::BadMessage,
    ErrorCode::BadField,
    ErrorCode::NotJoined,
    ErrorCode::AlreadyJoined,
    ErrorCode::NoSuchRoom,
    ErrorCode::BadName,
    ErrorCode::NameTaken,
    ErrorCode::RoomFull,
    ErrorCode::RoomLocked,
    ErrorCode::GameFinished,
    ErrorCode::BadToken,
    ErrorCode::WrongQuestion,
    ErrorCode::TooLate,
    ErrorCode::TooEarly,
    ErrorCode::AlreadyAnswered,
    ErrorCode::ChatDisabled,
    ErrorCode::NoSuchPlayer,
    ErrorCode::RateLimited,
    ErrorCode::Unauthorized,
    ErrorCode::NoSuchQuiz,
    ErrorCode::NoSuchGame,
    ErrorCode::BadPhase,
    ErrorCode::NoPlayers,
    ErrorCode::NotHost,
    ErrorCode::Replaced,
    ErrorCode::BadCredentials,
    ErrorCode::ServerBusy,
    ErrorCode::Internal,
    ErrorCode::Forbidden,
    ErrorCode::UsernameTaken,
    ErrorCode::NoSuchAccount,
    ErrorCode::ReadOnly,
    ErrorCode::QuotaExceeded,
    ErrorCode::NoSuchEndpoint,
    ErrorCode::MethodNotAllowed,
    ErrorCode::MediaType,
    ErrorCode::TooLarge,
    ErrorCode::MediaQuota,
    ErrorCode::BadMedia,
];

/// Every code PROTOCOL.md names, copied from the page.
const PROTOCOL_CODES: [&str; 23] = [
    "bad_message",
    "bad_field",
    "replaced",
    "bad_credentials",
    "no_such_room",
    "bad_name",
    "name_taken",
    "room_full",
    "room_locked",
    "game_finished",
    "bad_token",
    "not_joined",
    "wrong_question",
    "too_late",
    "already_answered",
    "chat_disabled",
    "no_such_player",
    "rate_limited",
    "unauthorized",
    "no_such_quiz",
    "bad_phase",
    "no_players",
    "not_host",
];

#[test]
fn every_error_code_serialises_to_its_stable_snake_case_name() {
    let mut seen = BTreeSet::new();
    for code in ALL_CODES {
        let text = serde_json::to_string(&code).expect("serialises");
        assert_eq!(text, format!("\"{}\"", wire_name(code)), "{code:?}");
        let back: ErrorCode = serde_json::from_str(&text).expect("reads back");
        assert_eq!(back, code);
        assert!(
            seen.insert(wire_name(code)),
            "two codes share {}",
            wire_name(code)
        );
    }
}

#[test]
fn every_code_named_in_the_protocol_exists_plus_our_additions() {
    let ours: BTreeSet<&str> = ALL_CODES.into_iter().map(wire_name).collect();
    for name in PROTOCOL_CODES.into_iter().chain([
        "already_joined",
        "server_busy",
        "internal",
        "bad_credentials",
        "forbidden",
        "username_taken",
        "no_such_account",
        "read_only",
        // Named under "Errors added" of the v2 contract.
        "quota_exceeded",
        // Ours: the API's answers for an unknown path or method.
        "no_such_endpoint",
        "method_not_allowed",
        // Ours: the media upload's refusals.
        "media_type",
        "too_large",
        "media_quota",
        "bad_media",
        // Ours: a team game's team with no room left.
        "team_full",
    ]) {
        assert!(
            ours.contains(name),
            "PROTOCOL.md names `{name}`, ErrorCode lacks it"
        );
        let code: ErrorCode =
            serde_json::from_value(json!(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(wire_name(code), name);
    }
    assert_eq!(ours.len(), ALL_CODES.len());
}

#[test]
fn every_error_code_has_a_message_for_people() {
    let mut seen = BTreeSet::new();
    for code in ALL_CODES {
        let message = code.message();
        assert!(!message.trim().is_empty(), "{code:?} has no message");
        assert_eq!(message, message.trim(), "{code:?}");
        assert!(seen.insert(message), "{code:?} shares its message");
        let frame = serde_json::to_value(ServerMsg::error_code(code)).expect("serialises");
        assert_eq!(
            frame,
            json!({"type": "error", "code": wire_name(code), "message": message})
        );
    }
}
