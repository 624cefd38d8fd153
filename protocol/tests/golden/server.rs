//! Server messages: every variant's literal JSON, and the checks of what a frame carries.

use super::*;

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
            msg: ServerMsg::PlayAgain {
                pin: pin(),
                host_key: None,
            },
            json: r#"{"type":"play_again","pin":"482913"}"#,
            fields: &["type", "pin"],
        },
        Golden {
            name: "play_again to a big screen",
            msg: ServerMsg::PlayAgain {
                pin: pin(),
                host_key: Some("9d1f03aa77c24b1e".into()),
            },
            json: r#"{"type":"play_again","pin":"482913","host_key":"9d1f03aa77c24b1e"}"#,
            fields: &["type", "pin", "host_key"],
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
