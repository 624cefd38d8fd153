//! The strict frame parser. It is written by hand rather than derived so that every refusal
//! says which field was wrong (`bad_field` + `field`), and an unknown `type` is told apart from
//! a known one with bad fields (`bad_message`). Unknown extra fields are ignored, so clients
//! written against a later version keep working.

use crate::errors::ErrorCode;
use crate::ids::{Pin, PlayerId, QuizId};
use crate::msg::{AnswerValue, ClientMsg, HostCredential, ServerMsg};
use crate::options::{HostOptions, Mode, TEAM_TALK_S, TIME_FACTOR_MAX, TIME_FACTOR_MIN};
use crate::MAX_CHAT_CHARS;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub code: ErrorCode,
    pub field: Option<&'static str>,
    pub message: String,
}

impl ParseError {
    fn bad_message(message: impl Into<String>) -> Self {
        ParseError {
            code: ErrorCode::BadMessage,
            field: None,
            message: message.into(),
        }
    }

    fn bad_field(field: &'static str, message: impl Into<String>) -> Self {
        ParseError {
            code: ErrorCode::BadField,
            field: Some(field),
            message: message.into(),
        }
    }

    /// The `error` message to send back.
    pub fn to_msg(&self) -> ServerMsg {
        ServerMsg::Error {
            code: self.code,
            message: self.message.clone(),
            field: self.field.map(str::to_owned),
        }
    }
}

struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn req<T: DeserializeOwned>(&self, name: &'static str, what: &str) -> Result<T, ParseError> {
        self.opt(name, what)?
            .ok_or_else(|| ParseError::bad_field(name, format!("`{name}` is required: {what}")))
    }

    /// `null` counts as absent.
    fn opt<T: DeserializeOwned>(
        &self,
        name: &'static str,
        what: &str,
    ) -> Result<Option<T>, ParseError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::deserialize(v)
                .map(Some)
                .map_err(|_| ParseError::bad_field(name, format!("`{name}` must be {what}"))),
        }
    }
}

/// `host`'s game settings. The time factor's range is checked here, so a bad one creates
/// nothing.
fn options(f: &Fields) -> Result<HostOptions, ParseError> {
    let what = "a number from 0.5 to 3";
    let time_factor = f.opt::<f64>("time_factor", what)?;
    if time_factor.is_some_and(|t| !(TIME_FACTOR_MIN..=TIME_FACTOR_MAX).contains(&t)) {
        return Err(ParseError::bad_field(
            "time_factor",
            format!("`time_factor` must be {what}"),
        ));
    }
    let talk = f.opt::<u32>("team_talk_s", "a whole number of seconds from 0 to 30")?;
    if talk.is_some_and(|t| !TEAM_TALK_S.contains(&t)) {
        return Err(ParseError::bad_field(
            "team_talk_s",
            "`team_talk_s` must be a whole number of seconds from 0 to 30",
        ));
    }
    Ok(HostOptions {
        time_factor,
        no_time_limit: f.opt("no_time_limit", "true or false")?,
        leaderboard: f.opt("leaderboard", "\"each\" or \"end\"")?,
        shuffle_questions: f.opt("shuffle_questions", "true or false")?,
        shuffle_answers: f.opt("shuffle_answers", "true or false")?,
        media_on_phones: f.opt("media_on_phones", "true or false")?,
        question_on_phones: f.opt("question_on_phones", "true or false")?,
        team_choice: f.opt("team_choice", "\"auto\" or \"players\"")?,
        team_talk_s: talk,
    })
}

/// An assignment's code: eight ASCII digits (a live room's PIN has six, so the two never meet).
pub fn is_assignment_code(code: &str) -> bool {
    code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Most characters of the identifier an assignment asks for (a student number).
pub const MAX_IDENTIFIER_CHARS: usize = 40;

/// Parses one text frame into a [`ClientMsg`].
pub fn parse_client(text: &str) -> Result<ClientMsg, ParseError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|_| ParseError::bad_message("a frame must be one JSON object"))?;
    let Value::Object(map) = value else {
        return Err(ParseError::bad_message("a frame must be a JSON object"));
    };
    let Some(Value::String(kind)) = map.get("type") else {
        return Err(ParseError::bad_message(
            "a frame needs a string field `type`",
        ));
    };
    let f = Fields(&map);
    let pin = |f: &Fields| -> Result<Pin, ParseError> {
        let pin: Pin = f.req("pin", "a string of six digits")?;
        if pin.is_well_formed() {
            Ok(pin)
        } else {
            Err(ParseError::bad_field(
                "pin",
                "`pin` must be a string of six digits",
            ))
        }
    };
    let code = |f: &Fields| -> Result<String, ParseError> {
        let code: String = f.req("code", "a string of eight digits")?;
        if is_assignment_code(&code) {
            Ok(code)
        } else {
            Err(ParseError::bad_field(
                "code",
                "`code` must be a string of eight digits",
            ))
        }
    };
    let msg =
        match kind.as_str() {
            "join" => ClientMsg::Join {
                pin: pin(&f)?,
                name: f.req("name", "a string")?,
            },
            "resume" => ClientMsg::Resume {
                pin: pin(&f)?,
                token: f.req("token", "the string from `welcome`")?,
            },
            "answer" => {
                let index = f.req("index", "a question index (a whole number)")?;
                let choice: Option<u32> = f.opt("choice", "a choice index (a whole number)")?;
                let choices: Option<Vec<u32>> =
                    f.opt("choices", "a list of choice indices (whole numbers)")?;
                let text: Option<String> = f.opt("text", "a string")?;
                let value: Option<i64> = f.opt("value", "a whole number")?;
                let order: Option<Vec<u32>> =
                    f.opt("order", "a list of item ids (whole numbers)")?;
                let given = [
                    choice.is_some(),
                    choices.is_some(),
                    text.is_some(),
                    value.is_some(),
                    order.is_some(),
                ];
                match given.iter().filter(|g| **g).count() {
                    0 => return Err(ParseError::bad_field(
                        "choice",
                        "an answer needs one of `choice`, `choices`, `text`, `value` or `order`",
                    )),
                    1 => {}
                    _ => {
                        return Err(ParseError::bad_field(
                            "choice",
                            "send only one of `choice`, `choices`, `text`, `value` or `order`",
                        ))
                    }
                }
                ClientMsg::Answer {
                    index,
                    choice,
                    choices,
                    text,
                    value,
                    order,
                }
            }
            "chat" => {
                let text: String = f.req("text", "a string")?;
                if text.trim().is_empty() {
                    return Err(ParseError::bad_field(
                        "text",
                        "a chat message cannot be empty",
                    ));
                }
                if text.chars().count() > MAX_CHAT_CHARS {
                    return Err(ParseError::bad_field(
                        "text",
                        format!("a chat message is at most {MAX_CHAT_CHARS} characters"),
                    ));
                }
                ClientMsg::Chat {
                    text,
                    to: f.opt::<PlayerId>("to", "a player id (a whole number)")?,
                }
            }
            "list" => ClientMsg::List,
            "leave" => ClientMsg::Leave,
            "host" => ClientMsg::Host {
                token: f.req("token", "the token from POST /api/login")?,
                quiz_id: f.req::<QuizId>("quiz_id", "a quiz id (a whole number)")?,
                mode: f.req::<Mode>("mode", "\"classic\" or \"race\"")?,
                max_players: f.opt("max_players", "a whole number")?,
                auto_advance_ms: f.opt("auto_advance_ms", "a whole number of milliseconds")?,
                chat: f.opt("chat", "true or false")?,
                names: f.opt("names", "\"free\" or \"generated\"")?,
                options: options(&f)?,
                teams: f.opt("teams", "{\"count\": N} or {\"size\": N}")?,
            },
            "host_resume" => {
                let pin = pin(&f)?;
                let key = f.opt("host_key", "the string from `room_created`")?;
                let token = f.opt("token", "the token from POST /api/login")?;
                let by =
                    match (key, token) {
                        (Some(key), None) => HostCredential::HostKey(key),
                        (None, Some(token)) => HostCredential::Token(token),
                        (Some(_), Some(_)) => {
                            return Err(ParseError::bad_field(
                                "token",
                                "send `host_key` or `token`, not both",
                            ))
                        }
                        (None, None) => return Err(ParseError::bad_field(
                            "host_key",
                            "`host_key` is required (the string from `room_created`), or `token` \
                         (the host's token from POST /api/login)",
                        )),
                    };
                ClientMsg::HostResume {
                    pin,
                    by,
                    view: f.opt("view", "\"control\" or \"screen\"")?,
                }
            }
            "start" => ClientMsg::Start,
            "close" => ClientMsg::Close,
            "next" => ClientMsg::Next,
            "choose_team" => ClientMsg::ChooseTeam {
                team: f.req("team", "a team id (a whole number)")?,
            },
            "move_player" => ClientMsg::MovePlayer {
                player_id: f.req("player_id", "a player id (a whole number)")?,
                team: f.req("team", "a team id (a whole number)")?,
            },
            "kick" => ClientMsg::Kick {
                player_id: f.req("player_id", "a player id (a whole number)")?,
            },
            "lock" => ClientMsg::Lock {
                locked: f.req("locked", "true or false")?,
            },
            "set_chat" => ClientMsg::SetChat {
                enabled: f.req("enabled", "true or false")?,
            },
            "end" => ClientMsg::End,
            "play_again" => ClientMsg::PlayAgain,
            "assignment_join" => ClientMsg::AssignmentJoin {
                code: code(&f)?,
                name: f.req("name", "a string")?,
                identifier: f.opt("identifier", "a string")?,
            },
            "assignment_resume" => ClientMsg::AssignmentResume {
                code: code(&f)?,
                token: f.req("token", "the string from `assignment_welcome`")?,
            },
            "assignment_next" => ClientMsg::AssignmentNext,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(ParseError::bad_message(format!(
                    "unknown message type `{shown}`"
                )));
            }
        };
    Ok(msg)
}

impl ClientMsg {
    /// The `answer` message that gives `value` to question `index`.
    pub fn answer(index: u32, value: AnswerValue) -> ClientMsg {
        let mut msg = ClientMsg::Answer {
            index,
            choice: None,
            choices: None,
            text: None,
            value: None,
            order: None,
        };
        if let ClientMsg::Answer {
            choice,
            choices,
            text,
            value: slider,
            order,
            ..
        } = &mut msg
        {
            match value {
                AnswerValue::Choice(c) => *choice = Some(c),
                AnswerValue::Choices(cs) => *choices = Some(cs),
                AnswerValue::Text(t) => *text = Some(t),
                AnswerValue::Value(v) => *slider = Some(v),
                AnswerValue::Order(ids) => *order = Some(ids),
            }
        }
        msg
    }

    /// The answer given by an `answer` message, if this is one.
    pub fn answer_value(&self) -> Option<AnswerValue> {
        match self {
            ClientMsg::Answer {
                choice: Some(c), ..
            } => Some(AnswerValue::Choice(*c)),
            ClientMsg::Answer {
                choices: Some(cs), ..
            } => Some(AnswerValue::Choices(cs.clone())),
            ClientMsg::Answer { text: Some(t), .. } => Some(AnswerValue::Text(t.clone())),
            ClientMsg::Answer { value: Some(v), .. } => Some(AnswerValue::Value(*v)),
            ClientMsg::Answer {
                order: Some(ids), ..
            } => Some(AnswerValue::Order(ids.clone())),
            _ => None,
        }
    }
}
