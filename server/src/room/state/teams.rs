//! Teams: placing each new player in a team, the teams' points per question and the team
//! standings. A room without a team plan has no teams, and none of this shows on the wire.
//!
//! A team's points for a question are the average of the points of its members who were asked
//! it (in the game when it opened; a member who answered nothing counts 0), rounded to the
//! nearest whole point, halves up: a team of 3 is not beaten by a team of 6 for size alone. In
//! `race` mode a team gets the point its member won, whole. A team's score is the sum of its
//! points. Members who leave after the start stay members (they keep their seat), so a team
//! cannot raise its average by sending its weakest home.

use super::{Given, Player, PlayerStatus, Room};
use quizrace_protocol::{Mode, PlayerId, TeamPlan, TeamRef, TeamStanding, TEAMS_LISTED};
use std::collections::HashMap;

/// One team's running totals.
#[derive(Debug, Clone, Default)]
pub(super) struct Team {
    /// Players placed in the team, less those removed from the lobby.
    pub(super) members: u32,
    pub(super) score: i64,
}

/// The team's wire name; pages may translate it by id.
fn team_name(id: u32) -> String {
    format!("Team {id}")
}

/// The average of `points` over `members`, halves rounded up (points are never negative).
pub(super) fn average(points: i64, members: i64) -> i64 {
    if members == 0 {
        0
    } else {
        (2 * points + members) / (2 * members)
    }
}

/// The teams a room starts with: every team of a count, none yet of a size.
pub(super) fn initial(plan: Option<TeamPlan>) -> Vec<Team> {
    match plan {
        Some(TeamPlan::Count(n)) => vec![Team::default(); n as usize],
        Some(TeamPlan::Size(_)) | None => Vec::new(),
    }
}

impl Player {
    /// Whether the player counts as a member of a team: everyone but those gone from the lobby.
    fn is_member(&self) -> bool {
        self.status != PlayerStatus::Removed
    }
}

impl Room {
    /// The team a new player joins: the one with fewest members (ties: the lowest id). With a
    /// team size, only teams with room take part, and a new team opens when every one is full.
    pub(super) fn place_in_team(&mut self) -> Option<u32> {
        let plan = self.settings.teams?;
        let cap = match plan {
            TeamPlan::Count(_) => u32::MAX,
            TeamPlan::Size(n) => n,
        };
        let smallest = (self.teams.iter().enumerate())
            .filter(|(_, t)| t.members < cap)
            .min_by_key(|(i, t)| (t.members, *i))
            .map(|(i, _)| i);
        let i = smallest.unwrap_or_else(|| {
            self.teams.push(Team::default());
            self.teams.len() - 1
        });
        self.teams[i].members += 1;
        Some(i as u32 + 1)
    }

    /// A player removed from the lobby frees their place in the team.
    pub(super) fn leave_team(&mut self, team: Option<u32>) {
        if let Some(t) = team.and_then(|t| self.teams.get_mut(t as usize - 1)) {
            t.members -= 1;
        }
    }

    /// Adds question `index`'s points to every team (see the module's comment for the rule).
    pub(super) fn settle_teams(&mut self, index: u32, answers: &HashMap<PlayerId, Given>) {
        if self.teams.is_empty() {
            return;
        }
        let mut asked = vec![(0i64, 0i64); self.teams.len()];
        for p in self.players.iter().filter(|p| p.is_member()) {
            let Some(t) = p.team.filter(|_| p.first_index <= index) else {
                continue;
            };
            let entry = &mut asked[t as usize - 1];
            entry.0 += answers.get(&p.id).map_or(0, |g| g.points);
            entry.1 += 1;
        }
        let race = self.settings.mode == Mode::Race;
        for (team, (points, members)) in self.teams.iter_mut().zip(asked) {
            team.score += if race {
                points
            } else {
                average(points, members)
            };
        }
    }

    pub(super) fn team_ref(&self, team: Option<u32>) -> Option<TeamRef> {
        team.map(|id| TeamRef {
            id,
            name: team_name(id),
        })
    }

    /// The team standings, best first (ties: the lower id first, sharing the rank); `None`
    /// in a room without teams.
    pub(super) fn team_standings(&self) -> Option<Vec<TeamStanding>> {
        self.settings.teams?;
        let mut ranked: Vec<(u32, i64)> = (self.teams.iter().enumerate())
            .map(|(i, t)| (i as u32 + 1, t.score))
            .collect();
        ranked.sort_by_key(|&(id, score)| (std::cmp::Reverse(score), id));
        let ranks = quizrace_protocol::shared_ranks(&ranked, |above, t| above.1 == t.1);
        Some(
            ranked
                .into_iter()
                .zip(ranks)
                .take(TEAMS_LISTED)
                .map(|((id, score), rank)| TeamStanding {
                    id,
                    name: team_name(id),
                    score,
                    rank,
                })
                .collect(),
        )
    }

    /// Rebuilds the teams' members from the players (after a restore): scores follow from
    /// settling the stored answers. A team id beyond the plan's count is refused.
    pub(super) fn rebuild_teams(&mut self) -> Result<(), String> {
        self.teams = initial(self.settings.teams);
        for p in self.players.iter().filter(|p| p.is_member()) {
            let Some(t) = p.team else { continue };
            let Some(i) = (t as usize).checked_sub(1) else {
                return Err(format!("player {} is in team 0; ids start at 1", p.id));
            };
            match self.settings.teams {
                Some(TeamPlan::Size(_)) if i >= self.teams.len() => {
                    self.teams.resize(i + 1, Team::default())
                }
                None => return Err(format!("player {} has a team in a room without", p.id)),
                _ if i >= self.teams.len() => {
                    return Err(format!("player {} is in team {t}, beyond the count", p.id))
                }
                _ => {}
            }
            self.teams[i].members += 1;
        }
        Ok(())
    }

    /// Each team's id, members and score: what a restore must reproduce.
    pub(super) fn team_totals(&self) -> Vec<(u32, u32, i64)> {
        (self.teams.iter().enumerate())
            .map(|(i, t)| (i as u32 + 1, t.members, t.score))
            .collect()
    }
}
