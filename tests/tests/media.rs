//! Question media over HTTP and in play: uploads judged by their bytes (a lying name or type
//! changes nothing), the caps and the quota, images re-encoded without their GPS EXIF, the
//! same file stored once; who may fetch a file (its uploader, an admin, the players of a
//! running game that uses it, nobody else: 404); the question frame's reference; an upload
//! without a session refused before its body is read; and a copy of a quiz keeping its media.

mod common;

use common::Game;
use quizrace::media::samples::{encoded, jpeg_with_gps, png_bomb};
use quizrace_tests::http::{Body, Http, Reply};
use serde_json::{json, Value};

async fn upload(http: &Http, token: Option<&str>, claimed: &'static str, bytes: Vec<u8>) -> Reply {
    http.send("POST", "/api/media", token, Body::Bytes(claimed, bytes))
        .await
        .expect("upload answered")
}

fn png(w: u32, h: u32) -> Vec<u8> {
    encoded(w, h, image::ImageFormat::Png)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn an_upload_is_typed_by_its_bytes_not_its_name_or_claimed_type() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let r = upload(&http, Some(&game.token), "image/jpeg", png(3, 2)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json().unwrap();
    assert_eq!(
        (v["kind"].clone(), v["mime"].clone()),
        (json!("image"), json!("image/png"))
    );
    assert_eq!(
        (v["width"].clone(), v["height"].clone()),
        (json!(3), json!(2))
    );
    let hash = v["hash"].as_str().unwrap();
    assert_eq!(v["url"], format!("/media/{hash}"));

    for (claimed, bytes) in [
        (
            "image/png",
            b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
        ),
        (
            "image/png",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>".to_vec(),
        ),
        (
            "image/png",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec(),
        ),
        ("audio/mpeg", b"just some text".to_vec()),
    ] {
        upload(&http, Some(&game.token), claimed, bytes)
            .await
            .assert_refused(415, "media_type", None, "a file of another type");
    }
    let ogg = [b"OggS\0\x02".as_slice(), &[9u8; 200]].concat();
    let r = upload(&http, Some(&game.token), "image/png", ogg.clone()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let v = r.json().unwrap();
    assert_eq!(
        (v["kind"].clone(), v["mime"].clone()),
        (json!("audio"), json!("audio/ogg"))
    );
    assert_eq!(v["width"], Value::Null);
    let served = http
        .get(v["url"].as_str().unwrap(), Some(&game.token))
        .await
        .unwrap();
    assert_eq!(
        (served.status, served.bytes),
        (200, ogg),
        "audio is stored as uploaded"
    );
}

#[tokio::test]
async fn a_jpeg_with_gps_exif_is_served_without_it() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let original = jpeg_with_gps();
    assert!(contains(&original, b"Exif") && contains(&original, b"GPS"));
    let r = upload(&http, Some(&game.token), "image/jpeg", original).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let url = r.json().unwrap()["url"].as_str().unwrap().to_owned();
    let served = http.get(&url, Some(&game.token)).await.unwrap();
    assert_eq!(
        (served.status, served.content_type.as_str()),
        (200, "image/jpeg")
    );
    assert!(!contains(&served.bytes, b"Exif"), "no EXIF segment");
    assert!(!contains(&served.bytes, b"GPS"), "no GPS data");
    assert_eq!(
        image::load_from_memory(&served.bytes).unwrap().width(),
        8,
        "still the picture"
    );
}

#[tokio::test]
async fn oversized_files_bombs_and_strangers_are_refused_and_nothing_is_stored() {
    let game = Game::with_config(common::one_question(), |c| {
        c.max_media_bytes = 64 * 1024;
        c.media_quota_bytes = 70 * 1024;
    })
    .await;
    let http = game.server.http();
    let ogg = |len: usize| [b"OggS\0\x02".as_slice(), &vec![1u8; len]].concat();
    upload(&http, Some(&game.token), "audio/ogg", ogg(64 * 1024))
        .await
        .assert_refused(413, "too_large", None, "over --max-media-mb");
    let bomb = png_bomb(50_000, 50_000);
    assert!(bomb.len() < 8 * 1024, "a small file");
    upload(&http, Some(&game.token), "image/png", bomb)
        .await
        .assert_refused(400, "bad_media", None, "a PNG claiming 50000x50000");
    upload(&http, Some(&game.token), "image/png", png_bomb(3000, 3000))
        .await
        .assert_refused(400, "bad_media", None, "a PNG whose pixels run out");
    upload(&http, None, "image/png", png(2, 2))
        .await
        .assert_refused(401, "unauthorized", None, "no session");
    upload(&http, Some("not-a-token"), "image/png", png(2, 2))
        .await
        .assert_refused(401, "unauthorized", None, "a bad session");
    // 60 KiB more fits the 70 KiB quota only if none of the refused files was counted.
    let r = upload(&http, Some(&game.token), "audio/ogg", ogg(60 * 1024)).await;
    assert_eq!(r.status, 201, "{}", r.body);
}

#[tokio::test]
async fn a_quiz_uses_its_owners_uploads_and_an_image_needs_alt_text() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let dave = common::host_account(&http, &game.token, "dave").await;
    let hash_of = |r: Reply| r.json().unwrap()["hash"].as_str().unwrap().to_owned();
    let image = hash_of(upload(&http, Some(&carol), "image/png", png(40, 30)).await);
    let daves = hash_of(upload(&http, Some(&dave), "image/png", png(41, 30)).await);
    let quiz = |media: Value| {
        common::quiz(vec![json!({"kind": "true_false", "text": "Is this a fox?",
                                 "correct": [0], "media": media})])
    };
    let id = http
        .create_quiz(
            &carol,
            &quiz(json!({"hash": image, "alt": " A red fox ", "kind": "audio"})),
        )
        .await
        .unwrap();
    let stored = http
        .get(&format!("/api/quizzes/{id}"), Some(&carol))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        stored["questions"][0]["media"],
        json!({"hash": image, "alt": "A red fox", "kind": "image", "width": 40, "height": 30}),
        "described from the stored file, whatever the client said"
    );
    for (media, what) in [
        (
            json!({"hash": image, "alt": "  "}),
            "an image without alt text",
        ),
        (json!({"hash": daves, "alt": "x"}), "another account's file"),
        (json!({"hash": "0".repeat(64), "alt": "x"}), "no such file"),
        (json!({"hash": "../x", "alt": "x"}), "not a hash"),
    ] {
        let r = http
            .post("/api/quizzes", Some(&carol), quiz(media))
            .await
            .unwrap();
        r.assert_refused(400, "bad_field", Some("media"), what);
        assert_eq!(r.json().unwrap()["error"]["index"], 0, "{what}");
    }
    let r = http
        .put(
            &format!("/api/quizzes/{id}"),
            Some(&game.token),
            quiz(json!({"hash": image, "alt": "Fox"})),
        )
        .await
        .unwrap();
    assert_eq!(
        r.status, 200,
        "an admin edits with the owner's file: {}",
        r.body
    );
}

#[tokio::test]
async fn an_upload_without_a_session_gets_401_before_its_body_is_sent() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let game = Game::with(common::one_question()).await;
    let mut tcp = tokio::net::TcpStream::connect(game.server.addr)
        .await
        .expect("connect");
    // Announce 10 MiB, send 64 KiB of it, and wait: the refusal must not wait for the rest.
    let head = format!(
        "POST /api/media HTTP/1.1\r\nHost: {}\r\nContent-Type: image/png\r\n\
         Content-Length: {}\r\n\r\n",
        game.server.addr,
        10 * 1024 * 1024
    );
    tcp.write_all(head.as_bytes()).await.expect("head");
    tcp.write_all(&[0u8; 64 * 1024])
        .await
        .expect("a first part");
    let mut reply = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut reply))
        .await
        .expect("answered before the body was sent in full")
        .expect("read");
    let text = String::from_utf8_lossy(&reply[..n]);
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains("unauthorized"), "{text}");
}

#[tokio::test]
async fn a_copy_of_a_quiz_with_another_accounts_file_makes_the_copier_an_owner_of_it() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let dave = common::host_account(&http, &game.token, "dave").await;
    // An admin puts the admin's own picture in Carol's quiz.
    let r = upload(&http, Some(&game.token), "image/png", png(4, 3)).await;
    let hash = r.json().unwrap()["hash"].as_str().unwrap().to_owned();
    let plain = common::quiz(vec![common::choice(1)]);
    let id = http.create_quiz(&carol, &plain).await.unwrap();
    let pictured = common::quiz(vec![
        json!({"kind":"choice","text":"Which?","choices":["A","B"],
        "correct":[0],"media":{"hash":hash,"alt":"A fox"}}),
    ]);
    let r = http
        .put(
            &format!("/api/quizzes/{id}"),
            Some(&game.token),
            pictured.clone(),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let file = format!("/media/{hash}");
    assert_eq!(http.get(&file, Some(&carol)).await.unwrap().status, 404);
    // Carol copies it (the editor's Duplicate: read, then save as new): she may, and owns the
    // file from then on, so she may also save her own quiz again.
    let doc = http
        .get(&format!("/api/quizzes/{id}"), Some(&carol))
        .await
        .unwrap()
        .json()
        .unwrap();
    let r = http
        .post("/api/quizzes", Some(&carol), doc.clone())
        .await
        .unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(http.get(&file, Some(&carol)).await.unwrap().status, 200);
    let r = http
        .put(&format!("/api/quizzes/{id}"), Some(&carol), doc.clone())
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    // Dave sees neither quiz: the same document from him is refused, and he gains nothing.
    let r = http
        .get(&format!("/api/quizzes/{id}"), Some(&dave))
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    let r = http.post("/api/quizzes", Some(&dave), doc).await.unwrap();
    r.assert_refused(400, "bad_field", None, "another account's file");
    assert_eq!(http.get(&file, Some(&dave)).await.unwrap().status, 404);
}

#[tokio::test]
async fn the_same_file_twice_is_one_file_and_the_quota_counts_distinct_files() {
    let game = Game::with_config(common::one_question(), |c| c.media_quota_bytes = 3 * 1024).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let clip = |fill: u8| [b"OggS\0\x02".as_slice(), &[fill; 1500]].concat();
    let first = upload(&http, Some(&carol), "audio/ogg", clip(1)).await;
    let again = upload(&http, Some(&carol), "audio/ogg", clip(1)).await;
    assert_eq!((first.status, again.status), (201, 201), "{}", again.body);
    assert_eq!(first.json().unwrap()["hash"], again.json().unwrap()["hash"]);
    let second = upload(&http, Some(&carol), "audio/ogg", clip(2)).await;
    assert_eq!(
        second.status, 201,
        "the repeat did not count: {}",
        second.body
    );
    upload(&http, Some(&carol), "audio/ogg", clip(3))
        .await
        .assert_refused(403, "media_quota", None, "a third distinct file");
    let dave = common::host_account(&http, &game.token, "dave").await;
    let r = upload(&http, Some(&dave), "audio/ogg", clip(3)).await;
    assert_eq!(r.status, 201, "another account's quota: {}", r.body);
}

#[tokio::test]
async fn a_file_is_served_inert_and_immutable_to_its_uploader_and_admins_only() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let dave = common::host_account(&http, &game.token, "dave").await;
    let clip = [b"ID3\x04\0\0\0\0\0\0".as_slice(), &[5u8; 3000]].concat();
    let r = upload(&http, Some(&carol), "audio/mpeg", clip.clone()).await;
    let v = r.json().unwrap();
    let url = v["url"].as_str().unwrap().to_owned();
    let hash = v["hash"].as_str().unwrap().to_owned();

    let raw = http.get(&url, Some(&carol)).await.unwrap();
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-type"), "audio/mpeg");
    assert_eq!(raw.header("x-content-type-options"), "nosniff");
    assert_eq!(
        raw.header("cache-control"),
        "private, max-age=31536000, immutable"
    );
    assert_eq!(raw.header("etag"), format!("\"{hash}\""));
    assert!(raw.header("content-security-policy").starts_with("sandbox"));
    assert_eq!(raw.bytes, clip);
    let get = |path: String, token: Option<String>| {
        let http = http.clone();
        async move { http.get(&path, token.as_deref()).await.unwrap().status }
    };
    assert_eq!(
        get(url.clone(), Some(game.token.clone())).await,
        200,
        "admin"
    );

    let part = http
        .with_header("Range", "bytes=10-19")
        .get(&url, Some(&carol))
        .await
        .unwrap();
    assert_eq!((part.status, part.bytes.as_slice()), (206, &clip[10..20]));
    assert_eq!(
        part.header("content-range"),
        format!("bytes 10-19/{}", clip.len())
    );

    for (who, what) in [(Some(dave), "another host"), (None, "a stranger")] {
        assert_eq!(get(url.clone(), who).await, 404, "{what}");
    }
    let forged = format!("{url}?room=1.00000000000000000000000000000000");
    assert_eq!(get(forged, None).await, 404, "a forged link");
    let admin = Some(game.token.clone());
    assert_eq!(
        get(format!("/media/{}", "0".repeat(64)), admin.clone()).await,
        404
    );
    assert_eq!(get("/media/..%2Fetc".into(), admin).await, 404);
}

#[tokio::test]
async fn the_question_frame_carries_media_to_the_host_always_and_to_phones_when_chosen() {
    use quizrace_protocol::{AnswerValue, ClientMsg, HostOptions, MediaKind, ServerMsg};
    use quizrace_tests::bot::RoomOptions;
    use quizrace_tests::Host;

    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let token = Some(game.token.as_str());
    let picture = png(64, 48);
    let r = upload(&http, token, "image/png", picture).await;
    let image = r.json().unwrap()["hash"].as_str().unwrap().to_owned();
    let stored = http
        .get(&format!("/media/{image}"), token)
        .await
        .unwrap()
        .bytes;
    let clip = [b"OggS\0\x02".as_slice(), &[3u8; 500]].concat();
    let r = upload(&http, token, "audio/ogg", clip.clone()).await;
    let audio = r.json().unwrap()["hash"].as_str().unwrap().to_owned();
    let quiz = common::quiz(vec![
        json!({"kind": "choice", "text": "Which animal?", "choices": ["Fox", "Cat"],
               "correct": [0], "time_limit_s": 10, "media": {"hash": image, "alt": "A red fox"}}),
        json!({"kind": "slide", "text": "Listen", "media": {"hash": audio}}),
    ]);
    let quiz_id = http.create_quiz(&game.token, &quiz).await.unwrap();

    for on_phones in [false, true] {
        let opts = RoomOptions {
            options: HostOptions {
                media_on_phones: Some(on_phones),
                ..HostOptions::default()
            },
            ..RoomOptions::default()
        };
        let mut host = Host::create(&game.url, &game.token, quiz_id, opts)
            .await
            .unwrap();
        let mut bots = game.players(&mut host, &["Ada"]).await;
        common::send(&mut host.bot, ClientMsg::Start).await;
        let shown = host.bot.next_question().await.unwrap();
        let media = shown
            .media
            .expect("the host's screens always get the media");
        assert_eq!(
            (media.kind, media.alt.as_str(), media.width, media.height),
            (MediaKind::Image, "A red fox", Some(64), Some(48))
        );
        let phone = common::question(&mut bots[0]).await;
        assert_eq!(
            phone.media,
            on_phones.then(|| media.clone()),
            "on phones: {on_phones}"
        );
        assert!(!phone.choices.is_empty() && phone.text == "Which animal?");

        // The link works without a session while the game runs, for this file only.
        let r = http.get(&media.url, None).await.unwrap();
        assert_eq!((r.status, r.content_type.as_str()), (200, "image/png"));
        assert_eq!(r.bytes, stored);
        let query = media.url.split_once('?').unwrap().1;
        let other = http
            .get(&format!("/media/{}?{query}", "0".repeat(64)), None)
            .await
            .unwrap();
        assert_eq!(other.status, 404, "a file the quiz does not use");
        let bad_key = media.url.replace("room=", "room=9");
        assert_eq!(
            http.get(&bad_key, None).await.unwrap().status,
            404,
            "another game"
        );
        assert_eq!(
            http.get(&format!("/media/{image}"), None)
                .await
                .unwrap()
                .status,
            404,
            "no link, no session"
        );

        common::answer_acked(&mut bots[0], 0, AnswerValue::Choice(0)).await;
        common::reveal(&mut bots[0]).await;
        common::host_next(&mut host).await;
        common::host_next(&mut host).await;
        let slide = host.bot.next_question().await.unwrap();
        let sound = slide.media.expect("a slide's media");
        assert_eq!((sound.kind, sound.width), (MediaKind::Audio, None));
        let r = http.get(&sound.url, None).await.unwrap();
        assert_eq!((r.status, r.bytes.as_slice()), (200, clip.as_slice()));
        let phone = common::question(&mut bots[0]).await;
        assert_eq!(phone.media.is_some(), on_phones);

        common::host_next(&mut host).await;
        host.bot
            .expect("game over", |m| {
                matches!(m, ServerMsg::GameOver { .. }).then_some(())
            })
            .await
            .unwrap();
        let mut gone = 0;
        for _ in 0..50 {
            gone = http.get(&media.url, None).await.unwrap().status;
            if gone == 404 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(gone, 404, "a finished game's link no longer works");
    }
}
