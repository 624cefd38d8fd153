// The one module that knows the WebSocket wire: builders for every client message and a small
// WebSocket wrapper that reconnects with backoff. (HTTP calls go through common.js's `api`.) It holds no
// user-visible text; the pages own every string a person reads.

// ---- client messages (see docs: "Player messages" and "Host messages") ----

export const msg = {
  join: (pin, name) => ({ type: "join", pin, name }),
  resume: (pin, token) => ({ type: "resume", pin, token }),
  answerChoice: (index, choice) => ({ type: "answer", index, choice }),
  answerChoices: (index, choices) => ({ type: "answer", index, choices }),
  answerText: (index, text) => ({ type: "answer", index, text }),
  answerValue: (index, value) => ({ type: "answer", index, value }),
  answerOrder: (index, order) => ({ type: "answer", index, order }),
  // `to` (a player id) makes it a direct message; omitted, it goes to the room.
  chat: (text, to) => (to == null ? { type: "chat", text } : { type: "chat", text, to }),
  list: () => ({ type: "list" }),
  leave: () => ({ type: "leave" }),
  // A self-paced assignment: its 8-digit code; `identifier` only when it asks for one.
  assignmentJoin: (code, name, identifier) =>
    (identifier ? { type: "assignment_join", code, name, identifier } : { type: "assignment_join", code, name }),
  assignmentResume: (code, token) => ({ type: "assignment_resume", code, token }),
  assignmentNext: () => ({ type: "assignment_next" }),

  // Optional fields are left out rather than sent as null.
  // `teams`: a number of teams (2 to 20), or nothing for a game without teams; with teams,
  // `teamChoice` ("players": they choose in the lobby) and `teamTalkS` (0 to 30 seconds).
  host: ({ token, quizId, mode, maxPlayers, autoAdvanceMs, chat, names, timeFactor, noTimeLimit, leaderboard, shuffleQuestions, shuffleAnswers, mediaOnPhones, questionOnPhones, teams, teamChoice, teamTalkS }) => {
    const m = { type: "host", token, quiz_id: quizId, mode };
    if (maxPlayers != null) m.max_players = maxPlayers;
    if (teams != null) m.teams = { count: teams };
    if (teamChoice != null) m.team_choice = teamChoice;
    if (teamTalkS != null) m.team_talk_s = teamTalkS;
    if (autoAdvanceMs != null) m.auto_advance_ms = autoAdvanceMs;
    if (chat != null) m.chat = chat;
    if (names != null) m.names = names;
    if (timeFactor != null) m.time_factor = timeFactor;
    if (noTimeLimit != null) m.no_time_limit = noTimeLimit;
    if (leaderboard != null) m.leaderboard = leaderboard;
    if (shuffleQuestions != null) m.shuffle_questions = shuffleQuestions;
    if (shuffleAnswers != null) m.shuffle_answers = shuffleAnswers;
    if (mediaOnPhones != null) m.media_on_phones = mediaOnPhones;
    if (questionOnPhones != null) m.question_on_phones = questionOnPhones;
    return m;
  },
  hostResume: (pin, hostKey) => ({ type: "host_resume", pin, host_key: hostKey }),
  // "Take control" from another device: the host's login instead of a key. The room answers
  // with a key for this device in `room_state`'s `host_key`.
  takeControl: (pin, token) => ({ type: "host_resume", pin, token }),
  // A read-only big-screen connection: it gets what the host gets and may send nothing.
  screenResume: (pin, hostKey) => ({ type: "host_resume", pin, host_key: hostKey, view: "screen" }),
  start: () => ({ type: "start" }),
  close: () => ({ type: "close" }),
  next: () => ({ type: "next" }),
  kick: (playerId) => ({ type: "kick", player_id: playerId }),
  // In a team game's lobby: the host puts a player in a team; a player chooses theirs.
  movePlayer: (playerId, team) => ({ type: "move_player", player_id: playerId, team }),
  chooseTeam: (team) => ({ type: "choose_team", team }),
  lock: (locked) => ({ type: "lock", locked }),
  setChat: (enabled) => ({ type: "set_chat", enabled }),
  end: () => ({ type: "end" }),
  // After game_over: a new room of the same quiz; the connected players follow.
  playAgain: () => ({ type: "play_again" }),
};

/** Limits the server enforces, mirrored so the pages can refuse early. */
export const limits = { chatChars: 280, nameChars: 20 };

/** True for a well-formed PIN: exactly six digits. */
export const isPin = (pin) => /^\d{6}$/.test(pin);
/** An assignment's code: eight digits. */
export const isCode = (code) => /^\d{8}$/.test(code);

// ---- WebSocket wrapper ----

/**
 * The socket URL on the page's own host: ws://host/ws, or wss:// under https. With a
 * well-formed `pin`, `/ws?pin=PIN`, so a cluster can send the socket to the room's server.
 */
export const socketUrl = (pin) =>
  `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws${isPin(pin) ? `?pin=${pin}` : ""}`;

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15000;
// Following `moved` (docs: "Routing in a cluster"): at most this many in a row without
// `retry_after_ms`, and this long in all from the first; then it is treated as a drop.
const MOVES_MAX = 5;
const MOVED_BUDGET_MS = 20000;

/** `moved.url` if this page may open it: an absolute ws: or wss: URL (wss: only under https). */
function movedTarget(url) {
  if (typeof url !== "string") return null;
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const ok = location.protocol === "https:" ? ["wss:"] : ["ws:", "wss:"];
  return ok.includes(u.protocol) ? u.href : null;
}

/**
 * One logical connection that survives drops. `pin()`, if given, names the room the next
 * socket is for (see `socketUrl`). Handlers:
 * - `open({ moved })` each time a socket opens (send `resume` / `host_resume` here); `moved`
 *   is true when this socket follows a `moved`, so a `join` still unanswered is sent again;
 * - `down(delayMs, attempt)` when the socket is lost and a retry is scheduled;
 * - `message(m)` for every frame, after the handler named by its type, `on[m.type](m)`;
 *   `listen(fn)` adds more such listeners (a page's sounds).
 * Call `stop()` when the room is gone for good, so nothing reconnects.
 *
 * A `moved` frame (a cluster node that does not own the room) is handled here and never
 * reaches the handlers: the socket closes, waits `retry_after_ms` if given (reported through
 * `down`, the usual reconnecting state), opens `url` (or the page's own socket URL) and
 * `open()` runs again, so the page re-sends its join/resume/host_resume. More than 5 in a row
 * without a wait, or 20 s in all, counts as a drop (backoff, then a fresh start).
 */
export class Connection {
  constructor({ on = {}, open, down, message, pin } = {}) {
    this.on = on;
    this.pin = pin || (() => null);
    this.handlers = { open, down, message };
    this.listeners = [];
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
    // The owner's URL to open next, and the current run of `moved`.
    this.target = null;
    this.follow = null;
    this.followed = false;
    this.moves = 0;
    this.movingSince = null;
    // A phone that wakes up or gets its network back should not wait out a long backoff.
    const retryNow = () => {
      if (!this.stopped && !this.ws && document.visibilityState !== "hidden") this.retryNow();
    };
    window.addEventListener("online", retryNow);
    document.addEventListener("visibilitychange", retryNow);
  }

  /** Calls `fn(m)` for every frame too, after the page's own handlers. */
  listen(fn) {
    this.listeners.push(fn);
  }

  get connected() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    if (!this.ws && !this.timer) this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    this.forgetMoves();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000);
    }
  }

  retryNow() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.ws) this.open();
  }

  /** Sends one message; false when there is no open socket to send it on. */
  send(m) {
    if (!this.connected) return false;
    this.ws.send(JSON.stringify(m));
    return true;
  }

  forgetMoves() {
    this.target = null;
    this.follow = null;
    this.followed = false;
    this.moves = 0;
    this.movingSince = null;
  }

  /** Takes in a `moved`: decides where and when to reconnect, then closes the socket. */
  moved(ws, m) {
    const now = Date.now();
    if (this.movingSince === null) this.movingSince = now;
    const wait = Number.isInteger(m.retry_after_ms) && m.retry_after_ms > 0 ? m.retry_after_ms : 0;
    if (wait === 0) this.moves += 1;
    if (this.moves > MOVES_MAX || now + wait - this.movingSince > MOVED_BUDGET_MS) {
      this.forgetMoves(); // give up: the close below is a plain drop
    } else {
      this.follow = { url: movedTarget(m.url), wait };
    }
    ws.close(1000);
  }

  open() {
    this.timer = null;
    const ws = new WebSocket(this.target || socketUrl(this.pin()));
    // One hop only: a later drop reconnects to the page's own server, which moves it again.
    this.target = null;
    const moved = this.followed;
    this.followed = false;
    this.ws = ws;
    ws.onopen = () => this.handlers.open && this.handlers.open({ moved });
    ws.onmessage = (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        return; // the server only sends JSON; ignore anything else
      }
      if (!m || typeof m.type !== "string") return;
      if (m.type === "moved") {
        if (this.ws === ws) this.moved(ws, m);
        return;
      }
      // A frame means the server is really there: the next drop starts a fresh backoff.
      this.attempt = 0;
      this.moves = 0;
      this.movingSince = null;
      const h = this.on[m.type];
      if (h) h(m);
      if (this.handlers.message) this.handlers.message(m);
      for (const fn of this.listeners) fn(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return; // an old socket we already replaced or stopped
      this.ws = null;
      if (this.stopped) return;
      const follow = this.follow;
      this.follow = null;
      if (follow) {
        this.target = follow.url;
        this.followed = true;
        if (follow.wait === 0) return this.open();
        this.timer = setTimeout(() => this.open(), follow.wait);
        if (this.handlers.down) this.handlers.down(follow.wait, this.attempt);
        return;
      }
      // Exponential backoff with jitter, so a restarted server is not hit by every phone at once.
      const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
      const delay = Math.round(ceiling * (0.5 + Math.random() / 2));
      this.attempt += 1;
      this.timer = setTimeout(() => this.open(), delay);
      if (this.handlers.down) this.handlers.down(delay, this.attempt);
    };
  }
}
