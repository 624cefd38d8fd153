//! Live rooms over HTTP: the join URL and its QR code for a PIN, and the admin's view of every
//! open room with the power to end one. The rooms answer through their inboxes; a room that
//! does not answer in time is left out rather than holding up the page.

use super::api::{admin, db, ApiError, ApiPath, ApiQuery, ApiResult};
use crate::lobby::Directory;
use crate::room::{RoomCmd, RoomHandle, RoomSummary};
use crate::App;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use qrcode::render::svg;
use qrcode::QrCode;
use quizrace_protocol::{ErrorCode, Pin};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the admin page waits for one room's answer.
const ROOM_REPLY: Duration = Duration::from_secs(2);

#[derive(Deserialize)]
pub struct PinQuery {
    #[serde(default)]
    pin: String,
    /// An assignment's code (`qr.svg` only): its link instead of a room's.
    #[serde(default)]
    code: String,
}

fn pin(q: &PinQuery) -> ApiResult<&str> {
    if Pin(q.pin.clone()).is_well_formed() {
        Ok(&q.pin)
    } else {
        Err(ApiError::bad_field("pin", "a PIN is 6 digits"))
    }
}

/// `<base>/?pin=PIN`: `base` is `--public-url`, or else this request's own `Host`.
fn join_url(app: &App, headers: &HeaderMap, pin: &str) -> ApiResult<String> {
    Ok(format!("{}/?pin={pin}", base_url(app, headers)?))
}

/// `--public-url`, or else `http://` and this request's own `Host`.
pub(super) fn base_url(app: &App, headers: &HeaderMap) -> ApiResult<String> {
    let base = match &app.config().public_url {
        Some(url) => url.clone(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| {
                    !h.is_empty()
                        && h.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
                })
                .ok_or_else(|| {
                    ApiError::bad_field(
                        "host",
                        "the request has no usable Host header; the operator can set --public-url",
                    )
                })?;
            format!("http://{host}")
        }
    };
    Ok(base)
}

/// `GET /api/join-url?pin=123456` → `{"url"}`.
pub async fn join_url_json(
    State(app): State<App>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PinQuery>,
) -> ApiResult<Json<Value>> {
    let url = join_url(&app, &headers, pin(&q)?)?;
    Ok(Json(json!({ "url": url })))
}

/// `GET /api/qr.svg?pin=123456`: the join URL as a QR code, for the host's screen; with
/// `?code=12345678` instead, an assignment's link.
pub async fn qr_svg(
    State(app): State<App>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PinQuery>,
) -> ApiResult<Response> {
    let url = if q.code.is_empty() {
        join_url(&app, &headers, pin(&q)?)?
    } else if quizrace_protocol::is_assignment_code(&q.code) {
        format!("{}/?code={}", base_url(&app, &headers)?, q.code)
    } else {
        return Err(ApiError::bad_field(
            "code",
            "an assignment code is 8 digits",
        ));
    };
    // Only a very long --public-url can overflow a QR code: the operator's to fix.
    let code = QrCode::new(url.as_bytes()).map_err(|e| {
        tracing::error!(error = %e, "the join URL does not fit a QR code");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the join URL is too long for a QR code; shorten --public-url",
        )
    })?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            // A QR code of a live PIN: a shared cache (a school proxy) must not keep it.
            (header::CACHE_CONTROL, "private, max-age=60"),
        ],
        image,
    )
        .into_response())
}

/// One room's snapshot, or `None` if it is gone or did not answer within [`ROOM_REPLY`].
async fn summary(room: RoomHandle) -> Option<RoomSummary> {
    let (reply, answer) = oneshot::channel();
    tokio::time::timeout(ROOM_REPLY, async {
        if room.send(RoomCmd::Summary { reply }).await {
            answer.await.ok()
        } else {
            None
        }
    })
    .await
    .ok()
    .flatten()
}

/// A live room and the name of its host, as `GET /api/admin/rooms` lists it.
#[derive(Serialize)]
pub struct ListedRoom {
    #[serde(flatten)]
    room: RoomSummary,
    host: String,
}

/// `GET /api/admin/rooms`: every live room with its players, oldest game first.
pub async fn list_rooms(
    State(app): State<App>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<ListedRoom>>> {
    admin(&app, &headers).await?;
    let rooms = futures::future::join_all(app.lobby().handles().into_iter().map(summary)).await;
    let mut rooms: Vec<RoomSummary> = rooms.into_iter().flatten().collect();
    rooms.sort_by_key(|r| r.game_id.0);
    let ids: Vec<_> = rooms.iter().map(|r| r.game_id).collect();
    let hosts = db(&app, move |s| {
        ids.into_iter()
            .map(|id| Ok(s.game_host(id)?.map(|(_, name)| name).unwrap_or_default()))
            .collect::<ApiResult<Vec<String>>>()
    })
    .await?;
    let list = rooms
        .into_iter()
        .zip(hosts)
        .map(|(room, host)| ListedRoom { room, host })
        .collect();
    Ok(Json(list))
}

/// `POST /api/admin/rooms/{pin}/close`: ends the game as its host's `end` would. Answers once
/// the game's rows are stored, so a report read next says `finished`.
pub async fn close_room(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(pin): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    admin(&app, &headers).await?;
    let room = app
        .lobby()
        .lookup(&Pin(pin))
        .ok_or_else(|| ApiError::not_found(ErrorCode::NoSuchRoom))?;
    let busy = || {
        let code = ErrorCode::ServerBusy;
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, code.message())
    };
    let (done, ended) = oneshot::channel();
    let ended = tokio::time::timeout(ROOM_REPLY, async {
        room.send(RoomCmd::End { done }).await && ended.await.is_ok()
    })
    .await
    .map_err(|_| busy())?;
    if !ended {
        // The room stopped on its own before it could answer.
        return Err(ApiError::not_found(ErrorCode::NoSuchRoom));
    }
    // The room has ended; the answer waits for its rows, as the docs promise.
    tokio::time::timeout(ROOM_REPLY, app.store().flush())
        .await
        .map_err(|_| busy())?;
    Ok(Json(json!({})))
}
