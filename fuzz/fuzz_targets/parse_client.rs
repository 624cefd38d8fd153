//! Any text frame into the strict parser: never a panic; what parses serialises back to the
//! same message; a join's name is cleaned the same way twice (cleaning is idempotent).
#![no_main]

use libfuzzer_sys::fuzz_target;
use quizrace::names;
use quizrace_protocol::{parse_client, ClientMsg};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(msg) = parse_client(text) else {
        return;
    };
    let again = serde_json::to_string(&msg).expect("a parsed message serialises");
    assert_eq!(
        parse_client(&again).as_ref(),
        Ok(&msg),
        "round trip of {again}"
    );
    if let ClientMsg::Join { name, .. } = &msg {
        if let Some(clean) = names::clean(name) {
            assert_eq!(names::clean(&clean).as_deref(), Some(clean.as_str()));
            assert_eq!(names::key(&clean), names::key(&names::key(&clean)));
        }
    }
});
