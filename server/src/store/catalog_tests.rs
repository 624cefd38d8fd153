//! The catalog's quizzes, games, reports and leaderboard, the same on both backends.

use super::both::{both, Backend};
use super::testing::{quiz_doc as quiz, settings};
use super::{Account, Role};
use crate::room::state::{GameStatus, PlayerStatus, StoredPhase, Write};
use crate::room::storage::Committed;
use quizrace_protocol::{AnswerValue, GameId, PlayerId};
use std::sync::Arc;
use tokio::sync::watch;

fn account(b: &Backend, name: &str, role: Role) -> Account {
    let id = b
        .catalog()
        .create_account(name, "a-password", role)
        .expect("account");
    Account {
        id,
        username: name.into(),
        role,
    }
}

#[test]
fn quizzes_are_listed_by_owner_counted_against_a_quota_and_deleted_softly() {
    both(|b| {
        let c = b.catalog();
        c.bootstrap_admin(Some("pw")).expect("admin");
        c.install_builtin(&[("sample", quiz("Sample", 2))])
            .expect("samples");
        c.install_builtin(&[("sample", quiz("Sample v2", 3))])
            .expect("samples again: refreshed, not doubled");
        let ada = account(b, "ada", Role::Host);
        let bob = account(b, "bob", Role::Host);
        let first = c.create_quiz(ada.id, &quiz("  Mine  ", 1)).expect("quiz");
        assert!(c
            .create_quiz_within(ada.id, &quiz("Second", 1), 2)
            .expect("within")
            .is_some());
        assert!(
            c.create_quiz_within(ada.id, &quiz("Third", 1), 2)
                .expect("within")
                .is_none(),
            "the quota counts the account's own quizzes, not the samples"
        );
        let listed: Vec<(String, usize, bool)> = c
            .list_quizzes(&ada)
            .expect("list")
            .into_iter()
            .map(|q| (q.title, q.questions, q.builtin))
            .collect();
        assert_eq!(
            listed,
            [
                ("Sample v2".to_owned(), 3, true),
                ("Mine".to_owned(), 1, false),
                ("Second".to_owned(), 1, false)
            ]
        );
        assert_eq!(c.list_quizzes(&bob).expect("list").len(), 1, "samples only");
        let stored = c.get_quiz(first).expect("get").expect("quiz");
        assert_eq!((stored.owner_id, stored.builtin), (ada.id, false));
        c.update_quiz(first, &quiz("Renamed", 2)).expect("update");
        assert_eq!(
            c.get_quiz(first).expect("get").expect("quiz").doc.title,
            "Renamed"
        );
        c.delete_quiz(first).expect("delete");
        assert!(c.get_quiz(first).expect("get").is_none());
        assert!(c
            .create_quiz_within(ada.id, &quiz("Third", 1), 2)
            .expect("within")
            .is_some());
        let sample = c.list_quizzes(&bob).expect("list")[0].id;
        c.delete_quiz(sample)
            .expect("delete a sample: nothing happens");
        c.update_quiz(sample, &quiz("Hacked", 1))
            .expect("update a sample: nothing happens");
        assert_eq!(
            c.get_quiz(sample).expect("get").expect("sample").doc.title,
            "Sample v2"
        );
    });
}

#[test]
fn games_are_counted_against_the_hosts_quota_listed_newest_first_and_reported_ranked() {
    both(|b| {
        let c = b.catalog();
        let admin = {
            c.bootstrap_admin(Some("pw")).expect("admin");
            Account {
                id: 1,
                username: "admin".into(),
                role: Role::Admin,
            }
        };
        let ada = account(b, "ada", Role::Host);
        let doc = quiz("Q", 2);
        let q = c.create_quiz(ada.id, &doc).expect("quiz");
        let g1 = c
            .create_game_within(q, ada.id, &settings("100001"), &doc, 2)
            .expect("game")
            .expect("within the quota");
        let g2 = c
            .create_game_within(q, ada.id, &settings("100002"), &doc, 2)
            .expect("game")
            .expect("within the quota");
        assert!(c
            .create_game_within(q, ada.id, &settings("100003"), &doc, 2)
            .expect("game")
            .is_none());
        c.abort_game(g2).expect("abort");
        let (notify, seen) = watch::channel(Committed::UpTo(0));
        let notify = Arc::new(notify);
        let player = |n: u32, name: &str| Write::Player {
            game: g1,
            player: PlayerId(n),
            name: name.into(),
            token_hash: format!("t{n}"),
            first_index: 0,
            team: None,
        };
        let answer = |n: u32, ms: u64, points: i64| Write::Answer {
            game: g1,
            index: 0,
            player: PlayerId(n),
            elapsed_ms: ms,
            correct: Some(points > 0),
            points,
            answer: AnswerValue::Choice(0),
        };
        let rows = [
            player(1, "Ada"),
            player(2, "Bob"),
            player(3, "Cy"),
            player(4, "Di"),
            Write::Phase {
                game: g1,
                phase: StoredPhase::Question,
                index: 0,
            },
            answer(1, 900, 500),
            answer(2, 400, 500),
            answer(3, 100, 0),
            Write::PlayerStatus {
                game: g1,
                player: PlayerId(4),
                status: PlayerStatus::Removed,
                opened: 0,
            },
            Write::GameStatus {
                game: g1,
                status: GameStatus::Finished,
            },
        ];
        let n = rows.len() as u64;
        for (i, w) in rows.into_iter().enumerate() {
            c.room_writer().write(w, i as u64 + 1, Arc::clone(&notify));
        }
        b.flush();
        assert_eq!(*seen.borrow(), Committed::UpTo(n));
        let report = c.game_report(g1).expect("report").expect("game");
        let ranked: Vec<(&str, i64, u32)> = report
            .players
            .iter()
            .map(|p| (p.name.as_str(), p.score, p.rank))
            .collect();
        assert_eq!(
            ranked,
            [("Bob", 500, 1), ("Ada", 500, 1), ("Cy", 0, 3)],
            "equal scores share a rank; the faster correct answers list first"
        );
        assert_eq!(report.status, GameStatus::Finished);
        assert_eq!(report.players[0].asked, 1);
        let order: Vec<(u32, u64)> = report
            .answers
            .iter()
            .map(|a| (a.player_id.0, a.elapsed_ms))
            .collect();
        assert_eq!(order, [(3, 100), (2, 400), (1, 900)]);
        assert_eq!(report.answers[0].answer, serde_json::json!({"choice": 0}));

        let games = c.list_games(&ada).expect("games");
        let listed: Vec<(GameId, GameStatus, u32)> = games
            .iter()
            .map(|g| (g.game_id, g.status, g.players))
            .collect();
        assert_eq!(
            listed,
            [(g2, GameStatus::Aborted, 0), (g1, GameStatus::Finished, 3)]
        );
        assert_eq!(games[1].title, "Q");
        assert_eq!(c.list_games(&admin).expect("games").len(), 2);
        let bob = account(b, "bob", Role::Host);
        assert!(c.list_games(&bob).expect("games").is_empty());
        assert_eq!(
            c.game_host(g1).expect("host"),
            Some((ada.id, "ada".to_owned()))
        );
        assert_eq!(c.game_host(GameId(999)).expect("host"), None);

        let board = c.leaderboard().expect("board");
        assert_eq!(board.len(), 1, "the aborted game is not on it");
        let podium: Vec<(&str, u32)> = board[0]
            .podium
            .iter()
            .map(|p| (p.name.as_str(), p.rank))
            .collect();
        assert_eq!(podium, [("Bob", 1), ("Ada", 1), ("Cy", 3)]);
        assert_eq!(c.leaderboard().expect("cached").len(), 1);
        c.set_game_private(g1, true).expect("private");
        assert!(c.leaderboard().expect("board").is_empty());
        assert!(c.game_report(GameId(999)).expect("report").is_none());
    });
}

#[test]
fn media_is_stored_once_by_hash_owned_by_each_uploader_and_counted_in_their_quota() {
    use crate::media::{content_hash, prepare};
    use crate::store::{NewMedia, PutMedia};
    both(|b| {
        let c = b.catalog();
        let ada = account(b, "ada", Role::Host);
        let bob = account(b, "bob", Role::Host);
        let upload = |bytes: &[u8]| {
            let prepared = prepare(bytes).expect("accepted");
            NewMedia {
                hash: content_hash(&prepared.bytes),
                prepared,
            }
        };
        let png = upload(&crate::media::samples::encoded(
            3,
            2,
            image::ImageFormat::Png,
        ));
        let ogg = upload(&[b"OggS\0\x02".as_slice(), &[7u8; 100]].concat());
        let size = png.prepared.bytes.len() as u64;
        assert_eq!(
            c.put_media(ada.id, &png, 1000).expect("put"),
            PutMedia::Stored
        );
        assert_eq!(
            c.put_media(ada.id, &png, 1000).expect("again"),
            PutMedia::Known
        );
        assert_eq!(
            c.put_media(ada.id, &ogg, size + 50).expect("over"),
            PutMedia::OverQuota { used: size },
            "the quota counts the owner's distinct media"
        );
        assert!(!c.media_owned(bob.id, &png.hash).expect("owned"));
        assert_eq!(
            c.put_media(bob.id, &png, 1000).expect("bob"),
            PutMedia::Stored
        );
        assert!(c.media_owned(bob.id, &png.hash).expect("owned"));
        assert_eq!(b.rows("SELECT COUNT(*) FROM media"), ["1"], "stored once");
        let info = c.media_info(&png.hash).expect("info").expect("known");
        assert_eq!(
            (
                info.mime.as_str(),
                info.kind,
                info.width,
                info.height,
                info.size
            ),
            (
                "image/png",
                crate::media::Kind::Image,
                Some(3),
                Some(2),
                size
            )
        );
        let file = c.media_file(&png.hash).expect("file").expect("known");
        assert_eq!(file.bytes, png.prepared.bytes);
        assert_eq!(content_hash(&file.bytes), png.hash);
        assert!(c.media_info(&ogg.hash).expect("info").is_none());
        assert!(c.media_file(&"0".repeat(64)).expect("file").is_none());
    });
}
