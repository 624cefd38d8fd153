//! Teams: placing each new player in a team (or letting players choose theirs in the lobby,
//! and the host move them), the teams' points per question and the team standings. A room
//! without a team plan has no teams, and none of this shows on the wire.
//!
//! A team's points for a question are the average of the points of its members who were asked
//! it (in the game when it opened; a member who answered nothing counts 0), rounded to the
//! nearest whole point, halves up: a team of 3 is not beaten by a team of 6 for size alone. In
//! `race` mode a team gets the point its member won, whole. A team's score is the sum of its
//! points. Members who leave after the start stay members (they keep their seat), so a team
//! cannot raise its average by sending its weakest home.

use super::{Effect, Effects, Given, Phase, Player, PlayerStatus, Room, Target, Write};
use quizrace_protocol::{
    ErrorCode, Mode, PlayerId, ServerMsg, TeamChoice, TeamInfo, TeamPlan, TeamRef, TeamStanding,
    TEAMS_LISTED,
};
use std::collections::HashMap;

/// Why a `choose_team` or `move_player` was refused; nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    #[error("this room has no teams")]
    NoTeams,
    #[error("teams are chosen in the lobby only")]
    NotInLobby,
    #[error("no team {team} here: teams are 1 to {last}")]
    NoSuchTeam { team: u32, last: u32 },
    #[error("that team is full")]
    Full,
    #[error("in this room the host puts players in teams")]
    HostPlaces,
    #[error("no such player")]
    NoSuchPlayer,
}

impl TeamError {
    pub(super) fn to_msg(self) -> ServerMsg {
        match self {
            TeamError::NoTeams | TeamError::NoSuchTeam { .. } => {
                ServerMsg::bad_field("team", self.to_string())
            }
            TeamError::NotInLobby => ServerMsg::error_code(ErrorCode::BadPhase),
            TeamError::Full => ServerMsg::error_code(ErrorCode::TeamFull),
            TeamError::HostPlaces => ServerMsg::error(ErrorCode::NotHost, self.to_string()),
            TeamError::NoSuchPlayer => ServerMsg::error_code(ErrorCode::NoSuchPlayer),
        }
    }
}

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
/// The teacher's report replays team scores with it, too.
pub fn average(points: i64, members: i64) -> i64 {
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

    /// A player removed from the lobby (or moved) frees their place in the team. With a team
    /// size, empty teams at the end close again, as a restore (which opens teams up to the
    /// highest id in use) would have it.
    pub(super) fn leave_team(&mut self, team: Option<u32>) {
        if let Some(t) = team.and_then(|t| self.teams.get_mut(t as usize - 1)) {
            t.members -= 1;
        }
        if matches!(self.settings.teams, Some(TeamPlan::Size(_))) {
            while self.teams.last().is_some_and(|t| t.members == 0) {
                self.teams.pop();
            }
        }
    }

    /// Whether the players of this room choose their teams in the lobby.
    pub(super) fn players_choose(&self) -> bool {
        self.settings.teams.is_some() && self.settings.team_choice == TeamChoice::Players
    }

    /// Every team with its members and score, in id order; `None` in a room without teams.
    pub(super) fn team_infos(&self) -> Option<Vec<TeamInfo>> {
        self.settings.teams?;
        Some(
            (self.teams.iter().enumerate())
                .map(|(i, t)| TeamInfo {
                    id: i as u32 + 1,
                    name: team_name(i as u32 + 1),
                    members: t.members,
                    score: t.score,
                })
                .collect(),
        )
    }

    /// A player's `choose_team`: only where players choose, only in the lobby.
    pub(super) fn choose_team(
        &mut self,
        id: PlayerId,
        team: u32,
        fx: &mut Effects,
    ) -> Result<(), TeamError> {
        if self.settings.teams.is_some() && !self.players_choose() {
            return Err(TeamError::HostPlaces);
        }
        self.put_in_team(id, team, fx)
    }

    /// The host's `move_player`: any active player of a team game, in the lobby.
    pub(super) fn move_player(
        &mut self,
        id: PlayerId,
        team: u32,
        fx: &mut Effects,
    ) -> Result<(), TeamError> {
        if !self.player(id).is_some_and(Player::is_active) {
            return Err(TeamError::NoSuchPlayer);
        }
        self.put_in_team(id, team, fx)
    }

    /// Puts active player `id` in team `team` and tells everyone. With a team size the team
    /// after the last one may be chosen: it opens. Refused (nothing changed) outside the lobby,
    /// in a room without teams, for a team that does not exist, and for a full team. Choosing
    /// the team one is in changes nothing and sends nothing.
    fn put_in_team(&mut self, id: PlayerId, team: u32, fx: &mut Effects) -> Result<(), TeamError> {
        let Some(plan) = self.settings.teams else {
            return Err(TeamError::NoTeams);
        };
        if !matches!(self.phase, Phase::Lobby) {
            return Err(TeamError::NotInLobby);
        }
        let (last, cap) = match plan {
            TeamPlan::Count(n) => (n, u32::MAX),
            TeamPlan::Size(n) => (self.teams.len() as u32 + 1, n),
        };
        if !(1..=last).contains(&team) {
            return Err(TeamError::NoSuchTeam { team, last });
        }
        let i = id.0 as usize - 1;
        let old = self.players[i].team;
        if old == Some(team) {
            return Ok(());
        }
        let members = self.teams.get(team as usize - 1).map_or(0, |t| t.members);
        if members >= cap {
            return Err(TeamError::Full);
        }
        if team as usize > self.teams.len() {
            self.teams.push(Team::default());
        }
        self.teams[team as usize - 1].members += 1;
        self.players[i].team = Some(team);
        // Leaving after joining: a team emptied at the end closes, never the one just joined.
        self.leave_team(old);
        self.store_team(id, team, fx);
        fx.push(Effect::Send(Target::Everyone, self.team_changed(id, team)));
        Ok(())
    }

    /// The start of a game whose players choose: those who chose no team are placed as they
    /// would have been on joining, in join order, each told their team.
    pub(super) fn place_the_undecided(&mut self, fx: &mut Effects) {
        if !self.players_choose() {
            return;
        }
        let undecided: Vec<PlayerId> = (self.players.iter())
            .filter(|p| p.is_active() && p.team.is_none())
            .map(|p| p.id)
            .collect();
        for id in undecided {
            let team = self.place_in_team();
            self.players[id.0 as usize - 1].team = team;
            if let Some(team) = team {
                // Told to the player and the host only: the game is starting, and a frame
                // to everyone per undecided player would grow with the square of the room.
                self.store_team(id, team, fx);
                let changed = self.team_changed(id, team);
                fx.push(Effect::Send(Target::Player(id), changed.clone()));
                fx.push(Effect::Send(Target::Watchers, changed));
            }
        }
    }

    fn store_team(&self, id: PlayerId, team: u32, fx: &mut Effects) {
        fx.push(Effect::Persist(Write::PlayerTeam {
            game: self.settings.game_id,
            player: id,
            team,
        }));
    }

    fn team_changed(&self, id: PlayerId, team: u32) -> ServerMsg {
        ServerMsg::TeamChanged {
            player_id: id,
            team,
            teams: self.team_infos().unwrap_or_default(),
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

    /// The team standings as `leaderboard` and `game_over` list them: the first
    /// [`TEAMS_LISTED`] of [`Room::all_team_standings`]; `None` in a room without teams.
    pub(super) fn team_standings(&self) -> Option<Vec<TeamStanding>> {
        self.settings.teams?;
        let mut all = self.all_team_standings();
        all.truncate(TEAMS_LISTED);
        Some(all)
    }

    /// Every team's standing, best first (ties: the lower id first, sharing the rank); empty
    /// in a room without teams.
    pub(super) fn all_team_standings(&self) -> Vec<TeamStanding> {
        let mut ranked: Vec<(u32, i64)> = (self.teams.iter().enumerate())
            .map(|(i, t)| (i as u32 + 1, t.score))
            .collect();
        ranked.sort_by_key(|&(id, score)| (std::cmp::Reverse(score), id));
        let ranks = quizrace_protocol::shared_ranks(&ranked, |above, t| above.1 == t.1);
        ranked
            .into_iter()
            .zip(ranks)
            .map(|((id, score), rank)| TeamStanding {
                id,
                name: team_name(id),
                score,
                rank,
            })
            .collect()
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
