//! The teacher's report as an Excel workbook: a Summary sheet, a "Players" sheet, one sheet
//! per question and (up to [`MAX_PLAYER_SHEETS`] players) one per player.
//!
//! Every text (titles, questions, names, typed answers) is written as a string cell, never
//! as a formula: Excel shows `=cmd|' /C calc'!A0` as those characters. Numbers are number
//! cells with a number format, dates are date cells (UTC).

use super::analysis::{PlayerAnswer, PlayerLine, TeacherReport};
use crate::store::{GameReport, GameStatus};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Above this many players the workbook has no sheet per player: a tab strip of thousands of
/// sheets is of no use to anyone and slow to open. The "Players" sheet and the question
/// sheets still hold every answer.
pub const MAX_PLAYER_SHEETS: usize = 250;

/// Excel's longest sheet name, in UTF-16 code units.
const SHEET_NAME_MAX: usize = 31;

/// The one name the workbook download goes by, as the CSV's.
pub fn xlsx_file_name(id: i64) -> String {
    format!("quizrace-game-{id}.xlsx")
}

/// The sheet of the `order`-th player (1-based, rank order): `P<order> <name>`. The prefix
/// makes it unique (Excel compares names without case) and keeps it apart from "Summary",
/// "Players" and the `Q<n>` sheets; `[]:*?/\` and control characters become `_`; the name
/// is cut to Excel's 31 UTF-16 units, and never ends with an apostrophe or a space.
pub fn sheet_name(order: usize, name: &str) -> String {
    let mut out = format!("P{order} ");
    let mut len = out.len();
    for c in name.chars() {
        let c = if "[]:*?/\\".contains(c) || c.is_control() {
            '_'
        } else {
            c
        };
        if len + c.len_utf16() > SHEET_NAME_MAX {
            break;
        }
        len += c.len_utf16();
        out.push(c);
    }
    out.trim_end_matches(['\'', ' ']).to_owned()
}

/// A cell of a row.
enum Cell<'a> {
    Text(&'a str),
    Number(f64, &'a Format),
    Blank,
}

/// Writes `cells` across row `row`, from column A.
fn put(ws: &mut Worksheet, row: u32, cells: &[Cell<'_>]) -> Result<(), XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        let col = col as u16;
        match cell {
            Cell::Text(s) => ws.write_string(row, col, *s)?,
            Cell::Number(n, f) => ws.write_number_with_format(row, col, *n, f)?,
            Cell::Blank => ws,
        };
    }
    Ok(())
}

/// A header row in bold.
fn header(ws: &mut Worksheet, row: u32, names: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (col, name) in names.iter().enumerate() {
        ws.write_string_with_format(row, col as u16, *name, bold)?;
    }
    Ok(())
}

fn widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (col, w) in widths.iter().enumerate() {
        ws.set_column_width(col as u16, *w)?;
    }
    Ok(())
}

fn status(s: GameStatus) -> &'static str {
    match s {
        GameStatus::Running => "running (the report so far)",
        GameStatus::Finished => "finished",
        GameStatus::Aborted => "ended early",
    }
}

fn result(a: &PlayerAnswer) -> &'static str {
    match (a.answer.is_some(), a.correct) {
        (false, _) => "no answer",
        (true, Some(true)) => "right",
        (true, Some(false)) => "wrong",
        (true, None) => "answered",
    }
}

/// The formats every sheet uses.
struct Formats {
    bold: Format,
    date: Format,
    seconds: Format,
    percent: Format,
    whole: Format,
    one_decimal: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            seconds: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0%"),
            whole: Format::new().set_num_format("0"),
            one_decimal: Format::new().set_num_format("0.0"),
        }
    }

    /// A share in percent as a fraction with the percent format; blank when there is none.
    fn share(&self, percent: Option<u32>) -> Cell<'_> {
        percent.map_or(Cell::Blank, |p| {
            Cell::Number(f64::from(p) / 100.0, &self.percent)
        })
    }

    fn seconds(&self, ms: Option<u64>) -> Cell<'_> {
        ms.map_or(Cell::Blank, |ms| {
            Cell::Number(ms as f64 / 1000.0, &self.seconds)
        })
    }

    fn int(&self, n: impl Into<f64>) -> Cell<'_> {
        Cell::Number(n.into(), &self.whole)
    }
}

/// The workbook of `r`, as analysed in `t`, as the bytes of an `.xlsx` file. Every cell is held
/// in memory until the file is written, so memory grows with players × questions (a test
/// writes 5,000 players on 10 questions).
pub fn workbook(r: &GameReport, t: &TeacherReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    summary(book.add_worksheet(), r, t, &f)?;
    players_sheet(book.add_worksheet(), t, &f)?;
    if let Some(teams) = &t.teams {
        teams_sheet(book.add_worksheet(), teams, t, &f)?;
    }
    // Each question's answers, gathered in one pass over the players.
    let mut by_question: Vec<Vec<(&PlayerLine, &PlayerAnswer)>> =
        vec![Vec::new(); t.questions.len()];
    for p in &t.players {
        for a in &p.answers {
            by_question[a.index as usize].push((p, a));
        }
    }
    for (q, rows) in t.questions.iter().zip(&by_question) {
        let ws = book.add_worksheet();
        ws.set_name(format!("Q{}", q.index + 1))?;
        put(
            ws,
            0,
            &[
                Cell::Text("Question"),
                f.int(q.index + 1),
                Cell::Text(&q.text),
            ],
        )?;
        put(ws, 1, &[Cell::Text("Right"), f.share(q.percent_correct)])?;
        put(
            ws,
            2,
            &[Cell::Text("Average time (s)"), f.seconds(q.average_ms)],
        )?;
        header(
            ws,
            4,
            &["Player", "Answer", "Right or wrong", "Time (s)", "Points"],
            &f.bold,
        )?;
        for (row, (p, a)) in (5..).zip(rows) {
            put(
                ws,
                row,
                &[
                    Cell::Text(&p.name),
                    a.answer.as_deref().map_or(Cell::Blank, Cell::Text),
                    Cell::Text(result(a)),
                    f.seconds(a.elapsed_ms),
                    Cell::Number(a.points as f64, &f.whole),
                ],
            )?;
        }
        widths(ws, &[24.0, 30.0, 14.0, 10.0, 10.0])?;
    }
    if t.players.len() <= MAX_PLAYER_SHEETS {
        for (order, p) in (1..).zip(&t.players) {
            player_sheet(book.add_worksheet(), order, p, t, &f)?;
        }
    }
    book.save_to_buffer()
}

fn summary(
    ws: &mut Worksheet,
    r: &GameReport,
    t: &TeacherReport,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    let date = |ms: i64| ExcelDateTime::from_timestamp(ms.div_euclid(1000));
    put(ws, 0, &[Cell::Text("Game"), f.int(r.game_id.0 as f64)])?;
    put(ws, 1, &[Cell::Text("Quiz"), Cell::Text(&t.title)])?;
    put(ws, 2, &[Cell::Text("Status"), Cell::Text(status(t.status))])?;
    ws.write_string(3, 0, "Date (UTC)")?;
    ws.write_datetime_with_format(3, 1, date(t.created_at)?, &f.date)?;
    ws.write_string(4, 0, "Finished (UTC)")?;
    if let Some(end) = t.finished_at {
        ws.write_datetime_with_format(4, 1, date(end)?, &f.date)?;
    }
    put(
        ws,
        5,
        &[Cell::Text("Players"), f.int(t.players.len() as f64)],
    )?;
    put(
        ws,
        6,
        &[
            Cell::Text("Average score"),
            t.average_score
                .map_or(Cell::Blank, |s| Cell::Number(s, &f.one_decimal)),
        ],
    )?;
    let review = format!("Questions to review (under {} % right)", t.review_below);
    put(
        ws,
        7,
        &[Cell::Text(&review), f.int(t.to_review.len() as f64)],
    )?;
    let help = format!(
        "Players who may need help (under {} % right)",
        t.need_help_below
    );
    put(ws, 8, &[Cell::Text(&help), f.int(t.need_help.len() as f64)])?;
    ws.write_string_with_format(10, 0, "Questions, hardest first", &f.bold)?;
    header(
        ws,
        11,
        &[
            "Question",
            "Text",
            "Right",
            "Average time (s)",
            "Answered",
            "Asked",
            "To review",
        ],
        &f.bold,
    )?;
    for (row, i) in (12..).zip(&t.by_difficulty) {
        let q = &t.questions[*i as usize];
        put(
            ws,
            row,
            &[
                f.int(q.index + 1),
                Cell::Text(&q.text),
                f.share(q.percent_correct),
                f.seconds(q.average_ms),
                f.int(q.answered),
                f.int(q.asked),
                Cell::Text(if q.review { "yes" } else { "" }),
            ],
        )?;
    }
    widths(ws, &[44.0, 40.0, 10.0, 16.0, 10.0, 10.0, 10.0])
}

/// Every player's line; an assignment that asks for an identifier adds it last, as the CSV
/// does.
fn players_sheet(ws: &mut Worksheet, t: &TeacherReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Players")?;
    let identified = t.players.iter().any(|p| p.identifier.is_some());
    let mut names = vec![
        "Rank",
        "Player",
        "Score",
        "Right",
        "Asked",
        "Right (%)",
        "May need help",
        "Status",
        "Team",
    ];
    if identified {
        names.push("Identifier");
    }
    header(ws, 0, &names, &f.bold)?;
    for (row, p) in (1..).zip(&t.players) {
        let status = match p.status {
            crate::store::PlayerStatus::Active => "in the game",
            crate::store::PlayerStatus::Left => "left",
            crate::store::PlayerStatus::Kicked => "removed by the host",
            crate::store::PlayerStatus::Removed => "removed",
        };
        let mut cells = vec![
            f.int(p.rank),
            Cell::Text(&p.name),
            Cell::Number(p.score as f64, &f.whole),
            f.int(p.correct),
            f.int(p.scored_asked),
            f.share(p.percent_correct),
            Cell::Text(if p.need_help { "yes" } else { "" }),
            Cell::Text(status),
            p.team.map_or(Cell::Blank, |team| f.int(team)),
        ];
        if identified {
            cells.push(p.identifier.as_deref().map_or(Cell::Blank, Cell::Text));
        }
        put(ws, row, &cells)?;
    }
    widths(
        ws,
        &[6.0, 24.0, 10.0, 8.0, 8.0, 10.0, 14.0, 18.0, 8.0, 18.0],
    )
}

/// A team game's standings: each team's rank, score and members (by name, in rank order).
fn teams_sheet(
    ws: &mut Worksheet,
    teams: &[quizrace_protocol::TeamStanding],
    t: &TeacherReport,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Teams")?;
    header(ws, 0, &["Rank", "Team", "Score", "Members"], &f.bold)?;
    for (row, team) in (1..).zip(teams) {
        let members: Vec<&str> = (t.players.iter())
            .filter(|p| p.team == Some(team.id))
            .map(|p| p.name.as_str())
            .collect();
        let members = members.join(", ");
        put(
            ws,
            row,
            &[
                f.int(team.rank),
                f.int(team.id),
                Cell::Number(team.score as f64, &f.whole),
                Cell::Text(&members),
            ],
        )?;
    }
    widths(ws, &[6.0, 8.0, 10.0, 60.0])
}

fn player_sheet(
    ws: &mut Worksheet,
    order: usize,
    p: &PlayerLine,
    t: &TeacherReport,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(sheet_name(order, &p.name))?;
    put(ws, 0, &[Cell::Text("Player"), Cell::Text(&p.name)])?;
    put(ws, 1, &[Cell::Text("Rank"), f.int(p.rank)])?;
    put(
        ws,
        2,
        &[Cell::Text("Score"), Cell::Number(p.score as f64, &f.whole)],
    )?;
    put(ws, 3, &[Cell::Text("Right"), f.share(p.percent_correct)])?;
    header(
        ws,
        5,
        &[
            "Question",
            "Text",
            "Answer",
            "Right or wrong",
            "Time (s)",
            "Points",
        ],
        &f.bold,
    )?;
    for (row, a) in (6..).zip(&p.answers) {
        put(
            ws,
            row,
            &[
                f.int(a.index + 1),
                Cell::Text(&t.questions[a.index as usize].text),
                a.answer.as_deref().map_or(Cell::Blank, Cell::Text),
                Cell::Text(result(a)),
                f.seconds(a.elapsed_ms),
                Cell::Number(a.points as f64, &f.whole),
            ],
        )?;
    }
    widths(ws, &[10.0, 40.0, 30.0, 14.0, 10.0, 10.0])
}

#[cfg(test)]
#[path = "workbook_tests.rs"]
mod tests;
