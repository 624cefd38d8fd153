//! Every error code a client can reach over the socket, each provoked for real, and the socket
//! still usable afterwards: an error is an answer, never a hang-up (except `replaced`).

mod common;

use common::{
    error, host_msg, join_refused, list, one_question, other_pin, quiz, refused, send, Game,
};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, HostCredential, PlayerId, QuizId, ServerMsg,
};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::Bot;

#[tokio::test]
async fn malformed_frames_get_bad_message_and_the_socket_stays_open() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let mut bot = game.socket().await;
    for raw in [
        "this is not json",
        "{\"type\":",
        "[1,2,3]",
        "[{\"type\":\"list\"}]",
        "\"join\"",
        "42",
        "null",
        "{}",
        "{\"type\":7}",
        "{\"type\":\"dance\"}",
        "{\"type\":\"JOIN\",\"pin\":\"123456\",\"name\":\"x\"}",
    ] {
        assert_eq!(
            refused(&mut bot, raw).await,
            (ErrorCode::BadMessage, None),
            "frame {raw:?}"
        );
    }
    // Nesting deep enough to overflow a naive recursive parser, still under 16 KiB.
    let deep = format!("{}{}", "[".repeat(8000), "]".repeat(8000));
    let deep_field = format!(
        r#"{{"type":"list","x":{}1{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    for raw in [deep, deep_field] {
        let (code, _) = refused(&mut bot, &raw).await;
        assert!(
            matches!(code, ErrorCode::BadMessage | ErrorCode::NotJoined),
            "deeply nested frame: {code:?}"
        );
    }
    bot.send_message(tokio_tungstenite::tungstenite::Message::binary(
        b"{\"type\":\"list\"}".to_vec(),
    ))
    .await
    .unwrap();
    assert_eq!(
        error(&mut bot).await.0,
        ErrorCode::BadMessage,
        "binary frame"
    );
    // Still open and usable: the same socket joins.
    let welcome = bot.join(&host.pin, "Ada").await.unwrap();
    assert_eq!(welcome.name, "Ada");
    assert_eq!(list(&mut bot).await.len(), 1);
}

#[tokio::test]
async fn bad_fields_are_refused_with_the_field_named() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let mut bot = game.socket().await;
    let pin = &host.pin.0;
    let cases = [
        (r#"{"type":"join","pin":"123456"}"#.to_string(), "name"),
        (r#"{"type":"join","name":"Ada"}"#.to_string(), "pin"),
        (
            r#"{"type":"join","pin":"12","name":"Ada"}"#.to_string(),
            "pin",
        ),
        (
            r#"{"type":"join","pin":123456,"name":"Ada"}"#.to_string(),
            "pin",
        ),
        (
            format!(r#"{{"type":"join","pin":"{pin}","name":7}}"#),
            "name",
        ),
        (format!(r#"{{"type":"resume","pin":"{pin}"}}"#), "token"),
        (r#"{"type":"answer","choice":1}"#.to_string(), "index"),
        (
            r#"{"type":"answer","index":"zero","choice":1}"#.to_string(),
            "index",
        ),
        (r#"{"type":"answer","index":0}"#.to_string(), "choice"),
        (
            r#"{"type":"answer","index":0,"choice":-1}"#.to_string(),
            "choice",
        ),
        (
            r#"{"type":"answer","index":0,"choice":1,"text":"a"}"#.to_string(),
            "choice",
        ),
        (
            r#"{"type":"answer","index":0,"choices":"1,2"}"#.to_string(),
            "choices",
        ),
        (r#"{"type":"chat"}"#.to_string(), "text"),
        (r#"{"type":"chat","text":"   "}"#.to_string(), "text"),
        (
            format!(r#"{{"type":"chat","text":"{}"}}"#, "x".repeat(281)),
            "text",
        ),
        (
            r#"{"type":"chat","text":"hi","to":"Bob"}"#.to_string(),
            "to",
        ),
        (
            r#"{"type":"host","quiz_id":1,"mode":"classic"}"#.to_string(),
            "token",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":"one","mode":"classic"}"#.to_string(),
            "quiz_id",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"blitz"}"#.to_string(),
            "mode",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","chat":"no"}"#.to_string(),
            "chat",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","max_players":0}"#.to_string(),
            "max_players",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","max_players":-5}"#.to_string(),
            "max_players",
        ),
        (
            r#"{"type":"host","token":"t","quiz_id":1,"mode":"race","auto_advance_ms":10}"#
                .to_string(),
            "auto_advance_ms",
        ),
        (
            format!(r#"{{"type":"host_resume","pin":"{pin}"}}"#),
            "host_key",
        ),
        (r#"{"type":"kick"}"#.to_string(), "player_id"),
        (r#"{"type":"lock","locked":"yes"}"#.to_string(), "locked"),
        (r#"{"type":"set_chat"}"#.to_string(), "enabled"),
    ];
    // Ten per socket: more than 20 refusals in 10 s would (rightly) close it as garbage.
    for chunk in cases.chunks(10) {
        bot = game.socket().await;
        for (raw, field) in chunk {
            assert_eq!(
                refused(&mut bot, raw).await,
                (ErrorCode::BadField, Some((*field).to_string())),
                "frame {raw}"
            );
        }
    }
    // Nothing of that joined or broke anything.
    bot.join(&host.pin, "Ada").await.unwrap();
    assert_eq!(list(&mut bot).await.len(), 1);
}

#[tokio::test]
async fn answers_of_the_wrong_form_are_bad_fields_named_by_the_question() {
    let game = Game::with(quiz(vec![
        serde_json::json!({"kind":"choice","text":"c","choices":["a","b"],"correct":[0]}),
        serde_json::json!({"kind":"multi","text":"m","choices":["a","b","c"],"correct":[0,1]}),
        serde_json::json!({"kind":"type_answer","text":"t","accept":["x"]}),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(ada).await;
    for (value, field) in [
        (AnswerValue::Choice(2), "choice"),
        (AnswerValue::Choices(vec![0]), "choice"),
        (AnswerValue::Text("a".into()), "choice"),
    ] {
        ada.answer(0, value.clone()).await.unwrap();
        assert_eq!(
            error(ada).await,
            (ErrorCode::BadField, Some(field.into())),
            "{value:?} to a choice question"
        );
    }
    // The refused forms did not count as answers: a proper one is still taken.
    common::answer_acked(ada, 0, AnswerValue::Choice(0)).await;
    common::reveal(ada).await;
    send(&mut host.bot, ClientMsg::Next).await;
    send(&mut host.bot, ClientMsg::Next).await;
    common::question(ada).await;
    for (value, field) in [
        (AnswerValue::Choices(vec![]), "choices"),
        (AnswerValue::Choices(vec![0, 3]), "choices"),
        (AnswerValue::Choice(0), "choices"),
    ] {
        ada.answer(1, value.clone()).await.unwrap();
        assert_eq!(
            error(ada).await,
            (ErrorCode::BadField, Some(field.into())),
            "{value:?} to a multi question"
        );
    }
    common::answer_acked(ada, 1, AnswerValue::Choices(vec![1, 0])).await;
    common::reveal(ada).await;
    send(&mut host.bot, ClientMsg::Next).await;
    send(&mut host.bot, ClientMsg::Next).await;
    common::question(ada).await;
    for (value, field) in [
        (AnswerValue::Text("   ".into()), "text"),
        (AnswerValue::Text("y".repeat(201)), "text"),
        (AnswerValue::Choice(0), "text"),
    ] {
        ada.answer(2, value.clone()).await.unwrap();
        assert_eq!(
            error(ada).await,
            (ErrorCode::BadField, Some(field.into())),
            "{value:?} to a type_answer question"
        );
    }
    common::answer_acked(ada, 2, AnswerValue::Text("X".into())).await;
}

#[tokio::test]
async fn player_messages_before_joining_get_not_joined() {
    let game = Game::with(one_question()).await;
    let _host = game.room().await;
    let mut bot = game.socket().await;
    for msg in [
        ClientMsg::Answer {
            order: None,
            value: None,
            index: 0,
            choice: Some(1),
            choices: None,
            text: None,
        },
        ClientMsg::Chat {
            text: "hello".into(),
            to: None,
        },
        ClientMsg::List,
        ClientMsg::Leave,
        ClientMsg::Start,
        ClientMsg::Next,
        ClientMsg::End,
    ] {
        send(&mut bot, msg.clone()).await;
        assert_eq!(error(&mut bot).await.0, ErrorCode::NotJoined, "{msg:?}");
    }
}

#[tokio::test]
async fn join_resume_or_host_on_a_joined_socket_get_already_joined() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    let token = ada.token();
    for msg in [
        ClientMsg::Join {
            pin: host.pin.clone(),
            name: "Second".into(),
        },
        ClientMsg::Resume {
            pin: host.pin.clone(),
            token,
        },
        host_msg(
            game.token.clone(),
            game.quiz_id,
            quizrace_protocol::Mode::Classic,
        ),
        ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: None,
        },
    ] {
        send(ada, msg.clone()).await;
        assert_eq!(error(ada).await.0, ErrorCode::AlreadyJoined, "{msg:?}");
    }
    let players = list(ada).await;
    assert_eq!(players.len(), 1, "no second player was made: {players:?}");
}

#[tokio::test]
async fn unknown_pins_get_no_such_room() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let nowhere = other_pin(&host.pin);
    let mut bot = game.socket().await;
    for msg in [
        ClientMsg::Join {
            pin: nowhere.clone(),
            name: "Ada".into(),
        },
        ClientMsg::Resume {
            pin: nowhere.clone(),
            token: "0123456789abcdef".into(),
        },
        ClientMsg::HostResume {
            pin: nowhere.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: None,
        },
    ] {
        send(&mut bot, msg.clone()).await;
        assert_eq!(error(&mut bot).await.0, ErrorCode::NoSuchRoom, "{msg:?}");
    }
    bot.join(&host.pin, "Ada").await.unwrap();
}

#[tokio::test]
async fn names_that_are_empty_too_long_or_oddly_spelled_get_bad_name() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let mut bot = game.socket().await;
    for name in [
        "",
        "    ",
        "abcdefghijklmnopqrstu", // 21 characters
        "<script>",
        "Ada!",
        "tab\there",
        "new\nline",
        "emoji 🎉\u{200d}", // an emoji is fine, a joiner trailing it is not
        "semi;colon",
    ] {
        send(
            &mut bot,
            ClientMsg::Join {
                pin: host.pin.clone(),
                name: name.into(),
            },
        )
        .await;
        assert_eq!(error(&mut bot).await.0, ErrorCode::BadName, "name {name:?}");
    }
    // The limits themselves are fine: 20 characters, every allowed sign, trimmed.
    let w = bot
        .join(&host.pin, "  Ada_Lovelace-1.'s  ")
        .await
        .expect("20 allowed characters, padded");
    assert_eq!(w.name, "Ada_Lovelace-1.'s");
    let mut other = game.socket().await;
    other
        .join(&host.pin, "abcdefghijklmnopqrst")
        .await
        .expect("exactly 20 characters");
    let mut third = game.socket().await;
    let w = third
        .join(&host.pin, "emoji 🎉")
        .await
        .expect("an emoji is a character like any other");
    assert_eq!(w.name, "emoji 🎉");
}

#[tokio::test]
async fn a_name_already_in_the_room_in_any_case_gets_name_taken() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let _bots = game.players(&mut host, &["Ada Lovelace"]).await;
    let mut bot = game.socket().await;
    for name in [
        "Ada Lovelace",
        "ada lovelace",
        "ADA LOVELACE",
        "  Ada Lovelace ",
    ] {
        send(
            &mut bot,
            ClientMsg::Join {
                pin: host.pin.clone(),
                name: name.into(),
            },
        )
        .await;
        assert_eq!(
            error(&mut bot).await.0,
            ErrorCode::NameTaken,
            "name {name:?}"
        );
    }
    bot.join(&host.pin, "Ada Byron").await.unwrap();
}

#[tokio::test]
async fn the_join_after_max_players_gets_room_full() {
    let game = Game::with(one_question()).await;
    let mut host = game
        .room_with(RoomOptions {
            max_players: Some(2),
            ..RoomOptions::default()
        })
        .await;
    let _bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let mut third = game.socket().await;
    assert_eq!(
        join_refused(&mut third, &host.pin, "Cy").await,
        ErrorCode::RoomFull
    );
    assert_eq!(list(&mut host.bot).await.len(), 2);
}

#[tokio::test]
async fn a_locked_room_refuses_joins_with_room_locked_until_unlocked() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    send(&mut host.bot, ClientMsg::Lock { locked: true }).await;
    // `lock` has no reply: `list` round-trips through the room, so the lock is in force after it.
    list(&mut host.bot).await;
    let mut bot = game.socket().await;
    assert_eq!(
        join_refused(&mut bot, &host.pin, "Ada").await,
        ErrorCode::RoomLocked
    );
    send(&mut host.bot, ClientMsg::Lock { locked: false }).await;
    list(&mut host.bot).await;
    bot.join(&host.pin, "Ada").await.expect("unlocked again");
}

#[tokio::test]
async fn joining_after_the_game_is_over_gets_game_finished() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let _bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::End).await;
    common::game_over(&mut host.bot).await;
    let mut late = game.socket().await;
    assert_eq!(
        join_refused(&mut late, &host.pin, "Late").await,
        ErrorCode::GameFinished
    );
}

#[tokio::test]
async fn resuming_with_an_unknown_token_gets_bad_token() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let bots = game.players(&mut host, &["Ada"]).await;
    let mut bot = game.socket().await;
    for token in ["", "not-a-token", "00000000000000000000000000000000"] {
        send(
            &mut bot,
            ClientMsg::Resume {
                pin: host.pin.clone(),
                token: token.into(),
            },
        )
        .await;
        assert_eq!(
            error(&mut bot).await.0,
            ErrorCode::BadToken,
            "token {token:?}"
        );
    }
    // A real token from another room is no good here either.
    let host2 = game.room().await;
    send(
        &mut bot,
        ClientMsg::Resume {
            pin: host2.pin.clone(),
            token: bots[0].token(),
        },
    )
    .await;
    assert_eq!(error(&mut bot).await.0, ErrorCode::BadToken);
}

#[tokio::test]
async fn answering_another_question_than_the_open_one_gets_wrong_question() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let ada = &mut bots[0];
    ada.answer(0, AnswerValue::Choice(1)).await.unwrap();
    assert_eq!(error(ada).await.0, ErrorCode::WrongQuestion, "in the lobby");
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(ada).await;
    for index in [1, 7, u32::MAX] {
        ada.answer(index, AnswerValue::Choice(1)).await.unwrap();
        assert_eq!(
            error(ada).await.0,
            ErrorCode::WrongQuestion,
            "index {index}"
        );
    }
    common::answer_acked(ada, 0, AnswerValue::Choice(1)).await;
}

#[tokio::test]
async fn an_answer_after_close_gets_too_late() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    send(&mut host.bot, ClientMsg::Close).await;
    common::reveal(&mut bots[0]).await;
    bots[0].answer(0, AnswerValue::Choice(1)).await.unwrap();
    assert_eq!(error(&mut bots[0]).await.0, ErrorCode::TooLate);
    let r = common::result(&mut bots[1]).await;
    assert!(!r.answered);
}

#[tokio::test]
async fn a_second_answer_to_the_same_question_gets_already_answered() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let ada = &mut bots[0];
    common::question(ada).await;
    common::answer_acked(ada, 0, AnswerValue::Choice(0)).await;
    for value in [AnswerValue::Choice(1), AnswerValue::Choice(0)] {
        ada.answer(0, value).await.unwrap();
        assert_eq!(error(ada).await.0, ErrorCode::AlreadyAnswered);
    }
    send(&mut host.bot, ClientMsg::Close).await;
    let r = common::result(ada).await;
    assert_eq!(
        (r.correct, r.points),
        (Some(false), 0),
        "the first (wrong) answer stands"
    );
}

#[tokio::test]
async fn chat_is_refused_with_chat_disabled_when_the_host_turns_it_off() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::SetChat { enabled: false }).await;
    list(&mut host.bot).await;
    send(
        ada,
        ClientMsg::Chat {
            text: "anyone?".into(),
            to: None,
        },
    )
    .await;
    assert_eq!(error(ada).await.0, ErrorCode::ChatDisabled);
    send(&mut host.bot, ClientMsg::SetChat { enabled: true }).await;
    list(&mut host.bot).await;
    send(
        ada,
        ClientMsg::Chat {
            text: "back".into(),
            to: None,
        },
    )
    .await;
    ada.expect("chat", |m| {
        matches!(m, ServerMsg::Chat { .. }).then_some(())
    })
    .await
    .expect("chat on again");
}

#[tokio::test]
async fn a_room_created_without_chat_refuses_chat_with_chat_disabled() {
    let game = Game::with(one_question()).await;
    let mut host = game
        .room_with(RoomOptions {
            chat: Some(false),
            ..RoomOptions::default()
        })
        .await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: "hi".into(),
            to: None,
        },
    )
    .await;
    assert_eq!(error(&mut bots[0]).await.0, ErrorCode::ChatDisabled);
}

#[tokio::test]
async fn kicking_or_messaging_an_unknown_player_gets_no_such_player() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    for id in [0, 2, 99] {
        send(
            &mut host.bot,
            ClientMsg::Kick {
                player_id: PlayerId(id),
            },
        )
        .await;
        assert_eq!(
            error(&mut host.bot).await.0,
            ErrorCode::NoSuchPlayer,
            "kick {id}"
        );
        send(
            &mut bots[0],
            ClientMsg::Chat {
                text: "psst".into(),
                to: Some(PlayerId(id)),
            },
        )
        .await;
        assert_eq!(
            error(&mut bots[0]).await.0,
            ErrorCode::NoSuchPlayer,
            "chat to {id}"
        );
        send(
            &mut host.bot,
            ClientMsg::Chat {
                text: "psst".into(),
                to: Some(PlayerId(id)),
            },
        )
        .await;
        assert_eq!(
            error(&mut host.bot).await.0,
            ErrorCode::NoSuchPlayer,
            "host chat to {id}"
        );
    }
    assert_eq!(list(&mut bots[0]).await.len(), 1);
}

#[tokio::test]
async fn the_sixth_chat_within_ten_seconds_gets_rate_limited() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    for i in 0..6 {
        send(
            ada,
            ClientMsg::Chat {
                text: format!("message {i}"),
                to: None,
            },
        )
        .await;
    }
    let mut echoed = 0;
    let code = ada
        .expect("the refusal", |m| match m {
            ServerMsg::Chat { .. } => {
                echoed += 1;
                None
            }
            ServerMsg::Error { code, .. } => Some(*code),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!((echoed, code), (5, ErrorCode::RateLimited));
    // The host is not limited by the players' limit.
    send(
        &mut host.bot,
        ClientMsg::Chat {
            text: "calm down".into(),
            to: None,
        },
    )
    .await;
    ada.expect("host chat", |m| {
        matches!(m, ServerMsg::Chat { .. }).then_some(())
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn host_with_a_bad_login_token_gets_unauthorized() {
    let game = Game::with(one_question()).await;
    let mut bot = game.socket().await;
    send(
        &mut bot,
        host_msg(
            "not-a-session",
            game.quiz_id,
            quizrace_protocol::Mode::Classic,
        ),
    )
    .await;
    assert_eq!(error(&mut bot).await.0, ErrorCode::Unauthorized);
    // Refused means not bound: the socket can still host with a good token.
    send(
        &mut bot,
        host_msg(
            game.token.clone(),
            game.quiz_id,
            quizrace_protocol::Mode::Classic,
        ),
    )
    .await;
    bot.expect("room_created", |m| {
        matches!(m, ServerMsg::RoomCreated { .. }).then_some(())
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn host_resume_with_a_wrong_host_key_gets_unauthorized_and_changes_nothing() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut thief = game.socket().await;
    let mut wrong = host.host_key.clone();
    wrong.replace_range(0..1, if wrong.starts_with('0') { "1" } else { "0" });
    for key in [String::new(), "guess".into(), wrong] {
        send(
            &mut thief,
            ClientMsg::HostResume {
                pin: host.pin.clone(),
                by: HostCredential::HostKey(key.clone()),
                view: None,
            },
        )
        .await;
        assert_eq!(
            error(&mut thief).await.0,
            ErrorCode::Unauthorized,
            "key {key:?}"
        );
    }
    // The real host was not replaced and still commands the room.
    assert!(list(&mut host.bot).await.is_empty());
    send(&mut thief, ClientMsg::Start).await;
    assert_eq!(error(&mut thief).await.0, ErrorCode::NotJoined);
}

#[tokio::test]
async fn hosting_an_unknown_quiz_gets_no_such_quiz() {
    let game = Game::with(one_question()).await;
    let mut bot = game.socket().await;
    for id in [0, 999_999, -1] {
        send(
            &mut bot,
            host_msg(game.token.clone(), id, quizrace_protocol::Mode::Race),
        )
        .await;
        assert_eq!(error(&mut bot).await.0, ErrorCode::NoSuchQuiz, "quiz {id}");
    }
}

#[tokio::test]
async fn host_commands_out_of_phase_get_bad_phase() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    for msg in [ClientMsg::Next, ClientMsg::Close] {
        send(&mut host.bot, msg.clone()).await;
        assert_eq!(
            error(&mut host.bot).await.0,
            ErrorCode::BadPhase,
            "{msg:?} in the lobby"
        );
    }
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    assert_eq!(
        error(&mut host.bot).await.0,
        ErrorCode::BadPhase,
        "start twice"
    );
    send(&mut host.bot, ClientMsg::Next).await;
    assert_eq!(
        error(&mut host.bot).await.0,
        ErrorCode::BadPhase,
        "next while open"
    );
    send(&mut host.bot, ClientMsg::Close).await;
    common::reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Close).await;
    assert_eq!(
        error(&mut host.bot).await.0,
        ErrorCode::BadPhase,
        "close twice"
    );
    send(&mut host.bot, ClientMsg::Next).await;
    common::leaderboard(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Next).await;
    common::game_over(&mut host.bot).await;
    for msg in [ClientMsg::Next, ClientMsg::Start, ClientMsg::Close] {
        send(&mut host.bot, msg.clone()).await;
        assert_eq!(
            error(&mut host.bot).await.0,
            ErrorCode::BadPhase,
            "{msg:?} after the end"
        );
    }
}

#[tokio::test]
async fn starting_an_empty_room_gets_no_players() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    send(&mut host.bot, ClientMsg::Start).await;
    assert_eq!(error(&mut host.bot).await.0, ErrorCode::NoPlayers);
    // A player who joined and left does not count either.
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut bots[0], ClientMsg::Leave).await;
    bots[0].expect_close().await.unwrap();
    host.bot
        .expect("player_left", |m| {
            matches!(m, ServerMsg::PlayerLeft { .. }).then_some(())
        })
        .await
        .unwrap();
    send(&mut host.bot, ClientMsg::Start).await;
    assert_eq!(error(&mut host.bot).await.0, ErrorCode::NoPlayers);
}

#[tokio::test]
async fn a_player_sending_host_commands_gets_not_host_and_is_not_obeyed() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let bob_id = bots[1].player_id();
    let ada = &mut bots[0];
    for msg in [
        ClientMsg::Start,
        ClientMsg::Next,
        ClientMsg::Close,
        ClientMsg::Kick { player_id: bob_id },
        ClientMsg::Lock { locked: true },
        ClientMsg::SetChat { enabled: false },
        ClientMsg::End,
    ] {
        send(ada, msg.clone()).await;
        assert_eq!(error(ada).await.0, ErrorCode::NotHost, "{msg:?}");
    }
    // None of it happened: the room is in the lobby, unlocked, with chat on and Bob still in.
    assert_eq!(list(ada).await.len(), 2);
    Bot::joined(&game.url, &host.pin, "Cy")
        .await
        .expect("room not locked");
    send(
        ada,
        ClientMsg::Chat {
            text: "still on".into(),
            to: None,
        },
    )
    .await;
    ada.expect("chat", |m| {
        matches!(m, ServerMsg::Chat { .. }).then_some(())
    })
    .await
    .unwrap();
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[1]).await;
}

#[tokio::test]
async fn a_host_socket_sending_player_messages_is_refused_and_not_obeyed() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    // `join` on a socket already bound to a room is `already_joined` (notes: additions).
    assert_eq!(
        join_refused(&mut host.bot, &host.pin, "Sneaky").await,
        ErrorCode::AlreadyJoined
    );
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    // `answer` and `leave` from a host are `bad_message` (notes: host socket sending player messages).
    for msg in [
        ClientMsg::Answer {
            order: None,
            value: None,
            index: 0,
            choice: Some(1),
            choices: None,
            text: None,
        },
        ClientMsg::Leave,
    ] {
        send(&mut host.bot, msg.clone()).await;
        assert_eq!(
            error(&mut host.bot).await.0,
            ErrorCode::BadMessage,
            "{msg:?}"
        );
    }
    let players = list(&mut host.bot).await;
    assert_eq!(players.len(), 2, "the host did not become a player");
    // The host's answer was not counted: both players can still answer and the count is 2.
    common::answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    common::answer_acked(&mut bots[1], 0, AnswerValue::Choice(1)).await;
    let reveal = common::reveal(&mut host.bot).await;
    assert_eq!((reveal.answered, reveal.total), (2, 2));
    assert_eq!(reveal.counts, vec![0, 2, 0, 0]);
}

#[tokio::test]
async fn a_second_socket_resuming_the_token_replaces_the_first() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let mut first = bots.remove(0);
    let mut second = game.socket().await;
    let w = second.resume(&host.pin, &first.token()).await.unwrap();
    assert_eq!(w.player_id, first.player_id());
    assert_eq!(error(&mut first).await.0, ErrorCode::Replaced);
    assert_eq!(first.expect_close().await.unwrap(), Some(1000));
    // The identity lives on the second socket.
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut second).await;
    common::answer_acked(&mut second, 0, AnswerValue::Choice(1)).await;
}

#[tokio::test]
async fn errors_never_close_the_connection() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let mut bot = game.socket().await;
    // One of each kind of refusal a socket can earn before joining, then a join on the same socket.
    refused(&mut bot, "nope").await;
    refused(&mut bot, r#"{"type":"join","pin":"1"}"#).await;
    send(&mut bot, ClientMsg::List).await;
    error(&mut bot).await;
    send(
        &mut bot,
        ClientMsg::Join {
            pin: other_pin(&host.pin),
            name: "Ada".into(),
        },
    )
    .await;
    error(&mut bot).await;
    send(
        &mut bot,
        ClientMsg::Join {
            pin: host.pin.clone(),
            name: "!!".into(),
        },
    )
    .await;
    error(&mut bot).await;
    bot.join(&host.pin, "Ada").await.unwrap();
    host.await_players(1).await.unwrap();
    // And after joining: a host command, a wrong question, a bad field; then a real answer.
    send(&mut bot, ClientMsg::Start).await;
    error(&mut bot).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bot).await;
    bot.answer(3, AnswerValue::Choice(1)).await.unwrap();
    error(&mut bot).await;
    bot.answer(0, AnswerValue::Choice(9)).await.unwrap();
    error(&mut bot).await;
    common::answer_acked(&mut bot, 0, AnswerValue::Choice(1)).await;
    let r = common::result(&mut bot).await;
    assert_eq!(r.correct, Some(true));
}

#[tokio::test]
async fn the_servers_max_players_caps_every_room() {
    let server = quizrace_tests::TestServer::start_with(|c| c.max_players = 2).await;
    let http = server.http();
    let token = http
        .login("admin", quizrace_tests::server::ADMIN_PASSWORD)
        .await
        .unwrap();
    let quiz_id = http.create_quiz(&token, &one_question()).await.unwrap();
    let url = server.ws_url();
    // A room may not ask for more than the server allows.
    let mut bot = Bot::connect(&url).await.unwrap();
    send(
        &mut bot,
        ClientMsg::Host {
            token: token.clone(),
            quiz_id: QuizId(quiz_id),
            mode: quizrace_protocol::Mode::Classic,
            max_players: Some(3),
            auto_advance_ms: None,
            chat: None,
            names: None,
            options: Default::default(),
            teams: None,
        },
    )
    .await;
    assert_eq!(
        error(&mut bot).await,
        (ErrorCode::BadField, Some("max_players".into()))
    );
    // A room that does not ask gets the server's cap.
    let mut host = quizrace_tests::Host::create(&url, &token, quiz_id, RoomOptions::default())
        .await
        .unwrap();
    for name in ["Ada", "Bob"] {
        Bot::joined(&url, &host.pin, name).await.unwrap();
    }
    host.await_players(2).await.unwrap();
    let mut third = Bot::connect(&url).await.unwrap();
    assert_eq!(
        join_refused(&mut third, &host.pin, "Cy").await,
        ErrorCode::RoomFull
    );
}
