//! The teacher's report of a game: `GET /api/games/{id}/report` (JSON) and
//! `GET /api/games/{id}/report.xlsx` (an Excel workbook). Same access as the game's report:
//! its host and the admins; anyone else gets 404 `no_such_game`, as for no game.
//!
//! A game still running is reported as far as it has gone (`"status": "running"`): a
//! teacher may look during a long game, and every figure is made from stored answers only.
//!
//! A report of thousands of players costs a blocking thread and up to a hundred megabytes
//! while it is built, so at most [`BUILDS_AT_ONCE`] are built at once per server; another
//! request meanwhile gets 503 `server_busy` rather than a queue that holds memory.

use super::api::{ApiError, ApiPath, ApiQuery, ApiResult};
use super::games::report;
use crate::report::{analyse, workbook, xlsx_file_name, TeacherReport, DEFAULT_NEED_HELP_BELOW};
use crate::App;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quizrace_protocol::ErrorCode;
use serde::Deserialize;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Deserialize)]
pub struct ReportQuery {
    need_help_below: Option<String>,
}

/// `need_help_below`: a whole percentage, 0 to 100; the default when absent.
fn threshold(given: Option<&str>) -> ApiResult<u8> {
    let Some(text) = given else {
        return Ok(DEFAULT_NEED_HELP_BELOW);
    };
    match text.trim().parse::<u8>() {
        Ok(n) if n <= 100 => Ok(n),
        _ => Err(ApiError::bad_field(
            "need_help_below",
            "need_help_below is a whole percentage from 0 to 100",
        )),
    }
}

/// Reports built at once: one per core of a small server.
pub const BUILDS_AT_ONCE: usize = 2;

/// The slots for building reports, one set per router (so per server, and per test server).
#[derive(Clone)]
pub struct Builds(Arc<Semaphore>);

impl Builds {
    pub fn new() -> Builds {
        Builds(Arc::new(Semaphore::new(BUILDS_AT_ONCE)))
    }

    /// A slot, held until the build ends (even if the client has gone), or 503 `server_busy`.
    fn take(&self) -> ApiResult<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServerBusy,
                "other reports are being built; try again in a moment",
            )
        })
    }
}

impl Default for Builds {
    fn default() -> Self {
        Builds::new()
    }
}

/// Runs CPU-bound work (a report of thousands of players) off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|_| {
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            ErrorCode::Internal.message(),
        ))
    })
}

/// `GET /api/games/{id}/report?need_help_below=50`.
pub async fn teacher_report(
    State(app): State<App>,
    headers: HeaderMap,
    Extension(builds): Extension<Builds>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<TeacherReport>> {
    let r = report(&app, &headers, id).await?;
    let below = threshold(q.need_help_below.as_deref())?;
    let slot = builds.take()?;
    Ok(Json(
        blocking(move || {
            let _slot = slot;
            Ok(analyse(&r, below))
        })
        .await?,
    ))
}

/// `GET /api/games/{id}/report.xlsx?need_help_below=50`.
pub async fn teacher_workbook(
    State(app): State<App>,
    headers: HeaderMap,
    Extension(builds): Extension<Builds>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let r = report(&app, &headers, id).await?;
    let below = threshold(q.need_help_below.as_deref())?;
    let slot = builds.take()?;
    let bytes = blocking(move || {
        let _slot = slot;
        workbook(&r, &analyse(&r, below)).map_err(|e| {
            tracing::error!(error = %e, "report workbook");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                ErrorCode::Internal.message(),
            )
        })
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", xlsx_file_name(id)),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_a_whole_percentage_or_the_default() {
        assert_eq!(threshold(None).ok(), Some(DEFAULT_NEED_HELP_BELOW));
        assert_eq!(threshold(Some("0")).ok(), Some(0));
        assert_eq!(threshold(Some("100")).ok(), Some(100));
        for bad in ["101", "-1", "", "50.5", "half", "99999999999"] {
            assert!(threshold(Some(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_build_beyond_the_slots_is_refused_busy_and_a_finished_one_frees_its_slot() {
        let builds = Builds::new();
        let held: Vec<_> = (0..BUILDS_AT_ONCE)
            .map(|_| builds.take().ok().expect("a free slot"))
            .collect();
        match builds.take() {
            Ok(_) => panic!("a slot beyond {BUILDS_AT_ONCE}"),
            Err(e) => assert_eq!(e.into_response().status(), StatusCode::SERVICE_UNAVAILABLE),
        }
        drop(held);
        assert!(builds.take().is_ok(), "finished builds free their slots");
    }
}
