// What each error code means to the person at the page, in one table: the server's codes stay
// codes on the wire (docs/protocol.md, "Error codes"), and its own `message`, short and
// lowercase, is for logs and outside clients. A code missing here falls back to that message.

export const MESSAGES = {
  bad_message: "The server did not understand that. Reload the page and try again.",
  bad_field: "Something in the form is missing or not valid.",
  not_joined: "Join a game first.",
  already_joined: "This page is already in a game.",
  no_such_room: "There is no game with that PIN. Check the number on the host's screen.",
  bad_name: "That nickname cannot be used: it is empty, too long or has characters that are not allowed.",
  name_taken: "Someone in this game already has that nickname. Pick another one.",
  room_full: "This game is full: nobody else can join.",
  room_locked: "The host has locked this game: nobody new can join now.",
  game_finished: "This game has already finished.",
  bad_token: "Your place in that game is gone. Join again with a nickname.",
  wrong_question: "That question is no longer open.",
  too_late: "Time was up: that answer did not count.",
  already_answered: "You already answered this question.",
  chat_disabled: "The host has turned chat off.",
  no_such_player: "That player is no longer in the game.",
  rate_limited: "Too many attempts at once. Wait a few seconds, then try again.",
  forbidden: "This page may not use the server from here.",
  unauthorized: "You are not allowed to do that. Log in as the host of this game.",
  no_such_quiz: "That quiz does not exist any more, or this account may not use it.",
  no_such_game: "That game does not exist any more, or this account may not see it.",
  bad_phase: "That cannot be done at this point of the game.",
  no_players: "Nobody has joined yet: wait for a player before you start.",
  not_host: "Only the host can do that.",
  replaced: "This game was opened in another tab or on another device.",
  bad_credentials: "Wrong username or password.",
  server_busy: "The server is busy right now. Try again in a moment.",
  internal: "Something went wrong on the server. Try again.",
  username_taken: "Another account already has that username.",
  no_such_account: "That account does not exist any more.",
  read_only: "A built-in quiz cannot be changed. Duplicate it and edit the copy.",
  network: "The server cannot be reached. Check the connection and try again.",
};

// Codes whose message the server writes about one field, where the field tells more than the
// table can (which question, which limit): its text is shown, as a sentence.
const SPECIFIC = new Set(["bad_field"]);

/** A server message as a sentence: capital first letter, a full stop at the end. */
export const sentence = (text) => {
  const t = String(text || "").trim();
  if (!t) return "";
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
};

/**
 * The text for error `e` (`{code, message}`, an `ApiError` or a socket `error` frame): the
 * table's, or for a field-specific refusal and an unknown code the server's own as a sentence.
 */
export function humanError(e) {
  const code = e && e.code;
  if (code === "rate_limited" && e.retryAfter != null) {
    return `Too many attempts. Try again in ${e.retryAfter} seconds.`;
  }
  if (SPECIFIC.has(code) && e.message) return sentence(e.message);
  return MESSAGES[code] || sentence(e && e.message) || "Something went wrong. Try again.";
}
