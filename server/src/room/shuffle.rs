//! `shuffle_questions`: the order a room plays its quiz's questions in, drawn once from the
//! room's secret (the hash of its host key). The game stores its quiz copy in that order, so
//! the room, a restore and the game's report all read one order and no index is ever mapped.

use quizrace_protocol::QuizDoc;

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

#[cfg(test)]
mod tests {
    use super::*;

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
