//! How an answer is judged and what it is worth. Pure functions of the question and the answer.

use quizrace_protocol::{AnswerKey, AnswerValue, Mode, Question, QuestionKind};
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
                    Some(accept.iter().any(|a| loose(a) == given))
                }
                _ => None,
            })
        }
        (kind, _) => {
            let field = match kind {
                QuestionKind::Multi => "choices",
                QuestionKind::TypeAnswer => "text",
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
}
