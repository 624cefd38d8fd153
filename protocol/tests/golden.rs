//! Golden tests for the wire contract (PROTOCOL.md). Outside bots and the hand-written
//! JavaScript are written against the literal JSON, not against these Rust types, so a test
//! here that breaks is a contract change to be made on purpose, never a refactor to wave through.
//!
//! - Every `ServerMsg` and `ClientMsg` variant: its literal JSON, and the way back.
//! - `parse_client`: agreement with the serde derive, and every refusal with its code and field.
//! - `ErrorCode`: the stable snake_case names and a message for each.
//! - `QuizDoc::validate`: each rule of "Validation rejects", the defaults, and the claim that
//!   a question as players see it carries no answer.

use quizrace_protocol::{
    parse_client, Ahead, AnswerKey, ChatFrom, ClientMsg, CloseReason, ErrorCode, FirstCorrect,
    GameId, HostCredential, HostLiteral, HostOptions, HostView, LeaderboardAt, MediaKind,
    MediaView, Mode, NamePolicy, PhaseName, Pin, PlayerId, PlayerInfo, Points, Question,
    QuestionKind, QuestionPoints, QuestionView, Quiz, QuizDoc, QuizError, QuizId, Reveal,
    ServerMsg, Standing, TeamChoice, TeamInfo, TeamPlan, TeamRef, TeamStanding, ANSWER_GRACE_MS,
    MAX_CHAT_CHARS, MAX_FRAME_BYTES, MAX_NAME_CHARS,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// One golden case: a value, the JSON a bot sees for it, and the top-level field names as
/// PROTOCOL.md lists them (a second, independent witness against a typo in the golden).
struct Golden<M> {
    name: &'static str,
    msg: M,
    json: &'static str,
    fields: &'static [&'static str],
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn sorted_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// Every object key anywhere in `value`.
fn all_keys(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                all_keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| all_keys(v, out)),
        _ => {}
    }
}

/// Checks the encoding side of a golden case; returns a description of each problem.
fn check_encoding<M: serde::Serialize>(case: &Golden<M>, tag: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let text = serde_json::to_string(&case.msg).expect("every message serialises");
    let got = parse_json(&text);
    let want = parse_json(case.json);
    if got != want {
        problems.push(format!(
            "{}: serialised as\n    {text}\n  golden is\n    {}",
            case.name, case.json
        ));
    }
    if sorted_keys(&want) != sorted(case.fields) {
        problems.push(format!(
            "{}: golden has fields {:?}, the contract lists {:?}",
            case.name,
            sorted_keys(&want),
            sorted(case.fields)
        ));
    }
    // The literal spelling, as it appears in the frame (not only in a parsed map).
    for field in case.fields {
        if !text.contains(&format!("\"{field}\":")) {
            problems.push(format!(
                "{}: frame lacks literal \"{field}\": {text}",
                case.name
            ));
        }
    }
    if got.get("type") != Some(&Value::String(tag.to_owned())) {
        problems.push(format!("{}: `type` is not {tag:?}: {text}", case.name));
    }
    problems
}

fn parse_err(text: &str) -> quizrace_protocol::ParseError {
    match parse_client(text) {
        Ok(msg) => panic!("accepted {text} as {msg:?}"),
        Err(e) => e,
    }
}

fn assert_bad_message(text: &str) {
    let e = parse_err(text);
    assert_eq!(e.code, ErrorCode::BadMessage, "code for {text}: {e:?}");
    assert_eq!(e.field, None, "field for {text}: {e:?}");
    assert!(!e.message.trim().is_empty(), "message for {text}");
}

fn assert_bad_field(text: &str, field: &str) {
    let e = parse_err(text);
    assert_eq!(e.code, ErrorCode::BadField, "code for {text}: {e:?}");
    assert_eq!(e.field, Some(field), "field for {text}: {e:?}");
    assert!(!e.message.trim().is_empty(), "message for {text}");
}

fn assert_parses(text: &str, want: ClientMsg) {
    match parse_client(text) {
        Ok(got) => assert_eq!(got, want, "parse_client({text})"),
        Err(e) => panic!("refused {text}: {e:?}"),
    }
}

fn pin() -> Pin {
    Pin("482913".into())
}

fn capital_of_france(remaining_ms: u64, answered: Option<bool>) -> QuestionView {
    QuestionView {
        items: None,
        title: None,
        slider: None,
        index: 3,
        total: 12,
        kind: QuestionKind::Choice,
        text: "Capital of France?".into(),
        choices: vec!["Paris".into(), "Lyon".into(), "Nice".into(), "Lille".into()],
        time_limit_ms: 20000,
        remaining_ms,
        opens_in_ms: 0,
        points: Points::Standard,
        no_time_limit: false,
        choice_order: None,
        answered,
        media: None,
        team_talk_ms: 0,
        shapes_only: false,
    }
}

fn standing(player_id: u32, name: &str, score: i64, rank: u32) -> Standing {
    Standing {
        player_id: PlayerId(player_id),
        name: name.into(),
        score,
        rank,
    }
}

// ---------------------------------------------------------------------------------------------
// Server messages
// ---------------------------------------------------------------------------------------------

/// The `type` of every `ServerMsg` variant. The match has no wildcard on purpose: a new
/// variant does not compile until it is listed here, in `SERVER_TAGS` and in `server_cases`.
fn server_tag(msg: &ServerMsg) -> &'static str {
    match msg {
        ServerMsg::Welcome { .. } => "welcome",
        ServerMsg::Question(_) => "question",
        ServerMsg::AnswerAck { .. } => "answer_ack",
        ServerMsg::QuestionClosed { .. } => "question_closed",
        ServerMsg::Result { .. } => "result",
        ServerMsg::Leaderboard { .. } => "leaderboard",
        ServerMsg::GameOver { .. } => "game_over",
        ServerMsg::Summary { .. } => "summary",
        ServerMsg::PlayAgain { .. } => "play_again",
        ServerMsg::Chat { .. } => "chat",
        ServerMsg::Players { .. } => "players",
        ServerMsg::RoomClosed { .. } => "room_closed",
        ServerMsg::Error { .. } => "error",
        ServerMsg::RoomCreated { .. } => "room_created",
        ServerMsg::RoomState { .. } => "room_state",
        ServerMsg::PlayerJoined { .. } => "player_joined",
        ServerMsg::PlayerLeft { .. } => "player_left",
        ServerMsg::PlayerConnection { .. } => "player_connection",
        ServerMsg::AnswerCount { .. } => "answer_count",
        ServerMsg::Moved { .. } => "moved",
        ServerMsg::TeamChanged { .. } => "team_changed",
        ServerMsg::AssignmentWelcome { .. } => "assignment_welcome",
        ServerMsg::AssignmentResult { .. } => "assignment_result",
        ServerMsg::AssignmentDone { .. } => "assignment_done",
    }
}

const SERVER_TAGS: [&str; 24] = [
    "team_changed",
    "assignment_welcome",
    "assignment_result",
    "assignment_done",
    "welcome",
    "question",
    "answer_ack",
    "question_closed",
    "result",
    "leaderboard",
    "game_over",
    "summary",
    "play_again",
    "chat",
    "players",
    "room_closed",
    "error",
    "room_created",
    "room_state",
    "player_joined",
    "player_left",
    "player_connection",
    "answer_count",
    "moved",
];

fn team_standing(id: u32, score: i64, rank: u32) -> TeamStanding {
    TeamStanding {
        id,
        name: format!("Team {id}"),
        score,
        rank,
    }
}

fn team_info(id: u32, members: u32, score: i64) -> TeamInfo {
    TeamInfo {
        id,
        name: format!("Team {id}"),
        members,
        score,
    }
}

fn server_cases() -> Vec<Golden<ServerMsg>> {
    vec![
        Golden {
            name: "welcome into the lobby of a game whose players choose their team",
            msg: ServerMsg::Welcome {
                pin: pin(),
                player_id: PlayerId(5),
                name: "Eve".into(),
                token: "c2d1f8e3b05a5f1d".into(),
                phase: PhaseName::Lobby,
                score: 0,
                players: 5,
                question: None,
                mode: Some(Mode::Classic),
                lang: None,
                team: None,
                team_choice: Some(TeamChoice::Players),
                teams: Some(vec![team_info(1, 3, 0), team_info(2, 1, 0)]),
            },
            json: r#"{"type":"welcome","pin":"482913","player_id":5,"name":"Eve",
                      "token":"c2d1f8e3b05a5f1d","phase":"lobby","score":0,"players":5,
                      "mode":"classic","team_choice":"players",
                      "teams":[{"id":1,"name":"Team 1","members":3,"score":0},
                               {"id":2,"name":"Team 2","members":1,"score":0}]}"#,
            fields: &[
                "type",
                "pin",
                "player_id",
                "name",
                "token",
                "phase",
                "score",
                "players",
                "mode",
                "team_choice",
                "teams",
            ],
        },
        Golden {
            name: "team_changed",
            msg: ServerMsg::TeamChanged {
                player_id: PlayerId(5),
                team: 2,
                teams: vec![team_info(1, 3, 0), team_info(2, 2, 0)],
            },
            json: r#"{"type":"team_changed","player_id":5,"team":2,
                      "teams":[{"id":1,"name":"Team 1","members":3,"score":0},
                               {"id":2,"name":"Team 2","members":2,"score":0}]}"#,
            fields: &["type", "player_id", "team", "teams"],
        },
        Golden {
            name: "player_joined a team game",
            msg: ServerMsg::PlayerJoined {
                player_id: PlayerId(3),
                name: "Cy".into(),
                count: 3,
                team: Some(1),
            },
            json: r#"{"type":"player_joined","player_id":3,"name":"Cy","count":3,"team":1}"#,
            fields: &["type", "player_id", "name", "count", "team"],
        },
        Golden {
            name: "room_state of a team game with team talk, standings at the end",
            msg: ServerMsg::RoomState {
                pin: pin(),
                game_id: GameId(42),
                mode: Mode::Classic,
                title: "Capitals".into(),
                phase: PhaseName::Lobby,
                index: None,
                total: 5,
                question: None,
                answered: 0,
                players: vec![
                    PlayerInfo {
                        player_id: PlayerId(1),
                        name: "Ada".into(),
                        score: 0,
                        connected: true,
                        team: Some(2),
                    },
                    PlayerInfo {
                        player_id: PlayerId(2),
                        name: "Bob".into(),
                        score: 0,
                        connected: false,
                        team: None,
                    },
                ],
                locked: false,
                chat: true,
                reveal: None,
                host_key: None,
                lang: None,
                leaderboard: Some(LeaderboardAt::End),
                teams: Some(vec![team_info(1, 0, 0), team_info(2, 1, 0)]),
                team_choice: Some(TeamChoice::Players),
                team_talk_ms: Some(5000),
            },
            json: r#"{"type":"room_state","pin":"482913","game_id":42,"mode":"classic",
                      "title":"Capitals","phase":"lobby","total":5,"answered":0,
                      "players":[{"player_id":1,"name":"Ada","score":0,"connected":true,"team":2},
                                 {"player_id":2,"name":"Bob","score":0,"connected":false}],
                      "locked":false,"chat":true,"leaderboard":"end",
                      "teams":[{"id":1,"name":"Team 1","members":0,"score":0},
                               {"id":2,"name":"Team 2","members":1,"score":0}],
                      "team_choice":"players","team_talk_ms":5000}"#,
            fields: &[
                "type",
                "pin",
                "game_id",
                "mode",
                "title",
                "phase",
                "total",
                "answered",
                "players",
                "locked",
                "chat",
                "leaderboard",
                "teams",
                "team_choice",
                "team_talk_ms",
            ],
        },
        Golden {
            name: "welcome into a team game",
            msg: ServerMsg::Welcome {
                pin: pin(),
                player_id: PlayerId(8),
                name: "Bob".into(),
                token: "c2d1f8e3b05a5f1d".into(),
                phase: PhaseName::Lobby,
                score: 0,
                players: 4,
                question: None,
                mode: Some(Mode::Classic),
                lang: None,
                team: Some(TeamRef {
                    id: 2,
                    name: "Team 2".into(),
                }),
                team_choice: None,
                teams: None,
            },
            json: r#"{"type":"welcome","pin":"482913","player_id":8,"name":"Bob",
                      "token":"c2d1f8e3b05a5f1d","phase":"lobby","score":0,"players":4,
                      "mode":"classic","team":{"id":2,"name":"Team 2"}}"#,
            fields: &[
                "type",
                "pin",
                "player_id",
                "name",
                "token",
                "phase",
                "score",
                "players",
                "mode",
                "team",
            ],
        },
        Golden {
            name: "welcome into a quiz that names its language",
            msg: ServerMsg::Welcome {
                pin: pin(),
                player_id: PlayerId(7),
                name: "Ada".into(),
                token: "b1c0e7d2a94f4e0c".into(),
                phase: PhaseName::Lobby,
                score: 0,
                players: 3,
                question: None,
                mode: Some(Mode::Classic),
                lang: Some("de-CH".into()),
                team: None,
                team_choice: None,
                teams: None,
            },
            json: r#"{"type":"welcome","pin":"482913","player_id":7,"name":"Ada",
                      "token":"b1c0e7d2a94f4e0c","phase":"lobby","score":0,"players":3,
                      "mode":"classic","lang":"de-CH"}"#,
            fields: &[
                "type",
                "pin",
                "player_id",
                "name",
                "token",
                "phase",
                "score",
                "players",
                "mode",
                "lang",
            ],
        },
        Golden {
            name: "room_state of a quiz that names its language",
            msg: ServerMsg::RoomState {
                pin: pin(),
                game_id: GameId(42),
                mode: Mode::Classic,
                title: "Hauptstädte".into(),
                phase: PhaseName::Lobby,
                index: None,
                total: 5,
                question: None,
                answered: 0,
                players: vec![],
                locked: false,
                chat: true,
                reveal: None,
                host_key: None,
                lang: Some("de".into()),
                leaderboard: None,
                teams: None,
                team_choice: None,
                team_talk_ms: None,
            },
            json: r#"{"type":"room_state","pin":"482913","game_id":42,"mode":"classic",
                      "title":"Hauptstädte","phase":"lobby","total":5,"answered":0,"players":[],
                      "locked":false,"chat":true,"lang":"de"}"#,
            fields: &[
                "type", "pin", "game_id", "mode", "title", "phase", "total", "answered", "players",
                "locked", "chat", "lang",
            ],
        },
        Golden {
            name: "welcome in the lobby (no question open)",
            msg: ServerMsg::Welcome {
                pin: pin(),
                player_id: PlayerId(7),
                name: "Ada".into(),
                token: "b1c0e7d2a94f4e0c".into(),
                phase: PhaseName::Lobby,
                score: 0,
                players: 23,
                question: None,
                mode: None,
                lang: None,
                team: None,
                team_choice: None,
                teams: None,
            },
            json: r#"{"type":"welcome","pin":"482913","player_id":7,"name":"Ada",
                      "token":"b1c0e7d2a94f4e0c","phase":"lobby","score":0,"players":23}"#,
            fields: &[
                "type",
                "pin",
                "player_id",
                "name",
                "token",
                "phase",
                "score",
                "players",
            ],
        },
        Golden {
            name: "welcome with the open question",
            msg: ServerMsg::Welcome {
                pin: pin(),
                player_id: PlayerId(7),
                name: "Ada".into(),
                token: "b1c0e7d2a94f4e0c".into(),
                phase: PhaseName::Question,
                score: 1875,
                players: 23,
                question: Some(capital_of_france(11420, Some(false))),
                mode: None,
                lang: None,
                team: None,
                team_choice: None,
                teams: None,
            },
            json: r#"{"type":"welcome","pin":"482913","player_id":7,"name":"Ada",
                      "token":"b1c0e7d2a94f4e0c","phase":"question","score":1875,"players":23,
                      "question":{"index":3,"total":12,"kind":"choice","text":"Capital of France?",
                                  "choices":["Paris","Lyon","Nice","Lille"],"time_limit_ms":20000,
                                  "remaining_ms":11420,"opens_in_ms":0,"points":"standard","answered":false}}"#,
            fields: &[
                "type",
                "pin",
                "player_id",
                "name",
                "token",
                "phase",
                "score",
                "players",
                "question",
            ],
        },
        Golden {
            name: "question",
            msg: ServerMsg::Question(QuestionView {
                items: None,
                title: None,
                slider: None,
                index: 4,
                total: 12,
                kind: QuestionKind::Multi,
                text: "Which are prime?".into(),
                choices: vec!["2".into(), "4".into(), "5".into(), "9".into()],
                time_limit_ms: 20000,
                remaining_ms: 20000,
                opens_in_ms: 5000,
                points: Points::Double,
                no_time_limit: false,
                choice_order: None,
                answered: None,
                media: None,
                team_talk_ms: 0,
                shapes_only: false,
            }),
            json: r#"{"type":"question","index":4,"total":12,"kind":"multi","text":"Which are prime?",
                      "choices":["2","4","5","9"],"time_limit_ms":20000,"remaining_ms":20000,
                      "opens_in_ms":5000,"points":"double"}"#,
            fields: &[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points",
            ],
        },
        Golden {
            name: "question to a phone in a room with question_on_phones false",
            msg: ServerMsg::Question(QuestionView {
                text: String::new(),
                choices: vec![String::new(); 4],
                shapes_only: true,
                ..capital_of_france(20000, None)
            }),
            json: r#"{"type":"question","index":3,"total":12,"kind":"choice","text":"",
                      "choices":["","","",""],"time_limit_ms":20000,"remaining_ms":20000,
                      "opens_in_ms":0,"points":"standard","shapes_only":true}"#,
            fields: &[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points",
                "shapes_only",
            ],
        },
        Golden {
            name: "question in a team game with team talk",
            msg: ServerMsg::Question(QuestionView {
                opens_in_ms: 8000,
                team_talk_ms: 5000,
                ..capital_of_france(20000, None)
            }),
            json: r#"{"type":"question","index":3,"total":12,"kind":"choice",
                      "text":"Capital of France?","choices":["Paris","Lyon","Nice","Lille"],
                      "time_limit_ms":20000,"remaining_ms":20000,"opens_in_ms":8000,
                      "points":"standard","team_talk_ms":5000}"#,
            fields: &[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points",
                "team_talk_ms",
            ],
        },
        Golden {
            name: "question in a room without time limits",
            msg: ServerMsg::Question(QuestionView {
                no_time_limit: true,
                time_limit_ms: 1_800_000,
                remaining_ms: 1_800_000,
                opens_in_ms: 0,
                ..capital_of_france(0, None)
            }),
            json: r#"{"type":"question","index":3,"total":12,"kind":"choice",
                      "text":"Capital of France?","choices":["Paris","Lyon","Nice","Lille"],
                      "time_limit_ms":1800000,"remaining_ms":1800000,"opens_in_ms":0,
                      "points":"standard","no_time_limit":true}"#,
            fields: &[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points",
                "no_time_limit",
            ],
        },
        Golden {
            name: "question with an image",
            msg: ServerMsg::Question(QuestionView {
                media: Some(MediaView {
                    url: "/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08?room=7.0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
                    kind: MediaKind::Image,
                    alt: "The Eiffel Tower at night".into(),
                    width: Some(1280),
                    height: Some(960),
                }),
                ..capital_of_france(20000, None)
            }),
            json: r#"{"type":"question","index":3,"total":12,"kind":"choice",
                      "text":"Capital of France?","choices":["Paris","Lyon","Nice","Lille"],
                      "time_limit_ms":20000,"remaining_ms":20000,"opens_in_ms":0,
                      "points":"standard","media":{"url":"/media/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08?room=7.0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                      "kind":"image","alt":"The Eiffel Tower at night","width":1280,"height":960}}"#,
            fields: &[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points",
                "media",
            ],
        },
        Golden {
            name: "question to one phone in a room with shuffled answers",
            msg: ServerMsg::Question(QuestionView {
                choices: vec!["Nice".into(), "Paris".into(), "Lille".into(), "Lyon".into()],
                choice_order: Some(vec![2, 0, 3, 1]),
                ..capital_of_france(20000, None)
            }),
            json: r#"{"type":"question","index":3,"total":12,"kind":"choice",
                      "text":"Capital of France?","choices":["Nice","Paris","Lille","Lyon"],
                      "time_limit_ms":20000,"remaining_ms":20000,"opens_in_ms":0,
                      "points":"standard","choice_order":[2,0,3,1]}"#,
            fields: &[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points",
                "choice_order",
            ],
        },
        Golden {
            name: "answer_ack",
            msg: ServerMsg::AnswerAck {
                index: 3,
                elapsed_ms: 4210,
            },
            json: r#"{"type":"answer_ack","index":3,"elapsed_ms":4210}"#,
            fields: &["type", "index", "elapsed_ms"],
        },
        Golden {
            name: "question_closed with correct (choice)",
            msg: ServerMsg::QuestionClosed {
                correct_order: None,
                words: None,
                filtered: None,
                slider: None,
                index: 3,
                correct: Some(vec![0]),
                accept: None,
                counts: vec![15, 3, 2, 1],
                answered: 21,
                total: 23,
                first_correct: Some(FirstCorrect {
                    player_id: PlayerId(12),
                    name: "Grace".into(),
                    elapsed_ms: 2315,
                }),
                explanation: None,
            },
            json: r#"{"type":"question_closed","index":3,"correct":[0],"counts":[15,3,2,1],
                      "answered":21,"total":23,
                      "first_correct":{"player_id":12,"name":"Grace","elapsed_ms":2315}}"#,
            fields: &[
                "type",
                "index",
                "correct",
                "counts",
                "answered",
                "total",
                "first_correct",
            ],
        },
        Golden {
            name: "question_closed with accept (type_answer)",
            msg: ServerMsg::QuestionClosed {
                correct_order: None,
                words: None,
                filtered: None,
                slider: None,
                index: 5,
                correct: None,
                accept: Some(vec!["Au".into()]),
                counts: vec![9, 12],
                answered: 21,
                total: 23,
                first_correct: Some(FirstCorrect {
                    player_id: PlayerId(7),
                    name: "Ada".into(),
                    elapsed_ms: 3980,
                }),
                explanation: None,
            },
            json: r#"{"type":"question_closed","index":5,"accept":["Au"],"counts":[9,12],
                      "answered":21,"total":23,
                      "first_correct":{"player_id":7,"name":"Ada","elapsed_ms":3980}}"#,
            fields: &[
                "type",
                "index",
                "accept",
                "counts",
                "answered",
                "total",
                "first_correct",
            ],
        },
        Golden {
            name: "question_closed with neither (poll), first_correct null",
            msg: ServerMsg::QuestionClosed {
                correct_order: None,
                words: None,
                filtered: None,
                slider: None,
                index: 11,
                correct: None,
                accept: None,
                counts: vec![18, 2],
                answered: 20,
                total: 23,
                first_correct: None,
                explanation: None,
            },
            json: r#"{"type":"question_closed","index":11,"counts":[18,2],"answered":20,"total":23,
                      "first_correct":null}"#,
            fields: &[
                "type",
                "index",
                "counts",
                "answered",
                "total",
                "first_correct",
            ],
        },
        Golden {
            name: "result",
            msg: ServerMsg::Result {
                index: 3,
                answered: true,
                correct: Some(true),
                points: 1075,
                score: 2950,
                rank: 2,
                streak: 3,
                ahead: Some(Ahead {
                    name: "Grace".into(),
                    score: 3070,
                }),
                shared: false,
                picks: None,
                team: None,
            },
            json: r#"{"type":"result","index":3,"answered":true,"correct":true,"points":1075,
                      "score":2950,"rank":2,"streak":3,"ahead":{"name":"Grace","score":3070}}"#,
            fields: &[
                "type", "index", "answered", "correct", "points", "score", "rank", "streak",
                "ahead",
            ],
        },
        Golden {
            name: "result in a team game: the player's team as it stands",
            msg: ServerMsg::Result {
                index: 3,
                answered: true,
                correct: Some(true),
                points: 1075,
                score: 2950,
                rank: 1,
                streak: 3,
                ahead: None,
                shared: false,
                picks: None,
                team: Some(team_standing(2, 1425, 1)),
            },
            json: r#"{"type":"result","index":3,"answered":true,"correct":true,"points":1075,
                      "score":2950,"rank":1,"streak":3,"ahead":null,
                      "team":{"id":2,"name":"Team 2","score":1425,"rank":1}}"#,
            fields: &[
                "type", "index", "answered", "correct", "points", "score", "rank", "streak",
                "ahead", "team",
            ],
        },
        Golden {
            name: "result of a poll (correct is null, not absent)",
            msg: ServerMsg::Result {
                index: 11,
                answered: true,
                correct: None,
                points: 0,
                score: 2950,
                rank: 2,
                streak: 0,
                ahead: Some(Ahead {
                    name: "Grace".into(),
                    score: 3070,
                }),
                shared: false,
                picks: None,
                team: None,
            },
            json: r#"{"type":"result","index":11,"answered":true,"correct":null,"points":0,
                      "score":2950,"rank":2,"streak":0,"ahead":{"name":"Grace","score":3070}}"#,
            fields: &[
                "type", "index", "answered", "correct", "points", "score", "rank", "streak",
                "ahead",
            ],
        },
        Golden {
            name: "result of the leader (ahead is null, not absent)",
            msg: ServerMsg::Result {
                index: 3,
                answered: true,
                correct: Some(false),
                points: 0,
                score: 3070,
                rank: 1,
                streak: 0,
                ahead: None,
                shared: false,
                picks: None,
                team: None,
            },
            json: r#"{"type":"result","index":3,"answered":true,"correct":false,"points":0,
                      "score":3070,"rank":1,"streak":0,"ahead":null}"#,
            fields: &[
                "type", "index", "answered", "correct", "points", "score", "rank", "streak",
                "ahead",
            ],
        },
        Golden {
            name: "result of a shared first place (shared is present only when true)",
            msg: ServerMsg::Result {
                index: 0,
                answered: true,
                correct: Some(false),
                points: 0,
                score: 0,
                rank: 1,
                streak: 0,
                ahead: None,
                shared: true,
                picks: None,
                team: None,
            },
            json: r#"{"type":"result","index":0,"answered":true,"correct":false,"points":0,
                      "score":0,"rank":1,"streak":0,"ahead":null,"shared":true}"#,
            fields: &[
                "type", "index", "answered", "correct", "points", "score", "rank", "streak",
                "ahead", "shared",
            ],
        },
        Golden {
            name: "leaderboard",
            msg: ServerMsg::Leaderboard {
                index: 3,
                top: vec![standing(12, "Grace", 3410, 1), standing(7, "Ada", 2950, 2)],
                teams: None,
            },
            json: r#"{"type":"leaderboard","index":3,
                      "top":[{"player_id":12,"name":"Grace","score":3410,"rank":1},
                             {"player_id":7,"name":"Ada","score":2950,"rank":2}]}"#,
            fields: &["type", "index", "top"],
        },
        Golden {
            name: "game_over",
            msg: ServerMsg::GameOver {
                game_id: GameId(42),
                podium: vec![
                    standing(12, "Grace", 9120, 1),
                    standing(7, "Ada", 8740, 2),
                    standing(3, "Linus", 8015, 3),
                ],
                teams: None,
            },
            json: r#"{"type":"game_over","game_id":42,
                      "podium":[{"player_id":12,"name":"Grace","score":9120,"rank":1},
                                {"player_id":7,"name":"Ada","score":8740,"rank":2},
                                {"player_id":3,"name":"Linus","score":8015,"rank":3}]}"#,
            fields: &["type", "game_id", "podium"],
        },
        Golden {
            name: "leaderboard of a team game",
            msg: ServerMsg::Leaderboard {
                index: 1,
                top: vec![standing(4, "Ada", 1900, 1)],
                teams: Some(vec![
                    team_standing(2, 1425, 1),
                    team_standing(1, 950, 2),
                    team_standing(3, 950, 2),
                ]),
            },
            json: r#"{"type":"leaderboard","index":1,
                      "top":[{"player_id":4,"name":"Ada","score":1900,"rank":1}],
                      "teams":[{"id":2,"name":"Team 2","score":1425,"rank":1},
                               {"id":1,"name":"Team 1","score":950,"rank":2},
                               {"id":3,"name":"Team 3","score":950,"rank":2}]}"#,
            fields: &["type", "index", "top", "teams"],
        },
        Golden {
            name: "game_over of a team game",
            msg: ServerMsg::GameOver {
                game_id: GameId(42),
                podium: vec![standing(4, "Ada", 2900, 1)],
                teams: Some(vec![team_standing(1, 2000, 1), team_standing(2, 1500, 2)]),
            },
            json: r#"{"type":"game_over","game_id":42,
                      "podium":[{"player_id":4,"name":"Ada","score":2900,"rank":1}],
                      "teams":[{"id":1,"name":"Team 1","score":2000,"rank":1},
                               {"id":2,"name":"Team 2","score":1500,"rank":2}]}"#,
            fields: &["type", "game_id", "podium", "teams"],
        },
        Golden {
            name: "summary of a player sharing second place",
            msg: ServerMsg::Summary {
                rank: 2,
                shared: true,
                score: 1950,
                correct: 2,
                asked: 3,
                best_streak: 2,
                questions: vec![
                    QuestionPoints {
                        index: 0,
                        answered: true,
                        correct: Some(true),
                        points: 950,
                    },
                    QuestionPoints {
                        index: 1,
                        answered: true,
                        correct: Some(true),
                        points: 1000,
                    },
                    QuestionPoints {
                        index: 2,
                        answered: false,
                        correct: None,
                        points: 0,
                    },
                ],
            },
            json: r#"{"type":"summary","rank":2,"shared":true,"score":1950,"correct":2,
                      "asked":3,"best_streak":2,
                      "questions":[{"index":0,"answered":true,"correct":true,"points":950},
                                   {"index":1,"answered":true,"correct":true,"points":1000},
                                   {"index":2,"answered":false,"correct":null,"points":0}]}"#,
            fields: &[
                "type",
                "rank",
                "shared",
                "score",
                "correct",
                "asked",
                "best_streak",
                "questions",
            ],
        },
        Golden {
            name: "summary of the sole winner of a game of no questions",
            msg: ServerMsg::Summary {
                rank: 1,
                shared: false,
                score: 0,
                correct: 0,
                asked: 0,
                best_streak: 0,
                questions: vec![],
            },
            json: r#"{"type":"summary","rank":1,"score":0,"correct":0,"asked":0,
                      "best_streak":0,"questions":[]}"#,
            fields: &[
                "type",
                "rank",
                "score",
                "correct",
                "asked",
                "best_streak",
                "questions",
            ],
        },
        Golden {
            name: "assignment_welcome at the start",
            msg: ServerMsg::AssignmentWelcome {
                code: "48291305".into(),
                game_id: GameId(12),
                title: "Capitals".into(),
                name: "Ada".into(),
                token: "9f2c".into(),
                attempt: 1,
                attempts: 2,
                questions: 10,
                deadline_ms: 1_767_225_600_000,
                index: None,
                score: 0,
                lang: None,
            },
            json: r#"{"type":"assignment_welcome","code":"48291305","game_id":12,
                      "title":"Capitals","name":"Ada","token":"9f2c","attempt":1,"attempts":2,
                      "questions":10,"deadline_ms":1767225600000,"score":0}"#,
            fields: &[
                "type",
                "code",
                "game_id",
                "title",
                "name",
                "token",
                "attempt",
                "attempts",
                "questions",
                "deadline_ms",
                "score",
            ],
        },
        Golden {
            name: "assignment_result",
            msg: ServerMsg::AssignmentResult {
                index: 2,
                answered: true,
                correct: Some(true),
                points: 940,
                score: 1880,
                correct_choices: Some(vec![1]),
                explanation: Some("Canberra was built as the capital.".into()),
            },
            json: r#"{"type":"assignment_result","index":2,"answered":true,"correct":true,
                      "points":940,"score":1880,"correct_choices":[1],
                      "explanation":"Canberra was built as the capital."}"#,
            fields: &[
                "type",
                "index",
                "answered",
                "correct",
                "points",
                "score",
                "correct_choices",
                "explanation",
            ],
        },
        Golden {
            name: "assignment_done",
            msg: ServerMsg::AssignmentDone {
                score: 5210,
                correct: 7,
                questions: 10,
                rank: 3,
                finished: 41,
            },
            json: r#"{"type":"assignment_done","score":5210,"correct":7,"questions":10,
                      "rank":3,"finished":41}"#,
            fields: &["type", "score", "correct", "questions", "rank", "finished"],
        },
        Golden {
            name: "play_again",
            msg: ServerMsg::PlayAgain { pin: pin() },
            json: r#"{"type":"play_again","pin":"482913"}"#,
            fields: &["type", "pin"],
        },
        Golden {
            name: "chat from a player",
            msg: ServerMsg::Chat {
                from: ChatFrom::Player {
                    player_id: PlayerId(7),
                    name: "Ada".into(),
                },
                text: "good luck everyone".into(),
                to: None,
            },
            json: r#"{"type":"chat","from":{"player_id":7,"name":"Ada"},"text":"good luck everyone"}"#,
            fields: &["type", "from", "text"],
        },
        Golden {
            name: "chat from the host (the bare string \"host\")",
            msg: ServerMsg::Chat {
                from: ChatFrom::Host(HostLiteral::Host),
                text: "next round in 10 s".into(),
                to: None,
            },
            json: r#"{"type":"chat","from":"host","text":"next round in 10 s"}"#,
            fields: &["type", "from", "text"],
        },
        Golden {
            name: "direct chat carries `to`",
            msg: ServerMsg::Chat {
                from: ChatFrom::Player {
                    player_id: PlayerId(7),
                    name: "Ada".into(),
                },
                text: "nice one".into(),
                to: Some(PlayerId(12)),
            },
            json: r#"{"type":"chat","from":{"player_id":7,"name":"Ada"},"text":"nice one","to":12}"#,
            fields: &["type", "from", "text", "to"],
        },
        Golden {
            name: "players",
            msg: ServerMsg::Players {
                players: vec![
                    PlayerInfo {
                        player_id: PlayerId(7),
                        name: "Ada".into(),
                        score: 2950,
                        connected: true,
                        team: None,
                    },
                    PlayerInfo {
                        player_id: PlayerId(12),
                        name: "Grace".into(),
                        score: 0,
                        connected: false,
                        team: None,
                    },
                ],
                count: 2,
                truncated: false,
            },
            json: r#"{"type":"players","players":[
                        {"player_id":7,"name":"Ada","score":2950,"connected":true},
                        {"player_id":12,"name":"Grace","score":0,"connected":false}],
                      "count":2}"#,
            fields: &["type", "players", "count"],
        },
        Golden {
            name: "players cut short of the count",
            msg: ServerMsg::Players {
                players: vec![PlayerInfo {
                    player_id: PlayerId(1),
                    name: "Ada".into(),
                    score: 0,
                    connected: true,
                    team: None,
                }],
                count: 3000,
                truncated: true,
            },
            json: r#"{"type":"players","players":[
                        {"player_id":1,"name":"Ada","score":0,"connected":true}],
                      "count":3000,"truncated":true}"#,
            fields: &["type", "players", "count", "truncated"],
        },
        Golden {
            name: "room_closed",
            msg: ServerMsg::RoomClosed {
                reason: CloseReason::ServerShutdown,
            },
            json: r#"{"type":"room_closed","reason":"server_shutdown"}"#,
            fields: &["type", "reason"],
        },
        Golden {
            name: "error without field",
            msg: ServerMsg::error_code(ErrorCode::NoSuchRoom),
            json: r#"{"type":"error","code":"no_such_room","message":"no room has that PIN"}"#,
            fields: &["type", "code", "message"],
        },
        Golden {
            name: "error with field",
            msg: ServerMsg::bad_field("pin", "`pin` must be a string of six digits"),
            json: r#"{"type":"error","code":"bad_field",
                      "message":"`pin` must be a string of six digits","field":"pin"}"#,
            fields: &["type", "code", "message", "field"],
        },
        Golden {
            name: "room_created",
            msg: ServerMsg::RoomCreated {
                pin: pin(),
                host_key: "9f2c41d0e8b7a6c5".into(),
                game_id: GameId(42),
            },
            json: r#"{"type":"room_created","pin":"482913","host_key":"9f2c41d0e8b7a6c5","game_id":42}"#,
            fields: &["type", "pin", "host_key", "game_id"],
        },
        Golden {
            name: "room_state in the lobby (no index, no question)",
            msg: ServerMsg::RoomState {
                pin: pin(),
                game_id: GameId(42),
                mode: Mode::Race,
                title: "Capitals".into(),
                phase: PhaseName::Lobby,
                index: None,
                total: 5,
                question: None,
                answered: 0,
                players: vec![],
                locked: false,
                chat: true,
                reveal: None,
                host_key: None,
                lang: None,
                leaderboard: None,
                teams: None,
                team_choice: None,
                team_talk_ms: None,
            },
            json: r#"{"type":"room_state","pin":"482913","game_id":42,"mode":"race",
                      "title":"Capitals","phase":"lobby","total":5,"answered":0,"players":[],
                      "locked":false,"chat":true}"#,
            fields: &[
                "type", "pin", "game_id", "mode", "title", "phase", "total", "answered", "players",
                "locked", "chat",
            ],
        },
        Golden {
            name: "room_state after taking control with a session token: this device's key",
            msg: ServerMsg::RoomState {
                pin: pin(),
                game_id: GameId(42),
                mode: Mode::Race,
                title: "Capitals".into(),
                phase: PhaseName::Lobby,
                index: None,
                total: 5,
                question: None,
                answered: 0,
                players: vec![],
                locked: false,
                chat: true,
                reveal: None,
                host_key: Some("0d9e8f7a6b5c4d3e".into()),
                lang: None,
                leaderboard: None,
                teams: None,
                team_choice: None,
                team_talk_ms: None,
            },
            json: r#"{"type":"room_state","pin":"482913","game_id":42,"mode":"race",
                      "title":"Capitals","phase":"lobby","total":5,"answered":0,"players":[],
                      "locked":false,"chat":true,"host_key":"0d9e8f7a6b5c4d3e"}"#,
            fields: &[
                "type", "pin", "game_id", "mode", "title", "phase", "total", "answered", "players",
                "locked", "chat", "host_key",
            ],
        },
        Golden {
            name: "room_state with a question open",
            msg: ServerMsg::RoomState {
                pin: pin(),
                game_id: GameId(42),
                mode: Mode::Classic,
                title: "Capitals".into(),
                phase: PhaseName::Question,
                index: Some(3),
                total: 12,
                question: Some(capital_of_france(11420, None)),
                answered: 15,
                players: vec![PlayerInfo {
                    player_id: PlayerId(7),
                    name: "Ada".into(),
                    score: 1875,
                    connected: true,
                    team: None,
                }],
                locked: true,
                chat: false,
                reveal: None,
                host_key: None,
                lang: None,
                leaderboard: None,
                teams: None,
                team_choice: None,
                team_talk_ms: None,
            },
            json: r#"{"type":"room_state","pin":"482913","game_id":42,"mode":"classic",
                      "title":"Capitals","phase":"question","index":3,"total":12,
                      "question":{"index":3,"total":12,"kind":"choice","text":"Capital of France?",
                                  "choices":["Paris","Lyon","Nice","Lille"],"time_limit_ms":20000,
                                  "remaining_ms":11420,"opens_in_ms":0,"points":"standard"},
                      "answered":15,
                      "players":[{"player_id":7,"name":"Ada","score":1875,"connected":true}],
                      "locked":true,"chat":false}"#,
            fields: &[
                "type", "pin", "game_id", "mode", "title", "phase", "index", "total", "question",
                "answered", "players", "locked", "chat",
            ],
        },
        Golden {
            name: "room_state during the reveal (the question and its reveal)",
            msg: ServerMsg::RoomState {
                pin: pin(),
                game_id: GameId(42),
                mode: Mode::Classic,
                title: "Capitals".into(),
                phase: PhaseName::Reveal,
                index: Some(3),
                total: 12,
                question: Some(capital_of_france(0, None)),
                answered: 0,
                players: vec![],
                locked: false,
                chat: true,
                reveal: Some(Box::new(Reveal {
                    correct_order: None,
                    words: None,
                    filtered: None,
                    slider: None,
                    index: 3,
                    correct: Some(vec![0]),
                    accept: None,
                    counts: vec![15, 3, 2, 1],
                    answered: 21,
                    total: 23,
                    first_correct: None,
                    explanation: None,
                })),
                host_key: None,
                lang: None,
                leaderboard: None,
                teams: None,
                team_choice: None,
                team_talk_ms: None,
            },
            json: r#"{"type":"room_state","pin":"482913","game_id":42,"mode":"classic",
                      "title":"Capitals","phase":"reveal","index":3,"total":12,
                      "question":{"index":3,"total":12,"kind":"choice","text":"Capital of France?",
                                  "choices":["Paris","Lyon","Nice","Lille"],"time_limit_ms":20000,
                                  "remaining_ms":0,"opens_in_ms":0,"points":"standard"},
                      "answered":0,"players":[],"locked":false,"chat":true,
                      "reveal":{"index":3,"correct":[0],"counts":[15,3,2,1],"answered":21,
                                "total":23,"first_correct":null}}"#,
            fields: &[
                "type", "pin", "game_id", "mode", "title", "phase", "index", "total", "question",
                "answered", "players", "locked", "chat", "reveal",
            ],
        },
        Golden {
            name: "player_joined",
            msg: ServerMsg::PlayerJoined {
                player_id: PlayerId(7),
                name: "Ada".into(),
                count: 23,
                team: None,
            },
            json: r#"{"type":"player_joined","player_id":7,"name":"Ada","count":23}"#,
            fields: &["type", "player_id", "name", "count"],
        },
        Golden {
            name: "player_left",
            msg: ServerMsg::PlayerLeft {
                player_id: PlayerId(7),
                count: 22,
            },
            json: r#"{"type":"player_left","player_id":7,"count":22}"#,
            fields: &["type", "player_id", "count"],
        },
        Golden {
            name: "player_connection",
            msg: ServerMsg::PlayerConnection {
                player_id: PlayerId(7),
                connected: false,
            },
            json: r#"{"type":"player_connection","player_id":7,"connected":false}"#,
            fields: &["type", "player_id", "connected"],
        },
        Golden {
            name: "answer_count",
            msg: ServerMsg::AnswerCount {
                index: 3,
                answered: 15,
                total: 23,
                votes: None,
            },
            json: r#"{"type":"answer_count","index":3,"answered":15,"total":23}"#,
            fields: &["type", "index", "answered", "total"],
        },
        Golden {
            name: "answer_count of an open poll",
            msg: ServerMsg::AnswerCount {
                index: 11,
                answered: 15,
                total: 23,
                votes: Some(vec![9, 4, 2]),
            },
            json: r#"{"type":"answer_count","index":11,"answered":15,"total":23,"votes":[9,4,2]}"#,
            fields: &["type", "index", "answered", "total", "votes"],
        },
        Golden {
            name: "moved to the room's owner",
            msg: ServerMsg::Moved {
                pin: pin(),
                url: Some("ws://10.0.0.7:8080/ws?pin=482913".into()),
                retry_after_ms: None,
            },
            json: r#"{"type":"moved","pin":"482913","url":"ws://10.0.0.7:8080/ws?pin=482913"}"#,
            fields: &["type", "pin", "url"],
        },
        Golden {
            name: "moved during a failover (wait, then the owner)",
            msg: ServerMsg::Moved {
                pin: pin(),
                url: Some("ws://10.0.0.8:8080/ws?pin=482913".into()),
                retry_after_ms: Some(1500),
            },
            json: r#"{"type":"moved","pin":"482913","url":"ws://10.0.0.8:8080/ws?pin=482913",
                      "retry_after_ms":1500}"#,
            fields: &["type", "pin", "url", "retry_after_ms"],
        },
        Golden {
            name: "moved during a failover with no owner known yet",
            msg: ServerMsg::Moved {
                pin: pin(),
                url: None,
                retry_after_ms: Some(1500),
            },
            json: r#"{"type":"moved","pin":"482913","retry_after_ms":1500}"#,
            fields: &["type", "pin", "retry_after_ms"],
        },
    ]
}

#[test]
fn every_server_message_serialises_to_its_golden_json() {
    let mut problems = Vec::new();
    for case in server_cases() {
        problems.extend(check_encoding(&case, server_tag(&case.msg)));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn every_server_message_reads_back_from_its_own_json_and_from_the_golden() {
    for case in server_cases() {
        let text = serde_json::to_string(&case.msg).expect("serialises");
        let back: ServerMsg = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: own JSON does not read back ({e}): {text}", case.name));
        assert_eq!(back, case.msg, "{}: round trip", case.name);
        let from_golden: ServerMsg = serde_json::from_str(case.json)
            .unwrap_or_else(|e| panic!("{}: golden does not read ({e})", case.name));
        assert_eq!(
            from_golden, case.msg,
            "{}: golden reads as another value",
            case.name
        );
    }
}

#[test]
fn golden_cases_cover_every_server_variant_and_optional_shape() {
    let cases = server_cases();
    let covered: BTreeSet<&str> = cases.iter().map(|c| server_tag(&c.msg)).collect();
    let all: BTreeSet<&str> = SERVER_TAGS.into_iter().collect();
    assert_eq!(covered, all, "a ServerMsg variant has no golden case");

    let has = |pred: &dyn Fn(&ServerMsg) -> bool, what: &str| {
        assert!(
            cases.iter().any(|c| pred(&c.msg)),
            "no golden case for {what}"
        );
    };
    has(
        &|m| matches!(m, ServerMsg::Welcome { question: None, .. }),
        "welcome without question",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::Welcome {
                    question: Some(_),
                    ..
                }
            )
        },
        "welcome with question",
    );
    has(
        &|m| matches!(m, ServerMsg::Welcome { lang: Some(_), .. }),
        "welcome with the quiz's language",
    );
    has(
        &|m| matches!(m, ServerMsg::RoomState { lang: Some(_), .. }),
        "room_state with the quiz's language",
    );
    has(
        &|m| matches!(m, ServerMsg::Error { field: None, .. }),
        "error without field",
    );
    has(
        &|m| matches!(m, ServerMsg::Error { field: Some(_), .. }),
        "error with field",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::Moved {
                    url: Some(_),
                    retry_after_ms: None,
                    ..
                }
            )
        },
        "moved without a wait",
    );
    has(
        &|m| matches!(m, ServerMsg::Moved { url: None, .. }),
        "moved without url",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::Chat {
                    from: ChatFrom::Player { .. },
                    ..
                }
            )
        },
        "chat from a player",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::Chat {
                    from: ChatFrom::Host(_),
                    ..
                }
            )
        },
        "chat from the host",
    );
    has(
        &|m| matches!(m, ServerMsg::Chat { to: Some(_), .. }),
        "direct chat",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::QuestionClosed {
                    correct: Some(_),
                    accept: None,
                    ..
                }
            )
        },
        "question_closed with correct",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::QuestionClosed {
                    correct: None,
                    accept: Some(_),
                    ..
                }
            )
        },
        "question_closed with accept",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::QuestionClosed {
                    correct: None,
                    accept: None,
                    ..
                }
            )
        },
        "question_closed with neither",
    );
    has(
        &|m| matches!(m, ServerMsg::Result { correct: None, .. }),
        "result of a poll",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::RoomState {
                    index: None,
                    question: None,
                    ..
                }
            )
        },
        "room_state before any question",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::RoomState {
                    index: Some(_),
                    question: Some(_),
                    ..
                }
            )
        },
        "room_state with a question",
    );
    has(
        &|m| {
            matches!(
                m,
                ServerMsg::RoomState {
                    host_key: Some(_),
                    ..
                }
            )
        },
        "room_state with a minted host key",
    );
}

#[test]
fn question_frame_never_carries_the_answer() {
    // The shared `question` frame has exactly the fields PROTOCOL.md lists: any addition is a
    // possible leak and must be reviewed here first.
    for case in server_cases() {
        let ServerMsg::Question(_) = case.msg else {
            continue;
        };
        let mut value = serde_json::to_value(&case.msg).expect("serialises");
        // Reviewed: `no_time_limit` is the room's setting, the same for every question, and
        // `choice_order` a shuffle drawn from the room's secret, blind to the right answer;
        // `team_talk_ms` is the room's setting too.
        if let Some(o) = value.as_object_mut() {
            o.remove("team_talk_ms");
            if o.get("no_time_limit") == Some(&json!(true)) {
                o.remove("no_time_limit");
            }
            o.remove("choice_order");
            // Reviewed: `media` is a reference to a file the quiz's author attached to the
            // question (its URL, kind, alt text and size), chosen blind to the answer.
            o.remove("media");
            // Reviewed: `shapes_only` is the room's setting (`question_on_phones: false`) and
            // the question's kind, and takes words away, never adds any.
            o.remove("shapes_only");
        }
        assert_eq!(
            sorted_keys(&value),
            sorted(&[
                "type",
                "index",
                "total",
                "kind",
                "text",
                "choices",
                "time_limit_ms",
                "remaining_ms",
                "opens_in_ms",
                "points"
            ])
        );
    }
}

#[test]
fn question_broadcast_omits_answered_and_welcome_includes_it() {
    let broadcast = serde_json::to_value(ServerMsg::Question(capital_of_france(20000, None)))
        .expect("serialises");
    assert!(broadcast.get("answered").is_none(), "{broadcast}");

    for answered in [false, true] {
        let welcome = serde_json::to_value(ServerMsg::Welcome {
            pin: pin(),
            player_id: PlayerId(1),
            name: "Ada".into(),
            token: "t".into(),
            phase: PhaseName::Question,
            score: 0,
            players: 1,
            question: Some(capital_of_france(5000, Some(answered))),
            mode: None,
            lang: None,
            team: None,
            team_choice: None,
            teams: None,
        })
        .expect("serialises");
        assert_eq!(welcome["question"]["answered"], json!(answered));
        assert_eq!(welcome["question"]["remaining_ms"], json!(5000));
    }
}

#[test]
fn question_closed_sends_first_correct_as_null_rather_than_leaving_it_out() {
    let text = serde_json::to_string(&ServerMsg::QuestionClosed {
        correct_order: None,
        words: None,
        filtered: None,
        slider: None,
        index: 0,
        correct: Some(vec![1]),
        accept: None,
        counts: vec![0, 0],
        answered: 0,
        total: 3,
        first_correct: None,
        explanation: None,
    })
    .expect("serialises");
    assert!(text.contains(r#""first_correct":null"#), "{text}");
    assert!(!text.contains("accept"), "{text}");
}

#[test]
fn bot_frames_without_optional_fields_still_read_as_server_messages() {
    // A bot written in another language may leave out `first_correct` or `field`; the Rust
    // client library reads such frames too.
    let msg: ServerMsg = serde_json::from_str(
        r#"{"type":"question_closed","index":1,"counts":[1,2],"answered":3,"total":3}"#,
    )
    .expect("reads");
    assert!(matches!(
        msg,
        ServerMsg::QuestionClosed {
            first_correct: None,
            correct: None,
            ..
        }
    ));
    let msg: ServerMsg =
        serde_json::from_str(r#"{"type":"error","code":"too_late","message":"x","extra":1}"#)
            .expect("reads");
    assert_eq!(msg, ServerMsg::error(ErrorCode::TooLate, "x"));
}

#[test]
fn enum_values_on_the_wire_are_the_snake_case_names_of_the_contract() {
    fn name<T: serde::Serialize>(v: T) -> Value {
        serde_json::to_value(v).expect("serialises")
    }
    assert_eq!(name(Mode::Classic), json!("classic"));
    assert_eq!(name(Mode::Race), json!("race"));
    assert_eq!(Mode::Classic.as_str(), "classic");
    assert_eq!(Mode::Race.as_str(), "race");

    assert_eq!(name(PhaseName::Lobby), json!("lobby"));
    assert_eq!(name(PhaseName::Question), json!("question"));
    assert_eq!(name(PhaseName::Reveal), json!("reveal"));
    assert_eq!(name(PhaseName::Leaderboard), json!("leaderboard"));
    assert_eq!(name(PhaseName::Finished), json!("finished"));

    assert_eq!(name(QuestionKind::Choice), json!("choice"));
    assert_eq!(name(QuestionKind::TrueFalse), json!("true_false"));
    assert_eq!(name(QuestionKind::Multi), json!("multi"));
    assert_eq!(name(QuestionKind::TypeAnswer), json!("type_answer"));
    assert_eq!(name(QuestionKind::Poll), json!("poll"));

    assert_eq!(name(Points::Standard), json!("standard"));
    assert_eq!(name(Points::Double), json!("double"));
    assert_eq!(name(Points::NoPoints), json!("none"));
    assert_eq!(Points::default(), Points::Standard);
    assert_eq!(
        [
            Points::Standard.base(),
            Points::Double.base(),
            Points::NoPoints.base()
        ],
        [1000, 2000, 0]
    );

    assert_eq!(name(CloseReason::HostEnded), json!("host_ended"));
    assert_eq!(name(CloseReason::Kicked), json!("kicked"));
    assert_eq!(name(CloseReason::ServerShutdown), json!("server_shutdown"));
    assert_eq!(name(CloseReason::Idle), json!("idle"));

    assert_eq!(name(HostLiteral::Host), json!("host"));
}

#[test]
fn ids_are_bare_numbers_and_pins_bare_strings() {
    assert_eq!(serde_json::to_string(&PlayerId(7)).expect("ser"), "7");
    assert_eq!(serde_json::to_string(&GameId(42)).expect("ser"), "42");
    assert_eq!(serde_json::to_string(&QuizId(3)).expect("ser"), "3");
    assert_eq!(serde_json::to_string(&pin()).expect("ser"), r#""482913""#);
    assert_eq!(pin().to_string(), "482913");
    assert_eq!(PlayerId(7).to_string(), "7");
}

#[test]
fn pin_is_well_formed_only_for_six_ascii_digits() {
    for good in ["000000", "482913", "999999"] {
        assert!(Pin(good.into()).is_well_formed(), "{good}");
    }
    for bad in [
        "",
        "12345",
        "1234567",
        "abcdef",
        "12a456",
        " 12345",
        "12345 ",
        "１２３４５６",
        "12345\u{0663}",
    ] {
        assert!(!Pin(bad.into()).is_well_formed(), "{bad:?}");
    }
}

#[test]
fn contract_limits_have_the_documented_values() {
    assert_eq!(MAX_FRAME_BYTES, 16 * 1024);
    assert_eq!(MAX_CHAT_CHARS, 280);
    assert_eq!(MAX_NAME_CHARS, 20);
    assert_eq!(ANSWER_GRACE_MS, 250);
}

// ---------------------------------------------------------------------------------------------
// Client messages
// ---------------------------------------------------------------------------------------------

/// The `type` of every `ClientMsg` variant; no wildcard, like `server_tag`.
fn client_tag(msg: &ClientMsg) -> &'static str {
    match msg {
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

const CLIENT_TAGS: [&str; 21] = [
    "choose_team",
    "move_player",
    "assignment_join",
    "assignment_resume",
    "assignment_next",
    "join",
    "resume",
    "answer",
    "chat",
    "list",
    "leave",
    "host",
    "host_resume",
    "start",
    "close",
    "next",
    "kick",
    "lock",
    "set_chat",
    "end",
    "play_again",
];

fn answer_choice(index: u32, choice: u32) -> ClientMsg {
    ClientMsg::Answer {
        order: None,
        value: None,
        index,
        choice: Some(choice),
        choices: None,
        text: None,
    }
}

fn answer_choices(index: u32, choices: &[u32]) -> ClientMsg {
    ClientMsg::Answer {
        order: None,
        value: None,
        index,
        choice: None,
        choices: Some(choices.to_vec()),
        text: None,
    }
}

fn answer_text(index: u32, text: &str) -> ClientMsg {
    ClientMsg::Answer {
        order: None,
        value: None,
        index,
        choice: None,
        choices: None,
        text: Some(text.to_owned()),
    }
}

fn client_cases() -> Vec<Golden<ClientMsg>> {
    vec![
        Golden {
            name: "join",
            msg: ClientMsg::Join {
                pin: pin(),
                name: "Ada".into(),
            },
            json: r#"{"type":"join","pin":"482913","name":"Ada"}"#,
            fields: &["type", "pin", "name"],
        },
        Golden {
            name: "resume",
            msg: ClientMsg::Resume {
                pin: pin(),
                token: "b1c0e7d2a94f4e0c".into(),
            },
            json: r#"{"type":"resume","pin":"482913","token":"b1c0e7d2a94f4e0c"}"#,
            fields: &["type", "pin", "token"],
        },
        Golden {
            name: "answer with choice",
            msg: answer_choice(3, 1),
            json: r#"{"type":"answer","index":3,"choice":1}"#,
            fields: &["type", "index", "choice"],
        },
        Golden {
            name: "answer with choices",
            msg: answer_choices(4, &[0, 2]),
            json: r#"{"type":"answer","index":4,"choices":[0,2]}"#,
            fields: &["type", "index", "choices"],
        },
        Golden {
            name: "answer with an empty set of choices (multi, nothing ticked)",
            msg: answer_choices(4, &[]),
            json: r#"{"type":"answer","index":4,"choices":[]}"#,
            fields: &["type", "index", "choices"],
        },
        Golden {
            name: "answer with text",
            msg: answer_text(5, "Au"),
            json: r#"{"type":"answer","index":5,"text":"Au"}"#,
            fields: &["type", "index", "text"],
        },
        Golden {
            name: "chat to the room",
            msg: ClientMsg::Chat {
                text: "good luck everyone".into(),
                to: None,
            },
            json: r#"{"type":"chat","text":"good luck everyone"}"#,
            fields: &["type", "text"],
        },
        Golden {
            name: "chat to one player",
            msg: ClientMsg::Chat {
                text: "nice one".into(),
                to: Some(PlayerId(12)),
            },
            json: r#"{"type":"chat","text":"nice one","to":12}"#,
            fields: &["type", "text", "to"],
        },
        Golden {
            name: "list",
            msg: ClientMsg::List,
            json: r#"{"type":"list"}"#,
            fields: &["type"],
        },
        Golden {
            name: "leave",
            msg: ClientMsg::Leave,
            json: r#"{"type":"leave"}"#,
            fields: &["type"],
        },
        Golden {
            name: "host with only the required fields",
            msg: ClientMsg::Host {
                token: "tok".into(),
                quiz_id: QuizId(1),
                mode: Mode::Classic,
                max_players: None,
                auto_advance_ms: None,
                chat: None,
                names: None,
                options: HostOptions::default(),
                teams: None,
            },
            json: r#"{"type":"host","token":"tok","quiz_id":1,"mode":"classic"}"#,
            fields: &["type", "token", "quiz_id", "mode"],
        },
        Golden {
            name: "host with every option",
            msg: ClientMsg::Host {
                token: "tok".into(),
                quiz_id: QuizId(3),
                mode: Mode::Race,
                max_players: Some(50),
                auto_advance_ms: Some(5000),
                chat: Some(false),
                names: Some(NamePolicy::Generated),
                options: HostOptions {
                    time_factor: Some(1.5),
                    no_time_limit: Some(true),
                    leaderboard: Some(LeaderboardAt::End),
                    shuffle_questions: Some(true),
                    shuffle_answers: Some(true),
                    media_on_phones: Some(true),
                    question_on_phones: Some(false),
                    team_choice: Some(TeamChoice::Players),
                    team_talk_s: Some(10),
                },
                teams: Some(TeamPlan::Count(3)),
            },
            json: r#"{"type":"host","token":"tok","quiz_id":3,"mode":"race","max_players":50,
                      "auto_advance_ms":5000,"chat":false,"names":"generated",
                      "time_factor":1.5,"no_time_limit":true,"leaderboard":"end",
                      "shuffle_questions":true,"shuffle_answers":true,
                      "media_on_phones":true,"question_on_phones":false,
                      "team_choice":"players","team_talk_s":10,
                      "teams":{"count":3}}"#,
            fields: &[
                "type",
                "token",
                "quiz_id",
                "mode",
                "max_players",
                "auto_advance_ms",
                "chat",
                "names",
                "time_factor",
                "no_time_limit",
                "leaderboard",
                "shuffle_questions",
                "shuffle_answers",
                "media_on_phones",
                "question_on_phones",
                "team_choice",
                "team_talk_s",
                "teams",
            ],
        },
        Golden {
            name: "choose_team",
            msg: ClientMsg::ChooseTeam { team: 2 },
            json: r#"{"type":"choose_team","team":2}"#,
            fields: &["type", "team"],
        },
        Golden {
            name: "move_player",
            msg: ClientMsg::MovePlayer {
                player_id: PlayerId(7),
                team: 3,
            },
            json: r#"{"type":"move_player","player_id":7,"team":3}"#,
            fields: &["type", "player_id", "team"],
        },
        Golden {
            name: "host of a game in teams of four",
            msg: ClientMsg::Host {
                token: "tok".into(),
                quiz_id: QuizId(1),
                mode: Mode::Classic,
                max_players: None,
                auto_advance_ms: None,
                chat: None,
                names: None,
                options: HostOptions::default(),
                teams: Some(TeamPlan::Size(4)),
            },
            json: r#"{"type":"host","token":"tok","quiz_id":1,"mode":"classic",
                      "teams":{"size":4}}"#,
            fields: &["type", "token", "quiz_id", "mode", "teams"],
        },
        Golden {
            name: "host_resume",
            msg: ClientMsg::HostResume {
                pin: pin(),
                by: HostCredential::HostKey("9f2c41d0e8b7a6c5".into()),
                view: None,
            },
            json: r#"{"type":"host_resume","pin":"482913","host_key":"9f2c41d0e8b7a6c5"}"#,
            fields: &["type", "pin", "host_key"],
        },
        Golden {
            name: "host_resume with the host's session token (Take control)",
            msg: ClientMsg::HostResume {
                pin: pin(),
                by: HostCredential::Token("5b1e0c7a9d3f2e14".into()),
                view: None,
            },
            json: r#"{"type":"host_resume","pin":"482913","token":"5b1e0c7a9d3f2e14"}"#,
            fields: &["type", "pin", "token"],
        },
        Golden {
            name: "host_resume of a big screen",
            msg: ClientMsg::HostResume {
                pin: pin(),
                by: HostCredential::HostKey("9f2c41d0e8b7a6c5".into()),
                view: Some(HostView::Screen),
            },
            json: r#"{"type":"host_resume","pin":"482913","host_key":"9f2c41d0e8b7a6c5","view":"screen"}"#,
            fields: &["type", "pin", "host_key", "view"],
        },
        Golden {
            name: "start",
            msg: ClientMsg::Start,
            json: r#"{"type":"start"}"#,
            fields: &["type"],
        },
        Golden {
            name: "close",
            msg: ClientMsg::Close,
            json: r#"{"type":"close"}"#,
            fields: &["type"],
        },
        Golden {
            name: "next",
            msg: ClientMsg::Next,
            json: r#"{"type":"next"}"#,
            fields: &["type"],
        },
        Golden {
            name: "kick",
            msg: ClientMsg::Kick {
                player_id: PlayerId(7),
            },
            json: r#"{"type":"kick","player_id":7}"#,
            fields: &["type", "player_id"],
        },
        Golden {
            name: "lock",
            msg: ClientMsg::Lock { locked: true },
            json: r#"{"type":"lock","locked":true}"#,
            fields: &["type", "locked"],
        },
        Golden {
            name: "unlock",
            msg: ClientMsg::Lock { locked: false },
            json: r#"{"type":"lock","locked":false}"#,
            fields: &["type", "locked"],
        },
        Golden {
            name: "set_chat",
            msg: ClientMsg::SetChat { enabled: false },
            json: r#"{"type":"set_chat","enabled":false}"#,
            fields: &["type", "enabled"],
        },
        Golden {
            name: "end",
            msg: ClientMsg::End,
            json: r#"{"type":"end"}"#,
            fields: &["type"],
        },
        Golden {
            name: "play_again",
            msg: ClientMsg::PlayAgain,
            json: r#"{"type":"play_again"}"#,
            fields: &["type"],
        },
        Golden {
            name: "assignment_join",
            msg: ClientMsg::AssignmentJoin {
                code: "48291305".into(),
                name: "Ada".into(),
                identifier: Some("s1234567".into()),
            },
            json: r#"{"type":"assignment_join","code":"48291305","name":"Ada",
                      "identifier":"s1234567"}"#,
            fields: &["type", "code", "name", "identifier"],
        },
        Golden {
            name: "assignment_resume",
            msg: ClientMsg::AssignmentResume {
                code: "48291305".into(),
                token: "9f2c".into(),
            },
            json: r#"{"type":"assignment_resume","code":"48291305","token":"9f2c"}"#,
            fields: &["type", "code", "token"],
        },
        Golden {
            name: "assignment_next",
            msg: ClientMsg::AssignmentNext,
            json: r#"{"type":"assignment_next"}"#,
            fields: &["type"],
        },
    ]
}

#[test]
fn every_client_message_serialises_to_its_golden_json() {
    let mut problems = Vec::new();
    for case in client_cases() {
        problems.extend(check_encoding(&case, client_tag(&case.msg)));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn hand_written_parser_and_serde_derive_agree_on_every_client_message() {
    for case in client_cases() {
        let text = serde_json::to_string(&case.msg).expect("serialises");
        for frame in [text.as_str(), case.json] {
            let by_serde: ClientMsg = serde_json::from_str(frame)
                .unwrap_or_else(|e| panic!("{}: serde refuses ({e}): {frame}", case.name));
            assert_eq!(by_serde, case.msg, "{}: serde reads {frame}", case.name);
            assert_parses(frame, case.msg.clone());
        }
    }
}

#[test]
fn golden_cases_cover_every_client_variant_and_optional_shape() {
    let cases = client_cases();
    let covered: BTreeSet<&str> = cases.iter().map(|c| client_tag(&c.msg)).collect();
    let all: BTreeSet<&str> = CLIENT_TAGS.into_iter().collect();
    assert_eq!(covered, all, "a ClientMsg variant has no golden case");

    let has = |pred: &dyn Fn(&ClientMsg) -> bool, what: &str| {
        assert!(
            cases.iter().any(|c| pred(&c.msg)),
            "no golden case for {what}"
        );
    };
    has(
        &|m| {
            matches!(
                m,
                ClientMsg::Answer {
                    choice: Some(_),
                    ..
                }
            )
        },
        "answer with choice",
    );
    has(
        &|m| {
            matches!(
                m,
                ClientMsg::Answer {
                    choices: Some(_),
                    ..
                }
            )
        },
        "answer with choices",
    );
    has(
        &|m| matches!(m, ClientMsg::Answer { text: Some(_), .. }),
        "answer with text",
    );
    has(
        &|m| matches!(m, ClientMsg::Chat { to: None, .. }),
        "chat without to",
    );
    has(
        &|m| matches!(m, ClientMsg::Chat { to: Some(_), .. }),
        "chat with to",
    );
    has(
        &|m| {
            matches!(
                m,
                ClientMsg::Host {
                    max_players: None,
                    auto_advance_ms: None,
                    chat: None,
                    names: None,
                    ..
                }
            )
        },
        "host without options",
    );
    has(
        &|m| {
            matches!(
                m,
                ClientMsg::Host {
                    max_players: Some(_),
                    auto_advance_ms: Some(_),
                    chat: Some(_),
                    names: Some(_),
                    ..
                }
            )
        },
        "host with every option",
    );
}

#[test]
fn type_name_is_the_wire_tag() {
    for case in client_cases() {
        assert_eq!(case.msg.type_name(), client_tag(&case.msg), "{}", case.name);
    }
}

#[test]
fn only_in_game_host_commands_count_as_host_commands() {
    let host_only: BTreeSet<&str> = client_cases()
        .iter()
        .filter(|c| c.msg.is_host_command())
        .map(|c| client_tag(&c.msg))
        .collect();
    let want: BTreeSet<&str> = [
        "start",
        "close",
        "next",
        "kick",
        "lock",
        "set_chat",
        "end",
        "play_again",
        "move_player",
    ]
    .into_iter()
    .collect();
    assert_eq!(host_only, want);
}

#[test]
fn answer_value_names_the_one_form_sent() {
    use quizrace_protocol::AnswerValue;
    let value = |frame: &str| parse_client(frame).expect("parses").answer_value();
    assert_eq!(
        value(r#"{"type":"answer","index":0,"choice":2}"#),
        Some(AnswerValue::Choice(2))
    );
    assert_eq!(
        value(r#"{"type":"answer","index":0,"choices":[2,0]}"#),
        Some(AnswerValue::Choices(vec![2, 0]))
    );
    assert_eq!(
        value(r#"{"type":"answer","index":0,"text":" au "}"#),
        Some(AnswerValue::Text(" au ".into()))
    );
    assert_eq!(ClientMsg::List.answer_value(), None);
}

#[test]
fn null_counts_as_absent_for_optional_fields() {
    assert_parses(
        r#"{"type":"answer","index":3,"choice":1,"choices":null,"text":null}"#,
        answer_choice(3, 1),
    );
    assert_parses(
        r#"{"type":"answer","index":3,"choice":null,"choices":null,"text":"Au"}"#,
        answer_text(3, "Au"),
    );
    assert_parses(
        r#"{"type":"chat","text":"hi","to":null}"#,
        ClientMsg::Chat {
            text: "hi".into(),
            to: None,
        },
    );
    assert_parses(
        r#"{"type":"host","token":"tok","quiz_id":1,"mode":"race",
            "max_players":null,"auto_advance_ms":null,"chat":null}"#,
        ClientMsg::Host {
            token: "tok".into(),
            quiz_id: QuizId(1),
            mode: Mode::Race,
            max_players: None,
            auto_advance_ms: None,
            chat: None,
            names: None,
            options: HostOptions::default(),
            teams: None,
        },
    );
}

#[test]
fn unknown_extra_fields_are_ignored() {
    assert_parses(
        r#"{"type":"join","pin":"482913","name":"Ada","colour":"teal","v":2,"extra":{"a":[1]}}"#,
        ClientMsg::Join {
            pin: pin(),
            name: "Ada".into(),
        },
    );
    assert_parses(r#"{"type":"start","now":true}"#, ClientMsg::Start);
    assert_parses(r#"{"type":"list","to":"not a number"}"#, ClientMsg::List);
    assert_parses(
        r#"{"type":"answer","index":3,"choice":1,"hint":"Paris"}"#,
        answer_choice(3, 1),
    );
    // The serde derive agrees, so the bots' own decoder is just as lenient.
    let by_serde: ClientMsg =
        serde_json::from_str(r#"{"type":"start","now":true}"#).expect("serde ignores extras");
    assert_eq!(by_serde, ClientMsg::Start);
}

#[test]
fn whitespace_around_a_frame_is_fine() {
    assert_parses(" \n{\"type\" : \"list\"}\r\n\t", ClientMsg::List);
}

// --- refusals: bad_message --------------------------------------------------------------------

#[test]
fn a_frame_that_is_not_one_json_object_is_a_bad_message() {
    for frame in [
        "",
        "   ",
        "hello",
        "list",
        r#"{"type":"list""#,
        r#"{"type":"list"} trailing"#,
        r#"{"type":"list"}{"type":"list"}"#,
        r#"{'type':'list'}"#,
        r#"[{"type":"list"}]"#,
        "[]",
        "42",
        "-1.5",
        r#""list""#,
        "null",
        "true",
    ] {
        assert_bad_message(frame);
    }
}

#[test]
fn an_object_without_a_string_type_is_a_bad_message() {
    for frame in [
        "{}",
        r#"{"kind":"list"}"#,
        r#"{"Type":"list"}"#,
        r#"{"type":7}"#,
        r#"{"type":null}"#,
        r#"{"type":true}"#,
        r#"{"type":["list"]}"#,
        r#"{"type":{"name":"list"}}"#,
    ] {
        assert_bad_message(frame);
    }
}

#[test]
fn an_unknown_type_is_a_bad_message_even_with_good_fields() {
    for frame in [
        r#"{"type":""}"#,
        r#"{"type":"dance"}"#,
        r#"{"type":"Join","pin":"482913","name":"Ada"}"#,
        r#"{"type":"JOIN","pin":"482913","name":"Ada"}"#,
        r#"{"type":" join","pin":"482913","name":"Ada"}"#,
        r#"{"type":"host-resume","pin":"482913","host_key":"k"}"#,
        r#"{"type":"setChat","enabled":true}"#,
        // Server message types are not client messages.
        r#"{"type":"welcome"}"#,
        r#"{"type":"error","code":"bad_field","message":"x"}"#,
    ] {
        assert_bad_message(frame);
    }
}

#[test]
fn an_unknown_type_is_not_echoed_back_in_full() {
    let long = "x".repeat(10_000);
    let e = parse_err(&format!(r#"{{"type":"{long}"}}"#));
    assert_eq!(e.code, ErrorCode::BadMessage);
    assert!(
        e.message.len() < 200,
        "message is {} bytes",
        e.message.len()
    );
}

#[test]
fn a_deeply_nested_frame_is_refused_without_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_bad_message(&deep);
    let deep_field = format!(
        r#"{{"type":"join","pin":"482913","name":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse_client(&deep_field).is_err());
}

// --- refusals: bad_field ----------------------------------------------------------------------

#[test]
fn join_refuses_a_missing_or_malformed_pin_or_name() {
    for (frame, field) in [
        (r#"{"type":"join","name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":null,"name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":482913,"name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":["482913"],"name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":"12345","name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":"1234567","name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":"abcdef","name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":"","name":"Ada"}"#, "pin"),
        (r#"{"type":"join","pin":" 48291","name":"Ada"}"#, "pin"),
        (
            r#"{"type":"join","pin":"１２３４５６","name":"Ada"}"#,
            "pin",
        ),
        (r#"{"type":"join","pin":"482913"}"#, "name"),
        (r#"{"type":"join","pin":"482913","name":null}"#, "name"),
        (r#"{"type":"join","pin":"482913","name":42}"#, "name"),
        (r#"{"type":"join","pin":"482913","name":["Ada"]}"#, "name"),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn host_refuses_a_time_factor_outside_half_to_three() {
    for frame in [
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","time_factor":0.49}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","time_factor":3.01}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","time_factor":0}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","time_factor":-1}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","time_factor":"2"}"#,
    ] {
        assert_bad_field(frame, "time_factor");
    }
    assert_bad_field(
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","no_time_limit":"yes"}"#,
        "no_time_limit",
    );
    assert_bad_field(
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","shuffle_questions":1}"#,
        "shuffle_questions",
    );
}

#[test]
fn host_takes_a_leaderboard_of_each_or_end_and_nothing_else() {
    for (text, at) in [("each", LeaderboardAt::Each), ("end", LeaderboardAt::End)] {
        let frame = format!(
            r#"{{"type":"host","token":"t","quiz_id":1,"mode":"race","leaderboard":"{text}"}}"#
        );
        let Ok(ClientMsg::Host { options, .. }) = parse_client(&frame) else {
            panic!("refused {frame}");
        };
        assert_eq!(options.leaderboard, Some(at));
    }
    for bad in [r#""never""#, r#""End""#, "true", "1"] {
        assert_bad_field(
            &format!(
                r#"{{"type":"host","token":"t","quiz_id":1,"mode":"race","leaderboard":{bad}}}"#
            ),
            "leaderboard",
        );
    }
}

#[test]
fn host_takes_the_ends_of_the_time_factor_range() {
    for (factor, text) in [(0.5, "0.5"), (3.0, "3"), (1.25, "1.25")] {
        let frame = format!(
            r#"{{"type":"host","token":"t","quiz_id":1,"mode":"classic","time_factor":{text}}}"#
        );
        let Ok(ClientMsg::Host { options, .. }) = parse_client(&frame) else {
            panic!("refused {frame}");
        };
        assert_eq!(options.time_factor, Some(factor));
    }
}

#[test]
fn resume_refuses_a_missing_or_malformed_pin_or_token() {
    for (frame, field) in [
        (r#"{"type":"resume","token":"t"}"#, "pin"),
        (r#"{"type":"resume","pin":"12345","token":"t"}"#, "pin"),
        (r#"{"type":"resume","pin":"abcdef","token":"t"}"#, "pin"),
        (r#"{"type":"resume","pin":482913,"token":"t"}"#, "pin"),
        (r#"{"type":"resume","pin":"482913"}"#, "token"),
        (r#"{"type":"resume","pin":"482913","token":17}"#, "token"),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn answer_refuses_a_missing_or_wrongly_typed_index() {
    for frame in [
        r#"{"type":"answer","choice":1}"#,
        r#"{"type":"answer","index":null,"choice":1}"#,
        r#"{"type":"answer","index":"3","choice":1}"#,
        r#"{"type":"answer","index":-1,"choice":1}"#,
        r#"{"type":"answer","index":1.5,"choice":1}"#,
        r#"{"type":"answer","index":4294967296,"choice":1}"#,
        r#"{"type":"answer","index":[3],"choice":1}"#,
        // With no answer form either, the index is named first.
        r#"{"type":"answer"}"#,
    ] {
        assert_bad_field(frame, "index");
    }
}

#[test]
fn answer_refuses_a_wrongly_typed_answer_form() {
    for (frame, field) in [
        (r#"{"type":"answer","index":3,"choice":"1"}"#, "choice"),
        (r#"{"type":"answer","index":3,"choice":-1}"#, "choice"),
        (r#"{"type":"answer","index":3,"choice":true}"#, "choice"),
        (r#"{"type":"answer","index":3,"choice":[1]}"#, "choice"),
        (r#"{"type":"answer","index":3,"choices":"0,2"}"#, "choices"),
        (
            r#"{"type":"answer","index":3,"choices":[0,"2"]}"#,
            "choices",
        ),
        (r#"{"type":"answer","index":3,"choices":[-1]}"#, "choices"),
        (r#"{"type":"answer","index":3,"choices":2}"#, "choices"),
        (r#"{"type":"answer","index":3,"text":5}"#, "text"),
        (r#"{"type":"answer","index":3,"text":["Au"]}"#, "text"),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn answer_needs_exactly_one_of_choice_choices_or_text() {
    for frame in [
        r#"{"type":"answer","index":3}"#,
        r#"{"type":"answer","index":3,"choice":null,"choices":null,"text":null}"#,
        r#"{"type":"answer","index":3,"choice":1,"choices":[1]}"#,
        r#"{"type":"answer","index":3,"choice":1,"text":"Au"}"#,
        r#"{"type":"answer","index":3,"choices":[0],"text":"Au"}"#,
        r#"{"type":"answer","index":3,"choice":1,"choices":[1],"text":"Au"}"#,
    ] {
        assert_bad_field(frame, "choice");
    }
}

#[test]
fn chat_refuses_missing_empty_or_blank_text() {
    for frame in [
        r#"{"type":"chat"}"#,
        r#"{"type":"chat","text":null}"#,
        r#"{"type":"chat","text":42}"#,
        r#"{"type":"chat","text":""}"#,
        r#"{"type":"chat","text":" "}"#,
        r#"{"type":"chat","text":"   \t\n  "}"#,
        r#"{"type":"chat","text":"\u3000\u00a0"}"#,
    ] {
        assert_bad_field(frame, "text");
    }
}

#[test]
fn chat_accepts_exactly_280_characters_and_refuses_281() {
    assert_eq!(MAX_CHAT_CHARS, 280);
    for unit in ["a", "é", "日", "🙂"] {
        let at_limit = unit.repeat(280);
        assert_parses(
            &json!({"type": "chat", "text": at_limit}).to_string(),
            ClientMsg::Chat {
                text: at_limit.clone(),
                to: None,
            },
        );
        let over = unit.repeat(281);
        assert_bad_field(&json!({"type": "chat", "text": over}).to_string(), "text");
    }
}

#[test]
fn chat_keeps_the_text_as_sent() {
    assert_parses(
        r#"{"type":"chat","text":"  hi  there  "}"#,
        ClientMsg::Chat {
            text: "  hi  there  ".into(),
            to: None,
        },
    );
}

#[test]
fn chat_refuses_a_to_that_is_not_a_player_id() {
    for frame in [
        r#"{"type":"chat","text":"hi","to":"12"}"#,
        r#"{"type":"chat","text":"hi","to":-1}"#,
        r#"{"type":"chat","text":"hi","to":1.5}"#,
        r#"{"type":"chat","text":"hi","to":{"player_id":12}}"#,
    ] {
        assert_bad_field(frame, "to");
    }
}

#[test]
fn host_refuses_missing_or_wrongly_typed_fields() {
    for (frame, field) in [
        (r#"{"type":"host","quiz_id":1,"mode":"classic"}"#, "token"),
        (
            r#"{"type":"host","token":7,"quiz_id":1,"mode":"classic"}"#,
            "token",
        ),
        (r#"{"type":"host","token":"t","mode":"classic"}"#, "quiz_id"),
        (
            r#"{"type":"host","token":"t","quiz_id":"1","mode":"classic"}"#,
            "quiz_id",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1.5,"mode":"classic"}"#,
            "quiz_id",
        ),
        (r#"{"type":"host","token":"t","quiz_id":1}"#, "mode"),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"blitz"}"#,
            "mode",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"Classic"}"#,
            "mode",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":0}"#,
            "mode",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","max_players":-5}"#,
            "max_players",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","max_players":"10"}"#,
            "max_players",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","auto_advance_ms":"fast"}"#,
            "auto_advance_ms",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","auto_advance_ms":-1}"#,
            "auto_advance_ms",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","chat":"yes"}"#,
            "chat",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","chat":1}"#,
            "chat",
        ),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn host_resume_refuses_a_missing_or_malformed_pin_or_host_key() {
    for (frame, field) in [
        (r#"{"type":"host_resume","host_key":"k"}"#, "pin"),
        (
            r#"{"type":"host_resume","pin":"12345","host_key":"k"}"#,
            "pin",
        ),
        (
            r#"{"type":"host_resume","pin":"abcdef","host_key":"k"}"#,
            "pin",
        ),
        (
            r#"{"type":"host_resume","pin":482913,"host_key":"k"}"#,
            "pin",
        ),
        (r#"{"type":"host_resume","pin":"482913"}"#, "host_key"),
        (
            r#"{"type":"host_resume","pin":"482913","host_key":5}"#,
            "host_key",
        ),
        (
            r#"{"type":"host_resume","pin":"482913","token":5}"#,
            "token",
        ),
        (
            r#"{"type":"host_resume","pin":"482913","host_key":null,"token":null}"#,
            "host_key",
        ),
        (
            r#"{"type":"host_resume","pin":"482913","host_key":"k","token":"t"}"#,
            "token",
        ),
    ] {
        assert_bad_field(frame, field);
    }
    assert_parses(
        r#"{"type":"host_resume","pin":"482913","token":"t","host_key":null}"#,
        ClientMsg::HostResume {
            pin: pin(),
            by: HostCredential::Token("t".into()),
            view: None,
        },
    );
}

#[test]
fn kick_lock_and_set_chat_refuse_missing_or_wrongly_typed_fields() {
    for (frame, field) in [
        (r#"{"type":"kick"}"#, "player_id"),
        (r#"{"type":"kick","player_id":"7"}"#, "player_id"),
        (r#"{"type":"kick","player_id":-1}"#, "player_id"),
        (r#"{"type":"kick","player_id":null}"#, "player_id"),
        (r#"{"type":"lock"}"#, "locked"),
        (r#"{"type":"lock","locked":"true"}"#, "locked"),
        (r#"{"type":"lock","locked":1}"#, "locked"),
        (r#"{"type":"lock","locked":null}"#, "locked"),
        (r#"{"type":"set_chat"}"#, "enabled"),
        (r#"{"type":"set_chat","enabled":"false"}"#, "enabled"),
        (r#"{"type":"set_chat","enabled":0}"#, "enabled"),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn a_refusal_becomes_an_error_frame_with_its_code_and_field() {
    let frame = parse_err(r#"{"type":"join","pin":"12345","name":"Ada"}"#).to_msg();
    let value = serde_json::to_value(&frame).expect("serialises");
    assert_eq!(value["type"], json!("error"));
    assert_eq!(value["code"], json!("bad_field"));
    assert_eq!(value["field"], json!("pin"));
    assert!(value["message"].as_str().is_some_and(|m| !m.is_empty()));

    let frame = parse_err("nonsense").to_msg();
    let value = serde_json::to_value(&frame).expect("serialises");
    assert_eq!(value["code"], json!("bad_message"));
    assert_eq!(sorted_keys(&value), sorted(&["type", "code", "message"]));
}

// ---------------------------------------------------------------------------------------------
// Error codes
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Quiz documents
// ---------------------------------------------------------------------------------------------

/// The example document of PROTOCOL.md, verbatim.
const PROTOCOL_EXAMPLE: &str = r#"{"title": "Capitals",
 "questions": [
   {"kind": "choice", "text": "Capital of France?", "choices": ["Paris","Lyon","Nice","Lille"],
    "correct": [0], "time_limit_s": 20},
   {"kind": "true_false", "text": "The Rhine flows through Basel.", "correct": [0], "time_limit_s": 10},
   {"kind": "multi", "text": "Which are prime?", "choices": ["2","4","5","9"], "correct": [0,2]},
   {"kind": "type_answer", "text": "Chemical symbol of gold?", "accept": ["Au"]},
   {"kind": "poll", "text": "Did you enjoy this quiz?", "choices": ["Yes","No"]}
 ]}"#;

fn example_doc() -> QuizDoc {
    serde_json::from_str(PROTOCOL_EXAMPLE).expect("the PROTOCOL.md example is a QuizDoc")
}

fn example_quiz() -> Quiz {
    example_doc()
        .validate()
        .expect("the PROTOCOL.md example is valid")
}

/// A quiz of three good questions followed by `fourth`, so a problem in it is question 3.
fn quiz_with_fourth(fourth: Value) -> QuizDoc {
    let good = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    serde_json::from_value(json!({
        "title": "T",
        "questions": [good.clone(), good.clone(), good, fourth],
    }))
    .expect("a QuizDoc")
}

fn rejected_at_3(fourth: Value, field: &str) -> QuizError {
    let err = match quiz_with_fourth(fourth.clone()).validate() {
        Ok(_) => panic!("accepted {fourth}"),
        Err(e) => e,
    };
    assert_eq!(err.index, Some(3), "index for {fourth}: {err:?}");
    assert_eq!(err.field, field, "field for {fourth}: {err:?}");
    assert!(!err.message.trim().is_empty(), "message for {fourth}");
    let shown = err.to_string();
    assert!(
        shown.starts_with("question 3: "),
        "display for {fourth}: {shown}"
    );
    assert_eq!(shown, format!("question 3: {}", err.message));
    err
}

fn accepted(fourth: Value) -> Question {
    let quiz = quiz_with_fourth(fourth.clone())
        .validate()
        .unwrap_or_else(|e| panic!("refused {fourth}: {e}"));
    quiz.questions[3].clone()
}

#[test]
fn the_protocol_example_is_a_valid_quiz() {
    let quiz = example_quiz();
    assert_eq!(quiz.title, "Capitals");
    let kinds: Vec<QuestionKind> = quiz.questions.iter().map(|q| q.kind).collect();
    assert_eq!(
        kinds,
        [
            QuestionKind::Choice,
            QuestionKind::TrueFalse,
            QuestionKind::Multi,
            QuestionKind::TypeAnswer,
            QuestionKind::Poll
        ]
    );
    let limits: Vec<u64> = quiz.questions.iter().map(|q| q.time_limit_ms).collect();
    assert_eq!(limits, [20000, 10000, 20000, 20000, 20000]);
    assert!(quiz.questions.iter().all(|q| q.points == Points::Standard));
    let keys: Vec<&AnswerKey> = quiz.questions.iter().map(|q| &q.key).collect();
    assert_eq!(
        keys,
        [
            &AnswerKey::Choices(vec![0]),
            &AnswerKey::Choices(vec![0]),
            &AnswerKey::Choices(vec![0, 2]),
            &AnswerKey::Accept(vec!["Au".into()]),
            &AnswerKey::Poll,
        ]
    );
    assert_eq!(
        quiz.questions[0].choices,
        ["Paris", "Lyon", "Nice", "Lille"]
    );
    assert_eq!(quiz.questions[3].choices, Vec::<String>::new());
    assert_eq!(quiz.questions[4].choices, ["Yes", "No"]);
    assert!(quiz.questions[0].is_scored());
    assert!(!quiz.questions[4].is_scored());
}

#[test]
fn true_false_gets_the_choices_true_and_false() {
    let quiz = example_quiz();
    assert_eq!(quiz.questions[1].choices, ["True", "False"]);
    let q = accepted(json!({"kind": "true_false", "text": "Sky is blue", "correct": [1]}));
    assert_eq!(q.choices, ["True", "False"]);
    assert_eq!(q.key, AnswerKey::Choices(vec![1]));
}

#[test]
fn a_kind_refuses_the_fields_it_does_not_use_rather_than_storing_them() {
    // Authored choices cannot relabel a true_false question (`[0]` always means True), and
    // were stored unchecked: they are refused, as are `accept` beside choices and `correct`
    // beside `accept`.
    let cases = [
        (
            json!({"kind": "true_false", "text": "Q", "choices": ["Yes", "No"], "correct": [1]}),
            "choices",
        ),
        (
            json!({"kind": "type_answer", "text": "Q", "choices": ["a", "b"], "accept": ["a"]}),
            "choices",
        ),
        (
            json!({"kind": "type_answer", "text": "Q", "correct": [0], "accept": ["a"]}),
            "correct",
        ),
        (
            json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0], "accept": ["a"]}),
            "accept",
        ),
        (
            json!({"kind": "true_false", "text": "Q", "correct": [0], "accept": ["x"]}),
            "accept",
        ),
        (
            json!({"kind": "multi", "text": "Q", "choices": ["a", "b"], "correct": [0], "accept": []}),
            "accept",
        ),
    ];
    for (q, field) in cases {
        rejected_at_3(q, field);
    }
}

// ---------------------------------------------------------------------------------------------
// Quiz document bounds: raw bytes before trimming, the normalised form that is stored
// ---------------------------------------------------------------------------------------------

fn quiz_titled(title: &str) -> QuizDoc {
    let mut doc = quiz_with_fourth(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]}),
    );
    doc.title = title.to_owned();
    doc
}

#[test]
fn a_title_padded_with_a_megabyte_of_spaces_is_refused_not_trimmed() {
    let padded = format!("Capitals{}", " ".repeat(1 << 20));
    let err = quiz_titled(&padded).validate().expect_err("padded title");
    assert_eq!((err.index, err.field), (None, "title"), "{err:?}");
    assert!(err.message.contains("bytes"), "{err:?}");
    // Within the raw bound, spaces are trimmed away from what is stored.
    let doc = quiz_titled("   Capitals \t ").normalised().expect("valid");
    assert_eq!(doc.title, "Capitals");
}

#[test]
fn every_text_of_a_question_has_a_raw_byte_bound() {
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n));
    let cases = [
        (
            json!({"kind": "choice", "text": pad("Q", 2000), "choices": ["a", "b"], "correct": [0]}),
            "text",
        ),
        (
            json!({"kind": "choice", "text": "Q", "choices": ["a", pad("b", 480)], "correct": [0]}),
            "choices",
        ),
        (
            json!({"kind": "type_answer", "text": "Q", "accept": ["a", pad("b", 400)]}),
            "accept",
        ),
    ];
    for (q, field) in cases {
        let err = rejected_at_3(q, field);
        assert!(err.message.contains("bytes"), "{err:?}");
    }
    // Just inside every bound: accepted, and trimmed.
    let q = accepted(
        json!({"kind": "choice", "text": pad("Q", 1999), "choices": ["a", pad("b", 479)], "correct": [0]}),
    );
    assert_eq!((q.text.as_str(), q.choices[1].as_str()), ("Q", "b"));
    let q = accepted(json!({"kind": "type_answer", "text": "Q", "accept": [pad("b", 399)]}));
    assert_eq!(q.key, AnswerKey::Accept(vec!["b".into()]));
}

#[test]
fn accept_has_at_most_20_entries_of_at_most_100_characters() {
    let twenty: Vec<String> = (0..20).map(|i| format!("a{i}")).collect();
    accepted(json!({"kind": "type_answer", "text": "Q", "accept": twenty}));
    let mut more = twenty.clone();
    more.push("one too many".into());
    let err = rejected_at_3(
        json!({"kind": "type_answer", "text": "Q", "accept": more}),
        "accept",
    );
    assert!(err.message.contains("20"), "{err:?}");
    accepted(json!({"kind": "type_answer", "text": "Q", "accept": ["é".repeat(100)]}));
    let err = rejected_at_3(
        json!({"kind": "type_answer", "text": "Q", "accept": ["é".repeat(101)]}),
        "accept",
    );
    assert!(err.message.contains("100"), "{err:?}");
}

#[test]
fn a_document_stored_before_the_bounds_is_tidied_into_one_that_plays() {
    // What an older server stored: a padded title, true_false choices, accept on a choice.
    let old: QuizDoc = serde_json::from_value(json!({"title": format!("Old{}", " ".repeat(5000)), "questions": [
        {"kind": "true_false", "text": " Q ", "choices": ["Yes", "No"], "correct": [1]},
        {"kind": "choice", "text": "Q", "choices": ["a ", "b"], "correct": [0], "accept": ["x"]},
        {"kind": "type_answer", "text": "Q", "correct": [0], "accept": [" Au "]}
    ]}))
    .expect("doc");
    assert!(old.validate().is_err(), "new documents like it are refused");
    let tidy = old.tidied();
    let want: QuizDoc = serde_json::from_value(json!({"title": "Old", "questions": [
        {"kind": "true_false", "text": "Q", "correct": [1]},
        {"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]},
        {"kind": "type_answer", "text": "Q", "accept": ["Au"]}
    ]}))
    .expect("doc");
    assert_eq!(tidy, want);
    assert!(tidy.validate().is_ok(), "and it still plays");
}

#[test]
fn the_normalised_document_is_what_validation_read() {
    let doc: QuizDoc = serde_json::from_value(json!({"title": " T ", "questions": [
        {"kind": "choice", "text": " Q ", "choices": [" a", "b "], "correct": [0], "time_limit_s": 10},
        {"kind": "type_answer", "text": "Q\n", "accept": [" Au ", "au"]},
        {"kind": "true_false", "text": "Q", "correct": [1], "points": "double"}
    ]}))
    .expect("doc");
    let want: QuizDoc = serde_json::from_value(json!({"title": "T", "questions": [
        {"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0], "time_limit_s": 10},
        {"kind": "type_answer", "text": "Q", "accept": ["Au", "au"]},
        {"kind": "true_false", "text": "Q", "correct": [1], "points": "double"}
    ]}))
    .expect("doc");
    let normal = doc.normalised().expect("valid");
    assert_eq!(normal, want);
    assert_eq!(
        normal.validate(),
        doc.validate(),
        "the same quiz either way"
    );
    assert_eq!(
        normal.normalised().as_ref(),
        Ok(&normal),
        "normalising twice changes nothing"
    );
    assert!(quiz_titled(" ").normalised().is_err());
}

#[test]
fn time_limit_defaults_to_20_seconds() {
    let q = accepted(json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]}));
    assert_eq!(q.time_limit_ms, 20_000);
    let q = accepted(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0],
                            "time_limit_s": null}),
    );
    assert_eq!(q.time_limit_ms, 20_000);
}

#[test]
fn time_limit_must_be_5_to_240_seconds() {
    for (s, ms) in [(5u32, 5_000u64), (6, 6_000), (239, 239_000), (240, 240_000)] {
        let q = accepted(json!({"kind": "choice", "text": "Q", "choices": ["a", "b"],
                                "correct": [0], "time_limit_s": s}));
        assert_eq!(q.time_limit_ms, ms, "{s} s");
    }
    for s in [0u32, 4, 241, 3600, u32::MAX] {
        rejected_at_3(
            json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0],
                   "time_limit_s": s}),
            "time_limit_s",
        );
    }
}

#[test]
fn points_default_to_standard_and_can_be_double_or_none() {
    let base = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    assert_eq!(accepted(base.clone()).points, Points::Standard);
    for (name, points) in [
        ("standard", Points::Standard),
        ("double", Points::Double),
        ("none", Points::NoPoints),
    ] {
        let mut q = base.clone();
        q["points"] = json!(name);
        assert_eq!(accepted(q).points, points, "{name}");
    }
}

#[test]
fn a_quiz_without_questions_is_rejected_as_a_whole() {
    let doc: QuizDoc =
        serde_json::from_value(json!({"title": "T", "questions": []})).expect("a QuizDoc");
    let err = doc.validate().expect_err("no questions");
    assert_eq!(err.index, None);
    assert_eq!(err.field, "questions");
    assert!(!err.to_string().starts_with("question "), "{err}");
}

#[test]
fn a_quiz_without_a_title_is_rejected_as_a_whole() {
    for title in ["", "   "] {
        let doc = QuizDoc {
            title: title.into(),
            ..example_doc()
        };
        let err = doc.validate().expect_err("no title");
        assert_eq!((err.index, err.field), (None, "title"));
    }
}

#[test]
fn empty_question_text_is_rejected_with_its_index() {
    for text in ["", "   ", "\n\t"] {
        rejected_at_3(
            json!({"kind": "choice", "text": text, "choices": ["a", "b"], "correct": [0]}),
            "text",
        );
    }
}

#[test]
fn fewer_than_2_or_more_than_6_choices_are_rejected_with_its_index() {
    let seven = ["a", "b", "c", "d", "e", "f", "g"];
    for kind in ["choice", "multi"] {
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "correct": [0]}),
            "choices",
        );
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "choices": [], "correct": [0]}),
            "choices",
        );
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "choices": ["a"], "correct": [0]}),
            "choices",
        );
        rejected_at_3(
            json!({"kind": kind, "text": "Q", "choices": seven, "correct": [0]}),
            "choices",
        );
        accepted(json!({"kind": kind, "text": "Q", "choices": ["a", "b"], "correct": [0]}));
        accepted(json!({"kind": kind, "text": "Q", "choices": &seven[..6], "correct": [0]}));
    }
    rejected_at_3(json!({"kind": "poll", "text": "Q"}), "choices");
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a"]}),
        "choices",
    );
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": seven}),
        "choices",
    );
}

#[test]
fn a_correct_index_out_of_range_is_rejected_with_its_index() {
    let err = rejected_at_3(
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b", "c", "d"], "correct": [4]}),
        "correct",
    );
    // The example error in docs/protocol.md, to the letter.
    assert_eq!(
        err.to_string(),
        "question 3: correct index 4 is out of range (there are 4 choices)"
    );
    rejected_at_3(
        json!({"kind": "true_false", "text": "Q", "correct": [2]}),
        "correct",
    );
    rejected_at_3(
        json!({"kind": "multi", "text": "Q", "choices": ["a", "b", "c"], "correct": [0, 3]}),
        "correct",
    );
}

#[test]
fn a_scored_question_without_a_correct_answer_is_rejected_with_its_index() {
    for q in [
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"]}),
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": []}),
        json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": null}),
        json!({"kind": "multi", "text": "Q", "choices": ["a", "b"], "correct": []}),
        json!({"kind": "true_false", "text": "Q"}),
        json!({"kind": "true_false", "text": "Q", "correct": []}),
    ] {
        rejected_at_3(q, "correct");
    }
}

#[test]
fn true_false_takes_exactly_one_correct_answer() {
    rejected_at_3(
        json!({"kind": "true_false", "text": "Q", "correct": [0, 1]}),
        "correct",
    );
    // The same index twice is still one answer.
    let q = accepted(json!({"kind": "true_false", "text": "Q", "correct": [1, 1]}));
    assert_eq!(q.key, AnswerKey::Choices(vec![1]));
}

#[test]
fn multi_correct_set_is_sorted_and_deduplicated() {
    let q = accepted(
        json!({"kind": "multi", "text": "Q", "choices": ["a", "b", "c"],
                            "correct": [2, 0, 2]}),
    );
    assert_eq!(q.key, AnswerKey::Choices(vec![0, 2]));
}

#[test]
fn a_poll_with_a_correct_field_is_rejected_with_its_index() {
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": [0]}),
        "correct",
    );
    // Present but empty is still present.
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": []}),
        "correct",
    );
    // A poll with `accept` is refused too, naming `accept`.
    rejected_at_3(
        json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "accept": ["a"]}),
        "accept",
    );
    // `null` is absent, as everywhere else.
    let q = accepted(json!({"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": null}));
    assert_eq!(q.key, AnswerKey::Poll);
}

#[test]
fn an_empty_accept_list_is_rejected_with_its_index() {
    for q in [
        json!({"kind": "type_answer", "text": "Q", "accept": []}),
        json!({"kind": "type_answer", "text": "Q"}),
        json!({"kind": "type_answer", "text": "Q", "accept": null}),
        json!({"kind": "type_answer", "text": "Q", "accept": [""]}),
        json!({"kind": "type_answer", "text": "Q", "accept": ["Au", "  "]}),
    ] {
        rejected_at_3(q, "accept");
    }
    let q = accepted(json!({"kind": "type_answer", "text": "Q", "accept": [" Au "]}));
    assert_eq!(q.key, AnswerKey::Accept(vec!["Au".into()]));
}

#[test]
fn validation_reports_the_first_bad_question() {
    let good = json!({"kind": "choice", "text": "Q", "choices": ["a", "b"], "correct": [0]});
    let doc: QuizDoc = serde_json::from_value(json!({"title": "T", "questions": [
        good,
        {"kind": "poll", "text": "Q", "choices": ["a", "b"], "correct": [0]},
        {"kind": "choice", "text": "", "choices": ["a", "b"], "correct": [0]},
    ]}))
    .expect("a QuizDoc");
    let err = doc.validate().expect_err("two bad questions");
    assert_eq!(err.index, Some(1));
    assert!(err.to_string().starts_with("question 1: "), "{err}");
}

#[test]
fn question_view_never_contains_the_answer() {
    let quiz = example_quiz();
    let total = u32::try_from(quiz.questions.len()).expect("few questions");
    for (i, question) in quiz.questions.iter().enumerate() {
        let index = u32::try_from(i).expect("few questions");
        let view = question.view(index, total);
        for frame in [
            serde_json::to_string(&view).expect("serialises"),
            serde_json::to_string(&ServerMsg::Question(view.clone())).expect("serialises"),
        ] {
            let mut keys = BTreeSet::new();
            all_keys(&parse_json(&frame), &mut keys);
            for leak in ["correct", "accept", "key", "answer"] {
                assert!(
                    !keys.contains(leak),
                    "question {i} view has `{leak}`: {frame}"
                );
            }
            for q in &quiz.questions {
                if let AnswerKey::Accept(accept) = &q.key {
                    for a in accept {
                        assert!(
                            !frame.contains(a.as_str()),
                            "question {i} leaks {a:?}: {frame}"
                        );
                    }
                }
            }
        }
        assert_eq!(view.index, index);
        assert_eq!(view.total, total);
        assert_eq!(view.remaining_ms, view.time_limit_ms);
        assert_eq!(view.answered, None);
        assert_eq!(view.choices, question.choices);
    }
}

#[test]
fn type_answer_view_shows_no_choices_and_no_accepted_text() {
    let q = accepted(
        json!({"kind": "type_answer", "text": "Capital of Burkina Faso?",
                            "accept": ["Ouagadougou", " Wagadugu "]}),
    );
    let frame = serde_json::to_string(&ServerMsg::Question(q.view(3, 4))).expect("serialises");
    let value = parse_json(&frame);
    assert_eq!(value["choices"], json!([]));
    for leak in ["Ouagadougou", "Wagadugu", "accept"] {
        assert!(!frame.contains(leak), "{leak} in {frame}");
    }
}

// `AnswerKey`, `Question` and `Quiz` must have no `Serialize` impl, so that no code path can
// put the key in a frame. Checked without a compile-fail harness: an inherent associated
// const that exists only when `T: Serialize` shadows a blanket trait const that says `false`.
struct Probe<T>(std::marker::PhantomData<T>);
trait NotSerialize {
    const SERIALIZE: bool = false;
}
impl<T> NotSerialize for T {}
impl<T: serde::Serialize> Probe<T> {
    const SERIALIZE: bool = true;
}

#[test]
fn the_answer_key_cannot_be_serialised() {
    let flags = [
        ("AnswerKey", Probe::<AnswerKey>::SERIALIZE),
        ("Question", Probe::<Question>::SERIALIZE),
        ("Quiz", Probe::<Quiz>::SERIALIZE),
    ];
    for (name, serialize) in flags {
        assert!(!serialize, "{name} implements Serialize");
    }
    // The probe is not vacuous: it sees the impl where there is one.
    let control = [
        Probe::<QuestionView>::SERIALIZE,
        Probe::<ServerMsg>::SERIALIZE,
    ];
    assert_eq!(control, [true, true]);
}

#[test]
fn a_reveal_is_question_closed_without_its_type() {
    let reveal = Reveal {
        correct_order: None,
        words: None,
        filtered: None,
        slider: None,
        index: 5,
        correct: None,
        accept: Some(vec!["Au".into()]),
        counts: vec![9, 12],
        answered: 21,
        total: 23,
        first_correct: Some(FirstCorrect {
            player_id: PlayerId(7),
            name: "Ada".into(),
            elapsed_ms: 1800,
        }),
        explanation: None,
    };
    let mut closed = serde_json::to_value(ServerMsg::from(reveal.clone())).unwrap();
    closed.as_object_mut().unwrap().remove("type");
    assert_eq!(serde_json::to_value(&reveal).unwrap(), closed);
}

// ---------------------------------------------------------------------------------------------
// The quiz's language: an optional BCP-47 tag, so the pages mark quiz text for screen readers
// ---------------------------------------------------------------------------------------------

fn with_lang(lang: Value) -> QuizDoc {
    let mut doc = serde_json::to_value(example_doc()).expect("doc as JSON");
    doc["lang"] = lang;
    serde_json::from_value(doc).expect("a QuizDoc")
}

#[test]
fn quiz_lang_is_an_optional_tag_kept_trimmed_in_the_stored_document() {
    for (given, kept) in [
        ("de", "de"),
        (" de-CH ", "de-CH"),
        ("zh-Hant-TW", "zh-Hant-TW"),
        ("ar", "ar"),
    ] {
        let stored = with_lang(json!(given)).normalised().expect("a good tag");
        let as_json = serde_json::to_value(&stored).expect("serialises");
        assert_eq!(as_json["lang"], json!(kept), "{given}");
    }
    let without = serde_json::to_value(example_doc().normalised().expect("valid")).expect("json");
    assert!(
        without.get("lang").is_none(),
        "absent stays absent: {without}"
    );
    let null =
        serde_json::to_value(with_lang(Value::Null).normalised().expect("valid")).expect("json");
    assert!(null.get("lang").is_none(), "null counts as absent: {null}");
}

#[test]
fn a_malformed_or_oversized_quiz_lang_is_refused_as_a_whole() {
    let long = format!("en-{}", ["abcdefgh"; 5].join("-"));
    let padded = format!("de{}", " ".repeat(1 << 20));
    for bad in [
        "",
        "   ",
        "d",
        "deutsch",
        "de_DE",
        "de--CH",
        "-de",
        "de-",
        "12",
        "de-CH!",
        "de-abcdefghi",
        "<b>",
        &long,
        &padded,
    ] {
        let err = with_lang(json!(bad))
            .validate()
            .expect_err(&format!("accepted lang {bad:?}"));
        assert_eq!((err.index, err.field), (None, "lang"), "{bad:?}");
        assert!(!err.message.is_empty());
    }
    let err = serde_json::from_value::<QuizDoc>({
        let mut doc = serde_json::to_value(example_doc()).expect("json");
        doc["lang"] = json!(42);
        doc
    });
    assert!(err.is_err(), "a number is not a tag");
}

/// `teams` is one of `{"count": N}` and `{"size": N}`; anything else names the field. (The
/// ranges are the server's to check: an out-of-range number parses here.)
#[test]
fn a_teams_field_that_is_neither_a_count_nor_a_size_is_a_bad_field() {
    for teams in [
        r#""3""#,
        "3",
        "{}",
        r#"{"count":3,"size":4}"#,
        r#"{"count":-1}"#,
        r#"{"colours":3}"#,
    ] {
        let frame = format!(
            r#"{{"type":"host","token":"t","quiz_id":1,"mode":"classic","teams":{teams}}}"#
        );
        assert_bad_field(&frame, "teams");
    }
}

#[test]
fn host_refuses_team_talk_beyond_thirty_seconds_and_an_unknown_team_choice() {
    for frame in [
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":31}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":-1}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":2.5}"#,
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":"5"}"#,
    ] {
        assert_bad_field(frame, "team_talk_s");
    }
    for talk in [0, 30] {
        let frame = format!(
            r#"{{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_talk_s":{talk}}}"#
        );
        assert!(parse_client(&frame).is_ok(), "{frame}");
    }
    assert_bad_field(
        r#"{"type":"host","token":"t","quiz_id":1,"mode":"classic","team_choice":"host"}"#,
        "team_choice",
    );
}

#[test]
fn choose_team_and_move_player_refuse_missing_or_wrongly_typed_fields() {
    for (frame, field) in [
        (r#"{"type":"choose_team"}"#, "team"),
        (r#"{"type":"choose_team","team":"2"}"#, "team"),
        (r#"{"type":"choose_team","team":-1}"#, "team"),
        (r#"{"type":"move_player","team":2}"#, "player_id"),
        (r#"{"type":"move_player","player_id":1}"#, "team"),
        (
            r#"{"type":"move_player","player_id":"1","team":2}"#,
            "player_id",
        ),
        (
            r#"{"type":"move_player","player_id":1,"team":null}"#,
            "team",
        ),
    ] {
        assert_bad_field(frame, field);
    }
}

#[test]
fn an_assignment_code_is_eight_digits_and_a_pin_is_refused() {
    for bad in [
        r#"{"type":"assignment_join","code":"482913","name":"Ada"}"#,
        r#"{"type":"assignment_join","code":"4829130x","name":"Ada"}"#,
        r#"{"type":"assignment_join","code":48291305,"name":"Ada"}"#,
        r#"{"type":"assignment_resume","code":"48291305"}"#,
    ] {
        let e = parse_client(bad).expect_err(bad);
        assert_eq!(e.code, ErrorCode::BadField, "{bad}");
    }
    assert_parses(
        r#"{"type":"assignment_join","code":"48291305","name":"Ada","identifier":null}"#,
        ClientMsg::AssignmentJoin {
            code: "48291305".into(),
            name: "Ada".into(),
            identifier: None,
        },
    );
}
