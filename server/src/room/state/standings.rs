//! Standings: the ranked order of active players, ranks shared by equal scores ("1, 2, 2, 4"),
//! each player's personal `result`, and the podium.

use super::{Effect, Effects, Player, Room, Target};
use quizrace_protocol::{Ahead, PlayerId, ServerMsg, Standing};

/// Competition ranks ("1, 2, 2, 4") of players in ranked order: equal scores share a rank.
fn ranks(ranked: &[&Player]) -> Vec<u32> {
    quizrace_protocol::shared_ranks(ranked, |above, p| above.score == p.score)
}

/// The personal `result` of `ranked[i]`, naming the last player with a higher score: the one
/// just above the group sharing the rank (nobody, when that rank is the first).
fn result_msg(ranked: &[&Player], ranks: &[u32], i: usize) -> ServerMsg {
    let rank = ranks[i];
    let ahead = (rank as usize).checked_sub(2).map(|j| ranked[j]);
    // Ranks are in order, so a tie sits next door.
    let shared = [i.checked_sub(1), Some(i + 1)]
        .into_iter()
        .flatten()
        .any(|j| ranks.get(j) == Some(&rank));
    result_for(ranked[i], rank, ahead, shared)
}

fn result_for(p: &Player, rank: u32, ahead: Option<&Player>, shared: bool) -> ServerMsg {
    ServerMsg::Result {
        index: p.last.index,
        answered: p.last.answered,
        correct: p.last.correct,
        points: p.last.points,
        score: p.score,
        rank,
        streak: p.streak,
        ahead: ahead.map(|a| Ahead {
            name: a.name.clone(),
            score: a.score,
        }),
        shared,
        picks: p.last.picks,
    }
}

impl Room {
    /// A player's personal result for the last closed question, with the current rank.
    pub(super) fn result_of(&self, id: PlayerId) -> ServerMsg {
        let ranked = self.ranking();
        match ranked.iter().position(|p| p.id == id) {
            Some(i) => result_msg(&ranked, &ranks(&ranked), i),
            // Not ranked: only an active player gets a result, so this is a safe default.
            None => result_for(&self.players[id.0 as usize - 1], 0, None, false),
        }
    }

    /// Orders by score, then total time of correct answers, then join order. The order only:
    /// equal scores share a rank ([`ranks`]).
    pub(super) fn ranking(&self) -> Vec<&Player> {
        let mut ranked: Vec<&Player> = self.players.iter().filter(|p| p.is_active()).collect();
        ranked.sort_by_key(|p| (std::cmp::Reverse(p.score), p.correct_ms, p.id));
        ranked
    }

    /// The first `n` in ranked order, with shared ranks: a podium (`n` = 3) has at most three
    /// entries even when more players share a place on it.
    pub(super) fn standings(&self, n: usize) -> Vec<Standing> {
        let ranked = self.ranking();
        let ranks = ranks(&ranked);
        ranked
            .into_iter()
            .zip(ranks)
            .take(n)
            .map(|(p, rank)| Standing {
                player_id: p.id,
                name: p.name.clone(),
                score: p.score,
                rank,
            })
            .collect()
    }

    pub(super) fn send_results(&self, fx: &mut Effects) {
        let ranked = self.ranking();
        let ranks = ranks(&ranked);
        for (i, p) in ranked.iter().enumerate() {
            fx.push(Effect::Send(
                Target::Player(p.id),
                result_msg(&ranked, &ranks, i),
            ));
        }
    }

    pub(super) fn game_over(&self) -> ServerMsg {
        ServerMsg::GameOver {
            game_id: self.settings.game_id,
            podium: self.standings(3),
        }
    }
}
