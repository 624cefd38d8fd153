//! The web pages, compiled into the binary so that one file is the whole server.
//! (A handful of files: a table is simpler than a directory walker or an embedding crate.)

use crate::App;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

macro_rules! page {
    ($path:literal, $mime:literal) => {
        get(|| async {
            (
                [
                    (header::CONTENT_TYPE, $mime),
                    (header::CACHE_CONTROL, "no-cache"),
                ],
                include_str!(concat!("../../../client-web/", $path)),
            )
                .into_response()
        })
    };
}

pub fn router() -> Router<App> {
    Router::new()
        .route("/", page!("index.html", "text/html; charset=utf-8"))
        .route("/host", page!("host.html", "text/html; charset=utf-8"))
        .route(
            "/present",
            page!("present.html", "text/html; charset=utf-8"),
        )
        .route(
            "/css/app.css",
            page!("css/app.css", "text/css; charset=utf-8"),
        )
        .route(
            "/js/protocol.js",
            page!("js/protocol.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/player.js",
            page!("js/player.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/host.js",
            page!("js/host.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/present.js",
            page!("js/present.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/dom.js",
            page!("js/dom.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/storage.js",
            page!("js/storage.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/sound.js",
            page!("js/sound.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/stage.js",
            page!("js/stage.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/cloud.js",
            page!("js/cloud.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/media.js",
            page!("js/media.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/teams.js",
            page!("js/teams.js", "text/javascript; charset=utf-8"),
        )
        .merge(languages())
        .merge(management())
}

/// The page language chooser and one message table per shipped language (see i18n.js).
fn languages() -> Router<App> {
    Router::new()
        .route(
            "/js/i18n.js",
            page!("js/i18n.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/lang/en.js",
            page!("js/lang/en.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/lang/de.js",
            page!("js/lang/de.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/lang/fr.js",
            page!("js/lang/fr.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/lang/es.js",
            page!("js/lang/es.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/lang/ar.js",
            page!("js/lang/ar.js", "text/javascript; charset=utf-8"),
        )
}

/// The management pages (quiz editor, admin, account, results, assignments, public leaderboard)
/// and the
/// modules they share with the host and player pages (`common.js`: login, API calls, the
/// error presenter, navigation bar; `messages.js`: what each error code means to a person).
/// Every page also loads `dom.js` and `storage.js`, routed with the game pages above.
fn management() -> Router<App> {
    Router::new()
        .route("/editor", page!("editor.html", "text/html; charset=utf-8"))
        .route("/admin", page!("admin.html", "text/html; charset=utf-8"))
        .route(
            "/account",
            page!("account.html", "text/html; charset=utf-8"),
        )
        .route(
            "/results",
            page!("results.html", "text/html; charset=utf-8"),
        )
        .route(
            "/assignments",
            page!("assignments.html", "text/html; charset=utf-8"),
        )
        .route(
            "/js/assignments.js",
            page!("js/assignments.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/leaderboard",
            page!("leaderboard.html", "text/html; charset=utf-8"),
        )
        .route(
            "/js/common.js",
            page!("js/common.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/messages.js",
            page!("js/messages.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/editor.js",
            page!("js/editor.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/editor-media.js",
            page!("js/editor-media.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/admin.js",
            page!("js/admin.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/account.js",
            page!("js/account.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/results.js",
            page!("js/results.js", "text/javascript; charset=utf-8"),
        )
        .route(
            "/js/leaderboard.js",
            page!("js/leaderboard.js", "text/javascript; charset=utf-8"),
        )
}
