//! Team games over real sockets: players spread over the teams as they join, a resumed player
//! keeps the team, and the team standings follow the documented formula from the points the
//! players' own `result`s report. Players who choose their team in the lobby, the host moving
//! one, the team talk before answering opens, and what a host taking control is told.

mod common;

use common::{error, question, result, send, Game};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, HostOptions, LeaderboardAt, Mode, PlayerId, ServerMsg,
    TeamChoice, TeamPlan, TeamStanding,
};
use quizrace_tests::bot::{Bot, Host, RoomOptions};
use serde_json::json;
use std::collections::BTreeMap;

/// A team game without team talk: bots may answer the moment a question arrives.
fn teams(plan: TeamPlan) -> RoomOptions {
    RoomOptions {
        teams: Some(plan),
        options: HostOptions {
            team_talk_s: Some(0),
            ..HostOptions::default()
        },
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

/// The next `team_changed` a bot gets about player `who` (others skipped): (player, team,
/// every team's members).
async fn team_changed(bot: &mut Bot, who: u32) -> (PlayerId, u32, Vec<u32>) {
    bot.expect("team_changed", |m| match m {
        ServerMsg::TeamChanged {
            player_id,
            team,
            teams,
        } if player_id.0 == who => {
            Some((*player_id, *team, teams.iter().map(|t| t.members).collect()))
        }
        _ => None,
    })
    .await
    .expect("a team_changed")
}

/// A host that takes control from another device is told the room's teams, each player's team
/// and that standings come only at the end, so that its page labels `next` right.
#[tokio::test]
async fn a_host_taking_control_is_told_the_teams_and_the_leaderboard_setting() {
    let game = Game::with(common::one_question()).await;
    let opts = RoomOptions {
        options: HostOptions {
            leaderboard: Some(LeaderboardAt::End),
            team_talk_s: Some(0),
            ..HostOptions::default()
        },
        ..teams(TeamPlan::Count(2))
    };
    let mut host = game.room_with(opts).await;
    let _bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    let mut tablet = game.socket().await;
    tablet
        .send_raw(json!({"type":"host_resume","pin":host.pin,"token":game.token}).to_string())
        .await
        .expect("send");
    let (players, teams, leaderboard) = tablet
        .expect("room_state", |m| match m {
            ServerMsg::RoomState {
                players,
                teams,
                leaderboard,
                ..
            } => Some((players.clone(), teams.clone(), *leaderboard)),
            _ => None,
        })
        .await
        .expect("room_state");
    let placed: Vec<Option<u32>> = players.iter().map(|p| p.team).collect();
    assert_eq!(placed, [Some(1), Some(2), Some(1)]);
    let members: Vec<(u32, u32)> = teams
        .expect("the teams")
        .iter()
        .map(|t| (t.id, t.members))
        .collect();
    assert_eq!(members, [(1, 2), (2, 1)]);
    assert_eq!(leaderboard, Some(LeaderboardAt::End));
}

/// Teams of two that players choose: everyone sees each choice; a full team, a team that does
/// not exist, a player's `move_player`, a stranger's `choose_team` and a choice after the
/// start are refused; the host moves one player; the start places the one who chose nothing.
#[tokio::test]
async fn players_choose_their_teams_the_host_moves_one_and_the_start_places_the_rest() {
    let game = Game::with(common::one_question()).await;
    let opts = RoomOptions {
        options: HostOptions {
            team_choice: Some(TeamChoice::Players),
            team_talk_s: Some(0),
            ..HostOptions::default()
        },
        ..teams(TeamPlan::Size(2))
    };
    let mut host = game.room_with(opts).await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy", "Dee"]).await;
    for bot in &bots {
        assert_eq!(
            bot.welcome.as_ref().and_then(|w| w.team),
            None,
            "no team yet"
        );
    }
    let choose = |team| ClientMsg::ChooseTeam { team };

    send(&mut bots[0], choose(1)).await;
    assert_eq!(
        team_changed(&mut bots[3], 1).await,
        (PlayerId(1), 1, vec![1])
    );
    send(&mut bots[1], choose(1)).await;
    assert_eq!(
        team_changed(&mut host.bot, 2).await,
        (PlayerId(2), 1, vec![2])
    );

    send(&mut bots[2], choose(1)).await;
    assert_eq!(error(&mut bots[2]).await, (ErrorCode::TeamFull, None));
    send(&mut bots[2], choose(3)).await;
    assert_eq!(
        error(&mut bots[2]).await,
        (ErrorCode::BadField, Some("team".into()))
    );
    let mv = |p, team| ClientMsg::MovePlayer {
        player_id: PlayerId(p),
        team,
    };
    send(&mut bots[2], mv(3, 2)).await;
    assert_eq!(error(&mut bots[2]).await.0, ErrorCode::NotHost);
    let mut stranger = game.socket().await;
    send(&mut stranger, choose(2)).await;
    assert_eq!(error(&mut stranger).await.0, ErrorCode::NotJoined);

    send(&mut host.bot, mv(3, 2)).await;
    assert_eq!(
        team_changed(&mut bots[2], 3).await,
        (PlayerId(3), 2, vec![2, 1])
    );
    send(&mut host.bot, ClientMsg::Start).await;
    assert_eq!(
        team_changed(&mut bots[3], 4).await,
        (PlayerId(4), 2, vec![2, 2])
    );
    send(&mut bots[3], choose(1)).await;
    assert_eq!(error(&mut bots[3]).await.0, ErrorCode::BadPhase);

    let placed: Vec<Option<u32>> = common::list(&mut host.bot)
        .await
        .iter()
        .map(|p| p.team)
        .collect();
    assert_eq!(placed, [Some(1), Some(1), Some(2), Some(2)]);
}

/// Team talk: out of range creates no room; in a team game the question frame says how long
/// it is, an answer during it is `too_early`, and answers are timed from its end. Without
/// teams the setting means nothing.
#[tokio::test]
async fn team_talk_holds_answers_back_and_out_of_range_creates_no_room() {
    let game = Game::with(common::one_question()).await;
    let mut bot = game.socket().await;
    for talk in [json!(31), json!(-1), json!("5")] {
        let frame = json!({"type": "host", "token": game.token, "quiz_id": game.quiz_id,
                           "mode": "classic", "teams": {"count": 2}, "team_talk_s": talk});
        bot.send_raw(frame.to_string()).await.expect("send");
        assert_eq!(
            error(&mut bot).await,
            (ErrorCode::BadField, Some("team_talk_s".into())),
            "{talk}"
        );
    }

    let talk = |teams| RoomOptions {
        options: HostOptions {
            team_talk_s: Some(1),
            ..HostOptions::default()
        },
        teams,
        ..RoomOptions::default()
    };
    let mut host = game.room_with(talk(Some(TeamPlan::Count(2)))).await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let q = question(&mut bots[0]).await;
    assert_eq!((q.team_talk_ms, q.opens_in_ms), (1000, 1000));
    bots[0]
        .answer(0, AnswerValue::Choice(0))
        .await
        .expect("send");
    assert_eq!(
        bots[0].ack().await.expect("reply"),
        Err(ErrorCode::TooEarly)
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    bots[0]
        .answer(0, AnswerValue::Choice(0))
        .await
        .expect("send");
    let elapsed = bots[0].ack().await.expect("reply").expect("acked");
    assert!(
        elapsed < 1000,
        "timed from the end of the talk: {elapsed} ms"
    );

    let mut host = game.room_with(talk(None)).await;
    let mut bots = game.players(&mut host, &["Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let q = question(&mut bots[0]).await;
    assert_eq!((q.team_talk_ms, q.opens_in_ms), (0, 0), "no teams, no talk");
}

/// After a team game, the game's report (`GET /api/games/{id}`), its CSV, the teacher's report
/// and its workbook keep every player's team and the team standings the players saw.
#[tokio::test]
async fn the_results_csv_and_report_keep_each_players_team_and_the_team_standings() {
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
    let game = Game::with(common::quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room_with(teams(TeamPlan::Count(2))).await;
    let mut bots = game.players(&mut host, &["P1", "P2", "P3", "P4"]).await;
    // Per question: P1..P4 answer `Some(choice)` or stay silent; teams are 1, 2, 1, 2.
    let plays: [[Option<u32>; 4]; 2] = [
        [Some(1), Some(1), Some(0), None],
        [None, Some(2), Some(2), Some(2)],
    ];
    send(&mut host.bot, ClientMsg::Start).await;
    for (index, play) in plays.iter().enumerate() {
        for (bot, choice) in bots.iter_mut().zip(play) {
            question(bot).await;
            if let Some(c) = choice {
                common::answer_acked(bot, index as u32, AnswerValue::Choice(*c)).await;
            }
        }
        send(&mut host.bot, ClientMsg::Close).await;
        send(&mut host.bot, ClientMsg::Next).await;
        send(&mut host.bot, ClientMsg::Next).await;
    }
    let live = host
        .bot
        .expect("game_over", |m| match m {
            ServerMsg::GameOver { teams, .. } => teams.clone(),
            _ => None,
        })
        .await
        .expect("game_over with teams");
    let live: Vec<(u32, i64, u32)> = live.iter().map(|t| (t.id, t.score, t.rank)).collect();
    assert_eq!(live.len(), 2);

    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .expect("the game's report");
    let stored = |teams: &serde_json::Value| -> Vec<(u32, i64, u32)> {
        (teams.as_array().expect("teams").iter())
            .map(|t| {
                let n = |k: &str| t[k].as_i64().expect(k);
                (n("id") as u32, n("score"), n("rank") as u32)
            })
            .collect()
    };
    assert_eq!(
        stored(&report["teams"]),
        live,
        "the report's standings are the live ones"
    );
    let team_of: BTreeMap<String, i64> = (report["players"].as_array().expect("players").iter())
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["team"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: BTreeMap<String, i64> = [("P1", 1), ("P2", 2), ("P3", 1), ("P4", 2)]
        .map(|(n, t)| (n.to_owned(), t))
        .into();
    assert_eq!(team_of, want);

    let csv = game.results_csv(&host).await;
    let mut lines = csv.body.lines();
    assert!(
        lines
            .next()
            .expect("header")
            .ends_with(",points,team,team_rank,team_score"),
        "{}",
        csv.body
    );
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let (name, team) = (cells[1], cells[11]);
        assert_eq!(team.parse::<i64>().ok(), want.get(name).copied(), "{line}");
        let (rank, score) = (cells[12].parse().unwrap(), cells[13].parse().unwrap());
        let t = live.iter().find(|t| i64::from(t.0) == want[name]).unwrap();
        assert_eq!((score, rank), (t.1, t.2), "{line}");
    }

    let http = game.server.http();
    let path = format!("/api/games/{}/report", host.game_id.0);
    let t = http
        .get(&path, Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stored(&t["teams"]), live, "the teacher's report too");
    assert!(t["players"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["team"].is_i64()));
    let r = http
        .get(&format!("{path}.xlsx"), Some(&game.token))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(r.bytes)).unwrap();
    let sheet = book.worksheet_range("Teams").expect("a Teams sheet");
    for (row, (id, score, rank)) in (1..).zip(&live) {
        let n = |col| match sheet.get_value((row, col)) {
            Some(Data::Float(f)) => *f as i64,
            other => panic!("row {row} col {col}: {other:?}"),
        };
        assert_eq!(
            (n(1), n(2), n(0)),
            (i64::from(*id), *score, i64::from(*rank))
        );
    }
    let players = book.worksheet_range("Players").unwrap();
    assert_eq!(
        players.get_value((0, 8)),
        Some(&Data::String("Team".into()))
    );
}
