//! Question media over HTTP: `POST /api/media` stores an upload (its type judged by its
//! bytes, an image re-encoded by the server), `GET /media/{hash}` serves a stored file to
//! those who may see it. Anyone else gets 404, as for a file that does not exist, so hashes
//! cannot be probed.

use super::api::{account, bearer, db, ApiError, ApiResult};
use crate::media::{self, attempt_key, content_hash, is_hash, room_key, MediaError};
use crate::secret::secret_hash;
use crate::store::{MediaFile, NewMedia, PutMedia, Role};
use crate::App;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quizrace_protocol::{ErrorCode, GameId, PlayerId, QuizDoc};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const MIB: usize = 1024 * 1024;
/// Uploads processed at once: decoding and encoding a photo takes a core for a moment, and a
/// burst of uploads must not take every core from the rooms.
const DECODES_AT_ONCE: usize = 2;

/// The upload slots, shared by the uploads router (`Extension`).
#[derive(Clone)]
pub struct Decodes(Arc<Semaphore>);

impl Decodes {
    pub fn new() -> Decodes {
        Decodes(Arc::new(Semaphore::new(DECODES_AT_ONCE)))
    }

    /// A slot, held until the upload is processed, or 503 `server_busy`.
    fn take(&self) -> ApiResult<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ServerBusy,
                "other uploads are being processed; try again in a moment",
            )
        })
    }
}

fn too_large(cap: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::TooLarge,
        format!(
            "this file is larger than the {} MiB this server accepts (--max-media-mb)",
            cap / MIB
        ),
    )
}

/// `POST /api/media`: the raw file as the body. 201 with its description.
pub async fn upload(
    State(app): State<App>,
    Extension(decodes): Extension<Decodes>,
    request: Request,
) -> ApiResult<Response> {
    // The session first: without one, 401 before a byte of the body is read, so a stranger
    // cannot make the server take in `--max-media-mb` per request.
    let who = account(&app, request.headers()).await?;
    let cap = app.config().max_media_bytes;
    let body = Bytes::from_request(request, &app).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large(cap)
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadField,
                "the body could not be read",
            )
        }
    })?;
    if body.len() > cap {
        return Err(too_large(cap));
    }
    if body.is_empty() {
        return Err(ApiError::bad_field(
            "body",
            "send the file as the request body",
        ));
    }
    // Decoding and encoding an image is seconds of CPU at worst: off the async threads.
    let slot = decodes.take()?;
    let prepared = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        media::prepare(&body)
    })
    .await
    .map_err(|_| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            ErrorCode::Internal.message(),
        )
    })?
    .map_err(|e| match e {
        MediaError::Type => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::MediaType,
            e.to_string(),
        ),
        MediaError::Bad(e) => {
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadMedia, e.to_string())
        }
    })?;
    let new = NewMedia {
        hash: content_hash(&prepared.bytes),
        prepared,
    };
    let quota = app.config().media_quota_bytes;
    let (put, new) = db(&app, move |s| {
        let put = s.put_media(who.id, &new, quota)?;
        Ok((put, new))
    })
    .await?;
    if let PutMedia::OverQuota { used } = put {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::MediaQuota,
            format!(
                "this account stores {} MiB of media, and this file would pass the {} MiB \
                 this server keeps for one account (--media-quota-mb)",
                used.div_ceil(MIB as u64),
                quota / MIB as u64
            ),
        ));
    }
    let p = &new.prepared;
    let body = json!({
        "hash": new.hash,
        "url": format!("/media/{}", new.hash),
        "kind": p.kind,
        "mime": p.mime,
        "width": p.width,
        "height": p.height,
        "bytes": p.bytes.len(),
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `doc` with each question's media checked against the store and described from it (kind,
/// width, height): the file must exist and be `owner`'s (the quiz's owner; an admin saving
/// may use any stored file), and an image needs alt text. 400 `bad_field` (`media`, with the
/// question's index) otherwise. A file is `owner`'s when they uploaded it, or once they
/// adopt it from a quiz they can read that uses it (a copy of such a quiz).
pub(super) async fn attach(
    app: &App,
    owner: i64,
    admin: bool,
    mut doc: QuizDoc,
) -> ApiResult<QuizDoc> {
    if doc.questions.iter().all(|q| q.media.is_none()) {
        return Ok(doc);
    }
    db(app, move |s| {
        for (index, q) in doc.questions.iter_mut().enumerate() {
            let Some(m) = q.media.as_mut() else {
                continue;
            };
            let refuse = |message: &str| {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadField, message)
                    .with(json!({"index": index, "field": "media"}))
            };
            let info = s.media_info(&m.hash)?;
            let usable =
                admin || s.media_owned(owner, &m.hash)? || s.adopt_media(owner, &m.hash)?;
            let Some(info) = info.filter(|_| usable) else {
                return Err(refuse(
                    "no uploaded file has this hash for this quiz's owner; upload it first",
                ));
            };
            m.kind = Some(info.kind);
            m.width = info.width;
            m.height = info.height;
            *m = m.checked().map_err(|e| refuse(&e))?;
        }
        Ok(doc)
    })
    .await
}

#[derive(Deserialize)]
pub struct MediaQuery {
    room: Option<String>,
    attempt: Option<String>,
}

/// `GET /media/{hash}`: for the file's uploaders and admins (by session), for the players of a
/// running game whose quiz uses it (`?room=GAME.KEY`, the URL in the question frame), and for
/// the player of an unfinished attempt at an open assignment whose quiz uses it
/// (`?attempt=GAME.PLAYER.KEY`, the URL in that attempt's frames).
pub async fn serve(
    State(app): State<App>,
    headers: HeaderMap,
    Path(hash): Path<String>,
    query: Result<Query<MediaQuery>, QueryRejection>,
) -> Response {
    let (room, attempt) = query.map_or((None, None), |Query(q)| (q.room, q.attempt));
    if !is_hash(&hash) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let session = bearer(&headers);
    let wanted = hash.clone();
    let file = db(&app, move |s| {
        let by_session = match session {
            Some(token) => s.account_for_token(&token)?.is_some_and(|who| {
                who.role == Role::Admin || s.media_owned(who.id, &wanted).unwrap_or(false)
            }),
            None => false,
        };
        let allowed = by_session
            || room_grants(s, room.as_deref(), &wanted)?
            || attempt_grants(s, attempt.as_deref(), &wanted)?;
        Ok(if allowed {
            s.media_file(&wanted)?
        } else {
            None
        })
    })
    .await;
    match file {
        Ok(Some(file)) => respond(&hash, file, &headers),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Whether `room` (`GAME.KEY`) is a link of a running game whose quiz uses `hash`.
fn room_grants(
    s: &dyn crate::store::Catalog,
    room: Option<&str>,
    hash: &str,
) -> crate::store::Result<bool> {
    let Some((game, key)) = room.and_then(|r| r.split_once('.')) else {
        return Ok(false);
    };
    let Ok(game) = game.parse::<i64>() else {
        return Ok(false);
    };
    let Some(grant) = s.media_grant(GameId(game))? else {
        return Ok(false);
    };
    Ok(grant.running
        && grant.key_hash.is_some_and(|k| same(&room_key(&k), key))
        && grant.hashes.iter().any(|h| h == hash))
}

/// Whether `attempt` (`GAME.PLAYER.KEY`) is the link of an unfinished attempt at an open
/// assignment whose quiz uses `hash`: the key is that player's own, so a link handed to
/// someone else stops working when the attempt ends, and opens nothing of another attempt.
fn attempt_grants(
    s: &dyn crate::store::Catalog,
    attempt: Option<&str>,
    hash: &str,
) -> crate::store::Result<bool> {
    let mut parts = attempt.unwrap_or_default().splitn(3, '.');
    let (Some(Ok(game)), Some(Ok(player)), Some(key)) = (
        parts.next().map(str::parse::<i64>),
        parts.next().map(str::parse::<u32>),
        parts.next(),
    ) else {
        return Ok(false);
    };
    let player = PlayerId(player);
    let now = crate::store::unix_now_ms();
    let Some(grant) = s.attempt_media_grant(GameId(game), player, now)? else {
        return Ok(false);
    };
    Ok(grant.running
        && grant
            .key_hash
            .is_some_and(|k| same(&attempt_key(&k, player), key))
        && grant.hashes.iter().any(|h| h == hash))
}

/// Two keys compared as hashes, so the time taken says nothing about how much of a guess was
/// right.
fn same(a: &str, b: &str) -> bool {
    secret_hash(a) == secret_hash(b)
}

/// The file with the headers of an immutable, inert download; one byte range if asked.
fn respond(hash: &str, file: MediaFile, req: &HeaderMap) -> Response {
    let etag = format!("\"{hash}\"");
    let mut res = if req
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match range(req, file.bytes.len()) {
            Ok(None) => file.bytes.into_response(),
            Ok(Some((start, end))) => {
                let total = file.bytes.len();
                let mut r = (
                    StatusCode::PARTIAL_CONTENT,
                    file.bytes[start..=end].to_vec(),
                )
                    .into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}")) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                r
            }
            Err(total) => {
                let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return r;
            }
        }
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // `private`: a shared cache must not keep what only some may see.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Opened on its own, the file runs nothing and is embeddable by this site only.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// One `Range: bytes=A-B` (or `A-`, or `-N`) of a `len`-byte file: `None` for the whole file
/// (no range, or one this does not read, such as several), `Err(len)` when unsatisfiable.
fn range(req: &HeaderMap, len: usize) -> Result<Option<(usize, usize)>, usize> {
    let Some(spec) = req
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
    else {
        return Ok(None);
    };
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = match (a.parse::<usize>(), b.parse::<usize>()) {
        (Ok(start), Ok(end)) => (start, end.min(len.saturating_sub(1))),
        (Ok(start), Err(_)) if b.is_empty() => (start, len.saturating_sub(1)),
        (Err(_), Ok(suffix)) if a.is_empty() && suffix > 0 => {
            (len.saturating_sub(suffix), len.saturating_sub(1))
        }
        _ => return Ok(None),
    };
    if len == 0 || start > end || start >= len {
        return Err(len);
    }
    Ok(Some((start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranged(spec: &str, len: usize) -> Result<Option<(usize, usize)>, usize> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(spec).expect("header"));
        range(&h, len)
    }

    #[test]
    fn at_most_two_uploads_are_processed_at_once() {
        let decodes = Decodes::new();
        let (a, b) = (decodes.take(), decodes.take());
        assert!(a.is_ok() && b.is_ok());
        assert!(decodes.take().is_err(), "a third waits its turn: 503");
        drop(a);
        assert!(
            decodes.take().is_ok(),
            "a slot comes back when an upload is done"
        );
    }

    #[test]
    fn one_byte_range_is_read_and_others_serve_the_whole_file() {
        assert_eq!(ranged("bytes=0-99", 1000), Ok(Some((0, 99))));
        assert_eq!(ranged("bytes=900-", 1000), Ok(Some((900, 999))));
        assert_eq!(ranged("bytes=-100", 1000), Ok(Some((900, 999))));
        assert_eq!(ranged("bytes=990-2000", 1000), Ok(Some((990, 999))));
        assert_eq!(ranged("bytes=0-1,5-6", 1000), Ok(None));
        assert_eq!(ranged("items=0-1", 1000), Ok(None));
        assert_eq!(ranged("bytes=1000-", 1000), Err(1000));
        assert_eq!(ranged("bytes=5-2", 1000), Err(1000));
    }
}
