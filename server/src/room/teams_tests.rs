//! Team games: placing players, team points (the average of the members' points, silent
//! members counting 0; the winner's point in race), the team standings, and restore.

use super::drive::quiz;
use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Settings, Target};
use super::tests::{answer, host, result_for, sent, settings, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, Mode, PlayerId, ServerMsg, TeamPlan, TeamRef, TeamStanding,
};
use std::time::{Duration, Instant};

pub(super) fn team_settings(mode: Mode, plan: TeamPlan) -> Settings {
    Settings {
        teams: Some(plan),
        ..settings(mode)
    }
}

/// A room of `plan` with a host and `n` players (P1..Pn, conn ids 1..=n), and its effects.
pub(super) fn team_room(mode: Mode, plan: TeamPlan, n: u32, t0: Instant) -> (Room, Effects) {
    room_of(team_settings(mode, plan), n, t0)
}

/// A room of `settings` with a host and `n` players (P1..Pn, conn ids 1..=n), and its effects.
pub(super) fn room_of(settings: Settings, n: u32, t0: Instant) -> (Room, Effects) {
    let mut room = Room::new(settings, quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    for i in 1..=n {
        join(&mut room, i, t0, &mut fx);
    }
    (room, fx)
}

pub(super) fn join(room: &mut Room, i: u32, now: Instant, fx: &mut Effects) {
    room.join(u64::from(i), &format!("P{i}"), format!("tok{i}"), now, fx)
        .expect("join");
    room.check_invariants();
}

/// The team each player's `welcome` named, by player id.
pub(super) fn welcomed_teams(fx: &Effects) -> Vec<(PlayerId, Option<u32>)> {
    sent(fx, |m| matches!(m, ServerMsg::Welcome { .. }))
        .into_iter()
        .map(|m| match m {
            ServerMsg::Welcome {
                player_id, team, ..
            } => (*player_id, team.as_ref().map(|t| t.id)),
            _ => unreachable!(),
        })
        .collect()
}

/// The team standings of the last `leaderboard` in `fx`, as (id, score, rank).
fn leaderboard_teams(fx: &Effects) -> Vec<(u32, i64, u32)> {
    let boards = sent(fx, |m| matches!(m, ServerMsg::Leaderboard { .. }));
    match boards.last() {
        Some(ServerMsg::Leaderboard {
            teams: Some(teams), ..
        }) => brief(teams),
        other => panic!("no leaderboard with teams: {other:?}"),
    }
}

fn brief(teams: &[TeamStanding]) -> Vec<(u32, i64, u32)> {
    teams.iter().map(|t| (t.id, t.score, t.rank)).collect()
}

/// Player `p`'s points for the question that just closed, from their `result`.
fn points(fx: &Effects, p: u32) -> i64 {
    result_for(fx, p).expect("a result").0
}

#[test]
fn players_join_the_smallest_team_with_ties_to_the_lowest_number() {
    let t0 = Instant::now();
    let (_, fx) = team_room(Mode::Classic, TeamPlan::Count(3), 7, t0);
    let teams: Vec<Option<u32>> = welcomed_teams(&fx).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        teams,
        [1, 2, 3, 1, 2, 3, 1].map(Some),
        "balanced as they join"
    );
    let welcome = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }))[1];
    let ServerMsg::Welcome { team, .. } = welcome else {
        unreachable!()
    };
    assert_eq!(
        team,
        &Some(TeamRef {
            id: 2,
            name: "Team 2".into()
        })
    );
}

#[test]
fn a_player_who_leaves_the_lobby_frees_a_place_that_the_next_player_takes() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Classic, TeamPlan::Count(2), 4, t0);
    let mut fx = Effects::new();
    room.player_msg(1, PlayerId(1), ClientMsg::Leave, t0, t0, &mut fx);
    room.check_invariants();
    let mut fx = Effects::new();
    join(&mut room, 5, t0, &mut fx);
    assert_eq!(welcomed_teams(&fx), [(PlayerId(5), Some(1))]);
}

#[test]
fn a_resumed_player_keeps_their_team() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Classic, TeamPlan::Count(3), 5, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut fx = Effects::new();
    room.conn_closed(5, t0, &mut fx);
    let mut fx = Effects::new();
    room.resume(50, "tok5", t0, &mut fx).expect("resume");
    assert_eq!(welcomed_teams(&fx), [(PlayerId(5), Some(2))]);
}

#[test]
fn a_size_plan_opens_a_new_team_only_when_every_team_is_full() {
    let t0 = Instant::now();
    let (_, fx) = team_room(Mode::Classic, TeamPlan::Size(2), 5, t0);
    let teams: Vec<Option<u32>> = welcomed_teams(&fx).into_iter().map(|(_, t)| t).collect();
    assert_eq!(teams, [1, 1, 2, 2, 3].map(Some));
}

#[test]
fn a_room_without_teams_says_nothing_of_teams() {
    let t0 = Instant::now();
    let mut room = Room::new(settings(Mode::Classic), quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    join(&mut room, 1, t0, &mut fx);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    let fx = host(&mut room, ClientMsg::Next, t0);
    assert!(matches!(
        sent(&fx, |m| matches!(m, ServerMsg::Leaderboard { .. }))[..],
        [ServerMsg::Leaderboard { teams: None, .. }]
    ));
    assert_eq!(welcomed_teams(&fx), []);
    let fx = host(&mut room, ClientMsg::End, t0);
    assert!(matches!(
        sent(&fx, |m| matches!(m, ServerMsg::GameOver { .. }))[..],
        [ServerMsg::GameOver { teams: None, .. }]
    ));
}

/// Teams 1 = {P1, P3}, 2 = {P2, P4}. P3 does not answer and counts 0 for team 1.
#[test]
fn team_points_are_the_average_of_the_members_points_and_a_silent_member_counts_zero() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Classic, TeamPlan::Count(2), 4, t0);
    host(&mut room, ClientMsg::Start, t0);
    let at = |ms| t0 + Duration::from_millis(ms);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), at(1000));
    answer(&mut room, 2, 0, AnswerValue::Choice(1), at(3000));
    answer(&mut room, 4, 0, AnswerValue::Choice(0), at(4000));
    let fx = host(&mut room, ClientMsg::Close, at(5000));
    let (p1, p2, p3, p4) = (
        points(&fx, 1),
        points(&fx, 2),
        points(&fx, 3),
        points(&fx, 4),
    );
    assert!(p1 > 0 && p2 > 0 && p3 == 0 && p4 == 0);
    let team1 = (p1 + p3 + 1) / 2; // halves round up
    let team2 = (p2 + p4 + 1) / 2;
    let fx = host(&mut room, ClientMsg::Next, at(5000));
    assert_eq!(leaderboard_teams(&fx), [(1, team1, 1), (2, team2, 2)]);
}

/// Team 1 = {P1, P3, P5}, team 2 = {P2, P4}: all right at once, so both average the same.
#[test]
fn a_small_team_is_not_beaten_by_a_larger_one_for_size_alone() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Classic, TeamPlan::Count(2), 5, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut last = Effects::new();
    for p in 1..=5 {
        last = answer(&mut room, p, 0, AnswerValue::Choice(1), t0);
    }
    let full = points(&last, 1);
    assert_eq!(full, 1000);
    let fx = host(&mut room, ClientMsg::Next, t0);
    assert_eq!(
        leaderboard_teams(&fx),
        [(1, 1000, 1), (2, 1000, 1)],
        "equal averages share the rank"
    );
}

#[test]
fn a_player_who_joins_late_is_not_counted_for_questions_before_they_joined() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Classic, TeamPlan::Count(2), 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut fx = Effects::new();
    join(&mut room, 3, t0, &mut fx); // team 1, during question 0: asked it
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    answer(&mut room, 2, 0, AnswerValue::Choice(1), t0);
    host(&mut room, ClientMsg::Close, t0);
    let fx = host(&mut room, ClientMsg::Next, t0);
    assert_eq!(leaderboard_teams(&fx), [(2, 1000, 1), (1, 500, 2)]);
}

#[test]
fn in_race_the_winners_team_gets_the_whole_point() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Race, TeamPlan::Count(2), 4, t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(
        &mut room,
        2,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_secs(2),
    );
    let won = points(&fx, 2);
    assert!(won > 0, "the first correct answer wins");
    let fx = host(&mut room, ClientMsg::Next, t0 + Duration::from_secs(3));
    assert_eq!(leaderboard_teams(&fx), [(2, won, 1), (1, 0, 2)]);
}

#[test]
fn game_over_carries_the_final_team_standings_to_everyone() {
    let t0 = Instant::now();
    let (mut room, _) = team_room(Mode::Classic, TeamPlan::Count(3), 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 3, 0, AnswerValue::Choice(1), t0);
    let fx = host(&mut room, ClientMsg::End, t0);
    let over = fx.iter().find_map(|e| match e {
        Effect::Send(Target::Everyone, ServerMsg::GameOver { teams, .. }) => teams.clone(),
        _ => None,
    });
    let teams = over.expect("game_over with teams");
    assert_eq!(brief(&teams), [(3, 1000, 1), (1, 0, 2), (2, 0, 2)]);
}

#[test]
fn a_restored_team_room_keeps_every_team_and_its_score_and_places_newcomers_as_before() {
    let t0 = Instant::now();
    let plan = TeamPlan::Count(3);
    let mut db = Db::new();
    let (mut room, fx) = team_room(Mode::Classic, plan, 4, t0);
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_millis(2500);
    for p in [1, 2, 4] {
        db.apply(&answer(&mut room, p, 0, AnswerValue::Choice(1), t1), t1);
    }
    db.apply(&host(&mut room, ClientMsg::Close, t1), t1);
    db.apply(&host(&mut room, ClientMsg::Next, t1), t1);
    let restore = |db: &Db| {
        let back = Room::restore(team_settings(Mode::Classic, plan), quiz(), db.saved(t1), t1)
            .expect("restore");
        back.check_invariants();
        back
    };
    let mut back = restore(&db);
    assert_eq!(back.digest(), room.digest(), "after question 0");

    // The next player goes to team 2 or 3 (one member each) in both rooms alike: team 2.
    let mut live = Effects::new();
    join(&mut room, 5, t1, &mut live);
    let mut again = Effects::new();
    back.join(5, "P5", "tok5".into(), t1, &mut again)
        .expect("join");
    assert_eq!(welcomed_teams(&live), [(PlayerId(5), Some(2))]);
    assert_eq!(welcomed_teams(&again), welcomed_teams(&live));
    db.apply(&live, t1);
    assert_eq!(restore(&db).digest(), room.digest(), "after a late join");
}

#[test]
fn every_result_names_the_players_team_as_it_stands_even_with_standings_only_at_the_end() {
    let t0 = Instant::now();
    let settings = Settings {
        leaderboard: quizrace_protocol::LeaderboardAt::End,
        ..team_settings(Mode::Classic, TeamPlan::Count(2))
    };
    let (mut room, _) = room_of(settings, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    let fx = host(&mut room, ClientMsg::Close, t0);
    let team_of = |p: u32| {
        fx.iter().find_map(|e| match e {
            Effect::Send(Target::Player(id), ServerMsg::Result { team, .. }) if id.0 == p => {
                team.as_ref().map(|t| (t.id, t.score > 0, t.rank))
            }
            _ => None,
        })
    };
    assert_eq!(team_of(1), Some((1, true, 1)));
    assert_eq!(team_of(2), Some((2, false, 2)));
}
