//! Games: the list of your games, one game's report (JSON and CSV), keeping a game private,
//! and the public leaderboard of recent finished games.

use super::api::{account, db, object, ApiError, ApiPath, ApiResult};
use crate::report::answer_text;
use crate::store::{Account, GameReport, GameRow, LeaderboardGame, Role};
use crate::App;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use quizrace_protocol::{ErrorCode, GameId};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// `GET /api/games`: the caller's games (an admin: everyone's), newest first.
pub async fn list_games(
    State(app): State<App>,
    headers: HeaderMap,
) -> ApiResult<Json<Vec<GameRow>>> {
    let who = account(&app, &headers).await?;
    Ok(Json(db(&app, move |s| Ok(s.list_games(&who)?)).await?))
}

/// A game is its host's and the admins'. Someone else's game looks the same as no game: ids
/// are not secrets, results are.
fn owned(who: &Account, host_id: Option<i64>) -> ApiResult<()> {
    match host_id {
        Some(id) if id == who.id || who.role == Role::Admin => Ok(()),
        _ => Err(ApiError::not_found(ErrorCode::NoSuchGame)),
    }
}

/// The stored report of game `id` for the account `headers` log in: its host's or an admin's.
/// The JSON, the CSV and the teacher's report all read a game through this one check.
pub(super) async fn report(app: &App, headers: &HeaderMap, id: i64) -> ApiResult<GameReport> {
    let who = account(app, headers).await?;
    let report = db(app, move |s| Ok(s.game_report(GameId(id))?)).await?;
    owned(&who, report.as_ref().map(|r| r.host_id))?;
    // `owned` refused a missing game, so this is the report.
    report.ok_or_else(|| ApiError::not_found(ErrorCode::NoSuchGame))
}

pub async fn game(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<GameReport>> {
    Ok(Json(report(&app, &headers, id).await?))
}

/// The one name a results download goes by: the Results and host pages use it too.
pub fn csv_file_name(id: i64) -> String {
    format!("quizrace-game-{id}.csv")
}

/// One row per player and question, with a header row. UTF-8 with a byte-order mark, so that
/// Excel reads accents right; questions are numbered from 1, as everywhere a person reads.
pub async fn game_csv(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let r = report(&app, &headers, id).await?;
    // A team game adds each player's team and that team's rank and score to every row, and
    // an assignment that asks for an identifier adds it as the last column.
    let teams = r.teams.as_deref();
    let identified = r.players.iter().any(|p| p.identifier.is_some());
    let mut csv = String::from(
        "\u{feff}player_id,name,rank,score,question,question_text,answered,answer,correct,elapsed_ms,points",
    );
    if teams.is_some() {
        csv.push_str(",team,team_rank,team_score");
    }
    csv.push_str(if identified { ",identifier\n" } else { "\n" });
    for p in &r.players {
        let team = teams.and_then(|ts| ts.iter().find(|t| Some(t.id) == p.team));
        let team_cells = match (teams, team) {
            (None, _) => String::new(),
            (Some(_), None) => ",,,".to_owned(),
            (Some(_), Some(t)) => format!(",{},{},{}", t.id, t.rank, t.score),
        };
        for (q, question) in r.quiz.questions.iter().enumerate() {
            // A slide is shown, not asked: no row (`question` stays the quiz position).
            if question.kind == quizrace_protocol::QuestionKind::Slide {
                continue;
            }
            let a = r
                .answers
                .iter()
                .find(|a| a.player_id == p.player_id && a.index as usize == q);
            let correct = match a.and_then(|a| a.correct) {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            };
            let _ = write!(
                csv,
                "{},{},{},{},{},{},{},{},{},{},{}{}",
                p.player_id,
                csv_field(&p.name),
                p.rank,
                p.score,
                q + 1,
                csv_field(&question.text),
                a.is_some(),
                csv_field(&a.map_or(String::new(), |a| answer_text(question, &a.answer))),
                correct,
                a.map_or(String::new(), |a| a.elapsed_ms.to_string()),
                a.map_or(0, |a| a.points),
                team_cells,
            );
            if identified {
                csv.push(',');
                csv.push_str(&csv_field(p.identifier.as_deref().unwrap_or_default()));
            }
            csv.push('\n');
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", csv_file_name(id)),
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

/// `PATCH /api/games/{id}` `{"private": bool}`: a private game is left off the leaderboard.
pub async fn patch_game(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let who = account(&app, &headers).await?;
    let game = GameId(id);
    let host = db(&app, move |s| Ok(s.game_host(game)?)).await?;
    owned(&who, host.map(|(host_id, _)| host_id))?;
    let body = object(body, &["private"])?;
    let Some(private) = body.get("private").and_then(Value::as_bool) else {
        return Err(ApiError::bad_field(
            "private",
            "send {\"private\": true} or {\"private\": false}",
        ));
    };
    db(&app, move |s| Ok(s.set_game_private(game, private)?)).await?;
    Ok(Json(json!({ "game_id": game, "private": private })))
}

/// `GET /api/leaderboard` (no login): recent finished games that are not private.
pub async fn leaderboard(State(app): State<App>) -> ApiResult<Json<Vec<LeaderboardGame>>> {
    Ok(Json(db(&app, |s| Ok(s.leaderboard()?)).await?))
}
