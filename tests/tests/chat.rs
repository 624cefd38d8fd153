//! Chat: to the room it reaches everyone; with `to` only the target and the sender; the host
//! speaks as "host", even with player chat off; the rate limit is per player.

mod common;

use common::{error, send, Game};
use quizrace_protocol::{ChatFrom, ClientMsg, ErrorCode, HostLiteral, PlayerId, ServerMsg};
use quizrace_tests::Bot;
use std::time::Duration;

/// The next chat a bot receives: (from, text, to).
async fn chat(bot: &mut Bot) -> (ChatFrom, String, Option<PlayerId>) {
    bot.expect("chat", |m| match m {
        ServerMsg::Chat { from, text, to } => Some((from.clone(), text.clone(), *to)),
        _ => None,
    })
    .await
    .expect("a chat")
}

/// Fails if a chat arrives within `quiet`.
async fn no_chat(bot: &mut Bot, quiet: Duration, who: &str) {
    let until = tokio::time::Instant::now() + quiet;
    loop {
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        match bot.recv_within(left).await {
            Ok(ServerMsg::Chat { .. }) => panic!("{who} got a chat meant for someone else"),
            Ok(_) => continue,
            Err(e) if e.to_string().starts_with("no message within") => return,
            Err(e) => panic!("{e:#}"),
        }
    }
}

fn from(bot: &Bot) -> ChatFrom {
    ChatFrom::Player {
        player_id: bot.player_id(),
        name: bot.welcome.as_ref().unwrap().name.clone(),
    }
}

const HOST: ChatFrom = ChatFrom::Host(HostLiteral::Host);

#[tokio::test]
async fn a_room_chat_reaches_every_player_and_the_host_unchanged() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    let text = "<b>hi</b> & 'ü' \"quotes\" 🎉";
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: text.into(),
            to: None,
        },
    )
    .await;
    let want = (from(&bots[0]), text.to_string(), None);
    for bot in bots.iter_mut() {
        assert_eq!(chat(bot).await, want);
    }
    assert_eq!(chat(&mut host.bot).await, want);
}

#[tokio::test]
async fn a_direct_chat_reaches_only_its_target_and_the_sender() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    let bob = bots[1].player_id();
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: "just you".into(),
            to: Some(bob),
        },
    )
    .await;
    let want = (from(&bots[0]), "just you".to_string(), Some(bob));
    assert_eq!(chat(&mut bots[1]).await, want, "the target");
    assert_eq!(chat(&mut bots[0]).await, want, "the sender's echo");
    no_chat(&mut bots[2], Duration::from_millis(300), "Cy").await;
    no_chat(&mut host.bot, Duration::from_millis(50), "the host").await;
    no_chat(&mut bots[0], Duration::from_millis(50), "Ada (twice)").await;
}

#[tokio::test]
async fn a_direct_chat_to_oneself_arrives_once() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let me = bots[0].player_id();
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: "note to self".into(),
            to: Some(me),
        },
    )
    .await;
    assert_eq!(chat(&mut bots[0]).await.2, Some(me));
    no_chat(&mut bots[0], Duration::from_millis(300), "Ada (twice)").await;
    no_chat(&mut bots[1], Duration::from_millis(50), "Bob").await;
}

#[tokio::test]
async fn the_host_chats_as_host_even_when_player_chat_is_off() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::SetChat { enabled: false }).await;
    send(
        &mut host.bot,
        ClientMsg::Chat {
            text: "quiet please".into(),
            to: None,
        },
    )
    .await;
    let want = (HOST, "quiet please".to_string(), None);
    for bot in bots.iter_mut() {
        assert_eq!(chat(bot).await, want);
    }
    assert_eq!(chat(&mut host.bot).await, want);
    // A direct word from the host: the target and the host's echo only.
    let bob = bots[1].player_id();
    send(
        &mut host.bot,
        ClientMsg::Chat {
            text: "you won".into(),
            to: Some(bob),
        },
    )
    .await;
    let want = (HOST, "you won".to_string(), Some(bob));
    assert_eq!(chat(&mut bots[1]).await, want);
    assert_eq!(chat(&mut host.bot).await, want);
    no_chat(&mut bots[0], Duration::from_millis(300), "Ada").await;
    // Players are still muted.
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: "me too".into(),
            to: None,
        },
    )
    .await;
    assert_eq!(error(&mut bots[0]).await.0, ErrorCode::ChatDisabled);
}

#[tokio::test]
async fn the_chat_limit_is_per_player_and_counts_characters_not_bytes() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    // 280 two-byte characters: the longest message allowed.
    let longest = "é".repeat(280);
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: longest.clone(),
            to: None,
        },
    )
    .await;
    assert_eq!(chat(&mut bots[1]).await.1, longest);
    for i in 0..4 {
        send(
            &mut bots[0],
            ClientMsg::Chat {
                text: format!("spam {i}"),
                to: None,
            },
        )
        .await;
    }
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: "one more".into(),
            to: None,
        },
    )
    .await;
    assert_eq!(error(&mut bots[0]).await.0, ErrorCode::RateLimited);
    // Bob has his own allowance.
    send(
        &mut bots[1],
        ClientMsg::Chat {
            text: "my turn".into(),
            to: None,
        },
    )
    .await;
    let got = bots[1]
        .expect("Bob's own chat", |m| match m {
            ServerMsg::Chat { text, .. } if text == "my turn" => Some(()),
            ServerMsg::Error { code, .. } => panic!("Bob refused: {code:?}"),
            _ => None,
        })
        .await;
    assert!(got.is_ok());
}

#[tokio::test]
async fn chat_refuses_the_invisible_characters_names_refuse_but_keeps_emoji() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    for bad in [
        "hi\u{202e}olleh",    // right-to-left override
        "\u{2066}hi\u{2069}", // isolates
        "h\u{200b}i",         // zero-width space
        "hi\u{feff}",         // byte order mark
        "\u{3164}",           // Hangul filler
        "hi\u{7}",            // bell
        "hi\u{fe0f}",         // variation selector after a letter
        "\u{1f600}\u{200d}",  // a joiner leading nowhere
    ] {
        send(
            &mut bots[0],
            ClientMsg::Chat {
                text: bad.into(),
                to: None,
            },
        )
        .await;
        assert_eq!(
            error(&mut bots[0]).await,
            (ErrorCode::BadField, Some("text".into())),
            "{bad:?}"
        );
    }
    send(
        &mut host.bot,
        ClientMsg::Chat {
            text: "\u{202e}tsoh".into(),
            to: None,
        },
    )
    .await;
    assert_eq!(
        error(&mut host.bot).await,
        (ErrorCode::BadField, Some("text".into())),
        "the host too"
    );
    // Emoji sequences keep their joiners, selectors and modifiers.
    let fine = "family \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467} \u{1f1eb}\u{1f1f7} \u{2764}\u{fe0f} \u{1f44d}\u{1f3fd}";
    send(
        &mut bots[0],
        ClientMsg::Chat {
            text: fine.into(),
            to: None,
        },
    )
    .await;
    let got = chat(&mut bots[1]).await;
    assert_eq!(got.1, fine, "no bad chat went through before it");
}
