//! Nickname rules: what a player may be called, and when two names are the same; and the one
//! test of "nothing invisible" that names and chat share ([`hidden_char`]).
//!
//! A name is NFKC-normalised first (fullwidth `Ａｄａ` becomes `Ada`, ligatures and styled
//! letters become plain ones), white space runs become one space and the ends are trimmed.
//! Then it must be 1..=20 grapheme clusters and at most 64 bytes, and every grapheme a letter,
//! a digit, a space, one of `_-.'` or an emoji, with at most two combining marks per letter
//! (no "Zalgo" stacks). An emoji is one character however many code points it takes (skin
//! tones, flags, keycaps, `ZWJ` sequences such as a family). Control, format (zero-width,
//! bidirectional overrides and isolates) and private-use characters are refused, never
//! silently dropped, so what a player typed is what the host sees. So are invisible letters
//! and marks (Hangul fillers, variation selectors, the grapheme joiner); a joiner, variation
//! selector or tag is allowed only where it is part of a well-formed emoji. Names that mix
//! Latin, Greek and Cyrillic letters (`Аda` with a Cyrillic `А` passing for `Ada`) are refused.
//! Two names are the same when their NFKC forms match after lower-casing (with `ß` as `ss`
//! and a final sigma as `σ`).

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
    if hidden_char(&name).is_some() || mixes_scripts(&name) {
        return None;
    }
    for g in name.graphemes(true) {
        if is_emoji(g) {
            continue;
        }
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

/// The first character of `text` that draws nothing or reorders what follows it: controls
/// (line breaks and tabs included), format characters (zero-width, joiners, bidirectional
/// marks, overrides and isolates, the byte-order mark, tags), private use, and the letters and
/// marks that draw nothing. The joiners, selectors and tags inside a well-formed emoji are
/// part of it and not counted. Names and chat both refuse a text for which this is `Some`.
pub fn hidden_char(text: &str) -> Option<char> {
    text.graphemes(true)
        .filter(|g| !is_emoji(g))
        .find_map(|g| g.chars().find(|&c| is_hidden(c)))
}

fn is_hidden(c: char) -> bool {
    c.is_control() || is_format(c) || is_private_use(c) || is_invisible(c)
}

/// Unicode's format characters (general category Cf), and the line and paragraph separators.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}'
        | '\u{890}'..='\u{891}' | '\u{8e2}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}'
    )
}

fn is_private_use(c: char) -> bool {
    matches!(c, '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{ffffd}' | '\u{100000}'..='\u{10fffd}')
}

/// Whether a grapheme is one well-formed emoji: a flag (two regional indicators), a keycap, a
/// subdivision flag (black flag, tags, cancel tag), or emoji joined by `ZWJ`, each with at
/// most one variation selector or skin tone after it.
fn is_emoji(g: &str) -> bool {
    let chars: Vec<char> = g.chars().collect();
    match chars.as_slice() {
        [a, b] if is_regional(*a) && is_regional(*b) => true,
        [k, '\u{20e3}'] | [k, '\u{fe0f}', '\u{20e3}'] => "0123456789#*".contains(*k),
        ['\u{1f3f4}', tags @ .., '\u{e007f}'] if !tags.is_empty() => {
            tags.iter().all(|t| ('\u{e0020}'..='\u{e007e}').contains(t))
        }
        _ => chars.split(|&c| c == '\u{200d}').all(|part| match part {
            [base, rest @ ..] if is_pictographic(*base) => match rest {
                [] => true,
                [after] => matches!(after, '\u{fe0e}' | '\u{fe0f}') || is_skin_tone(*after),
                _ => false,
            },
            _ => false,
        }),
    }
}

fn is_regional(c: char) -> bool {
    ('\u{1f1e6}'..='\u{1f1ff}').contains(&c)
}

fn is_skin_tone(c: char) -> bool {
    ('\u{1f3fb}'..='\u{1f3ff}').contains(&c)
}

/// Emoji bases: Unicode's Extended_Pictographic, widened to whole blocks where that is
/// simpler (every character in them is visible), less regional indicators and skin tones.
fn is_pictographic(c: char) -> bool {
    matches!(c,
        '\u{a9}' | '\u{ae}' | '\u{203c}' | '\u{2049}' | '\u{2122}' | '\u{2139}'
        | '\u{2194}'..='\u{2199}' | '\u{21a9}'..='\u{21aa}' | '\u{231a}'..='\u{231b}'
        | '\u{2328}' | '\u{23cf}' | '\u{23e9}'..='\u{23f3}' | '\u{23f8}'..='\u{23fa}'
        | '\u{24c2}' | '\u{25aa}'..='\u{25ab}' | '\u{25b6}' | '\u{25c0}'
        | '\u{25fb}'..='\u{25fe}' | '\u{2600}'..='\u{27bf}' | '\u{2934}'..='\u{2935}'
        | '\u{2b05}'..='\u{2b07}' | '\u{2b1b}'..='\u{2b1c}' | '\u{2b50}' | '\u{2b55}'
        | '\u{3030}' | '\u{303d}' | '\u{3297}' | '\u{3299}'
        | '\u{1f000}'..='\u{1f1e5}' | '\u{1f200}'..='\u{1f3fa}' | '\u{1f400}'..='\u{1faff}'
    )
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

/// Generated names tried for one join before the server gives up (`server_busy`).
const GENERATED_NAME_TRIES: u32 = 12;

/// The generated names to try, in order, for one join to a room with generated names: plain
/// ones first, then numbered ones, which collide far less in a big room. Whoever joins (a
/// local socket or the owner of a giant room for an edge) takes the first one the room accepts.
pub fn generated_candidates() -> impl Iterator<Item = String> {
    (0..GENERATED_NAME_TRIES).map(|attempt| generated(attempt >= GENERATED_NAME_TRIES / 2))
}

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
            "Ada\u{fe0f}",
            "\u{3164}",
            "A\u{034f}da",
            "\u{0410}da",
        ] {
            assert_eq!(clean(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn emoji_are_allowed_and_one_emoji_counts_as_one_character() {
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}";
        for name in [
            "Ada\u{1f600}",
            "\u{1f389}",
            family,
            "\u{1f1eb}\u{1f1f7} Ada",
            "\u{1f44d}\u{1f3fd}",
            "\u{2764}\u{fe0f}",
            "\u{1f3f3}\u{fe0f}\u{200d}\u{1f308}",
            "1\u{fe0f}\u{20e3}",
            "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}",
        ] {
            assert_eq!(clean(name).as_deref(), Some(name), "{name:?}");
        }
        let twenty = format!("{family}{}", "a".repeat(19));
        assert_eq!(clean(&twenty).as_deref(), Some(twenty.as_str()));
        assert_eq!(clean(&format!("{twenty}a")), None, "21 characters");
    }

    #[test]
    fn invisible_characters_cannot_ride_on_an_emoji() {
        for bad in [
            "\u{1f600}\u{200d}",
            "\u{200d}\u{1f600}",
            "A\u{200d}\u{1f600}",
            "\u{1f600}\u{200b}",
            "\u{1f600}\u{fe0f}\u{fe0f}",
            "\u{fe0f}\u{1f600}",
            "\u{1f600}\u{e0067}\u{e007f}",
            "\u{e0041}",
            "\u{1f600}\u{202e}",
        ] {
            assert_eq!(clean(bad), None, "{bad:?}");
            assert!(hidden_char(bad).is_some(), "chat refuses it too: {bad:?}");
        }
        // Visible, so chat may carry them, but not emoji a name may be made of.
        for odd in ["\u{1f3fd}", "\u{1f1eb}", "\u{1f600}\u{1f3fd}\u{1f3fd}"] {
            assert_eq!(clean(odd), None, "{odd:?}");
        }
        assert_eq!(
            hidden_char("hi \u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}!"),
            None
        );
        assert_eq!(hidden_char("a\u{202e}b"), Some('\u{202e}'));
        assert_eq!(hidden_char("line\nbreak"), Some('\n'));
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
