//! The JSON API: login, quizzes, game results. Database work runs on the blocking pool.

use crate::store::{Account, GameReport, Role, Store, StoreError};
use crate::App;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quizrace_protocol::{ErrorCode, GameId, QuizDoc, QuizId};
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::Instant;

/// An API refusal: `{"error":{"code","message",...}}` with a status.
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    extra: Option<Value>,
}

impl ApiError {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            extra: None,
        }
    }

    fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "log in first: send Authorization: Bearer <token from POST /api/login>",
        )
    }

    fn not_found(code: ErrorCode) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, code.message())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "database error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            ErrorCode::Internal.message(),
        )
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadField, e.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"code": self.code, "message": self.message});
        if let (Some(Value::Object(extra)), Value::Object(b)) = (self.extra, &mut body) {
            b.extend(extra);
        }
        (self.status, Json(json!({ "error": body }))).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Runs `f` with the store on the blocking pool.
async fn db<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&Store) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let store = app.store().clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                ErrorCode::Internal.message(),
            ))
        })
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

async fn account(app: &App, headers: &HeaderMap) -> ApiResult<Account> {
    let token = bearer(headers).ok_or_else(ApiError::unauthorized)?;
    db(app, move |s| {
        s.account_for_token(&token)?
            .ok_or_else(ApiError::unauthorized)
    })
    .await
}

#[derive(Deserialize)]
pub struct Login {
    username: String,
    password: String,
}

/// Checks a password. Failures are throttled per account name and per source address (see
/// [`crate::limits::LoginThrottle`]): a throttled attempt is answered 429 without checking.
pub async fn login(
    State(app): State<App>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<Login>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Json(Login { username, password }) = body?;
    let addr = peer.map(|Extension(ConnectInfo(a))| a.ip());
    let throttle = &app.guards().logins;
    let wait = throttle.wait(&username, addr, Instant::now());
    if !wait.is_zero() {
        let secs = wait.as_secs().max(1);
        let mut err = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("too many failed logins; try again in {secs} s"),
        );
        err.extra = Some(json!({ "retry_after_s": secs }));
        return Err(err);
    }
    let name = username.clone();
    let token = db(&app, move |s| Ok(s.login(&name, &password)?)).await?;
    match token {
        Some(token) => {
            throttle.succeeded(&username);
            Ok(Json(json!({ "token": token })))
        }
        None => {
            throttle.failed(&username, addr, Instant::now());
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::BadCredentials,
                ErrorCode::BadCredentials.message(),
            ))
        }
    }
}

pub async fn me(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Account>> {
    Ok(Json(account(&app, &headers).await?))
}

pub async fn list_quizzes(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let who = account(&app, &headers).await?;
    let list = db(&app, move |s| Ok(s.list_quizzes(&who)?)).await?;
    Ok(Json(json!(list)))
}

pub async fn create_quiz(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Response> {
    let who = account(&app, &headers).await?;
    let Json(value) = body?;
    let doc: QuizDoc = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadField,
            format!("not a quiz document: {e}"),
        )
    })?;
    if let Err(e) = doc.validate() {
        let mut err = ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadField, e.to_string());
        err.extra = Some(json!({"index": e.index, "field": e.field}));
        return Err(err);
    }
    let id = db(&app, move |s| Ok(s.create_quiz(who.id, &doc)?)).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// The full document, answers included: only for its owner (or an admin, or a built-in quiz).
pub async fn get_quiz(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<Json<QuizDoc>> {
    let who = account(&app, &headers).await?;
    let quiz = db(&app, move |s| Ok(s.get_quiz(QuizId(id))?)).await?;
    match quiz {
        Some(q) if q.builtin || q.owner_id == who.id || who.role == Role::Admin => Ok(Json(q.doc)),
        _ => Err(ApiError::not_found(ErrorCode::NoSuchQuiz)),
    }
}

async fn report(app: &App, headers: &HeaderMap, id: i64) -> ApiResult<GameReport> {
    let who = account(app, headers).await?;
    let report = db(app, move |s| Ok(s.game_report(GameId(id))?)).await?;
    match report {
        Some(r) if r.host_id == who.id || who.role == Role::Admin => Ok(r),
        // Someone else's game looks the same as no game: ids are not secrets, results are.
        _ => Err(ApiError::not_found(ErrorCode::NoSuchGame)),
    }
}

pub async fn game(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<Json<GameReport>> {
    Ok(Json(report(&app, &headers, id).await?))
}

/// One row per player and question, with a header row.
pub async fn game_csv(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let r = report(&app, &headers, id).await?;
    let mut csv =
        String::from("player_id,name,rank,score,question,answered,correct,elapsed_ms,points\n");
    for p in &r.players {
        for q in 0..r.questions as u32 {
            let a = r
                .answers
                .iter()
                .find(|a| a.player_id == p.player_id && a.index == q);
            let correct = match a.and_then(|a| a.correct) {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            };
            let _ = writeln!(
                csv,
                "{},{},{},{},{},{},{},{},{}",
                p.player_id,
                csv_field(&p.name),
                p.rank,
                p.score,
                q,
                a.is_some(),
                correct,
                a.map_or(String::new(), |a| a.elapsed_ms.to_string()),
                a.map_or(0, |a| a.points),
            );
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"game-{id}.csv\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// Quotes a CSV field when needed, and defuses spreadsheet formulas.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `GET /api/admin/stats` (admin only): what the database writer has done since start, so a
/// load run can report commits per second.
pub async fn stats(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    if account(&app, &headers).await?.role != Role::Admin {
        return Err(ApiError::unauthorized());
    }
    let stats = &app.store().writer.stats;
    Ok(Json(json!({
        "commits": stats.commits.load(std::sync::atomic::Ordering::Relaxed),
        "rows": stats.rows.load(std::sync::atomic::Ordering::Relaxed),
        "rooms": app.lobby().len(),
    })))
}
