//! Arbitrary command sequences against the room state machine, in both modes, with the
//! rules checked after every step (see `quizrace::room::drive`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quizrace::room::drive;
use quizrace_protocol::Mode;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let mode = if first % 2 == 0 {
        Mode::Classic
    } else {
        Mode::Race
    };
    let _ = drive::run(mode, rest);
});
