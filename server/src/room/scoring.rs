//! How an answer is judged and what it is worth. Pure functions of the question and the answer.

use quizrace_protocol::{AnswerKey, AnswerValue, Mode, Picks, Question, QuestionKind, Typo};
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Streak bonus per consecutive correct answer after the first, and its cap.
pub const STREAK_STEP: i64 = 100;
pub const STREAK_CAP: i64 = 500;

/// Why an answer does not fit the question's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub field: &'static str,
    pub message: String,
}

/// Checks that the answer has the form the question asks for. `Ok(Some(correct))` for scored
/// kinds, `Ok(None)` for a poll.
pub fn judge(q: &Question, answer: &AnswerValue) -> Result<Option<bool>, Mismatch> {
    let n = q.choices.len() as u32;
    let in_range = |c: u32, field| {
        if c < n {
            Ok(())
        } else {
            Err(Mismatch {
                field,
                message: format!("choice {c} does not exist (this question has {n})"),
            })
        }
    };
    match (q.kind, answer) {
        (
            QuestionKind::Choice | QuestionKind::TrueFalse | QuestionKind::Poll,
            AnswerValue::Choice(c),
        ) => {
            in_range(*c, "choice")?;
            Ok(match &q.key {
                AnswerKey::Choices(right) => Some(right.contains(c)),
                _ => None,
            })
        }
        (QuestionKind::Multi, AnswerValue::Choices(cs)) => {
            for c in cs {
                in_range(*c, "choices")?;
            }
            let mut given = cs.clone();
            given.sort_unstable();
            given.dedup();
            if given.is_empty() {
                return Err(Mismatch {
                    field: "choices",
                    message: "pick at least one choice".into(),
                });
            }
            Ok(match &q.key {
                AnswerKey::Choices(right) => Some(&given == right),
                _ => None,
            })
        }
        (QuestionKind::TypeAnswer, AnswerValue::Text(t)) => {
            if t.trim().is_empty() || t.chars().count() > 200 {
                return Err(Mismatch {
                    field: "text",
                    message: "the answer must be 1 to 200 characters".into(),
                });
            }
            Ok(match &q.key {
                AnswerKey::Accept(accept) => {
                    let given = loose(t);
                    Some(
                        accept
                            .iter()
                            .any(|a| typed_matches(q.typo, &loose(a), &given)),
                    )
                }
                _ => None,
            })
        }
        (QuestionKind::Slider, AnswerValue::Value(v)) => {
            let Some(range) = q.slider else {
                return Err(Mismatch {
                    field: "value",
                    message: "this question has no slider".into(),
                });
            };
            if !range.allows(*v) {
                return Err(Mismatch {
                    field: "value",
                    message: format!(
                        "the value must be between {} and {} on a step of {}",
                        range.min, range.max, range.step
                    ),
                });
            }
            Ok(match q.key {
                AnswerKey::Slider { value, tolerance } => {
                    Some(v.abs_diff(value) <= tolerance as u64)
                }
                _ => None,
            })
        }
        // Nothing is right or wrong; the words themselves are checked by `cloud::answer`.
        (QuestionKind::WordCloud, AnswerValue::Text(t)) => {
            crate::room::cloud::answer(t)?;
            Ok(None)
        }
        (QuestionKind::Slide, _) => Err(Mismatch {
            field: "index",
            message: "a slide takes no answer".into(),
        }),
        (kind, _) => {
            let field = match kind {
                QuestionKind::TypeAnswer | QuestionKind::WordCloud => "text",
                QuestionKind::Multi => "choices",
                QuestionKind::Slider => "value",
                QuestionKind::Order => "order",
                _ => "choice",
            };
            Err(Mismatch {
                field,
                message: format!("this question takes `{field}`"),
            })
        }
    }
}

/// Trimmed, case-folded, accents removed, inner white space collapsed: "  Ångström " ~ "angstrom".
pub fn loose(s: &str) -> String {
    let folded: String = s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Edits forgiven in a typed answer, by the length in characters of the accepted answer (after
/// [`loose`]): none up to 4, one from 5, two from 9.
pub fn typos_forgiven(accepted_chars: usize) -> usize {
    match accepted_chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Whether `given` counts as the accepted answer `accepted` (both already [`loose`]).
pub fn typed_matches(typo: Typo, accepted: &str, given: &str) -> bool {
    if accepted == given {
        return true;
    }
    match typo {
        Typo::Exact => false,
        Typo::Forgive => {
            let max = typos_forgiven(accepted.chars().count());
            max > 0 && within_edits(accepted, given, max)
        }
    }
}

/// Whether the optimal-string-alignment distance between `a` and `b` is at most `max`: an
/// insertion, a deletion, a substitution or a swap of two neighbours each counts as one edit
/// (so "teh" is one edit from "the"). Only cells within `max` of the diagonal are computed,
/// so a long answer costs O(length × max), not O(length²).
pub fn within_edits(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let far = max + 1;
    let width = b.len() + 1;
    // Rows i-2, i-1 and i of the distance table; cells off the band hold `far`.
    let mut before: Vec<usize> = vec![far; width];
    let mut prev: Vec<usize> = (0..width).map(|j| j.min(far)).collect();
    let mut row: Vec<usize> = vec![far; width];
    for i in 1..=a.len() {
        row.fill(far);
        if i <= max {
            row[0] = i;
        }
        let from = i.saturating_sub(max).max(1);
        let to = (i + max).min(b.len());
        for j in from..=to {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j - 1] + cost).min(prev[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d.min(far);
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()] <= max
}

/// How a `multi` answer's picks compare with the correct set; `None` for other answers.
pub fn picks(q: &Question, answer: &AnswerValue) -> Option<Picks> {
    let (QuestionKind::Multi, AnswerKey::Choices(right), AnswerValue::Choices(given)) =
        (q.kind, &q.key, answer)
    else {
        return None;
    };
    let mut given = given.clone();
    given.sort_unstable();
    given.dedup();
    let hits = given.iter().filter(|c| right.contains(c)).count() as u32;
    Some(Picks {
        right: hits,
        wrong: given.len() as u32 - hits,
        of: right.len() as u32,
    })
}

/// Partial credit for a partly right `multi` answer (`"partial": true`), in classic mode:
/// `full × max(0, right − wrong) ÷ of`, rounded, where `full` is what a correct answer at this
/// moment would score without the streak bonus. Race mode gives none: only the first fully
/// correct answer scores there.
pub fn partial_points(mode: Mode, q: &Question, picks: Picks, elapsed_ms: u64) -> i64 {
    if mode != Mode::Classic || !q.partial || picks.of == 0 {
        return 0;
    }
    let full = classic_points(q.points.base(), elapsed_ms, q.time_limit_ms, 0);
    let net = i64::from(picks.right) - i64::from(picks.wrong);
    if net <= 0 {
        return 0;
    }
    (full as f64 * net as f64 / f64::from(picks.of)).round() as i64
}

/// Points for a `slider` answer within the tolerance: `full × (1 − distance ÷ (tolerance + 1))`,
/// rounded, where `full` is what an exact answer at this moment scores (speed and streak
/// included). So the exact value scores in full and the edge of the tolerance still scores
/// `1 ÷ (tolerance + 1)` of it; anything further is wrong and scores nothing.
pub fn slider_points(full: i64, distance: u64, tolerance: i64) -> i64 {
    let tolerance = tolerance.max(0) as u64;
    if distance > tolerance {
        return 0;
    }
    (full as f64 * (1.0 - distance as f64 / (tolerance + 1) as f64)).round() as i64
}

/// Partial points for an `order` answer with `right` of its `n` items in place, in classic
/// mode: `full × right ÷ n`, rounded, where `full` is what the exact order at this moment would
/// score without the streak bonus. Race mode gives none: only the first exact order scores.
pub fn order_points(mode: Mode, q: &Question, right: usize, n: usize, elapsed_ms: u64) -> i64 {
    if mode != Mode::Classic || n == 0 {
        return 0;
    }
    let full = classic_points(q.points.base(), elapsed_ms, q.time_limit_ms, 0);
    (full as f64 * right as f64 / n as f64).round() as i64
}

/// How far a `slider` answer is from the correct value; `None` for other answers.
pub fn slider_distance(q: &Question, answer: &AnswerValue) -> Option<(u64, i64)> {
    match (&q.key, answer) {
        (AnswerKey::Slider { value, tolerance }, AnswerValue::Value(v)) => {
            Some((v.abs_diff(*value), *tolerance))
        }
        _ => None,
    }
}

/// An answer judged: right or not (`None`: a poll, a word cloud), and for an `order` question
/// how many items are in their place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Judged {
    pub correct: Option<bool>,
    pub placed: Option<usize>,
}

/// Judges `value` as an answer to question `index` of a game whose secret is `secret` (an
/// `order` answer is judged by its item ids, which are the game's own).
pub fn judge_given(
    q: &Question,
    index: u32,
    secret: &str,
    value: &AnswerValue,
) -> Result<Judged, Mismatch> {
    match (&q.key, value) {
        (AnswerKey::Order, AnswerValue::Order(given)) => {
            let n = q.items.len();
            let right =
                crate::room::order::in_place(&crate::room::order::ids(secret, index, n), given)
                    .ok_or_else(|| Mismatch {
                        field: "order",
                        message: format!("send each of the {n} item ids exactly once"),
                    })?;
            Ok(Judged {
                correct: Some(right == n),
                placed: Some(right),
            })
        }
        _ => Ok(Judged {
            correct: judge(q, value)?,
            placed: None,
        }),
    }
}

/// What a judged answer is worth: one question's points from its kind, the answer, the time it
/// took and the limit (in `q`), the streak before it, and whether it is the first correct one.
/// Live rooms and self-paced assignments both score through this.
pub fn points(
    mode: Mode,
    q: &Question,
    value: &AnswerValue,
    judged: Judged,
    elapsed_ms: u64,
    streak_before: u32,
    first: bool,
) -> i64 {
    match (judged.correct, picks(q, value)) {
        (Some(true), _) => {
            let full = points_for(mode, q, elapsed_ms, streak_before, first);
            match slider_distance(q, value) {
                Some((distance, tolerance)) => slider_points(full, distance, tolerance),
                None => full,
            }
        }
        (Some(false), Some(picks)) => partial_points(mode, q, picks, elapsed_ms),
        (Some(false), None) => judged.placed.map_or(0, |right| {
            order_points(mode, q, right, q.items.len(), elapsed_ms)
        }),
        _ => 0,
    }
}

/// Points for a correct classic answer: `round(base × (1 − elapsed/limit ÷ 2))` plus the streak
/// bonus. `streak_before` counts the consecutive correct answers before this one.
pub fn classic_points(base: i64, elapsed_ms: u64, limit_ms: u64, streak_before: u32) -> i64 {
    if base == 0 {
        return 0;
    }
    let elapsed = elapsed_ms.min(limit_ms) as f64;
    let speed = (base as f64 * (1.0 - elapsed / limit_ms as f64 / 2.0)).round() as i64;
    speed + (STREAK_STEP * i64::from(streak_before)).min(STREAK_CAP)
}

/// Points for a correct answer in `mode`; `first` says whether it is the first correct one.
pub fn points_for(
    mode: Mode,
    q: &Question,
    elapsed_ms: u64,
    streak_before: u32,
    first: bool,
) -> i64 {
    match mode {
        Mode::Classic => {
            classic_points(q.points.base(), elapsed_ms, q.time_limit_ms, streak_before)
        }
        Mode::Race if first => q.points.base(),
        Mode::Race => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_points_fall_off_linearly_inside_the_tolerance() {
        assert_eq!(slider_points(1000, 0, 5), 1000);
        assert_eq!(slider_points(1000, 3, 5), 500);
        assert_eq!(slider_points(1200, 5, 5), 200);
        assert_eq!(slider_points(1000, 6, 5), 0);
        assert_eq!(slider_points(1000, 0, 0), 1000);
        assert_eq!(slider_points(1000, 1, 0), 0);
    }

    #[test]
    fn instant_correct_answer_scores_the_full_base() {
        assert_eq!(classic_points(1000, 0, 20_000, 0), 1000);
    }

    #[test]
    fn answer_at_the_limit_scores_half() {
        assert_eq!(classic_points(1000, 20_000, 20_000, 0), 500);
        assert_eq!(
            classic_points(1000, 25_000, 20_000, 0),
            500,
            "grace answers are capped"
        );
    }

    #[test]
    fn speed_factor_rounds_to_nearest() {
        // 1000 × (1 − 5/20/2) = 875
        assert_eq!(classic_points(1000, 5_000, 20_000, 0), 875);
        assert_eq!(classic_points(2000, 5_000, 20_000, 0), 1750);
        // 1000 × (1 − 1/3/2) = 833.33
        assert_eq!(classic_points(1000, 10_000, 30_000, 0), 833);
    }

    #[test]
    fn streak_bonus_grows_by_100_and_stops_at_500() {
        assert_eq!(classic_points(1000, 0, 20_000, 1), 1100);
        assert_eq!(classic_points(1000, 0, 20_000, 5), 1500);
        assert_eq!(classic_points(1000, 0, 20_000, 9), 1500);
    }

    #[test]
    fn unscored_question_gives_no_bonus() {
        assert_eq!(classic_points(0, 0, 20_000, 4), 0);
    }

    #[test]
    fn loose_comparison_ignores_case_accents_and_spacing() {
        assert_eq!(loose("  Ångström  "), "angstrom");
        assert_eq!(loose("São   Paulo"), loose("sao paulo"));
        assert_ne!(loose("Au"), loose("Ag"));
    }

    fn forgiven(accepted: &str, given: &str) -> bool {
        typed_matches(Typo::Forgive, &loose(accepted), &loose(given))
    }

    #[test]
    fn four_letters_forgive_no_typo_and_five_forgive_one() {
        assert!(!forgiven("Rome", "Roma"), "4 letters: exact");
        assert!(forgiven("Paris", "Pariz"), "5 letters: one substitution");
        assert!(forgiven("Paris", "Pars"), "5 letters: one deletion");
        assert!(forgiven("Paris", "Parris"), "5 letters: one insertion");
        assert!(!forgiven("Paris", "Pqriz"), "5 letters: two edits");
    }

    #[test]
    fn eight_letters_forgive_one_typo_and_nine_forgive_two() {
        assert!(forgiven("Canberra", "Canbera"), "8 letters: one edit");
        assert!(!forgiven("Canberra", "Canbrea"), "8 letters: two edits");
        assert!(forgiven("Amsterdam", "Amstredam"), "9 letters: a swap");
        assert!(forgiven("Amsterdam", "Amsterdm"), "9 letters: one edit");
        assert!(forgiven("Amsterdam", "Amstrdm"), "9 letters: two edits");
        assert!(!forgiven("Amsterdam", "Amstdm"), "9 letters: three edits");
    }

    #[test]
    fn a_swap_of_two_neighbours_is_one_edit() {
        // Damerau (optimal string alignment): "Prais" is one edit from "Paris", not two.
        assert!(within_edits("paris", "prais", 1));
        assert!(forgiven("Paris", "Prais"));
        assert!(
            !within_edits("paris", "rpais", 1),
            "two swaps are two edits"
        );
    }

    #[test]
    fn the_length_forgiven_is_the_accepted_answers_not_the_given_ones() {
        // "Rome" is 4 letters: a 5-letter answer one edit away is still wrong.
        assert!(!forgiven("Rome", "Romee"));
        assert!(!forgiven("Au", "Ag"));
    }

    #[test]
    fn exact_forgives_nothing_but_case_accents_and_spacing() {
        assert!(!typed_matches(Typo::Exact, "canberra", "canbera"));
        assert!(typed_matches(
            Typo::Exact,
            &loose("São Paulo"),
            &loose(" sao  paulo ")
        ));
    }

    #[test]
    fn edit_distance_handles_empty_and_far_apart_strings() {
        assert!(within_edits("", "", 0));
        assert!(within_edits("", "ab", 2));
        assert!(!within_edits("", "abc", 2));
        assert!(!within_edits("abcdefghij", "klmnopqrst", 2));
        assert!(within_edits("abcdefghij", "abcdefghij", 0));
    }
}
