// The game's sounds, made in the page with the Web Audio API: no sound files, so nothing to
// license and nothing to download. Lobby music (a quiet loop), a countdown tick for the last
// five seconds, a blip when an answer is locked in, a chord at the reveal, a fanfare for the
// podium. The presenter and the host play them by default (the toggle is in the top bar); a
// phone only once its player turns them on (the toggle is in the lobby). The choice is kept per device (storage.js's `soundPref`), one for screens and one
// for phones.
//
// Browsers start audio only after a user gesture. The AudioContext is made when a sound is
// first wanted and resumed on the page's next click or key; until then a screen that should
// play shows its button as "Turn sound on" (the presenter window, opened by the host page, has
// had no gesture of its own).
//
// Each sound that really plays is announced as a `quizrace:sound` event on `window` (its name
// in `detail`): the browser test records them there.

import { t } from "./i18n.js";
import { soundPref } from "./storage.js";

const VOLUME = 0.25;
const TICKS = 5; // countdown ticks before the time is up, one a second
const LOBBY_STEP_S = 0.32; // one lobby note
// C major pentatonic, two bars of an easy arpeggio (Hz); the loop repeats it while in the lobby.
const LOBBY_NOTES = [262, 330, 392, 523, 440, 392, 330, 294, 262, 330, 392, 440, 523, 440, 392, 330];

/** One note: `freq` Hz from `at` (context time) for `dur` s, with a soft attack and decay. */
function note(ctx, out, freq, at, dur, { type = "sine", peak = 0.6 } = {}) {
  const osc = ctx.createOscillator();
  const env = ctx.createGain();
  osc.type = type;
  osc.frequency.setValueAtTime(freq, at);
  env.gain.setValueAtTime(0.0001, at);
  env.gain.exponentialRampToValueAtTime(peak, at + 0.015);
  env.gain.exponentialRampToValueAtTime(0.0001, at + dur);
  osc.connect(env).connect(out);
  osc.start(at);
  osc.stop(at + dur + 0.05);
}

// Each sound: what it plays from context time `at`.
const SOUNDS = {
  tick: (ctx, out, at) => note(ctx, out, 880, at, 0.08, { type: "square", peak: 0.25 }),
  last_tick: (ctx, out, at) => note(ctx, out, 1320, at, 0.15, { type: "square", peak: 0.3 }),
  locked: (ctx, out, at) => {
    note(ctx, out, 660, at, 0.07, { type: "triangle" });
    note(ctx, out, 990, at + 0.07, 0.1, { type: "triangle" });
  },
  reveal: (ctx, out, at) => {
    for (const f of [262, 330, 392, 523]) note(ctx, out, f, at, 0.9, { type: "triangle", peak: 0.3 });
  },
  podium: (ctx, out, at) => {
    [392, 523, 659, 784].forEach((f, i) => note(ctx, out, f, at + i * 0.14, 0.16, { type: "square", peak: 0.25 }));
    for (const f of [523, 659, 784, 1047]) note(ctx, out, f, at + 0.6, 1.4, { type: "triangle", peak: 0.25 });
  },
  lobby: (ctx, out, at) => {
    LOBBY_NOTES.forEach((f, i) => note(ctx, out, f, at + i * LOBBY_STEP_S, LOBBY_STEP_S * 1.6, { peak: 0.2 }));
  },
};
const LOBBY_LOOP_MS = LOBBY_NOTES.length * LOBBY_STEP_S * 1000;

// The toggle's icons, drawn rather than emoji (not every screen has an emoji font): a speaker
// with sound waves, or struck through.
const SPEAKER = '<path d="M3 9v6h4l5 4V5L7 9H3z" fill="currentColor"/>';
const ICONS = {
  on: SPEAKER + '<path d="M15.5 8.5a5 5 0 0 1 0 7M18.5 5.5a9 9 0 0 1 0 13" fill="none" stroke="currentColor" stroke-width="2"/>',
  off: SPEAKER + '<path d="M16 9l6 6M22 9l-6 6" fill="none" stroke="currentColor" stroke-width="2"/>',
};
function icon(which) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "sound-icon");
  svg.innerHTML = ICONS[which];
  return svg;
}

/**
 * The sound player for one page: `kind` "screen" (host, presenter: on by default) or "phone"
 * (off by default). Puts its toggle in the top bar, or on a phone in the lobby screen.
 */
export function createSounds(kind) {
  const pref = soundPref(kind);
  let wanted = pref.load() ?? kind === "screen";
  let ctx = null;
  let out = null;
  let lobbyTimer = null;
  let inLobby = false;
  const button = document.createElement("button");

  const running = () => ctx !== null && ctx.state === "running";
  function context() {
    if (!ctx) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      ctx = new Ctx();
      out = ctx.createGain();
      out.gain.value = VOLUME;
      out.connect(ctx.destination);
      ctx.onstatechange = () => {
        drawButton();
        if (running() && inLobby) startLobby();
      };
    }
    return ctx;
  }

  // A click or key anywhere on the page is the gesture that lets audio start. A press on the
  // toggle while blocked only unblocks: `pressedBlocked` tells its click not to mute.
  let pressedBlocked = false;
  function unlock(ev) {
    const blocked = wanted && !running();
    if (ev && button.contains(ev.target)) pressedBlocked = blocked;
    if (blocked && context() && ctx.state === "suspended") ctx.resume().then(drawButton, () => {});
  }
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);

  function play(name) {
    if (!wanted || !context()) return;
    if (!running()) return drawButton();
    SOUNDS[name](ctx, out, ctx.currentTime + 0.02);
    window.dispatchEvent(new CustomEvent("quizrace:sound", { detail: name }));
  }

  function startLobby() {
    if (lobbyTimer !== null || !wanted) return;
    play("lobby");
    if (!running()) return;
    lobbyTimer = setInterval(() => play("lobby"), LOBBY_LOOP_MS);
  }
  function stopLobby() {
    clearInterval(lobbyTimer);
    lobbyTimer = null;
  }
  function lobby(on) {
    inLobby = on;
    if (on) startLobby();
    else stopLobby();
  }

  // ---- the toggle ----
  function drawButton() {
    const blocked = wanted && !running();
    button.setAttribute("aria-pressed", String(wanted));
    button.classList.toggle("blocked", blocked);
    // A phone's toggle sits in the lobby with a word; a screen's is an icon in the top bar.
    const word = blocked ? t("sound_turn_on") : kind === "phone" ? t("sound") : null;
    button.replaceChildren(icon(wanted && !blocked ? "on" : "off"), ...(word ? [word] : []));
    button.title = t(blocked ? "sound_blocked" : wanted ? "sound_mute" : "sound_unmute");
    // An icon alone is named "Sound"; a button with a word is named by it.
    if (word) button.removeAttribute("aria-label");
    else button.setAttribute("aria-label", t("sound"));
  }
  button.type = "button";
  button.id = "sound-btn";
  button.className = "sound-btn";
  button.onclick = () => {
    if (pressedBlocked) {
      pressedBlocked = false;
      return drawButton();
    }
    wanted = !wanted;
    pref.save(wanted);
    if (wanted) {
      unlock();
      if (inLobby) startLobby();
    } else {
      stopLobby();
    }
    drawButton();
  };
  // The phone's top bar has no room to spare (the player's name and score): its toggle waits
  // in the lobby, where a player opts in before the game starts.
  const lobbyScreen = document.getElementById("screen-lobby");
  const bar = document.querySelector(".topbar");
  if (kind === "phone" && lobbyScreen) lobbyScreen.append(button);
  else if (bar) bar.insertBefore(button, document.getElementById("lang-picker"));
  // A screen that should play, knows it is blocked before the first sound: say so at once.
  if (wanted && kind === "screen") context();
  drawButton();

  return { play, lobby };
}

/**
 * Plays the game's sounds from `conn`'s messages (protocol.js's `Connection.listen`): lobby
 * music while the room waits, the countdown, answers locked in (every player's on a screen,
 * the own on a phone), the reveal and the podium.
 */
export function gameSounds(conn, kind) {
  const sound = createSounds(kind);
  let ticks = [];
  let answered = 0;
  const stopTicks = () => {
    ticks.forEach(clearTimeout);
    ticks = [];
  };
  // The last TICKS seconds of answering time, from a question as it arrives.
  const countdown = (m) => {
    stopTicks();
    const end = (m.opens_in_ms || 0) + (m.remaining_ms ?? m.time_limit_ms ?? 0);
    for (let s = TICKS; s >= 1; s--) {
      const at = end - s * 1000;
      if (at >= 0) ticks.push(setTimeout(() => sound.play(s === 1 ? "last_tick" : "tick"), at));
    }
  };
  const onState = (m) => {
    sound.lobby(m.phase === "lobby");
    if (m.phase !== "question") stopTicks();
  };
  const on = {
    welcome: onState,
    room_state: onState,
    question: (m) => {
      sound.lobby(false);
      answered = 0;
      countdown(m);
    },
    answer_count: (m) => {
      if (kind === "screen" && m.answered > answered) sound.play("locked");
      answered = m.answered;
    },
    answer_ack: () => sound.play("locked"),
    question_closed: () => {
      stopTicks();
      sound.play("reveal");
    },
    game_over: () => {
      stopTicks();
      sound.lobby(false);
      sound.play("podium");
    },
    room_closed: () => {
      stopTicks();
      sound.lobby(false);
    },
  };
  conn.listen((m) => on[m.type] && on[m.type](m));
  return sound;
}
