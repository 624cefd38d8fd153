//! Nickname rules: what a player may be called, and when two names are the same.
//!
//! A name is NFKC-normalised first (fullwidth `Ａｄａ` becomes `Ada`, ligatures and styled
//! letters become plain ones), white space runs become one space and the ends are trimmed.
//! Then it must be 1..=20 grapheme clusters and at most 64 bytes, and every character a letter,
//! a digit, a space or one of `_-.'`, with at most one combining mark per letter (no "Zalgo"
//! stacks). Control, format (zero-width, bidirectional overrides) and private-use characters are
//! refused, never silently dropped, so what a player typed is what the host sees. So are
//! invisible letters and marks (Hangul fillers, variation selectors, the grapheme joiner) and
//! names that mix Latin, Greek and Cyrillic letters (`Аda` with a Cyrillic `А` passing for
//! `Ada`). Two names are the same when their NFKC forms match after lower-casing (with `ß` as
//! `ss` and a final sigma as `σ`).

use quizrace_protocol::MAX_NAME_CHARS;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// Longest name in bytes (UTF-8), after normalisation.
pub const MAX_NAME_BYTES: usize = 64;
/// Combining marks allowed on one letter (é is one, Vietnamese ệ is two).
const MAX_MARKS: usize = 2;

/// The name as it will be shown, or `None` when it is refused.
pub fn clean(raw: &str) -> Option<String> {
    let nfkc: String = raw.nfkc().collect();
    // NFKC has already made no-break, ideographic and other wide spaces plain spaces; runs
    // of them become one. Tabs, newlines and everything else invisible are refused below.
    let name = nfkc
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let graphemes = name.graphemes(true).count();
    if !(1..=MAX_NAME_CHARS).contains(&graphemes) || name.len() > MAX_NAME_BYTES {
        return None;
    }
    if name.chars().any(is_invisible) || mixes_scripts(&name) {
        return None;
    }
    for g in name.graphemes(true) {
        let mut chars = g.chars();
        let base = chars.next()?;
        if !(base.is_alphanumeric() || base == ' ' || "_-.'".contains(base)) {
            return None;
        }
        let marks: Vec<char> = chars.collect();
        if marks.len() > MAX_MARKS || !marks.iter().all(|&c| is_combining_mark(c)) {
            return None;
        }
        if !marks.is_empty() && !base.is_alphabetic() {
            return None;
        }
    }
    Some(name)
}

const ADJECTIVES: [&str; 24] = [
    "Brave", "Calm", "Clever", "Cosmic", "Daring", "Eager", "Fancy", "Gentle", "Happy", "Jolly",
    "Kind", "Lucky", "Mighty", "Nimble", "Plucky", "Quick", "Quiet", "Sunny", "Swift", "Witty",
    "Zesty", "Bold", "Bright", "Merry",
];
const ANIMALS: [&str; 24] = [
    "Otter", "Panda", "Falcon", "Badger", "Koala", "Lynx", "Heron", "Gecko", "Walrus", "Yak",
    "Puffin", "Beaver", "Bison", "Dingo", "Ferret", "Ibis", "Lemur", "Moose", "Newt", "Okapi",
    "Quokka", "Robin", "Tapir", "Wombat",
];

/// A friendly random name for a room with generated names, such as `Brave Otter` (with a
/// number, `Brave Otter 42`, when `numbered`). Always a valid name under [`clean`].
pub fn generated(numbered: bool) -> String {
    let r = u32::from_str_radix(&crate::secret::random_hex(4), 16).unwrap_or(0);
    let (a, b, n) = (r as usize % 24, (r as usize / 24) % 24, r / 576 % 100);
    if numbered {
        format!("{} {} {n}", ADJECTIVES[a], ANIMALS[b])
    } else {
        format!("{} {}", ADJECTIVES[a], ANIMALS[b])
    }
}

/// The operator's word filter: whether `name` (already cleaned) contains a blocked word once
/// case, spaces and `_-.'` are ignored (`B.a d` contains `bad`). Substrings count, so list
/// words, not fragments that sit inside innocent names.
pub fn is_blocked(name: &str, blocked: &[String]) -> bool {
    if blocked.is_empty() {
        return false;
    }
    let squashed: String = key(name)
        .chars()
        .filter(|c| !(*c == ' ' || "_-.'".contains(*c)))
        .collect();
    blocked
        .iter()
        .map(|w| key(w.trim()))
        .any(|w| !w.is_empty() && squashed.contains(&w))
}

/// Letters and marks that draw nothing, though Unicode calls them letters or marks.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{034f}' // combining grapheme joiner
        | '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' // Hangul fillers
        | '\u{17b4}' | '\u{17b5}' // Khmer inherent vowels
        | '\u{180b}'..='\u{180f}' // Mongolian variation selectors
        | '\u{fe00}'..='\u{fe0f}' | '\u{e0100}'..='\u{e01ef}' // variation selectors
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
}

fn script(c: char) -> Option<Script> {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}' => {
            Some(Script::Latin)
        }
        '\u{370}'..='\u{3ff}' | '\u{1f00}'..='\u{1fff}' => Some(Script::Greek),
        '\u{400}'..='\u{52f}' => Some(Script::Cyrillic),
        _ => None,
    }
}

/// Latin, Greek and Cyrillic share look-alike letters: one name may use only one of them.
fn mixes_scripts(name: &str) -> bool {
    let mut seen = None;
    for s in name.chars().filter_map(script) {
        match seen {
            None => seen = Some(s),
            Some(first) if first != s => return true,
            Some(_) => {}
        }
    }
    false
}

/// The key two names collide on.
pub fn key(name: &str) -> String {
    let lower: String = name.nfkc().flat_map(char::to_lowercase).collect();
    lower.replace('ß', "ss").replace('ς', "σ").nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullwidth_and_spacing_are_normalised() {
        assert_eq!(
            clean("  Ａｄａ   Lovelace ").as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(clean("ﬁona").as_deref(), Some("fiona"));
        assert_eq!(clean("José").as_deref(), Some("José"));
        assert_eq!(clean("Zoë_o'Neil-2.0").as_deref(), Some("Zoë_o'Neil-2.0"));
    }

    #[test]
    fn invisible_and_control_characters_are_refused() {
        for bad in [
            "Ad\u{200b}a",
            "\u{202e}adA",
            "Ada\u{2066}",
            "A\u{0007}da",
            "Ada\u{feff}",
            "A\u{200d}da",
            "\u{e000}Ada",
            "",
            "   ",
            "<b>Ada</b>",
            "Ada😀",
            "Ada\u{fe0f}",
            "\u{3164}",
            "A\u{034f}da",
            "\u{0410}da",
        ] {
            assert_eq!(clean(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zalgo_stacks_and_long_names_are_refused() {
        assert_eq!(clean("Z\u{0300}\u{0301}\u{0302}\u{0303}algo"), None);
        assert_eq!(clean(&"a".repeat(21)), None);
        assert!(clean(&"a".repeat(20)).is_some());
        // 20 graphemes but over 64 bytes (q with two marks has no precomposed form).
        assert_eq!(clean(&"q\u{0303}\u{0302}".repeat(20)), None);
        assert!(clean(&"q\u{0303}\u{0302}".repeat(12)).is_some());
    }

    #[test]
    fn the_word_filter_sees_through_case_spacing_and_fullwidth() {
        let words = vec!["Badword".to_owned()];
        for name in [
            "badword",
            "Bad Word",
            "b.a_d-w'ord",
            "ＢＡＤＷＯＲＤ",
            "xbadwordx",
        ] {
            let clean = clean(name).expect("a valid name");
            assert!(is_blocked(&clean, &words), "{name}");
        }
        assert!(!is_blocked("Ada", &words));
        assert!(!is_blocked("badword", &[]));
    }

    #[test]
    fn generated_names_are_valid_names() {
        for a in ADJECTIVES {
            for b in ANIMALS {
                let name = format!("{a} {b} 99");
                assert_eq!(clean(&name).as_deref(), Some(name.as_str()));
            }
        }
        for numbered in [false, true] {
            let name = generated(numbered);
            assert_eq!(clean(&name).as_deref(), Some(name.as_str()));
        }
    }

    #[test]
    fn names_collide_after_normalisation_and_case_folding() {
        let a = clean("Ａｄａ").expect("ok");
        assert_eq!(key(&a), key("ada"));
        assert_eq!(key("ÉMILE"), key("émile"));
        assert_eq!(key("e\u{0301}mile"), key("émile"));
        assert_eq!(key("Straße"), key("STRASSE"));
        assert_ne!(key("Ada"), key("Adam"));
    }
}
