//! A `word_cloud` question's answers: what one may be (1 to 3 words, bounded), and how the
//! answers add up to the cloud its reveal shows. Pure functions; the room calls them.
//!
//! - An answer is one entry of the cloud, whatever its number of words: "ice cream" is not
//!   "ice" plus "cream".
//! - Two answers are the same entry when they are equal ignoring case, accents and spacing
//!   ([`scoring::loose`]); the entry is shown as most of its players spelled it (on a tie, as
//!   the first of them to answer did).
//! - An answer that contains a word of the operator's list ([`names::is_blocked`], also
//!   checked once accents are stripped) is kept out of the cloud and only counted.

use crate::names;
use crate::room::scoring::{self, Mismatch};
use quizrace_protocol::{
    WordCount, MAX_CLOUD_ANSWER_CHARS, MAX_CLOUD_ANSWER_WORDS, MAX_CLOUD_WORDS,
    MAX_CLOUD_WORD_CHARS,
};
use std::collections::HashMap;

/// The answer as it is stored and shown (trimmed, one space between words), or why it is
/// refused: empty, more than [`MAX_CLOUD_ANSWER_WORDS`] words, a word over
/// [`MAX_CLOUD_WORD_CHARS`] characters, over [`MAX_CLOUD_ANSWER_CHARS`] in all, or a control
/// character.
pub fn answer(raw: &str) -> Result<String, Mismatch> {
    let refuse = |message: String| {
        Err(Mismatch {
            field: "text",
            message,
        })
    };
    // Bounded before any work: a frame of spaces must not be split and joined.
    if raw.len() > MAX_CLOUD_ANSWER_CHARS * 8 {
        return refuse(format!(
            "a word cloud answer is at most {MAX_CLOUD_ANSWER_CHARS} characters"
        ));
    }
    if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return refuse("a word cloud answer cannot contain control characters".into());
    }
    let words: Vec<&str> = raw.split_whitespace().collect();
    if words.is_empty() || words.len() > MAX_CLOUD_ANSWER_WORDS {
        return refuse(format!(
            "a word cloud answer is 1 to {MAX_CLOUD_ANSWER_WORDS} words"
        ));
    }
    if words
        .iter()
        .any(|w| w.chars().count() > MAX_CLOUD_WORD_CHARS)
    {
        return refuse(format!(
            "each word is at most {MAX_CLOUD_WORD_CHARS} characters"
        ));
    }
    let text = words.join(" ");
    if text.chars().count() > MAX_CLOUD_ANSWER_CHARS {
        return refuse(format!(
            "a word cloud answer is at most {MAX_CLOUD_ANSWER_CHARS} characters"
        ));
    }
    Ok(text)
}

/// Whether `text` contains a blocked word, as written or with its accents stripped.
pub fn is_blocked(text: &str, blocked: &[String]) -> bool {
    names::is_blocked(text, blocked) || names::is_blocked(&scoring::loose(text), blocked)
}

/// The cloud of `answers`, given in the order they were answered: at most
/// [`MAX_CLOUD_WORDS`] entries, most given first (then alphabetically, for a stable picture),
/// and how many answers the word filter kept out.
pub fn cloud<'a>(
    answers: impl IntoIterator<Item = &'a str>,
    blocked: &[String],
) -> (Vec<WordCount>, u32) {
    struct Entry<'a> {
        count: u32,
        /// Each spelling, its count and when it was first given.
        spellings: Vec<(&'a str, u32)>,
    }
    let mut filtered = 0u32;
    let mut entries: HashMap<String, Entry<'a>> = HashMap::new();
    for text in answers {
        if is_blocked(text, blocked) {
            filtered += 1;
            continue;
        }
        let entry = entries.entry(scoring::loose(text)).or_insert(Entry {
            count: 0,
            spellings: Vec::new(),
        });
        entry.count += 1;
        match entry.spellings.iter_mut().find(|(s, _)| *s == text) {
            Some((_, n)) => *n += 1,
            None => entry.spellings.push((text, 1)),
        }
    }
    let mut words: Vec<(String, WordCount)> = entries
        .into_iter()
        .map(|(key, e)| {
            // `max_by_key` keeps the last of equals: walk backwards so the first given wins.
            let shown = e
                .spellings
                .iter()
                .rev()
                .max_by_key(|(_, n)| *n)
                .map_or(key.clone(), |(s, _)| (*s).to_owned());
            (
                key,
                WordCount {
                    text: shown,
                    count: e.count,
                },
            )
        })
        .collect();
    words.sort_by(|(ka, a), (kb, b)| b.count.cmp(&a.count).then_with(|| ka.cmp(kb)));
    words.truncate(MAX_CLOUD_WORDS);
    (words.into_iter().map(|(_, w)| w).collect(), filtered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(words: &[WordCount]) -> Vec<(&str, u32)> {
        words.iter().map(|w| (w.text.as_str(), w.count)).collect()
    }

    #[test]
    fn an_answer_is_one_to_three_words_of_at_most_twenty_characters_and_forty_in_all() {
        assert_eq!(answer("  ocean  ").expect("ok"), "ocean");
        assert_eq!(answer(" deep \t blue  sea ").expect("ok"), "deep blue sea");
        for bad in [
            "",
            "   ",
            "one two three four",
            "abcdefghijklmnopqrstu",
            "abcdefghijklmnopqrst abcdefghijklmnopqrst x",
            "bell\u{7}",
        ] {
            let e = answer(bad).expect_err(bad);
            assert_eq!(e.field, "text", "{bad:?}");
        }
        assert!(answer("abcdefghijklmnopqrst").is_ok(), "20 characters");
        assert!(answer(&" ".repeat(100_000)).is_err());
    }

    #[test]
    fn answers_are_counted_ignoring_case_accents_and_spacing_and_shown_as_most_spelled_them() {
        let (words, filtered) = cloud(["Café", "cafe", "CAFÉ", "Café", "tea", "Tea"], &[]);
        assert_eq!(shown(&words), [("Café", 4), ("tea", 2)]);
        assert_eq!(filtered, 0);
    }

    #[test]
    fn a_tie_between_spellings_goes_to_the_first_given_and_between_entries_to_the_alphabet() {
        let (words, _) = cloud(["Tea", "tea", "b", "a"], &[]);
        assert_eq!(shown(&words), [("Tea", 2), ("a", 1), ("b", 1)]);
    }

    #[test]
    fn blocked_words_are_kept_out_and_counted_even_with_accents_or_capitals() {
        let blocked = vec!["darn".to_owned()];
        let (words, filtered) = cloud(["DARN it", "dárn", "fine", "darned"], &blocked);
        assert_eq!(shown(&words), [("fine", 1)]);
        assert_eq!(filtered, 3);
    }

    #[test]
    fn the_cloud_holds_at_most_fifty_entries_the_most_given_first() {
        let many: Vec<String> = (0..80).map(|i| format!("w{i:02}")).collect();
        let mut answers: Vec<&str> = many.iter().map(String::as_str).collect();
        answers.extend(["w79", "w79"]);
        let (words, _) = cloud(answers, &[]);
        assert_eq!(words.len(), MAX_CLOUD_WORDS);
        assert_eq!((words[0].text.as_str(), words[0].count), ("w79", 3));
    }
}
