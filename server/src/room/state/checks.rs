//! Checks for tests: the room's invariants, and the scores.

use super::{Phase, PlayerStatus, Room, MAX_HOST_KEYS, MAX_SCREENS};
use quizrace_protocol::{Mode, PlayerId};

impl Room {
    /// Panics if an invariant does not hold. Called by tests after every transition.
    pub fn check_invariants(&self) {
        assert!(self.screens.len() <= MAX_SCREENS, "too many screens");
        assert!(
            (1..=MAX_HOST_KEYS).contains(&self.host_keys.len()),
            "the room accepts 1 to {MAX_HOST_KEYS} host keys"
        );
        for s in &self.screens {
            assert!(
                self.host != Some(*s) && self.players.iter().all(|p| p.conn != Some(*s)),
                "screen {s} is also the host or a player"
            );
        }
        match self.phase {
            Phase::Slide { index, .. } => assert!(
                self.quiz.questions[index as usize].is_slide(),
                "a question shown as a slide"
            ),
            Phase::Question { index, .. } => assert!(
                !self.quiz.questions[index as usize].is_slide(),
                "a slide open for answers"
            ),
            _ => {}
        }
        if let Phase::Question { answers, .. } = &self.phase {
            for id in answers.keys() {
                assert!(
                    self.player(*id)
                        .is_some_and(|p| p.status != PlayerStatus::Removed),
                    "live answer from {id}, who never played"
                );
            }
            if self.settings.mode == Mode::Race {
                let winners = answers.values().filter(|g| g.points > 0).count();
                assert!(winners <= 1, "more than one race winner");
            }
        }
        let active = self.players.iter().filter(|p| p.is_active()).count() as u32;
        let connected = self
            .players
            .iter()
            .filter(|p| p.is_active() && p.conn.is_some())
            .count() as u32;
        let removed = self
            .players
            .iter()
            .filter(|p| p.status == PlayerStatus::Removed)
            .count() as u32;
        assert_eq!(
            (self.active, self.connected, self.removed),
            (active, connected, removed),
            "kept counts drifted"
        );
        assert!(
            self.players.len() as u32 - removed <= self.settings.max_players,
            "more seats taken than the room has"
        );
        for (i, p) in self.players.iter().enumerate() {
            assert_eq!(p.id.0 as usize, i + 1, "player ids follow join order");
            assert!(p.score >= 0);
            if p.is_active() {
                assert!(self.names.contains(&crate::names::key(&p.name)));
            }
            // Where players choose, a player in the lobby may have none yet; the start
            // places them.
            let undecided = self.players_choose() && matches!(self.phase, Phase::Lobby);
            match (self.settings.teams, p.team) {
                (None, Some(_)) => panic!("player {} has a team in a room without", p.id),
                (Some(_), None) => assert!(
                    undecided || p.status == PlayerStatus::Removed,
                    "every player of a team game has a team once it starts"
                ),
                _ => {}
            }
        }
        for (i, t) in self.teams.iter().enumerate() {
            let members = (self.players.iter())
                .filter(|p| p.team == Some(i as u32 + 1) && p.status != PlayerStatus::Removed)
                .count() as u32;
            assert_eq!(t.members, members, "team {} counts its members", i + 1);
            assert!(t.score >= 0);
        }
    }

    /// (player, score) of every active player, for tests.
    pub fn scores(&self) -> Vec<(PlayerId, i64)> {
        self.players
            .iter()
            .filter(|p| p.is_active())
            .map(|p| (p.id, p.score))
            .collect()
    }
}
