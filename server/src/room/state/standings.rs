//! Standings: the ranked order of active players, ranks shared by equal scores ("1, 2, 2, 4"),
//! each player's personal `result` and end-of-game `summary`, and the podium.

use super::{Effect, Effects, Player, Room, Target};
use quizrace_protocol::{Ahead, PlayerId, ServerMsg, Standing, TeamStanding};

/// Competition ranks ("1, 2, 2, 4") of players in ranked order: equal scores share a rank.
fn ranks(ranked: &[&Player]) -> Vec<u32> {
    quizrace_protocol::shared_ranks(ranked, |above, p| above.score == p.score)
}

/// Whether `ranked[i]` shares its rank with another player. Ranks are in order, so a tie sits
/// next door.
fn is_shared(ranks: &[u32], i: usize) -> bool {
    [i.checked_sub(1), Some(i + 1)]
        .into_iter()
        .flatten()
        .any(|j| ranks.get(j) == Some(&ranks[i]))
}

/// The personal `summary` of a player at `rank`: their whole game, from what each question
/// that closed while they played earned them.
fn summary_for(p: &Player, rank: u32, shared: bool) -> ServerMsg {
    ServerMsg::Summary {
        rank,
        shared,
        score: p.score,
        correct: p.history.iter().filter(|q| q.correct == Some(true)).count() as u32,
        asked: p.history.len() as u32,
        best_streak: p.best_streak,
        questions: p.history.clone(),
    }
}

/// The personal `result` of `ranked[i]`, naming the last player with a higher score: the one
/// just above the group sharing the rank (nobody, when that rank is the first).
fn result_msg(ranked: &[&Player], ranks: &[u32], i: usize) -> ServerMsg {
    let rank = ranks[i];
    let ahead = (rank as usize).checked_sub(2).map(|j| ranked[j]);
    result_for(ranked[i], rank, ahead, is_shared(ranks, i))
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
        team: None,
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
        .with_team(
            self.players[id.0 as usize - 1].team,
            &self.all_team_standings(),
        )
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

    /// To every active player, in ranked order, what `make(ranked, ranks, i)` says to
    /// `ranked[i]`.
    fn to_each_ranked(
        &self,
        fx: &mut Effects,
        make: impl Fn(&[&Player], &[u32], usize) -> ServerMsg,
    ) {
        let ranked = self.ranking();
        let ranks = ranks(&ranked);
        for (i, p) in ranked.iter().enumerate() {
            fx.push(Effect::Send(Target::Player(p.id), make(&ranked, &ranks, i)));
        }
    }

    pub(super) fn send_results(&self, fx: &mut Effects) {
        let teams = self.all_team_standings();
        self.to_each_ranked(fx, |ranked, ranks, i| {
            result_msg(ranked, ranks, i).with_team(ranked[i].team, &teams)
        });
    }

    /// A player's `summary` of the game, with their final rank.
    pub(super) fn summary_of(&self, id: PlayerId) -> ServerMsg {
        let ranked = self.ranking();
        let ranks = ranks(&ranked);
        match ranked.iter().position(|p| p.id == id) {
            Some(i) => summary_for(ranked[i], ranks[i], is_shared(&ranks, i)),
            // Not ranked: only an active player gets a summary, so this is a safe default.
            None => summary_for(&self.players[id.0 as usize - 1], 0, false),
        }
    }

    /// Every active player's `summary`, after the final `result`s.
    pub(super) fn send_summaries(&self, fx: &mut Effects) {
        self.to_each_ranked(fx, |ranked, ranks, i| {
            summary_for(ranked[i], ranks[i], is_shared(ranks, i))
        });
    }

    pub(super) fn game_over(&self) -> ServerMsg {
        ServerMsg::GameOver {
            game_id: self.settings.game_id,
            podium: self.standings(3),
            teams: self.team_standings(),
        }
    }
}

trait WithTeam {
    /// A `result` naming `team`'s standing among `teams` (none without).
    fn with_team(self, team: Option<u32>, teams: &[TeamStanding]) -> Self;
}

impl WithTeam for ServerMsg {
    fn with_team(mut self, id: Option<u32>, teams: &[TeamStanding]) -> Self {
        if let ServerMsg::Result { team, .. } = &mut self {
            *team = id.and_then(|id| teams.iter().find(|t| t.id == id).cloned());
        }
        self
    }
}
