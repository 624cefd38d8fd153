//! Client messages: every variant's JSON, the hand-written parser, and its refusals.

use super::*;

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
