//! HTTP: the JSON API, the health check, the metrics and the embedded web pages.

mod accounts;
mod api;
mod assignments;
mod games;
mod media;
mod metrics;
pub mod origin;
mod pages;
pub mod quizzes;
mod report;
mod rooms;

use crate::App;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use quizrace_protocol::ErrorCode;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// Largest request body: a 200-question quiz document fits easily.
const MAX_BODY: usize = 1024 * 1024;

pub fn router(app: App) -> Router {
    let api = Router::new()
        .route("/api/login", post(api::login))
        .route("/api/logout", post(accounts::logout))
        .route("/api/password", post(accounts::change_password))
        .route("/api/me", get(api::me))
        .route(
            "/api/quizzes",
            get(quizzes::list_quizzes).post(quizzes::create_quiz),
        )
        .route("/api/quizzes/csv", post(quizzes::import_csv))
        .route(
            "/api/quizzes/{id}",
            get(quizzes::get_quiz)
                .put(quizzes::put_quiz)
                .delete(quizzes::delete_quiz),
        )
        .route("/api/games", get(games::list_games))
        .route("/api/games/{id}", get(games::game).patch(games::patch_game))
        .route("/api/games/{id}/results.csv", get(games::game_csv))
        .route("/api/games/{id}/report", get(report::teacher_report))
        .route("/api/games/{id}/report.xlsx", get(report::teacher_workbook))
        .route("/api/leaderboard", get(games::leaderboard))
        .route(
            "/api/assignments",
            get(assignments::list).post(assignments::create),
        )
        .route("/api/assignments/{id}", get(assignments::view))
        .route("/api/assignments/{id}/close", post(assignments::close))
        .route("/api/qr.svg", get(rooms::qr_svg))
        .route("/api/join-url", get(rooms::join_url_json))
        .route("/api/admin/stats", get(api::stats))
        .route(
            "/api/admin/accounts",
            get(accounts::list_accounts).post(accounts::create_account),
        )
        .route("/api/admin/accounts/{id}", patch(accounts::patch_account))
        .route("/api/admin/rooms", get(rooms::list_rooms))
        .route("/api/admin/rooms/{pin}/close", post(rooms::close_room))
        .layer(axum::Extension(report::Builds::new()))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ));
    // Uploads have their own body cap (`--max-media-mb`), refused in the error shape.
    let uploads = Router::new()
        .route("/api/media", post(media::upload))
        .layer(axum::Extension(media::Decodes::new()))
        .layer(DefaultBodyLimit::max(app.config().max_media_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));
    let guarded = Router::new()
        .route("/ws", get(crate::ws::upgrade))
        .merge(api)
        .merge(uploads)
        .route_layer(middleware::from_fn_with_state(app.clone(), origin::guard));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics::metrics))
        .route("/media/{hash}", get(media::serve))
        .merge(pages::router())
        .merge(guarded)
        .layer(middleware::from_fn(api_refusals))
        .layer(middleware::map_response(security_headers))
        .with_state(app)
}

/// The router's own 404 and 405 (no route, or a route without that method) have an empty
/// body; under `/api/` a program expects the documented error shape, so they get it. The
/// API's handlers always answer JSON, so an answer without a content type is the router's.
async fn api_refusals(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api || res.headers().contains_key(header::CONTENT_TYPE) {
        return res;
    }
    let code = match res.status() {
        StatusCode::NOT_FOUND => ErrorCode::NoSuchEndpoint,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        _ => return res,
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut refusal = api::ApiError::new(res.status(), code, code.message()).into_response();
    if let Some(allow) = allow {
        refusal.headers_mut().insert(header::ALLOW, allow);
    }
    refusal
}

/// Pages and scripts come from this server only, and no page may be framed (the presenter
/// view is opened full-screen, never embedded). The pages have no inline script or style
/// attribute (scripts set styles through the CSSOM, which `style-src` does not restrict);
/// `data:` images are the empty favicon; `blob:` images and media are the editor's previews
/// of a question's file (fetched with the session, or the file just picked).
const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// The security headers, on every response (pages, API, errors).
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    // A served media file carries its own, stricter policy.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // For browsers older than `frame-ancestors`.
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}
