//! The host's shuffles, drawn from the room's secret (the hash of its host key), which no
//! player sees, so that a restored room draws them again without storing them.
//!
//! - `shuffle_questions`: the order the room plays its quiz's questions in. The game stores
//!   its quiz copy in that order, so the room, a restore and the report read one order.
//! - `shuffle_answers`: each phone's order of a `choice` or `multi` question's choices. A
//!   phone answers with the places it was shown; the room maps them back to the quiz's
//!   indices before judging or storing, so answers, counts and reports keep the quiz's order.

use quizrace_protocol::{AnswerValue, PlayerId, QuestionView, QuizDoc};

/// `0..n` in the order the room with `secret` plays them: never the quiz's own order when
/// there are two questions or more (a draw that comes out unchanged is turned by one place).
pub fn question_order(secret: &str, n: usize) -> Vec<usize> {
    let mut order =
        super::order::shuffled(n, super::order::fnv(&[secret.as_bytes(), b"questions"]));
    if n >= 2 && order.iter().enumerate().all(|(i, &q)| i == q) {
        order.rotate_left(1);
    }
    order
}

/// The quiz with its questions in the room's order.
pub fn shuffle_questions(doc: &mut QuizDoc, secret: &str) {
    let order = question_order(secret, doc.questions.len());
    let mut old: Vec<Option<_>> = std::mem::take(&mut doc.questions)
        .into_iter()
        .map(Some)
        .collect();
    doc.questions = order.iter().filter_map(|&i| old[i].take()).collect();
}

/// Player `who`'s order of question `index`'s `n` choices: the quiz's index of each choice
/// as shown. It depends only on the secret, the question and the player, never on which
/// choice is right.
pub fn choice_order(secret: &str, index: u32, who: PlayerId, n: usize) -> Vec<u32> {
    let seed = super::order::fnv(&[
        secret.as_bytes(),
        b"choices",
        &index.to_le_bytes(),
        &who.0.to_le_bytes(),
    ]);
    super::order::shuffled(n, seed)
        .into_iter()
        .map(|i| i as u32)
        .collect()
}

/// `view` with its choices as one player is shown them: `order` is the quiz's index of each
/// choice as shown (from [`choice_order`]), and the frame says so in `choice_order`.
pub fn show_in_order(view: &mut QuestionView, order: Vec<u32>) {
    view.choices = order
        .iter()
        .filter_map(|&i| view.choices.get(i as usize).cloned())
        .collect();
    view.choice_order = Some(order);
}

/// An answer given in shown places, in the quiz's indices. A place out of range is kept as
/// it is, for the judge to refuse.
pub fn to_quiz_order(order: &[u32], value: AnswerValue) -> AnswerValue {
    let quiz_index = |k: u32| order.get(k as usize).copied().unwrap_or(k);
    match value {
        AnswerValue::Choice(k) => AnswerValue::Choice(quiz_index(k)),
        AnswerValue::Choices(ks) => AnswerValue::Choices(ks.into_iter().map(quiz_index).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_phone_gets_every_choice_once_and_phones_differ() {
        let mut seen = std::collections::HashSet::new();
        for p in 1..=50 {
            let order = choice_order("secret", 2, PlayerId(p), 4);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, [0, 1, 2, 3]);
            assert_eq!(order, choice_order("secret", 2, PlayerId(p), 4), "stable");
            seen.insert(order);
        }
        assert!(seen.len() > 1, "every phone got the same order");
    }

    #[test]
    fn a_shown_place_maps_back_to_the_quizs_index() {
        let order = [2, 0, 3, 1];
        assert_eq!(
            to_quiz_order(&order, AnswerValue::Choice(0)),
            AnswerValue::Choice(2)
        );
        assert_eq!(
            to_quiz_order(&order, AnswerValue::Choices(vec![1, 3])),
            AnswerValue::Choices(vec![0, 1])
        );
        assert_eq!(
            to_quiz_order(&order, AnswerValue::Choice(9)),
            AnswerValue::Choice(9)
        );
    }

    #[test]
    fn a_shuffled_quiz_plays_every_question_once() {
        for n in 0..12 {
            let mut order = question_order("secret", n);
            order.sort_unstable();
            assert_eq!(order, (0..n).collect::<Vec<_>>(), "{n} questions");
        }
    }

    #[test]
    fn a_shuffled_quiz_never_keeps_the_quizs_own_order() {
        for seed in 0..500 {
            let secret = format!("key{seed}");
            for n in 2..6 {
                let order = question_order(&secret, n);
                assert_ne!(order, (0..n).collect::<Vec<_>>(), "{secret}, {n} questions");
            }
        }
    }

    #[test]
    fn the_same_room_draws_the_same_order_and_another_room_another() {
        assert_eq!(question_order("a", 10), question_order("a", 10));
        assert_ne!(question_order("a", 10), question_order("b", 10));
    }

    #[test]
    fn shuffling_moves_whole_questions() {
        let mut doc: QuizDoc = serde_json::from_value(serde_json::json!({"title":"T","questions":[
            {"kind":"choice","text":"one","choices":["a","b"],"correct":[0]},
            {"kind":"choice","text":"two","choices":["c","d"],"correct":[1]},
            {"kind":"true_false","text":"three","correct":[0]}]}))
        .expect("doc");
        shuffle_questions(&mut doc, "room");
        let order = question_order("room", 3);
        let texts: Vec<&str> = doc.questions.iter().map(|q| q.text.as_str()).collect();
        let want: Vec<&str> = order.iter().map(|&i| ["one", "two", "three"][i]).collect();
        assert_eq!(texts, want);
        assert!(doc.validate().is_ok(), "still a valid quiz");
    }
}
