//! `GET /metrics`: the node's figures in the Prometheus text format. Counts only, no PINs or
//! names; open to anyone who reaches the port (operators may restrict it at the proxy). A
//! scrape samples two gauges and encodes handles into one buffer: no database query.

use super::api::ApiError;
use crate::metrics::CONTENT_TYPE;
use crate::App;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use quizrace_protocol::ErrorCode;

pub async fn metrics(State(app): State<App>) -> Response {
    let node = app.metrics().node();
    node.rooms_open.set(gauge(app.lobby().len()));
    node.connections.set(gauge(app.guards().conns.total()));
    match app.metrics().encode() {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(_) => {
            let code = ErrorCode::Internal;
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, code, code.message()).into_response()
        }
    }
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
