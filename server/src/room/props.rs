//! Property tests: arbitrary command sequences (joins, valid and invalid answers, timers,
//! closes, nexts, kicks, disconnects, resumes, leaves) in both modes, checked by
//! [`super::drive`] after every step. `proptest` shrinks a failing sequence to a short one.

use super::drive;
use proptest::prelude::*;
use quizrace_protocol::Mode;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn classic_rooms_keep_every_rule_under_any_command_sequence(
        data in proptest::collection::vec(any::<u8>(), 0..1200)
    ) {
        let _ = drive::run(Mode::Classic, &data);
    }


    #[test]
    fn race_rooms_keep_every_rule_under_any_command_sequence(
        data in proptest::collection::vec(any::<u8>(), 0..1200)
    ) {
        let _ = drive::run(Mode::Race, &data);
    }
}

#[test]
fn the_driver_reaches_closed_questions_with_stored_answers() {
    // Three players join, the host starts, each answers question 0 with choice 1, time runs
    // past the deadline and the timer closes it.
    let mut data = vec![0, 1, 0, 2, 0, 3, 5, 0];
    for p in 0..3u8 {
        data.extend([2, p, 0, 0, 1]);
    }
    data.extend([11, 255]);
    for mode in [Mode::Classic, Mode::Race] {
        let reached = drive::run(mode, &data);
        assert_eq!(reached.closed, 1, "{mode:?}");
        // Race mode closes at the first right answer: the others come too late.
        let answers = if mode == Mode::Race { 1 } else { 3 };
        assert_eq!(reached.answers, answers, "{mode:?}");
    }
}

/// Random bytes (as the property tests draw them) do reach closed questions, so the
/// properties are checked where they matter and not only in the lobby.
#[test]
fn random_sequences_reach_closed_questions() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut closed = 0;
    for _ in 0..200 {
        let data: Vec<u8> = (0..600)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        closed += drive::run(Mode::Classic, &data).closed;
    }
    assert!(closed > 100, "only {closed} questions closed in 200 runs");
}
