//! A team game's rows on both backends: who chooses the teams, the team talk, and each
//! player's team as chosen after the player row was written, read back for a restore and in
//! the game's report.

use super::both::{both, Backend};
use crate::room::state::{Settings, Write};
use crate::room::storage::Committed;
use crate::secret::secret_hash;
use quizrace_protocol::{GameId, Mode, NamePolicy, Pin, PlayerId, QuizDoc, TeamChoice, TeamPlan};
use std::sync::Arc;
use tokio::sync::watch;

#[test]
fn a_chosen_team_the_team_choice_and_the_team_talk_are_stored_and_read_back() {
    both(a_chosen_team_the_team_choice_and_the_team_talk_are_stored_and_read_back_on);
}

fn a_chosen_team_the_team_choice_and_the_team_talk_are_stored_and_read_back_on(b: &Backend) {
    let store = b.catalog();
    store.bootstrap_admin(Some("pw")).expect("admin");
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({"title":"T","questions":[
        {"kind":"choice","text":"?","choices":["a","b"],"correct":[0]}]}))
    .expect("doc");
    let quiz = store.create_quiz(1, &doc).expect("quiz");
    let settings = Settings {
        pin: Pin("333444".into()),
        game_id: GameId(0),
        mode: Mode::Classic,
        max_players: 7,
        auto_advance_ms: None,
        chat: true,
        host_key: secret_hash("k0"),
        names: NamePolicy::Free,
        teams: Some(TeamPlan::Count(3)),
        team_choice: TeamChoice::Players,
        team_talk_ms: 12_000,
        blocked_words: Default::default(),
        timing: Default::default(),
        leaderboard: Default::default(),
        shuffle_answers: false,
        media_on_phones: false,
        question_on_phones: true,
    };
    let game = store.create_game(quiz, 1, &settings, &doc).expect("game");
    let player = |n: u32| Write::Player {
        game,
        player: PlayerId(n),
        name: format!("P{n}"),
        token_hash: format!("t{n}"),
        first_index: 0,
        team: None,
    };
    let chose = |n: u32, team: u32| Write::PlayerTeam {
        game,
        player: PlayerId(n),
        team,
    };
    let (notify, _seen) = watch::channel(Committed::UpTo(0));
    let notify = Arc::new(notify);
    let writes = [
        player(1),
        player(2),
        player(3),
        chose(1, 3),
        chose(2, 1),
        chose(1, 2),
    ];
    for (seq, write) in (1..).zip(writes) {
        store.room_writer().write(write, seq, Arc::clone(&notify));
    }
    b.flush();
    let running = b.running();
    let [Ok(g)] = running.as_slice() else {
        panic!("{running:?}");
    };
    assert_eq!(
        (g.team_choice, g.team_talk_ms),
        (TeamChoice::Players, 12_000)
    );
    let teams: Vec<Option<u32>> = g.saved.players.iter().map(|p| p.team).collect();
    assert_eq!(
        teams,
        [Some(2), Some(1), None],
        "the last choice, and none yet"
    );
    let report = store.game_report(game).expect("report").expect("the game");
    let teams: Vec<Option<u32>> = report.players.iter().map(|p| p.team).collect();
    assert_eq!(teams, [Some(2), Some(1), None]);
    let standings: Vec<u32> = (report.teams.expect("team standings").iter())
        .map(|t| t.id)
        .collect();
    assert_eq!(standings, [1, 2], "the teams with members, none scored yet");
}
