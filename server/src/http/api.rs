//! What every API module shares (the error shape, the login check, the blocking-pool
//! helper), and the login itself. Database work runs on the blocking pool.

use crate::store::{Account, Role, Store, StoreError};
use crate::App;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quizrace_protocol::ErrorCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// An API refusal: `{"error":{"code","message",...}}` with a status.
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    extra: Option<Value>,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            extra: None,
        }
    }

    pub(super) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "log in first: send Authorization: Bearer <token from POST /api/login>",
        )
    }

    pub(super) fn not_found(code: ErrorCode) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, code.message())
    }

    /// 400 `bad_field` naming the field.
    pub(super) fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadField, message)
            .with(json!({ "field": field }))
    }

    /// Adds members to the `error` object.
    pub(super) fn with(mut self, extra: Value) -> Self {
        self.extra = Some(extra);
        self
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if let StoreError::UsernameTaken = e {
            let code = ErrorCode::UsernameTaken;
            return Self::new(StatusCode::CONFLICT, code, code.message());
        }
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

/// The body as a JSON object whose members are all in `known`.
pub(super) fn object(
    body: Result<Json<Value>, JsonRejection>,
    known: &[&str],
) -> ApiResult<Map<String, Value>> {
    let Json(body) = body?;
    let Value::Object(map) = body else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadField,
            "the body must be a JSON object",
        ));
    };
    if let Some(other) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::bad_field(
            other,
            format!("unknown field `{other}`; expected {}", known.join(", ")),
        ));
    }
    Ok(map)
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

pub(super) type ApiResult<T> = Result<T, ApiError>;

/// Runs `f` with the store on the blocking pool.
pub(super) async fn db<T: Send + 'static>(
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

pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

pub(super) async fn account(app: &App, headers: &HeaderMap) -> ApiResult<Account> {
    let token = bearer(headers).ok_or_else(ApiError::unauthorized)?;
    db(app, move |s| {
        s.account_for_token(&token)?
            .ok_or_else(ApiError::unauthorized)
    })
    .await
}

/// The caller's account if it is an admin's; 401 for everyone else, as a bad token gets.
pub(super) async fn admin(app: &App, headers: &HeaderMap) -> ApiResult<Account> {
    let who = account(app, headers).await?;
    if who.role != Role::Admin {
        return Err(ApiError::unauthorized());
    }
    Ok(who)
}

/// Refuses with 429 while [`crate::limits::LoginThrottle`] holds `username` or `addr` back.
pub(super) fn throttled(app: &App, username: &str, addr: Option<IpAddr>) -> ApiResult<()> {
    let wait = app.guards().logins.wait(username, addr, Instant::now());
    if wait.is_zero() {
        return Ok(());
    }
    let secs = wait.as_secs().max(1);
    Err(ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::RateLimited,
        format!("too many failed logins; try again in {secs} s"),
    )
    .with(json!({ "retry_after_s": secs })))
}

pub(super) fn bad_credentials() -> ApiError {
    let code = ErrorCode::BadCredentials;
    ApiError::new(StatusCode::UNAUTHORIZED, code, code.message())
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
    throttled(&app, &username, addr)?;
    let throttle = &app.guards().logins;
    let name = username.clone();
    let token = db(&app, move |s| Ok(s.login(&name, &password)?)).await?;
    match token {
        Some(token) => {
            throttle.succeeded(&username);
            Ok(Json(json!({ "token": token })))
        }
        None => {
            throttle.failed(&username, addr, Instant::now());
            Err(bad_credentials())
        }
    }
}

pub async fn me(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Account>> {
    Ok(Json(account(&app, &headers).await?))
}

/// `GET /api/admin/stats` (admin only): what the database writer has done since start, so a
/// load run can report commits per second.
pub async fn stats(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    admin(&app, &headers).await?;
    let stats = &app.store().writer.stats;
    Ok(Json(json!({
        "commits": stats.commits.get(),
        "rows": stats.rows.get(),
        "rooms": app.lobby().len(),
    })))
}
