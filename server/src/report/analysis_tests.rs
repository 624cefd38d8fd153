use super::*;
use crate::report::testing::{choice, report};
use serde_json::json;

fn right(index: u32, player: u32, ms: u64) -> crate::report::testing::Given {
    (index, player, ms, Some(true), 900, json!({"choice": 0}))
}

fn wrong(index: u32, player: u32, ms: u64) -> crate::report::testing::Given {
    (index, player, ms, Some(false), 0, json!({"choice": 1}))
}

#[test]
fn a_question_is_ranked_by_the_share_right_among_the_players_asked_it() {
    // Cy joined for question 1 only: question 0 is 1 right of 2 asked (50 %), not 1 of 3.
    let r = report(
        vec![choice("Q0"), choice("Q1")],
        &[("Ada", 0, 2), ("Bob", 0, 2), ("Cy", 1, 1)],
        vec![
            right(0, 1, 1000),
            wrong(0, 2, 1000),
            right(1, 1, 1000),
            wrong(1, 2, 1000),
            wrong(1, 3, 1000),
        ],
    );
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert_eq!(
        (t.questions[0].asked, t.questions[0].percent_correct),
        (2, Some(50))
    );
    assert_eq!(
        (t.questions[1].asked, t.questions[1].percent_correct),
        (3, Some(33))
    );
    assert_eq!(t.by_difficulty, vec![1, 0]);
}

#[test]
fn an_equal_share_puts_the_slower_question_first() {
    let r = report(
        vec![choice("Q0"), choice("Q1"), choice("Q2")],
        &[("Ada", 0, 3), ("Bob", 0, 3)],
        vec![
            right(0, 1, 2000),
            wrong(0, 2, 4000),
            right(1, 1, 5000),
            wrong(1, 2, 7000),
            right(2, 1, 1000),
            right(2, 2, 1000),
        ],
    );
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert_eq!(t.questions[0].average_ms, Some(3000));
    assert_eq!(t.questions[1].average_ms, Some(6000));
    assert_eq!(t.by_difficulty, vec![1, 0, 2]);
}

#[test]
fn polls_and_no_points_questions_are_never_hard_nor_to_review() {
    let poll = json!({"kind":"poll","text":"Tea?","choices":["Yes","No"]});
    let mut free = choice("Free");
    free["points"] = json!("none");
    let r = report(
        vec![poll, free, choice("Scored")],
        &[("Ada", 0, 3), ("Bob", 0, 3)],
        vec![
            (0, 1, 1000, None, 0, json!({"choice": 1})),
            (0, 2, 1000, None, 0, json!({"choice": 0})),
            wrong(1, 1, 1000),
            wrong(1, 2, 1000),
            right(2, 1, 1000),
            wrong(2, 2, 1000),
        ],
    );
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert!(!t.questions[0].scored && !t.questions[1].scored);
    assert_eq!(t.questions[0].percent_correct, None);
    assert_eq!(t.questions[1].answered, 2);
    assert_eq!(t.by_difficulty, vec![2]);
    assert!(t.to_review.is_empty(), "{:?}", t.to_review);
    // Bob got the only scored question wrong; the no-points one does not count for him.
    assert_eq!((t.players[1].scored_asked, t.players[1].correct), (1, 0));
}

#[test]
fn a_question_is_to_review_below_half_right_and_not_at_half() {
    let r = report(
        vec![choice("Half"), choice("Third"), choice("Never reached")],
        &[("Ada", 0, 2), ("Bob", 0, 2), ("Cy", 0, 2)],
        vec![
            right(0, 1, 1000),
            wrong(0, 2, 1000),
            // Cy did not answer question 0: asked, not answered, so not right.
            right(1, 1, 1000),
            wrong(1, 2, 1000),
            wrong(1, 3, 1000),
        ],
    );
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert_eq!(t.questions[0].percent_correct, Some(33));
    assert_eq!(t.to_review, vec![0, 1]);
    let half = report(
        vec![choice("Half")],
        &[("Ada", 0, 1), ("Bob", 0, 1)],
        vec![right(0, 1, 1000), wrong(0, 2, 1000)],
    );
    assert!(analyse(&half, DEFAULT_NEED_HELP_BELOW).to_review.is_empty());
    // A question nobody was asked is neither ranked nor reviewed.
    assert_eq!(t.questions[2].asked, 0);
    assert!(!t.by_difficulty.contains(&2));
}

#[test]
fn players_below_the_threshold_may_need_help_and_the_threshold_moves_the_line() {
    // Ada 2 of 2, Bob 1 of 2, Cy 0 of 2.
    let r = report(
        vec![choice("Q0"), choice("Q1")],
        &[("Ada", 0, 2), ("Bob", 0, 2), ("Cy", 0, 2)],
        vec![
            right(0, 1, 1000),
            right(1, 1, 1000),
            right(0, 2, 1000),
            wrong(1, 2, 1000),
            wrong(0, 3, 1000),
        ],
    );
    let flagged = |below| analyse(&r, below).need_help;
    assert_eq!(flagged(50), vec![PlayerId(3)]);
    assert_eq!(flagged(51), vec![PlayerId(2), PlayerId(3)]);
    assert_eq!(flagged(0), Vec::<PlayerId>::new());
    assert_eq!(flagged(100), vec![PlayerId(2), PlayerId(3)]);
    let t = analyse(&r, 50);
    assert_eq!(
        t.players
            .iter()
            .map(|p| p.percent_correct)
            .collect::<Vec<_>>(),
        vec![Some(100), Some(50), Some(0)]
    );
    assert_eq!(t.average_score, Some((1800.0 + 900.0) / 3.0));
}

#[test]
fn a_player_asked_no_scored_question_is_never_flagged() {
    // Cy joined after the last question.
    let r = report(
        vec![choice("Q0")],
        &[("Ada", 0, 1), ("Cy", 1, 0)],
        vec![right(0, 1, 1000)],
    );
    let t = analyse(&r, 100);
    assert_eq!(t.players[1].percent_correct, None);
    assert!(t.need_help.is_empty());
    assert!(t.players[1].answers.is_empty());
}

#[test]
fn each_player_lists_the_questions_asked_with_the_answer_as_seen_and_blanks_for_none() {
    let typed = json!({"kind":"type_answer","text":"Gold?","accept":["Au"]});
    let r = report(
        vec![choice("Q0"), typed, choice("Q2")],
        &[("Ada", 0, 3), ("Bob", 1, 1)],
        vec![
            right(0, 1, 1200),
            (
                1,
                1,
                2500,
                Some(false),
                0,
                json!({"text": "=cmd|' /C calc'!A0"}),
            ),
        ],
    );
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    type Line<'a> = (u32, Option<&'a str>, Option<bool>, Option<u64>);
    let ada: Vec<Line<'_>> = t.players[0]
        .answers
        .iter()
        .map(|a| (a.index, a.answer.as_deref(), a.correct, a.elapsed_ms))
        .collect();
    assert_eq!(
        ada,
        vec![
            (0, Some("Right"), Some(true), Some(1200)),
            (1, Some("=cmd|' /C calc'!A0"), Some(false), Some(2500)),
            (2, None, None, None),
        ]
    );
    // Bob was asked question 1 only, and did not answer it.
    let bob: Vec<u32> = t.players[1].answers.iter().map(|a| a.index).collect();
    assert_eq!(bob, vec![1]);
    assert_eq!(t.questions[1].asked, 2);
    assert_eq!(t.questions[2].asked, 1);
}

#[test]
fn an_empty_game_has_no_average_and_nothing_ranked() {
    let r = report(vec![choice("Q0")], &[], vec![]);
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert_eq!(t.average_score, None);
    assert!(t.by_difficulty.is_empty() && t.to_review.is_empty() && t.players.is_empty());
}

#[test]
fn a_slider_answer_reads_as_its_number() {
    let q: quizrace_protocol::QuestionDoc = serde_json::from_value(serde_json::json!(
        {"kind":"slider","text":"Year?","min":1950,"max":2000,"correct_value":1969}
    ))
    .expect("a question");
    assert_eq!(answer_text(&q, &serde_json::json!({"value": 1969})), "1969");
    assert_eq!(answer_text(&q, &serde_json::json!({"value": -5})), "-5");
}

#[test]
fn a_word_cloud_is_unscored_and_shows_its_words_and_a_slide_is_asked_to_nobody() {
    let slide = json!({"kind":"slide","title":"Part 2","text":"The sea."});
    let cloud = json!({"kind":"word_cloud","text":"One word?"});
    let r = report(
        vec![slide, cloud, choice("Scored")],
        &[("Ada", 0, 3), ("Bob", 0, 3)],
        vec![
            (1, 1, 900, None, 0, json!({"text": "Ocean waves"})),
            (1, 2, 800, None, 0, json!({"text": "salt"})),
            right(2, 1, 1000),
            wrong(2, 2, 1000),
        ],
    );
    let t = analyse(&r, DEFAULT_NEED_HELP_BELOW);
    assert_eq!(
        t.questions.len(),
        3,
        "a line per quiz entry, so indexes match"
    );
    assert!(!t.questions[0].scored && !t.questions[1].scored);
    assert_eq!((t.questions[0].asked, t.questions[0].answered), (0, 0));
    assert_eq!(
        (t.questions[1].answered, t.questions[1].percent_correct),
        (2, None)
    );
    assert_eq!(t.by_difficulty, vec![2]);
    let ada = &t.players[0];
    assert_eq!(
        (ada.scored_asked, ada.correct),
        (1, 1),
        "only the choice counts"
    );
    let lines: Vec<(u32, Option<&str>)> = ada
        .answers
        .iter()
        .map(|a| (a.index, a.answer.as_deref()))
        .collect();
    assert_eq!(lines, [(1, Some("Ocean waves")), (2, Some("Right"))]);
}
