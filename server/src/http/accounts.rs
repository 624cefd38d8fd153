//! Accounts: logging out, changing one's own password, and the admin's list of accounts
//! (create, reset a password, disable, change a role).

use super::api::{
    account, admin, bearer, client, db, object, password_check, ApiError, ApiPath, ApiResult,
};
use crate::proxy::ClientAddr;
use crate::store::{AccountChange, AccountRow, Role};
use crate::App;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quizrace_protocol::ErrorCode;
use serde_json::{json, Map, Value};

const MAX_USERNAME_CHARS: usize = 40;
const MIN_PASSWORD_CHARS: usize = 8;
const MAX_PASSWORD_CHARS: usize = 200;

/// A username: 1 to 40 ASCII letters, digits and `_-.` (no look-alike letters, no spaces).
fn check_username(name: &str) -> ApiResult<()> {
    let ok = (1..=MAX_USERNAME_CHARS).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_field(
            "username",
            "a username is 1 to 40 letters, digits or _-. characters",
        ))
    }
}

fn check_password(field: &str, password: &str) -> ApiResult<()> {
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&password.chars().count()) {
        Ok(())
    } else {
        Err(ApiError::bad_field(
            field,
            "a password is 8 to 200 characters",
        ))
    }
}

fn string_field<'a>(map: &'a Map<String, Value>, field: &str) -> ApiResult<Option<&'a str>> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::bad_field(
            field,
            format!("`{field}` must be a string"),
        )),
    }
}

fn role_field(map: &Map<String, Value>) -> ApiResult<Option<Role>> {
    match string_field(map, "role")? {
        None => Ok(None),
        Some("admin") => Ok(Some(Role::Admin)),
        Some("host") => Ok(Some(Role::Host)),
        Some(_) => Err(ApiError::bad_field("role", "`role` is `host` or `admin`")),
    }
}

/// `POST /api/logout`: the caller's token stops working.
pub async fn logout(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    account(&app, &headers).await?;
    let token = bearer(&headers).ok_or_else(ApiError::unauthorized)?;
    db(&app, move |s| Ok(s.logout(&token)?)).await?;
    Ok(Json(json!({})))
}

/// `POST /api/password` `{"old","new"}`. Wrong guesses of `old` count as failed logins of the
/// account, so a stolen token cannot be used to try passwords faster than the login form.
pub async fn change_password(
    State(app): State<App>,
    headers: HeaderMap,
    addr: Option<Extension<ClientAddr>>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let who = account(&app, &headers).await?;
    let token = bearer(&headers).ok_or_else(ApiError::unauthorized)?;
    let map = object(body, &["old", "new"])?;
    let old = string_field(&map, "old")?
        .ok_or_else(|| ApiError::bad_field("old", "send the current password as `old`"))?
        .to_owned();
    let new = string_field(&map, "new")?
        .ok_or_else(|| ApiError::bad_field("new", "send the new password as `new`"))?
        .to_owned();
    check_password("new", &new)?;
    let id = who.id;
    password_check(&app, &who.username, client(addr), move |s| {
        Ok(s.change_password(id, &old, &new, &token)?.then_some(()))
    })
    .await?;
    Ok(Json(json!({})))
}

/// `GET /api/admin/accounts`.
pub async fn list_accounts(
    State(app): State<App>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<AccountRow>>> {
    admin(&app, &headers).await?;
    Ok(Json(db(&app, |s| Ok(s.list_accounts()?)).await?))
}

/// `POST /api/admin/accounts` `{"username","password","role"}` → 201 `{"id"}`.
pub async fn create_account(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Response> {
    admin(&app, &headers).await?;
    let map = object(body, &["username", "password", "role"])?;
    let username = string_field(&map, "username")?
        .unwrap_or_default()
        .to_owned();
    check_username(&username)?;
    let password = string_field(&map, "password")?
        .unwrap_or_default()
        .to_owned();
    check_password("password", &password)?;
    let role = role_field(&map)?.unwrap_or(Role::Host);
    let id = db(&app, move |s| {
        Ok(s.create_account(&username, &password, role)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// `PATCH /api/admin/accounts/{id}` `{"password"?, "disabled"?, "role"?}` → the account.
pub async fn patch_account(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<AccountRow>> {
    let me = admin(&app, &headers).await?;
    let map = object(body, &["password", "disabled", "role"])?;
    let password = string_field(&map, "password")?.map(str::to_owned);
    if let Some(p) = &password {
        check_password("password", p)?;
    }
    let disabled = match map.get("disabled") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(ApiError::bad_field(
                "disabled",
                "`disabled` is true or false",
            ))
        }
    };
    let role = role_field(&map)?;
    // An admin locking themselves out could leave the server with no admin at all.
    if id == me.id && disabled == Some(true) {
        return Err(ApiError::bad_field(
            "disabled",
            "you cannot disable your own account",
        ));
    }
    if id == me.id && role == Some(Role::Host) {
        return Err(ApiError::bad_field(
            "role",
            "you cannot take the admin role from your own account",
        ));
    }
    let change = AccountChange {
        password,
        disabled,
        role,
    };
    db(&app, move |s| Ok(s.update_account(id, &change)?))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(ErrorCode::NoSuchAccount))
}
