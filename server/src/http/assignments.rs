//! Assignments over HTTP, for their hosts: making one from a quiz, the list of yours, one's
//! live view (attempts started and finished, the average, the leaderboard so far), and
//! closing one early. Someone else's assignment looks the same as none (404).

use super::api::{account, db, object, ApiError, ApiPath, ApiResult};
use crate::assignment::{MAX_ATTEMPTS, MAX_DEADLINE_DAYS, MAX_LABEL_CHARS};
use crate::room::state::Settings;
use crate::secret::{random_hex, secret_hash};
use crate::store::{unix_now_ms, Account, AssignmentRow, AssignmentView, NewAssignment, Role};
use crate::App;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use quizrace_protocol::{
    ErrorCode, GameId, Mode, NamePolicy, Pin, QuizId, TIME_FACTOR_MAX, TIME_FACTOR_MIN,
};
use serde_json::{json, Map, Value};

const FIELDS: &[&str] = &[
    "quiz_id",
    "deadline",
    "identifier_label",
    "attempts",
    "time_factor",
    "no_time_limit",
    "shuffle_questions",
    "shuffle_answers",
];

/// Unix milliseconds of an RFC 3339 date and time (`2026-12-24T18:00:00Z`,
/// `2026-12-24T18:00+01:00`, fractions of a second ignored); `None` when it is not one.
pub fn rfc3339_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = text.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 16 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d, h, mi) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?);
    let mut i = 16;
    let mut s = 0;
    if b.get(i) == Some(&b':') {
        s = num(i + 1, 2)?;
        i += 3;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let m = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
            if *sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let (yy, m) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + s * 1000)
}

/// The deadline of a request: RFC 3339 text or unix milliseconds, in the future and at most
/// [`MAX_DEADLINE_DAYS`] ahead.
fn deadline(body: &Map<String, Value>, now_ms: i64) -> ApiResult<i64> {
    let what = "an RFC 3339 date and time (2026-12-24T18:00:00Z) or unix milliseconds";
    let ms = match body.get("deadline") {
        Some(Value::String(t)) => rfc3339_ms(t.trim()),
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    }
    .ok_or_else(|| ApiError::bad_field("deadline", format!("`deadline` must be {what}")))?;
    let latest = now_ms + MAX_DEADLINE_DAYS * 24 * 3600 * 1000;
    if ms <= now_ms || ms > latest {
        return Err(ApiError::bad_field(
            "deadline",
            format!(
                "the deadline must be in the future and at most {MAX_DEADLINE_DAYS} days ahead"
            ),
        ));
    }
    Ok(ms)
}

fn opt_bool(body: &Map<String, Value>, field: &str) -> ApiResult<bool> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        _ => Err(ApiError::bad_field(
            field,
            format!("`{field}` must be true or false"),
        )),
    }
}

/// The checked request: what to store, and the settings its game keeps.
fn checked(body: &Map<String, Value>, now_ms: i64) -> ApiResult<(QuizId, NewAssignment, Settings)> {
    let quiz = body
        .get("quiz_id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::bad_field("quiz_id", "`quiz_id` must be a quiz id"))?;
    let deadline_ms = deadline(body, now_ms)?;
    let identifier_label = match body.get("identifier_label") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if t.trim().is_empty() => None,
        Some(Value::String(t))
            if t.trim().chars().count() <= MAX_LABEL_CHARS
                && crate::names::hidden_char(t).is_none() =>
        {
            Some(t.trim().to_owned())
        }
        _ => {
            return Err(ApiError::bad_field(
                "identifier_label",
                format!("`identifier_label` must be text of at most {MAX_LABEL_CHARS} characters"),
            ))
        }
    };
    let attempts = match body.get("attempts") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=u64::from(MAX_ATTEMPTS)).contains(n))
            .ok_or_else(|| {
                ApiError::bad_field(
                    "attempts",
                    format!("`attempts` must be a whole number from 1 to {MAX_ATTEMPTS}"),
                )
            })? as u32,
    };
    let time_factor = match body.get("time_factor") {
        None | Some(Value::Null) => 1.0,
        Some(v) => v
            .as_f64()
            .filter(|t| (TIME_FACTOR_MIN..=TIME_FACTOR_MAX).contains(t))
            .ok_or_else(|| {
                ApiError::bad_field(
                    "time_factor",
                    "`time_factor` must be a number from 0.5 to 3",
                )
            })?,
    };
    let settings = Settings {
        pin: Pin(String::new()),
        game_id: GameId(0),
        mode: Mode::Classic,
        max_players: 0,
        auto_advance_ms: None,
        chat: false,
        host_key: String::new(), // set by the caller
        names: NamePolicy::Free,
        teams: None,
        blocked_words: Vec::new().into(),
        timing: crate::room::Timing {
            time_factor,
            no_time_limit: opt_bool(body, "no_time_limit")?,
        },
        leaderboard: Default::default(),
        shuffle_answers: opt_bool(body, "shuffle_answers")?,
        // An attempt's phone is its only screen: it gets the media and the words.
        media_on_phones: true,
        question_on_phones: true,
        team_choice: Default::default(),
        team_talk_ms: 0,
    };
    let new = NewAssignment {
        deadline_ms,
        identifier_label,
        attempts,
    };
    Ok((QuizId(quiz), new, settings))
}

/// `POST /api/assignments` → `201 {"id", "code", "url"}`.
pub async fn create(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = account(&app, &headers).await?;
    let body = object(body, FIELDS)?;
    let (quiz_id, new, mut settings) = checked(&body, unix_now_ms())?;
    let shuffle = opt_bool(&body, "shuffle_questions")?;
    let viewer = who.clone();
    let stored = db(&app, move |s| Ok(s.get_quiz(quiz_id)?)).await?;
    let stored = stored
        .filter(|q| q.builtin || q.owner_id == viewer.id || viewer.role == Role::Admin)
        .ok_or_else(|| ApiError::not_found(ErrorCode::NoSuchQuiz))?;
    let mut doc = stored.doc;
    // The game's secret: a host key nobody holds (an assignment has no host socket).
    settings.host_key = secret_hash(&random_hex(16));
    if shuffle {
        crate::room::shuffle::shuffle_questions(&mut doc, &settings.host_key);
    }
    if doc.validate().is_err() {
        return Err(ApiError::not_found(ErrorCode::NoSuchQuiz));
    }
    crate::http::quizzes::too_big(&app, &doc)
        .map_err(|m| ApiError::new(StatusCode::FORBIDDEN, ErrorCode::QuotaExceeded, m))?;
    let host = who.id;
    let (game, code) = db(&app, move |s| {
        Ok(s.create_assignment(quiz_id, host, &settings, &doc, &new)?)
    })
    .await?;
    let url = format!("{}/?code={code}", super::rooms::base_url(&app, &headers)?);
    tracing::info!(game = %game, code = %code, host = %who.username, "assignment created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": game, "code": code, "url": url })),
    ))
}

/// `GET /api/assignments`: the caller's assignments (an admin: everyone's), newest first.
pub async fn list(
    State(app): State<App>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<AssignmentRow>>> {
    let who = account(&app, &headers).await?;
    Ok(Json(
        db(&app, move |s| Ok(s.list_assignments(&who)?)).await?,
    ))
}

/// The live view of assignment `id`, if `who` may see it (its host or an admin).
async fn owned_view(app: &App, who: &Account, id: i64) -> ApiResult<AssignmentView> {
    let view = db(app, move |s| Ok(s.assignment_view(GameId(id))?)).await?;
    view.filter(|v| v.row.host_id == who.id || who.role == Role::Admin)
        .ok_or_else(|| ApiError::not_found(ErrorCode::NoSuchGame))
}

/// `GET /api/assignments/{id}`: the live view.
pub async fn view(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AssignmentView>> {
    let who = account(&app, &headers).await?;
    Ok(Json(owned_view(&app, &who, id).await?))
}

/// `POST /api/assignments/{id}/close`: nothing more is accepted; its game is finished.
pub async fn close(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AssignmentView>> {
    let who = account(&app, &headers).await?;
    owned_view(&app, &who, id).await?;
    db(&app, move |s| Ok(s.close_assignment(GameId(id))?)).await?;
    Ok(Json(owned_view(&app, &who, id).await?))
}

#[cfg(test)]
mod tests {
    use super::rfc3339_ms;

    #[test]
    fn rfc3339_times_read_as_unix_milliseconds_with_their_offset() {
        assert_eq!(rfc3339_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_ms("2026-12-24T18:00:00Z"), Some(1_798_135_200_000));
        assert_eq!(
            rfc3339_ms("2026-12-24T19:00+01:00"),
            rfc3339_ms("2026-12-24T18:00:00.250Z")
        );
        assert_eq!(
            rfc3339_ms("2000-02-29T12:00:00-02:30"),
            Some(951_834_600_000)
        );
    }

    #[test]
    fn text_that_is_not_a_date_and_time_is_refused() {
        for bad in [
            "",
            "tomorrow",
            "2026-13-01T00:00Z",
            "2026-12-24",
            "2026-12-24T18:00",
            "2026-12-24T18:00:00+0100",
        ] {
            assert_eq!(rfc3339_ms(bad), None, "{bad}");
        }
    }
}
