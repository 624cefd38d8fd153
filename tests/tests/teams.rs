//! Team games over real sockets: players spread over the teams as they join, a resumed player
//! keeps the team, and the team standings follow the documented formula from the points the
//! players' own `result`s report.

mod common;

use common::{error, question, result, send, Game};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, ServerMsg, TeamPlan, TeamStanding,
};
use quizrace_tests::bot::{Bot, Host, RoomOptions};
use serde_json::json;
use std::collections::BTreeMap;

fn teams(plan: TeamPlan) -> RoomOptions {
    RoomOptions {
        teams: Some(plan),
        ..RoomOptions::default()
    }
}

/// The team standings of the host's next `leaderboard` or `game_over`.
async fn team_standings(host: &mut Host) -> Vec<TeamStanding> {
    host.bot
        .expect("team standings", |m| match m {
            ServerMsg::Leaderboard { teams, .. } | ServerMsg::GameOver { teams, .. } => {
                teams.clone()
            }
            _ => None,
        })
        .await
        .expect("standings with teams")
}

/// The documented team points of one question: the average of the members' points, halves up.
fn team_points(points: &[i64]) -> i64 {
    let (sum, n) = (points.iter().sum::<i64>(), points.len() as i64);
    (2 * sum + n) / (2 * n)
}

/// 7 players in 3 teams (1: P1 P4 P7, 2: P2 P5, 3: P3 P6) play 2 questions unevenly: some
/// right fast or slow, some wrong, some silent. The standings the host gets after each
/// question equal the formula applied to the points each bot's own `result` reported.
#[tokio::test]
async fn team_totals_follow_the_formula_from_the_players_own_results() {
    let game = Game::with(common::quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room_with(teams(TeamPlan::Count(3))).await;
    let names = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"];
    let mut bots = game.players(&mut host, &names).await;
    let teams_of: Vec<u32> = bots
        .iter()
        .map(|b| b.welcome.as_ref().and_then(|w| w.team).expect("a team"))
        .collect();
    assert_eq!(teams_of, [1, 2, 3, 1, 2, 3, 1], "balanced as they joined");

    // Per question, what each player does: Some(choice) answers, None stays silent.
    let plays: [[Option<u32>; 7]; 2] = [
        [Some(1), Some(1), Some(0), None, Some(1), None, Some(1)],
        [None, Some(2), Some(2), Some(2), Some(0), Some(2), None],
    ];
    let mut totals: BTreeMap<u32, i64> = BTreeMap::new();
    send(&mut host.bot, ClientMsg::Start).await;
    for (index, play) in plays.iter().enumerate() {
        for (bot, choice) in bots.iter_mut().zip(play) {
            question(bot).await;
            if let Some(c) = choice {
                common::answer_acked(bot, index as u32, AnswerValue::Choice(*c)).await;
            }
        }
        send(&mut host.bot, ClientMsg::Close).await;
        let mut by_team: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
        for (bot, team) in bots.iter_mut().zip(&teams_of) {
            let outcome = result(bot).await;
            assert_eq!(outcome.index, index as u32);
            by_team.entry(*team).or_default().push(outcome.points);
        }
        for (team, points) in &by_team {
            *totals.entry(*team).or_default() += team_points(points);
        }
        send(&mut host.bot, ClientMsg::Next).await;
        let standings = team_standings(&mut host).await;
        let got: BTreeMap<u32, i64> = standings.iter().map(|t| (t.id, t.score)).collect();
        assert_eq!(got, totals, "after question {index}");
        assert!(
            standings.windows(2).all(|w| w[0].score >= w[1].score),
            "best first: {standings:?}"
        );
        send(&mut host.bot, ClientMsg::Next).await;
    }
    let last = team_standings(&mut host).await;
    let got: BTreeMap<u32, i64> = last.iter().map(|t| (t.id, t.score)).collect();
    assert_eq!(got, totals, "game_over carries the final team standings");
    assert_eq!(last[0].rank, 1);
}

#[tokio::test]
async fn a_player_who_comes_back_keeps_their_team() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room_with(teams(TeamPlan::Count(2))).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let bob = bots.remove(1);
    let (token, team) = {
        let w = bob.welcome.clone().expect("joined");
        (w.token, w.team)
    };
    assert_eq!(team, Some(2));
    bob.close().await;
    let mut back = Bot::connect(&game.url).await.expect("connect");
    let welcome = back.resume(&host.pin, &token).await.expect("resume");
    assert_eq!(welcome.team, Some(2), "the same team after the resume");
}

/// A team plan out of range, or not one of the two forms, is `bad_field` `teams`, and the
/// socket is still free to create a room.
#[tokio::test]
async fn a_team_plan_out_of_range_creates_no_room() {
    let game = Game::with(common::one_question()).await;
    let mut bot = game.socket().await;
    for teams in [
        json!({"count": 1}),
        json!({"count": 21}),
        json!({"size": 1}),
        json!({"size": 51}),
        json!({"count": 2, "size": 2}),
        json!(4),
    ] {
        let frame = json!({"type": "host", "token": game.token, "quiz_id": game.quiz_id,
                           "mode": "classic", "teams": teams});
        bot.send_raw(frame.to_string()).await.expect("send");
        assert_eq!(
            error(&mut bot).await,
            (ErrorCode::BadField, Some("teams".into())),
            "{teams}"
        );
    }
    let mut ok = common::host_msg(game.token.clone(), game.quiz_id, Mode::Classic);
    if let ClientMsg::Host { teams, .. } = &mut ok {
        *teams = Some(TeamPlan::Count(2));
    }
    send(&mut bot, ok).await;
    bot.expect("room_created", |m| {
        matches!(m, ServerMsg::RoomCreated { .. }).then_some(())
    })
    .await
    .expect("the refused plans left the socket free to host");
}
