//! The ranking rule of the contract: standings are listed best first, and a place shares the
//! rank of the place above it when the two are tied (equal scores), so ranks read 1, 2, 2, 4.
//! The room (live ranks) and the store (a game's report) both rank through this one function.

/// The ranks of `sorted` (best first), where `tied(above, this)` says that `this` shares the
/// rank of the place just above it.
pub fn shared_ranks<T>(sorted: &[T], tied: impl Fn(&T, &T) -> bool) -> Vec<u32> {
    let mut ranks: Vec<u32> = Vec::with_capacity(sorted.len());
    for (i, this) in sorted.iter().enumerate() {
        let rank = match i.checked_sub(1) {
            Some(above) if tied(&sorted[above], this) => ranks[above],
            _ => i as u32 + 1,
        };
        ranks.push(rank);
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::shared_ranks;

    #[test]
    fn equal_scores_share_a_rank_and_the_next_place_skips_past_them() {
        let scores = [30, 20, 20, 10, 10, 10, 0];
        assert_eq!(shared_ranks(&scores, |a, b| a == b), [1, 2, 2, 4, 4, 4, 7]);
        assert_eq!(shared_ranks::<i32>(&[], |a, b| a == b), Vec::<u32>::new());
        assert_eq!(shared_ranks(&[5, 5, 5], |a, b| a == b), [1, 1, 1]);
    }
}
