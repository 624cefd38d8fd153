//! A stored team game's team standings, replayed from its players and answers by the room's
//! rule (see `room::state::teams`): a team's points for a question are the average of the
//! points of its members asked it (in the game when it opened; a member who answered nothing
//! counts 0), halves up; in `race`, the winner's point whole. Pure: no store, no I/O.

use crate::room::state::team_average;
use crate::store::{ReportAnswer, ReportPlayer};
use quizrace_protocol::{Mode, TeamStanding};
use std::collections::{BTreeMap, HashMap};

/// The team standings of a game whose players (removed ones left out) carry their teams, over
/// its first `opened` questions, best first (ties: the lower id first, sharing the rank);
/// `None` when no player has a team.
pub fn standings(
    mode: Mode,
    players: &[ReportPlayer],
    answers: &[ReportAnswer],
    opened: u32,
) -> Option<Vec<TeamStanding>> {
    let mut members: BTreeMap<u32, Vec<&ReportPlayer>> = BTreeMap::new();
    for p in players {
        if let Some(team) = p.team {
            members.entry(team).or_default().push(p);
        }
    }
    if members.is_empty() {
        return None;
    }
    let points: HashMap<(u32, u32), i64> = answers
        .iter()
        .map(|a| ((a.index, a.player_id.0), a.points))
        .collect();
    let mut ranked: Vec<(u32, i64)> = members
        .iter()
        .map(|(&team, members)| {
            let score = (0..opened)
                .map(|q| {
                    let asked: Vec<i64> = (members.iter())
                        .filter(|p| p.first_asked <= q)
                        .map(|p| points.get(&(q, p.player_id.0)).copied().unwrap_or(0))
                        .collect();
                    let sum: i64 = asked.iter().sum();
                    match mode {
                        Mode::Race => sum,
                        Mode::Classic => team_average(sum, asked.len() as i64),
                    }
                })
                .sum();
            (team, score)
        })
        .collect();
    ranked.sort_by_key(|&(id, score)| (std::cmp::Reverse(score), id));
    let ranks = quizrace_protocol::shared_ranks(&ranked, |above, t| above.1 == t.1);
    Some(
        ranked
            .into_iter()
            .zip(ranks)
            .map(|((id, score), rank)| TeamStanding {
                id,
                name: format!("Team {id}"),
                score,
                rank,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::standings;
    use crate::report::testing::{choice, report, Given};
    use quizrace_protocol::Mode;
    use serde_json::json;

    fn scored(index: u32, player: u32, points: i64) -> Given {
        (
            index,
            player,
            1000,
            Some(points > 0),
            points,
            json!({"choice": 0}),
        )
    }

    /// (id, score, rank) of the standings of a report whose players are in `teams`.
    fn brief(
        mode: Mode,
        seats: &[(&str, u32, u32)],
        teams: &[u32],
        given: Vec<Given>,
    ) -> Vec<(u32, i64, u32)> {
        let mut r = report(vec![choice("a"), choice("b")], seats, given);
        for (p, t) in r.players.iter_mut().zip(teams) {
            p.team = Some(*t);
        }
        standings(mode, &r.players, &r.answers, 2)
            .expect("standings")
            .iter()
            .map(|t| (t.id, t.score, t.rank))
            .collect()
    }

    #[test]
    fn a_team_scores_the_average_of_its_members_with_silence_as_zero_halves_up() {
        let seats = [("A", 0, 2), ("B", 0, 2), ("C", 0, 2)];
        // Team 1 (A, B): (901 + 0) / 2 = 450.5 -> 451, then 0. Team 2 (C): 800 + 800.
        let given = vec![scored(0, 1, 901), scored(0, 3, 800), scored(1, 3, 800)];
        assert_eq!(
            brief(Mode::Classic, &seats, &[1, 1, 2], given),
            [(2, 1600, 1), (1, 451, 2)]
        );
    }

    #[test]
    fn a_late_joiner_counts_only_from_their_first_question_and_race_counts_the_winner_whole() {
        // B joined at question 1: team 1 is A alone on question 0.
        let seats = [("A", 0, 2), ("B", 1, 1), ("C", 0, 2)];
        let given = vec![scored(0, 1, 1000), scored(1, 2, 1000)];
        assert_eq!(
            brief(Mode::Classic, &seats, &[1, 1, 2], given.clone()),
            [(1, 1500, 1), (2, 0, 2)]
        );
        assert_eq!(
            brief(Mode::Race, &seats, &[1, 1, 2], given),
            [(1, 2000, 1), (2, 0, 2)]
        );
    }

    #[test]
    fn a_game_without_teams_has_no_team_standings() {
        let r = report(vec![choice("a")], &[("A", 0, 1)], vec![scored(0, 1, 1000)]);
        assert_eq!(standings(Mode::Classic, &r.players, &r.answers, 1), None);
    }
}
