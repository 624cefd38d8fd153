//! What every API module shares (the error shape, the login check, the blocking-pool
//! helper), and the login itself. Database work runs on the blocking pool.

use crate::proxy::ClientAddr;
use crate::store::{Account, Catalog, Role, StoreError};
use crate::App;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quizrace_protocol::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::net::{IpAddr, Ipv4Addr};
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

/// The framework's refusals of a body, a path or a query, in our words: its own text names
/// Rust types and serde's internals.
impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        let message = match &e {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON, with Content-Type: application/json"
            }
            JsonRejection::JsonSyntaxError(_) => "the body is not valid JSON",
            JsonRejection::JsonDataError(_) => {
                "the body's members do not have the expected names and types (text, a number, true or false)"
            }
            _ if e.status() == StatusCode::PAYLOAD_TOO_LARGE => "the body is too large",
            _ => "the body could not be read",
        };
        tracing::debug!(error = %e.body_text(), "body refused");
        let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            e.status()
        } else {
            StatusCode::BAD_REQUEST
        };
        Self::new(status, ErrorCode::BadField, message)
    }
}

impl From<PathRejection> for ApiError {
    fn from(e: PathRejection) -> Self {
        tracing::debug!(error = %e.body_text(), "path refused");
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadField,
            "a part of this address is malformed (an id is a whole number)",
        )
        .with(json!({ "field": "path" }))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        tracing::debug!(error = %e.body_text(), "query refused");
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadField,
            "the query string is malformed (each parameter at most once, as text)",
        )
        .with(json!({ "field": "query" }))
    }
}

/// axum's `Path`, refused in the documented error shape.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(t) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(t))
    }
}

/// axum's `Query`, refused in the documented error shape.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(t) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(t))
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
    f: impl FnOnce(&dyn Catalog) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let store = app.store().clone();
    tokio::task::spawn_blocking(move || f(&*store))
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

/// The client's address as the limits see it (see [`crate::proxy`]); unspecified when the
/// request came without one (only in tests that call the router directly).
pub(super) fn client(addr: Option<Extension<ClientAddr>>) -> IpAddr {
    addr.map_or(Ipv4Addr::UNSPECIFIED.into(), |Extension(ClientAddr(a))| a)
}

/// Checks a password of `account` with `check` on the blocking pool: `Some` when it is right.
///
/// The attempt is reserved in [`crate::limits::LoginThrottle`] before anything is hashed
/// (429 `rate_limited` while this address waits), and the check runs only on a free thread of
/// [`crate::checker::PasswordChecker`] (503 `server_busy` at once when none is free). The
/// check keeps its thread until the hash is done, even if the client hangs up. Failures are
/// logged at `warn`, never the password.
pub(super) async fn password_check<T: Send + 'static>(
    app: &App,
    account: &str,
    addr: IpAddr,
    check: impl FnOnce(&dyn Catalog) -> ApiResult<Option<T>> + Send + 'static,
) -> ApiResult<T> {
    let throttle = &app.guards().logins;
    if let Err(wait) = throttle.reserve(account, addr, Instant::now()) {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!("too many failed logins; try again in {secs} s"),
        )
        .with(json!({ "retry_after_s": secs })));
    }
    let checker = &app.guards().password_checks;
    let Some(started) = checker.try_start() else {
        throttle.refund(account, addr);
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServerBusy,
            "the server is checking many passwords at once; try again in a second",
        )
        .with(json!({ "retry_after_s": 1 })));
    };
    let store = app.store().clone();
    let checked = checker
        .run(started, move || check(&*store))
        .await
        .unwrap_or_else(|| {
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                ErrorCode::Internal.message(),
            ))
        });
    match checked {
        Ok(Some(t)) => {
            throttle.succeeded(account, addr);
            Ok(t)
        }
        Ok(None) => {
            tracing::warn!(account = %account, addr = %addr, "failed login");
            Err(bad_credentials())
        }
        Err(e) => {
            throttle.refund(account, addr);
            Err(e)
        }
    }
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

/// Checks a password (see [`password_check`] for the throttle and the bound on checks).
pub async fn login(
    State(app): State<App>,
    addr: Option<Extension<ClientAddr>>,
    body: Result<Json<Login>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let Json(Login { username, password }) = body?;
    let name = username.clone();
    let token = password_check(&app, &username, client(addr), move |s| {
        Ok(s.login(&name, &password)?)
    })
    .await?;
    Ok(Json(json!({ "token": token })))
}

pub async fn me(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Account>> {
    Ok(Json(account(&app, &headers).await?))
}

/// `GET /api/admin/stats` (admin only): what the database writer has done since start, so a
/// load run can report commits per second, and how many passwords were checked.
pub async fn stats(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    admin(&app, &headers).await?;
    let stats = app.store().writer_stats();
    Ok(Json(json!({
        "commits": stats.commits.get(),
        "rows": stats.rows.get(),
        "password_checks": app.store().password_checks(),
        "rooms": app.lobby().len(),
    })))
}
