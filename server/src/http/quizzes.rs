//! Quizzes: list, store, read, replace, delete, and the CSV import that turns a spreadsheet
//! into a quiz document for the editor (without storing it).

use super::api::{account, db, ApiError, ApiPath, ApiQuery, ApiResult};
use crate::store::{Account, Role, StoredQuiz};
use crate::App;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use quizrace_protocol::{
    ErrorCode, Points, QuestionDoc, QuestionKind, QuestionMedia, QuizDoc, QuizError, QuizId,
    DEFAULT_READ_S, DEFAULT_TIME_LIMIT_S, MAX_READ_S, MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S,
};
use serde::Deserialize;
use serde_json::{json, Value};

pub async fn list_quizzes(State(app): State<App>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let who = account(&app, &headers).await?;
    let list = db(&app, move |s| Ok(s.list_quizzes(&who)?)).await?;
    Ok(Json(json!(list)))
}

/// A request body as the normalised quiz document to store: 400 with the first problem, or
/// 403 `quota_exceeded` when it is larger than `--max-quiz-kb`.
fn quiz_doc(app: &App, body: Result<Json<Value>, JsonRejection>) -> ApiResult<QuizDoc> {
    let Json(value) = body?;
    let doc: QuizDoc = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadField,
            format!("not a quiz document: {e}"),
        )
    })?;
    let doc = doc.normalised().map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadField, e.to_string())
            .with(json!({"index": e.index, "field": e.field}))
    })?;
    too_big(app, &doc).map_err(|message| {
        ApiError::new(StatusCode::FORBIDDEN, ErrorCode::QuotaExceeded, message)
    })?;
    Ok(doc)
}

/// Why `doc` is over the `--max-quiz-kb` quota, if it is: measured as stored (its JSON).
pub(crate) fn too_big(app: &App, doc: &QuizDoc) -> Result<(), String> {
    let max = app.config().max_quiz_bytes;
    let size = serde_json::to_string(doc).map_or(usize::MAX, |s| s.len());
    if size > max {
        return Err(format!(
            "this quiz is {} KiB as stored; this server keeps quizzes up to {} KiB (--max-quiz-kb)",
            size.div_ceil(1024),
            max / 1024
        ));
    }
    Ok(())
}

pub async fn create_quiz(
    State(app): State<App>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Response> {
    let who = account(&app, &headers).await?;
    let doc = quiz_doc(&app, body)?;
    let doc = super::media::attach(&app, who.id, who.role == Role::Admin, doc).await?;
    let max = app.config().max_quizzes;
    let id = db(&app, move |s| Ok(s.create_quiz_within(who.id, &doc, max)?)).await?;
    let Some(id) = id else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::QuotaExceeded,
            format!(
                "this account has {max} quizzes, the most this server keeps for one \
                 (--max-quizzes); delete one first"
            ),
        ));
    };
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

/// The stored quiz if `who` may read it: its owner, an admin, anyone for a built-in sample.
async fn visible(app: &App, who: &Account, id: QuizId) -> ApiResult<StoredQuiz> {
    let quiz = db(app, move |s| Ok(s.get_quiz(id)?)).await?;
    let (me, admin) = (who.id, who.role == Role::Admin);
    match quiz {
        Some(q) if q.builtin || q.owner_id == me || admin => Ok(q),
        _ => Err(ApiError::not_found(ErrorCode::NoSuchQuiz)),
    }
}

/// The quiz if `who` may change it; a built-in sample is visible to all but changeable by none.
async fn writable(app: &App, who: &Account, id: QuizId) -> ApiResult<StoredQuiz> {
    let quiz = visible(app, who, id).await?;
    if quiz.builtin {
        let code = ErrorCode::ReadOnly;
        return Err(ApiError::new(StatusCode::CONFLICT, code, code.message()));
    }
    Ok(quiz)
}

/// The full document, answers included: only for its owner (or an admin, or a built-in quiz).
pub async fn get_quiz(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<QuizDoc>> {
    let who = account(&app, &headers).await?;
    Ok(Json(visible(&app, &who, QuizId(id)).await?.doc))
}

pub async fn put_quiz(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let who = account(&app, &headers).await?;
    let id = QuizId(id);
    let stored = writable(&app, &who, id).await?;
    let doc = quiz_doc(&app, body)?;
    let admin = who.role == Role::Admin;
    let doc = super::media::attach(&app, stored.owner_id, admin, doc).await?;
    db(&app, move |s| Ok(s.update_quiz(id, &doc)?)).await?;
    Ok(Json(json!({ "id": id })))
}

pub async fn delete_quiz(
    State(app): State<App>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let who = account(&app, &headers).await?;
    let id = QuizId(id);
    writable(&app, &who, id).await?;
    db(&app, move |s| Ok(s.delete_quiz(id)?)).await?;
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct CsvQuery {
    #[serde(default)]
    title: String,
}

/// `POST /api/quizzes/csv?title=T`: the sheet as a validated quiz document, not stored.
pub async fn import_csv(
    State(app): State<App>,
    headers: HeaderMap,
    ApiQuery(CsvQuery { title }): ApiQuery<CsvQuery>,
    body: Bytes,
) -> ApiResult<Json<QuizDoc>> {
    account(&app, &headers).await?;
    let doc = from_csv(&title, &body).map_err(|e| {
        let mut extra = json!({ "row": e.row, "column": e.column });
        if let Some(field) = e.field {
            extra = json!({ "field": field });
        }
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadField, e.message).with(extra)
    })?;
    Ok(Json(doc))
}

/// The columns of a quiz sheet, in the order the documentation lists them.
const COLUMNS: [&str; 16] = [
    "kind",
    "question",
    "choice1",
    "choice2",
    "choice3",
    "choice4",
    "choice5",
    "choice6",
    "correct",
    "time_limit_s",
    "points",
    "read_s",
    "explanation",
    "title",
    "media",
    "media_alt",
];
const CHOICES: usize = 6;

/// Why a sheet is not a quiz: a cell (1-based line in the file, column name), or the quiz as a
/// whole (`field`: `title` or `questions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub row: Option<u64>,
    pub column: Option<&'static str>,
    pub field: Option<&'static str>,
    pub message: String,
}

fn cell_error(row: u64, column: &'static str, message: impl Into<String>) -> CsvError {
    CsvError {
        row: Some(row),
        column: Some(column),
        field: None,
        message: format!("row {row}, {column}: {}", message.into()),
    }
}

/// Reads a quiz sheet (header row first; names case-insensitive, any order) and checks the
/// result with the same rules as a stored quiz, naming the cell at fault.
pub fn from_csv(title: &str, bytes: &[u8]) -> Result<QuizDoc, CsvError> {
    // Spreadsheets save UTF-8 with a byte-order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader.headers().map_err(|e| read_error(&e, 1))?.clone();
    let mut at: [Option<usize>; COLUMNS.len()] = [None; COLUMNS.len()];
    for (i, name) in headers.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        let Some(c) = COLUMNS.iter().position(|&k| k == name) else {
            return Err(CsvError {
                row: Some(1),
                column: None,
                field: None,
                message: format!(
                    "row 1: unknown column `{name}`; the columns are {}",
                    COLUMNS.join(",")
                ),
            });
        };
        if at[c].replace(i).is_some() {
            return Err(cell_error(1, COLUMNS[c], "this column appears twice"));
        }
    }
    if at[1].is_none() {
        return Err(cell_error(
            1,
            "question",
            "the header row has no `question` column",
        ));
    }
    let mut questions = Vec::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| read_error(&e, 0))?;
        let row = record.position().map_or(0, csv::Position::line);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |c: usize| at[c].and_then(|i| record.get(i)).unwrap_or("");
        questions.push(question(row, cell)?);
        rows.push(row);
    }
    let doc = QuizDoc {
        title: title.to_owned(),
        questions,
        read_s: None,
        lang: None,
    };
    doc.normalised().map_err(|e| locate(&e, &doc, &rows))
}

fn read_error(e: &csv::Error, fallback_row: u64) -> CsvError {
    let row = e.position().map_or(fallback_row, csv::Position::line);
    CsvError {
        row: Some(row),
        column: None,
        field: None,
        message: format!("row {row}: the file is not readable CSV ({e})"),
    }
}

/// One data row as a question. `cell(c)` is the trimmed text under `COLUMNS[c]`.
fn question<'a>(row: u64, cell: impl Fn(usize) -> &'a str) -> Result<QuestionDoc, CsvError> {
    let kind = match cell(0).to_ascii_lowercase().as_str() {
        "" => QuestionKind::Choice,
        k => serde_json::from_value(Value::String(k.to_owned())).map_err(|_| {
            cell_error(
                row,
                "kind",
                format!("`{k}` is not a kind: use choice, true_false, multi, type_answer, poll, word_cloud or slide"),
            )
        })?,
    };
    if matches!(kind, QuestionKind::Slider | QuestionKind::Order) {
        // A slider's five numbers and an order question's items have no columns; the JSON
        // form carries them.
        return Err(cell_error(
            row,
            "kind",
            format!(
                "a{} question cannot be written in CSV; import the quiz as JSON",
                if kind == QuestionKind::Slider {
                    " slider"
                } else {
                    "n order"
                }
            ),
        ));
    }
    let text = cell(1);
    if text.is_empty() {
        return Err(cell_error(row, "question", "the question text is empty"));
    }
    let filled: Vec<&str> = (0..CHOICES).map(|c| cell(2 + c)).collect();
    let last = filled.iter().rposition(|c| !c.is_empty());
    let choices: Vec<String> = match (kind, last) {
        (
            QuestionKind::TrueFalse
            | QuestionKind::TypeAnswer
            | QuestionKind::WordCloud
            | QuestionKind::Slide,
            Some(c),
        ) => {
            return Err(cell_error(
                row,
                COLUMNS[2 + c],
                "this kind of question takes no choices; leave choice1..choice6 empty",
            ))
        }
        (_, None) => Vec::new(),
        (_, Some(last)) => {
            // `correct` counts the columns, so a gap would shift every number after it.
            if let Some(gap) = filled[..last].iter().position(|c| c.is_empty()) {
                return Err(cell_error(
                    row,
                    COLUMNS[2 + gap],
                    "this choice is empty but a later one is filled",
                ));
            }
            filled[..=last].iter().map(|c| (*c).to_owned()).collect()
        }
    };
    let correct_cell = cell(8);
    let (correct, accept) = match kind {
        QuestionKind::Poll if !correct_cell.is_empty() => {
            return Err(cell_error(
                row,
                "correct",
                "a poll has no correct answer; leave it empty",
            ))
        }
        QuestionKind::Poll => (None, None),
        QuestionKind::WordCloud | QuestionKind::Slide if !correct_cell.is_empty() => {
            return Err(cell_error(
                row,
                "correct",
                "this kind has no correct answer; leave it empty",
            ))
        }
        QuestionKind::WordCloud | QuestionKind::Slide => (None, None),
        QuestionKind::TrueFalse => match correct_cell.to_ascii_lowercase().as_str() {
            "true" => (Some(vec![0]), None),
            "false" => (Some(vec![1]), None),
            _ => {
                return Err(cell_error(
                    row,
                    "correct",
                    "a true_false question needs `true` or `false`",
                ))
            }
        },
        QuestionKind::TypeAnswer => {
            let accept: Vec<String> = correct_cell
                .split('|')
                .map(|a| a.trim().to_owned())
                .collect();
            if accept.iter().any(String::is_empty) {
                return Err(cell_error(
                    row,
                    "correct",
                    "list the accepted answers separated by `|`, none of them empty",
                ));
            }
            (None, Some(accept))
        }
        QuestionKind::Choice | QuestionKind::Multi | QuestionKind::Slider | QuestionKind::Order => {
            let mut numbers = Vec::new();
            for part in correct_cell.split('|').map(str::trim) {
                match part.parse::<u32>() {
                    Ok(n) if (1..=choices.len() as u32).contains(&n) => numbers.push(n - 1),
                    _ => {
                        return Err(cell_error(
                            row,
                            "correct",
                            format!(
                                "`{part}` is not a choice number: use 1 to {} separated by `|`",
                                choices.len()
                            ),
                        ))
                    }
                }
            }
            (Some(numbers), None)
        }
    };
    let time_limit_s = match cell(9) {
        "" => None,
        t => match t.parse::<u32>() {
            Ok(n) if (MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&n) => Some(n),
            _ => {
                return Err(cell_error(
                    row,
                    "time_limit_s",
                    format!("a number of seconds from {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S}, or empty for {DEFAULT_TIME_LIMIT_S}"),
                ))
            }
        },
    };
    let points = match cell(10).to_ascii_lowercase().as_str() {
        "" => None,
        "standard" => Some(Points::Standard),
        "double" => Some(Points::Double),
        "none" => Some(Points::NoPoints),
        _ => {
            return Err(cell_error(
                row,
                "points",
                "use standard, double or none, or leave it empty",
            ))
        }
    };
    let read_s = match cell(11) {
        "" => None,
        t => match t.parse::<u32>() {
            Ok(n) if n <= MAX_READ_S => Some(n),
            _ => {
                return Err(cell_error(
                    row,
                    "read_s",
                    format!("a number of seconds from 0 to {MAX_READ_S}, or empty for the quiz's (default {DEFAULT_READ_S})"),
                ))
            }
        },
    };
    let explanation = Some(cell(12)).filter(|e| !e.is_empty()).map(str::to_owned);
    let title = Some(cell(13)).filter(|t| !t.is_empty()).map(str::to_owned);
    if title.is_some() && kind != QuestionKind::Slide {
        return Err(cell_error(
            row,
            "title",
            "only a slide has a title; leave it empty",
        ));
    }
    Ok(QuestionDoc {
        items: None,
        title,
        kind,
        text: text.to_owned(),
        choices: (!choices.is_empty()).then_some(choices),
        correct,
        accept,
        time_limit_s,
        points,
        read_s,
        explanation,
        typo: None,
        partial: None,
        min: None,
        max: None,
        step: None,
        correct_value: None,
        tolerance: None,
        media: media(row, cell(14), cell(15))?,
    })
}

/// A row's media reference: the hash of a file uploaded with `POST /api/media` (the JSON
/// export's `media.hash`) and its alt text. Whether the file is the quiz owner's is checked
/// when the quiz is saved, as for a JSON import.
fn media(row: u64, hash: &str, alt: &str) -> Result<Option<QuestionMedia>, CsvError> {
    if hash.is_empty() {
        if !alt.is_empty() {
            return Err(cell_error(
                row,
                "media_alt",
                "alt text needs a file in the `media` column; leave it empty",
            ));
        }
        return Ok(None);
    }
    let media = QuestionMedia {
        hash: hash.to_ascii_lowercase(),
        alt: alt.to_owned(),
        kind: None,
        width: None,
        height: None,
    };
    media.checked().map(Some).map_err(|e| {
        let column = if e.contains("hash") {
            "media"
        } else {
            "media_alt"
        };
        cell_error(row, column, e)
    })
}

/// Names the cell behind a validation error of the built document.
fn locate(e: &QuizError, doc: &QuizDoc, rows: &[u64]) -> CsvError {
    let Some(i) = e.index else {
        return CsvError {
            row: None,
            column: None,
            field: Some(e.field),
            message: e.message.clone(),
        };
    };
    let row = rows.get(i).copied().unwrap_or(0);
    let column = match e.field {
        "text" => "question",
        "choices" => {
            // The choice at fault; a count problem points past the last one given.
            let given = doc.questions[i].choices.as_ref().map_or(0, Vec::len);
            COLUMNS[2 + e.choice.unwrap_or(given).min(CHOICES - 1)]
        }
        "time_limit_s" => "time_limit_s",
        "points" => "points",
        "read_s" => "read_s",
        "explanation" => "explanation",
        "title" => "title",
        "media" => "media",
        _ => "correct",
    };
    cell_error(row, column, e.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "kind,question,choice1,choice2,choice3,choice4,choice5,choice6,correct,time_limit_s,points\n";

    #[test]
    fn a_sheet_with_every_kind_reads_as_the_document_it_describes() {
        let sheet = format!(
            "{HEADER}choice,Capital of France?,Paris,Lyon,Nice,Lille,,,1,20,\n\
             true_false,The Rhine flows through Basel.,,,,,,,true,10,\n\
             multi,Which are prime?,2,4,5,9,,,1|3,,double\n\
             type_answer,Chemical symbol of gold?,,,,,,,Au|au ,,\n\
             poll,Did you enjoy this quiz?,Yes,No,,,,,,,none\n"
        );
        let doc = from_csv("Capitals", sheet.as_bytes()).expect("valid");
        let want: QuizDoc = serde_json::from_value(json!({"title":"Capitals","questions":[
            {"kind":"choice","text":"Capital of France?","choices":["Paris","Lyon","Nice","Lille"],"correct":[0],"time_limit_s":20},
            {"kind":"true_false","text":"The Rhine flows through Basel.","correct":[0],"time_limit_s":10},
            {"kind":"multi","text":"Which are prime?","choices":["2","4","5","9"],"correct":[0,2],"points":"double"},
            {"kind":"type_answer","text":"Chemical symbol of gold?","accept":["Au","au"]},
            {"kind":"poll","text":"Did you enjoy this quiz?","choices":["Yes","No"],"points":"none"}
        ]}))
        .expect("doc");
        assert_eq!(doc, want);
    }

    #[test]
    fn a_sheet_keeps_a_media_reference_and_refuses_a_malformed_one() {
        let hash = "ab".repeat(32);
        let sheet = format!(
            "kind,question,choice1,choice2,correct,media,media_alt\n\
             choice,Which animal?,Fox,Cat,1,{},A red fox\n\
             slide,Listen,,,,{hash},\n",
            hash.to_uppercase()
        );
        let doc = from_csv("T", sheet.as_bytes()).expect("valid");
        let media: Vec<_> = doc.questions.iter().map(|q| q.media.clone()).collect();
        assert_eq!(
            media[0].as_ref().map(|m| (m.hash.as_str(), m.alt.as_str())),
            Some((hash.as_str(), "A red fox"))
        );
        assert_eq!(media[1].as_ref().map(|m| m.alt.as_str()), Some(""));
        for (line, column) in [
            ("choice,Q,a,b,1,not-a-hash,", "media"),
            ("choice,Q,a,b,1,,Alt without a file", "media_alt"),
        ] {
            let sheet = format!("kind,question,choice1,choice2,correct,media,media_alt\n{line}\n");
            let e = from_csv("T", sheet.as_bytes()).expect_err(line);
            assert_eq!((e.row, e.column), (Some(2), Some(column)), "{line}: {e:?}");
        }
    }

    #[test]
    fn a_sheet_may_hold_a_word_cloud_and_a_slide_with_its_title() {
        let sheet = "kind,question,title,time_limit_s\n\
                     slide,Now the oceans.,Part 2,\n\
                     word_cloud,One word for the sea?,,30\n";
        let doc = from_csv("T", sheet.as_bytes()).expect("valid");
        let want: QuizDoc = serde_json::from_value(json!({"title":"T","questions":[
            {"kind":"slide","title":"Part 2","text":"Now the oceans."},
            {"kind":"word_cloud","text":"One word for the sea?","time_limit_s":30}
        ]}))
        .expect("doc");
        assert_eq!(doc, want);
        for (sheet, column) in [
            (
                "kind,question,choice1,choice2\nword_cloud,Q,a,b\n",
                "choice2",
            ),
            ("kind,question,correct\nslide,Q,1\n", "correct"),
            (
                "kind,question,choice1,choice2,correct,title\nchoice,Q,a,b,1,T\n",
                "title",
            ),
        ] {
            let e = from_csv("T", sheet.as_bytes()).expect_err(sheet);
            assert_eq!(e.column, Some(column), "{sheet}: {}", e.message);
        }
    }

    #[test]
    fn columns_may_come_in_any_order_and_case_and_kind_defaults_to_choice() {
        let sheet = "\u{feff}Correct,QUESTION,Choice2,choice1\n2,\"Pick, please\",b,a\n";
        let doc = from_csv("T", sheet.as_bytes()).expect("valid");
        let q = &doc.questions[0];
        assert_eq!(q.kind, QuestionKind::Choice);
        assert_eq!(q.text, "Pick, please");
        assert_eq!(
            q.choices.as_deref(),
            Some(&["a".to_owned(), "b".to_owned()][..])
        );
        assert_eq!(q.correct.as_deref(), Some(&[1][..]));
    }

    #[test]
    fn a_bad_cell_is_named_by_its_line_and_column() {
        let cases = [
            ("choice,Q,a,b,,,,,3,,", 2, "correct"),
            ("choice,Q,a,b,,,,,x,,", 2, "correct"),
            ("quiz,Q,a,b,,,,,1,,", 2, "kind"),
            ("choice,,a,b,,,,,1,,", 2, "question"),
            ("choice,Q,a,,c,,,,1,,", 2, "choice2"),
            ("choice,Q,a,,,,,,1,,", 2, "choice2"),
            ("true_false,Q,,,,,,,maybe,,", 2, "correct"),
            ("true_false,Q,True,False,,,,,true,,", 2, "choice2"),
            ("type_answer,Q,,,,,,,a||b,,", 2, "correct"),
            ("poll,Q,a,b,,,,,1,,", 2, "correct"),
            ("choice,Q,a,b,,,,,1,4,", 2, "time_limit_s"),
            ("choice,Q,a,b,,,,,1,,triple", 2, "points"),
            // A slider's numbers have no columns: JSON only, said in the kind's cell.
            ("slider,Q,,,,,,,1969,,", 2, "kind"),
            ("order,Q,a,b,c,,,,,,", 2, "kind"),
        ];
        for (line, row, column) in cases {
            let sheet = format!("{HEADER}choice,Fine,a,b,,,,,1,,\n{line}\n");
            let e = from_csv("T", sheet.as_bytes()).expect_err(line);
            assert_eq!(
                (e.row, e.column),
                (Some(row + 1), Some(column)),
                "{line}: {e:?}"
            );
            assert!(e.message.contains(column), "{e:?}");
        }
    }

    #[test]
    fn a_quoted_line_break_counts_towards_the_line_numbers() {
        let sheet = format!("{HEADER}choice,\"Two\nlines\",a,b,,,,,1,,\nchoice,Q,a,b,,,,,9,,\n");
        let e = from_csv("T", sheet.as_bytes()).expect_err("bad");
        assert_eq!((e.row, e.column), (Some(4), Some("correct")), "{e:?}");
    }

    #[test]
    fn the_header_must_name_known_columns_and_a_question() {
        let e = from_csv("T", b"question,answer\nQ,a\n").expect_err("unknown");
        assert_eq!((e.row, e.column), (Some(1), None));
        let e = from_csv("T", b"kind,choice1\nchoice,a\n").expect_err("no question");
        assert_eq!((e.row, e.column), (Some(1), Some("question")));
    }

    #[test]
    fn the_quiz_as_a_whole_is_checked_too() {
        let e = from_csv("T", HEADER.as_bytes()).expect_err("empty");
        assert_eq!(e.field, Some("questions"));
        let sheet = format!("{HEADER}choice,Q,a,b,,,,,1,,\n");
        let e = from_csv("  ", sheet.as_bytes()).expect_err("no title");
        assert_eq!(e.field, Some("title"));
        let long = "x".repeat(121);
        let sheet = format!("{HEADER}choice,Q,a,{long},,,,,1,,\n");
        let e = from_csv("T", sheet.as_bytes()).expect_err("long choice");
        assert_eq!((e.row, e.column), (Some(2), Some("choice2")), "{e:?}");
        assert!(
            e.message.contains("choice 2 is longer"),
            "numbered as the column: {e:?}"
        );
    }

    #[test]
    fn a_sheet_may_give_each_question_a_read_time_and_an_explanation() {
        let sheet = "question,choice1,choice2,correct,read_s,explanation\n\
                     Capital of Australia?,Sydney,Canberra,2,0,\"A compromise, in 1908.\"\n\
                     Capital of France?,Paris,Lyon,1,,\n";
        let doc = from_csv("T", sheet.as_bytes()).expect("valid");
        let q = &doc.questions;
        assert_eq!((q[0].read_s, q[1].read_s), (Some(0), None));
        assert_eq!(q[0].explanation.as_deref(), Some("A compromise, in 1908."));
        assert_eq!(q[1].explanation, None, "an empty cell is no explanation");
        for (cell, column) in [("31", "read_s"), ("-1", "read_s"), ("soon", "read_s")] {
            let sheet = format!("question,choice1,choice2,correct,read_s\nQ,a,b,1,{cell}\n");
            let e = from_csv("T", sheet.as_bytes()).expect_err(cell);
            assert_eq!((e.row, e.column), (Some(2), Some(column)), "{cell}: {e:?}");
        }
        let long = "x".repeat(501);
        let sheet = format!("question,choice1,choice2,correct,explanation\nQ,a,b,1,{long}\n");
        let e = from_csv("T", sheet.as_bytes()).expect_err("long explanation");
        assert_eq!((e.row, e.column), (Some(2), Some("explanation")), "{e:?}");
    }
}
