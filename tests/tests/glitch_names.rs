//! Nasty nicknames over real sockets: every entry of `tests/data/glitch-names.json` is either
//! refused with `bad_name` or accepted in its normalised form, which is what the host sees;
//! names equal after normalisation and case folding collide with `name_taken`.

mod common;

use common::{join_refused, one_question, send, Game};
use quizrace_protocol::{ClientMsg, ErrorCode, NamePolicy, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::Bot;
use serde::Deserialize;

#[derive(Deserialize)]
struct Entry {
    name: String,
    what: String,
    /// The name shown once accepted; `null`: refused.
    shown: Option<String>,
}

fn corpus() -> Vec<Entry> {
    let text = include_str!("../data/glitch-names.json");
    serde_json::from_str(text).expect("corpus parses")
}

#[tokio::test]
async fn glitch_names_are_refused_or_shown_normalised() {
    let entries = corpus();
    assert!(entries.len() >= 50, "a corpus of at least 50 names");
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    for e in &entries {
        let mut bot = game.socket().await;
        send(
            &mut bot,
            ClientMsg::Join {
                pin: host.pin.clone(),
                name: e.name.clone(),
            },
        )
        .await;
        let reply = bot.recv().await.unwrap();
        match (&e.shown, reply) {
            (None, ServerMsg::Error { code, .. }) => {
                assert_eq!(code, ErrorCode::BadName, "{}: {:?}", e.what, e.name)
            }
            (Some(shown), ServerMsg::Welcome { name, .. }) => {
                assert_eq!(&name, shown, "{}", e.what);
                // The host is shown the same normalised name, never the raw one.
                let seen = host
                    .bot
                    .expect("player_joined", |m| match m {
                        ServerMsg::PlayerJoined { name, .. } => Some(name.clone()),
                        _ => None,
                    })
                    .await
                    .unwrap();
                assert_eq!(&seen, shown, "{}", e.what);
                assert!(
                    !seen.chars().any(|c| c.is_control()),
                    "{}: control character shown",
                    e.what
                );
                send(&mut bot, ClientMsg::Leave).await;
                // Wait until the room has let the name go.
                host.bot
                    .expect("player_left", |m| {
                        matches!(m, ServerMsg::PlayerLeft { .. }).then_some(())
                    })
                    .await
                    .unwrap();
            }
            (want, got) => panic!("{} ({:?}): wanted {want:?}, got {got:?}", e.what, e.name),
        }
    }
}

#[tokio::test]
async fn names_equal_after_normalisation_and_case_folding_collide() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let _ada = Bot::joined(&game.url, &host.pin, "Ada").await.unwrap();
    let _strasse = Bot::joined(&game.url, &host.pin, "Straße").await.unwrap();
    let mut bot = game.socket().await;
    for twin in [
        "ada",
        "ADA",
        " Ada ",
        "\u{ff21}\u{ff44}\u{ff41}",
        "\u{1d400}\u{1d41d}\u{1d41a}",
        "\u{24b6}\u{24d3}\u{24d0}",
        "STRASSE",
        "strasse",
    ] {
        let code = join_refused(&mut bot, &host.pin, twin).await;
        assert_eq!(code, ErrorCode::NameTaken, "{twin:?}");
    }
    // A look-alike from another script is refused rather than let through as a twin.
    let code = join_refused(&mut bot, &host.pin, "\u{0410}da").await;
    assert_eq!(code, ErrorCode::BadName);
}

#[tokio::test]
async fn the_operators_word_filter_refuses_names_that_contain_a_listed_word() {
    let game =
        Game::with_config(one_question(), |c| c.blocked_words = vec!["badword".into()]).await;
    let host = game.room().await;
    let mut bot = game.socket().await;
    for name in [
        "badword",
        "Bad Word",
        "B.a.d.w.o.r.d",
        "\u{ff22}adword",
        "mybadword1",
    ] {
        let code = join_refused(&mut bot, &host.pin, name).await;
        assert_eq!(code, ErrorCode::BadName, "{name:?}");
    }
    Bot::joined(&game.url, &host.pin, "Good Word")
        .await
        .expect("an innocent name joins");
}

#[tokio::test]
async fn a_room_with_generated_names_names_every_player_itself() {
    let game = Game::with(one_question()).await;
    let opts = RoomOptions {
        names: Some(NamePolicy::Generated),
        ..RoomOptions::default()
    };
    let mut host = game.room_with(opts).await;
    let mut names = std::collections::HashSet::new();
    // Whatever they type, even a refused name: the server picks. 40 players make repeats
    // of "adjective animal" likely, so the retry with a number is used too.
    for i in 0..40 {
        let typed = if i % 2 == 0 { "\u{202e}evil" } else { "Ada" };
        let mut bot = game.socket().await;
        let w = bot.join(&host.pin, typed).await.expect("joined");
        let words: Vec<&str> = w.name.split(' ').collect();
        assert!(
            (2..=3).contains(&words.len())
                && words.iter().all(|w| w.chars().all(char::is_alphanumeric)),
            "{:?}",
            w.name
        );
        assert!(names.insert(w.name.to_lowercase()), "{} twice", w.name);
    }
    host.await_players(40).await.unwrap();
}
