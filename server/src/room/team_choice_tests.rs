//! Team games whose players choose their team in the lobby (`choose_team`), the host's
//! `move_player`, the start placing the undecided, and what a host that takes control is told
//! of the teams (`room_state`).

use super::drive::quiz;
use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Settings, Target, Write};
use super::teams_tests::{join, room_of, team_settings, welcomed_teams};
use super::tests::{answer, errors, host, sent, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, LeaderboardAt, Mode, PlayerId, ServerMsg, TeamChoice,
    TeamInfo, TeamPlan,
};
use std::time::Instant;

fn choosing(plan: TeamPlan) -> Settings {
    Settings {
        team_choice: TeamChoice::Players,
        ..team_settings(Mode::Classic, plan)
    }
}

fn choose(room: &mut Room, p: u32, team: u32, now: Instant) -> Effects {
    let mut fx = Effects::new();
    let msg = ClientMsg::ChooseTeam { team };
    room.player_msg(u64::from(p), PlayerId(p), msg, now, now, &mut fx);
    room.check_invariants();
    fx
}

fn move_player(room: &mut Room, p: u32, team: u32, now: Instant) -> Effects {
    let msg = ClientMsg::MovePlayer {
        player_id: PlayerId(p),
        team,
    };
    host(room, msg, now)
}

/// Each player's team as the host's `room_state` lists them, by player id.
fn teams_in_state(room: &mut Room, now: Instant) -> Vec<Option<u32>> {
    match state(room, now) {
        ServerMsg::RoomState { players, .. } => players.iter().map(|p| p.team).collect(),
        _ => unreachable!(),
    }
}

/// The `room_state` a host coming back gets now.
fn state(room: &mut Room, now: Instant) -> ServerMsg {
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", false, now, &mut fx)
        .expect("host");
    sent(&fx, |m| matches!(m, ServerMsg::RoomState { .. }))[0].clone()
}

/// The `team_changed` frames in `fx` with whom they went to, as (target, player, team).
fn changes(fx: &Effects) -> Vec<(Target, u32, u32)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(
                to,
                ServerMsg::TeamChanged {
                    player_id, team, ..
                },
            ) => Some((*to, player_id.0, *team)),
            _ => None,
        })
        .collect()
}

/// The teams' stored rows in `fx`, as (player, team).
fn stored_teams(fx: &Effects) -> Vec<(u32, u32)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Persist(Write::PlayerTeam { player, team, .. }) => Some((player.0, *team)),
            _ => None,
        })
        .collect()
}

fn info(id: u32, members: u32) -> TeamInfo {
    TeamInfo {
        id,
        name: format!("Team {id}"),
        members,
        score: 0,
    }
}

#[test]
fn room_state_carries_every_team_each_players_team_and_the_leaderboard_setting() {
    let t0 = Instant::now();
    let settings = Settings {
        leaderboard: LeaderboardAt::End,
        ..team_settings(Mode::Classic, TeamPlan::Count(3))
    };
    let (mut room, _) = room_of(settings, 4, t0);
    let ServerMsg::RoomState {
        players,
        teams,
        leaderboard,
        team_choice,
        ..
    } = state(&mut room, t0)
    else {
        unreachable!()
    };
    let placed: Vec<Option<u32>> = players.iter().map(|p| p.team).collect();
    assert_eq!(placed, [Some(1), Some(2), Some(3), Some(1)]);
    assert_eq!(teams, Some(vec![info(1, 2), info(2, 1), info(3, 1)]));
    assert_eq!(leaderboard, Some(LeaderboardAt::End));
    assert_eq!(team_choice, None, "the server placed them");
}

#[test]
fn room_state_of_a_room_without_teams_and_standings_each_time_says_neither() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(super::tests::settings(Mode::Classic), 2, t0);
    let ServerMsg::RoomState {
        players,
        teams,
        leaderboard,
        team_choice,
        team_talk_ms,
        ..
    } = state(&mut room, t0)
    else {
        unreachable!()
    };
    assert!(players.iter().all(|p| p.team.is_none()));
    assert_eq!(
        (teams, leaderboard, team_choice, team_talk_ms),
        (None, None, None, None)
    );
}

#[test]
fn where_players_choose_a_newcomer_is_in_no_team_and_is_shown_the_teams() {
    let t0 = Instant::now();
    let (mut room, fx) = room_of(choosing(TeamPlan::Count(2)), 2, t0);
    assert_eq!(
        welcomed_teams(&fx),
        [(PlayerId(1), None), (PlayerId(2), None)]
    );
    let ServerMsg::Welcome {
        team_choice, teams, ..
    } = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }))[0]
    else {
        unreachable!()
    };
    assert_eq!(team_choice, &Some(TeamChoice::Players));
    assert_eq!(teams, &Some(vec![info(1, 0), info(2, 0)]));
    let joined = sent(&fx, |m| {
        matches!(m, ServerMsg::PlayerJoined { team: None, .. })
    });
    assert_eq!(joined.len(), 2, "the host sees them join without a team");
    assert_eq!(teams_in_state(&mut room, t0), [None, None]);
}

#[test]
fn a_chosen_team_is_stored_and_told_to_everyone_with_every_teams_members() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 2, t0);
    let fx = choose(&mut room, 1, 2, t0);
    assert_eq!(changes(&fx), [(Target::Everyone, 1, 2)]);
    assert_eq!(stored_teams(&fx), [(1, 2)]);
    let ServerMsg::TeamChanged { teams, .. } = sent(&fx, |_| true)[0] else {
        panic!("no team_changed")
    };
    assert_eq!(teams, &[info(1, 0), info(2, 1)]);
    let fx = choose(&mut room, 1, 1, t0);
    assert_eq!(
        changes(&fx),
        [(Target::Everyone, 1, 1)],
        "a player may change their mind"
    );
    assert_eq!(teams_in_state(&mut room, t0), [Some(1), None]);
}

#[test]
fn choosing_the_team_one_is_in_again_changes_and_sends_nothing() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 1, t0);
    choose(&mut room, 1, 2, t0);
    assert!(choose(&mut room, 1, 2, t0).is_empty());
}

#[test]
fn a_full_team_of_a_size_plan_is_refused_and_nothing_changes() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Size(2)), 3, t0);
    choose(&mut room, 1, 1, t0);
    choose(&mut room, 2, 1, t0);
    let fx = choose(&mut room, 3, 1, t0);
    assert_eq!(errors(&fx), [ErrorCode::TeamFull]);
    assert!(stored_teams(&fx).is_empty());
    assert_eq!(teams_in_state(&mut room, t0), [Some(1), Some(1), None]);
}

#[test]
fn a_size_plan_offers_the_team_after_the_last_and_closes_an_emptied_last_team() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Size(2)), 2, t0);
    assert!(
        errors(&choose(&mut room, 1, 1, t0)).is_empty(),
        "team 1 opens"
    );
    assert!(
        errors(&choose(&mut room, 2, 2, t0)).is_empty(),
        "team 2 opens"
    );
    let fx = choose(&mut room, 2, 1, t0);
    let ServerMsg::TeamChanged { teams, .. } = sent(&fx, |_| true)[0] else {
        panic!("no team_changed")
    };
    assert_eq!(teams, &[info(1, 2)], "team 2, empty and last, closes");
    assert_eq!(errors(&choose(&mut room, 1, 3, t0)), [ErrorCode::BadField]);
}

#[test]
fn an_unknown_team_is_a_bad_field_and_nothing_changes() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 1, t0);
    for team in [0, 3, u32::MAX] {
        let fx = choose(&mut room, 1, team, t0);
        assert_eq!(errors(&fx), [ErrorCode::BadField], "team {team}");
        assert!(stored_teams(&fx).is_empty());
    }
    assert_eq!(teams_in_state(&mut room, t0), [None]);
}

#[test]
fn choosing_after_the_start_is_the_wrong_phase_and_nothing_changes() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 2, t0);
    choose(&mut room, 1, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let before = teams_in_state(&mut room, t0);
    assert_eq!(errors(&choose(&mut room, 1, 2, t0)), [ErrorCode::BadPhase]);
    assert_eq!(
        errors(&move_player(&mut room, 1, 2, t0)),
        [ErrorCode::BadPhase]
    );
    assert_eq!(teams_in_state(&mut room, t0), before);
}

#[test]
fn where_the_server_places_players_they_may_not_choose() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(team_settings(Mode::Classic, TeamPlan::Count(2)), 1, t0);
    assert_eq!(errors(&choose(&mut room, 1, 2, t0)), [ErrorCode::NotHost]);
    assert_eq!(teams_in_state(&mut room, t0), [Some(1)]);
}

#[test]
fn in_a_room_without_teams_there_is_no_team_to_choose_or_move_to() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(super::tests::settings(Mode::Classic), 1, t0);
    assert_eq!(errors(&choose(&mut room, 1, 1, t0)), [ErrorCode::BadField]);
    assert_eq!(
        errors(&move_player(&mut room, 1, 1, t0)),
        [ErrorCode::BadField]
    );
}

#[test]
fn the_start_places_the_undecided_balanced_and_tells_each_and_the_host() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 4, t0);
    choose(&mut room, 1, 1, t0);
    choose(&mut room, 2, 1, t0);
    let fx = host(&mut room, ClientMsg::Start, t0);
    assert_eq!(stored_teams(&fx), [(3, 2), (4, 2)]);
    assert_eq!(
        changes(&fx),
        [
            (Target::Player(PlayerId(3)), 3, 2),
            (Target::Watchers, 3, 2),
            (Target::Player(PlayerId(4)), 4, 2),
            (Target::Watchers, 4, 2),
        ]
    );
    assert_eq!(
        teams_in_state(&mut room, t0),
        [Some(1), Some(1), Some(2), Some(2)]
    );
}

#[test]
fn a_player_who_joins_after_the_start_is_placed_at_once() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut fx = Effects::new();
    join(&mut room, 2, t0, &mut fx);
    assert_eq!(welcomed_teams(&fx), [(PlayerId(2), Some(2))]);
}

#[test]
fn the_host_moves_a_player_in_the_lobby_in_either_kind_of_room() {
    let t0 = Instant::now();
    for settings in [
        choosing(TeamPlan::Count(3)),
        team_settings(Mode::Classic, TeamPlan::Count(3)),
    ] {
        let (mut room, _) = room_of(settings, 2, t0);
        let fx = move_player(&mut room, 2, 3, t0);
        assert_eq!(changes(&fx), [(Target::Everyone, 2, 3)]);
        assert_eq!(stored_teams(&fx), [(2, 3)]);
        assert_eq!(teams_in_state(&mut room, t0)[1], Some(3));
    }
}

#[test]
fn moving_a_stranger_or_a_player_gone_is_no_such_player() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(choosing(TeamPlan::Count(2)), 2, t0);
    assert_eq!(
        errors(&move_player(&mut room, 9, 1, t0)),
        [ErrorCode::NoSuchPlayer]
    );
    let mut fx = Effects::new();
    room.player_msg(2, PlayerId(2), ClientMsg::Leave, t0, t0, &mut fx);
    assert_eq!(
        errors(&move_player(&mut room, 2, 1, t0)),
        [ErrorCode::NoSuchPlayer]
    );
    assert_eq!(
        errors(&move_player(&mut room, 1, 5, t0)),
        [ErrorCode::BadField]
    );
}

#[test]
fn a_move_into_a_full_team_is_refused() {
    let t0 = Instant::now();
    let (mut room, _) = room_of(team_settings(Mode::Classic, TeamPlan::Size(2)), 3, t0);
    // Placed 1, 1, 2: team 1 is full.
    assert_eq!(
        errors(&move_player(&mut room, 3, 1, t0)),
        [ErrorCode::TeamFull]
    );
    assert_eq!(teams_in_state(&mut room, t0), [Some(1), Some(1), Some(2)]);
}

#[test]
fn a_restored_room_keeps_the_chosen_teams_the_undecided_and_who_chooses() {
    let t0 = Instant::now();
    let settings = choosing(TeamPlan::Size(3));
    let mut db = Db::new();
    let (mut room, fx) = room_of(settings.clone(), 4, t0);
    db.apply(&fx, t0);
    db.apply(&choose(&mut room, 1, 1, t0), t0);
    db.apply(&choose(&mut room, 2, 2, t0), t0);
    db.apply(&move_player(&mut room, 3, 2, t0), t0);
    let restore = |db: &Db| {
        let back = Room::restore(settings.clone(), quiz(), db.saved(t0), t0).expect("restore");
        back.check_invariants();
        back
    };
    let mut back = restore(&db);
    assert_eq!(back.digest(), room.digest(), "in the lobby");
    assert_eq!(
        teams_in_state(&mut back, t0),
        [Some(1), Some(2), Some(2), None]
    );
    assert!(
        errors(&choose(&mut back, 4, 1, t0)).is_empty(),
        "P4 may still choose"
    );

    db.apply(&choose(&mut room, 4, 1, t0), t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    db.apply(&answer(&mut room, 1, 0, AnswerValue::Choice(1), t0), t0);
    assert_eq!(restore(&db).digest(), room.digest(), "in play");
}
