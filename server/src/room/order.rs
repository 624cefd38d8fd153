//! An `order` question's items on the wire: their ids and each player's shuffle. Pure functions
//! of the room's secret (the hash of its host key, which no player sees), the question index
//! and the player, so that a restored room hands out the same ids and the same shuffles
//! without storing them.
//!
//! - Ids are `1..=n` in an order drawn from the secret: an id says nothing about an item's
//!   place, so sorting by id does not solve the question.
//! - Each player's shuffle is drawn from the secret and the player id; one that comes out in
//!   the right order is turned by one place, so nobody is shown the answer.

use quizrace_protocol::{OrderItem, PlayerId};

/// FNV-1a, 64 bits: stable across Rust releases (unlike `DefaultHasher`), so ids survive a
/// server upgrade in the middle of a game.
pub(super) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.iter().chain(&[0xff]) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// SplitMix64: a small, good-enough generator for shuffling at most six items.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `0..n` shuffled (Fisher–Yates) from `seed`.
pub(super) fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut out: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next(&mut state) % (i as u64 + 1)) as usize;
        out.swap(i, j);
    }
    out
}

/// The id of each item, by its place in the right order: `ids[i]` is item `i`'s id.
pub fn ids(secret: &str, index: u32, n: usize) -> Vec<u32> {
    let seed = fnv(&[secret.as_bytes(), b"ids", &index.to_le_bytes()]);
    shuffled(n, seed)
        .into_iter()
        .map(|p| p as u32 + 1)
        .collect()
}

/// The items as `who` sees them (`None`: the host and its screens): shuffled, never in the
/// right order when there are two items or more.
pub fn view(secret: &str, index: u32, items: &[String], who: Option<PlayerId>) -> Vec<OrderItem> {
    let player = who.map_or(0, |p| p.0).to_le_bytes();
    let seed = fnv(&[secret.as_bytes(), b"shown", &index.to_le_bytes(), &player]);
    let mut places = shuffled(items.len(), seed);
    if places.iter().enumerate().all(|(k, p)| k == *p) {
        places.rotate_left(1);
    }
    let ids = ids(secret, index, items.len());
    places
        .into_iter()
        .map(|p| OrderItem {
            id: ids[p],
            text: items[p].clone(),
        })
        .collect()
}

/// How many items of the answer `given` (item ids) are in their right place, or `None` when
/// `given` is not every id exactly once.
pub fn in_place(ids: &[u32], given: &[u32]) -> Option<usize> {
    if given.len() != ids.len() {
        return None;
    }
    let mut seen = vec![false; ids.len()];
    let mut right = 0;
    for (k, id) in given.iter().enumerate() {
        let place = ids.iter().position(|x| x == id)?;
        if std::mem::replace(&mut seen[place], true) {
            return None;
        }
        right += usize::from(place == k);
    }
    Some(right)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("item {i}")).collect()
    }

    #[test]
    fn ids_are_one_to_n_and_the_same_every_time() {
        let mut got = ids("secret", 3, 5);
        assert_eq!(got, ids("secret", 3, 5));
        got.sort_unstable();
        assert_eq!(got, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn no_player_is_shown_the_right_order_and_shuffles_differ_between_players() {
        let right: Vec<String> = items(3);
        let mut seen = std::collections::HashSet::new();
        for p in 1..=200 {
            let shown = view("secret", 0, &right, Some(PlayerId(p)));
            let texts: Vec<String> = shown.iter().map(|i| i.text.clone()).collect();
            assert_ne!(texts, right, "player {p} sees the right order");
            seen.insert(texts);
        }
        assert!(seen.len() > 1, "every player got the same shuffle");
        let host: Vec<String> = view("secret", 0, &right, None)
            .into_iter()
            .map(|i| i.text)
            .collect();
        assert_ne!(host, right);
    }

    #[test]
    fn an_answer_must_be_every_id_once_and_counts_the_items_in_place() {
        let ids = [3, 1, 2];
        assert_eq!(in_place(&ids, &[3, 1, 2]), Some(3));
        assert_eq!(in_place(&ids, &[3, 2, 1]), Some(1));
        assert_eq!(in_place(&ids, &[1, 2, 3]), Some(0));
        assert_eq!(in_place(&ids, &[3, 3, 2]), None);
        assert_eq!(in_place(&ids, &[3, 1]), None);
        assert_eq!(in_place(&ids, &[3, 1, 2, 4]), None);
        assert_eq!(in_place(&ids, &[3, 1, 9]), None);
    }
}
