//! HTTP: the JSON API, the health check and the embedded web pages.

mod api;
pub mod origin;
mod pages;

use crate::App;
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// Largest request body: a 200-question quiz document fits easily.
const MAX_BODY: usize = 1024 * 1024;

pub fn router(app: App) -> Router {
    let api = Router::new()
        .route("/api/login", post(api::login))
        .route("/api/me", get(api::me))
        .route(
            "/api/quizzes",
            get(api::list_quizzes).post(api::create_quiz),
        )
        .route("/api/quizzes/{id}", get(api::get_quiz))
        .route("/api/games/{id}", get(api::game))
        .route("/api/games/{id}/results.csv", get(api::game_csv))
        .route("/api/admin/stats", get(api::stats))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ));
    let guarded = Router::new()
        .route("/ws", get(crate::ws::upgrade))
        .merge(api)
        .route_layer(middleware::from_fn_with_state(app.clone(), origin::guard));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(pages::router())
        .merge(guarded)
        .with_state(app)
}
