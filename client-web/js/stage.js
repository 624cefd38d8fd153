// The game screen, one renderer for the phone (index.html), the host page and the presenter
// (present.html): the question with its kind's answer area, the countdown, the reveal, the
// leaderboard and the podium. The three pages use the same element ids for the same things:
//
//   #qbar             #q-progress, #time-left, #time-bar; #answer-count on the big screens
//   #screen-question  #q-text, #get-ready (#get-ready-count: the get-ready countdown before
//                     answering opens), #q-choices (the answer area); #live-chart on the big
//                     screens
//   #screen-reveal    #reveal-text, #reveal-accept, #reveal-explanation, #first-correct (on
//                     the phone only in race mode: who won); the big screens' #chart, the
//                     phone's #reveal-answers
//   standings         #leaderboard, #podium; #podium-empty on the big screens
//
// What differs by question kind is one entry in `KINDS`. The pages decide what to show when and
// keep what is theirs (controls, roster, chat, join and resume); results.js borrows the chart.

import { $, announce } from "./dom.js";
import { num, t } from "./i18n.js";
import { CLOUD, SLIDE, heading } from "./cloud.js";
import { drawMedia } from "./media.js";
import { markTeamTalk } from "./teams.js";

/** One shape per choice, so colour is never the only cue (tile classes c0…c5 give the colour). */
export const SHAPES = ["▲", "◆", "●", "■", "★", "⬟"];

/** An answer tile: `<tag class="tile cN" data-choice=N>` with its shape and label. */
function tile(i, label, tag = "div") {
  const el = document.createElement(tag);
  el.className = `tile c${i}`;
  el.dataset.choice = i;
  const shape = document.createElement("span");
  shape.className = "shape";
  shape.setAttribute("aria-hidden", "true");
  shape.textContent = SHAPES[i] || "";
  const text = document.createElement("span");
  text.className = "label";
  text.textContent = label;
  el.append(shape, text);
  return el;
}

/**
 * The answer distribution as bars, one `.bar-row` per label, `.correct` on the right ones.
 * `shapes` false for the Right/Wrong rows of a typed answer, which have no tile to match.
 */
export function chart(el, { labels, counts, correct = new Set(), shapes = true, colours }) {
  const max = Math.max(1, ...counts);
  const rows = labels.map((label, i) => {
    const row = document.createElement("div");
    row.className = "bar-row";
    row.dataset.choice = i;
    row.classList.toggle("correct", correct.has(i));
    const name = document.createElement("span");
    name.className = "bar-label";
    name.textContent = `${shapes ? (SHAPES[i] || "") + " " : ""}${label}${correct.has(i) ? " ✓" : ""}`;
    if (correct.has(i)) {
      const said = document.createElement("span");
      said.className = "sr-only";
      said.textContent = ` (${t("right_answer_mark")})`;
      name.append(said);
    }
    const track = document.createElement("span");
    track.className = "bar-track";
    const bar = document.createElement("span");
    bar.className = `bar c${colours ? colours[i] : i}`;
    bar.style.width = `${(100 * (counts[i] || 0)) / max}%`;
    track.append(bar);
    const count = document.createElement("span");
    count.className = "bar-count";
    count.textContent = counts[i] || 0;
    row.append(name, track, count);
    return row;
  });
  // Keep the rows (and their width transition) when only the counts moved: a live poll.
  const same = el.children.length === rows.length &&
    [...el.children].every((r, i) => r.querySelector(".bar-label")?.textContent === rows[i].querySelector(".bar-label").textContent);
  if (!same) return el.replaceChildren(...rows);
  rows.forEach((r, i) => {
    const old = el.children[i];
    old.className = r.className;
    old.querySelector(".bar").style.width = r.querySelector(".bar").style.width;
    old.querySelector(".bar-count").textContent = r.querySelector(".bar-count").textContent;
  });
}

// ---- what differs by kind ----

// The kinds whose answers are tiles (choice, true_false, multi, poll).
const TILES = {
  /**
   * The answer area: a tile per choice. `play` (the phone only) makes them buttons:
   * `{ onPick(i), selected: Set (multi's toggled tiles), chosen: the choice sent }`.
   */
  question(area, v, play) {
    area.replaceChildren(...v.choices.map((c, i) => {
      if (!play) return tile(i, c);
      const b = tile(i, c, "button");
      b.type = "button";
      // Shapes only: the tile has no words, so a screen reader names it by its place.
      if (v.shapes_only && !c) b.setAttribute("aria-label", t("answer_n", { n: i + 1 }));
      if (v.kind === "multi") b.setAttribute("aria-pressed", String(play.selected.has(i)));
      if (play.chosen === i) b.classList.add("chosen");
      b.onclick = () => play.onPick(i);
      return b;
    }));
    area.classList.toggle("two", v.choices.length <= 2);
    area.classList.toggle("shapes-only", Boolean(v.shapes_only));
    area.classList.toggle("long", longAnswers(v.choices));
    area.hidden = false;
  },
  /** The big screens' reveal: a bar per choice (labels generic when the question was not seen). */
  screenReveal: (m, q) => ({
    labels: m.counts.map((_, i) => (q && q.choices ? q.choices[i] : t("answer_n", { n: i + 1 }))),
    correct: new Set(m.correct || []),
  }),
  /** The phone's reveal: the tiles again, each with its count, the right ones and `mine` marked. */
  phoneReveal(m, q, mine) {
    const correct = new Set(m.correct || []);
    const labels = q ? q.choices : m.counts.map((_, i) => t("answer_n", { n: i + 1 }));
    const poll = q && q.kind === "poll";
    const tiles = labels.map((label, i) => {
      const el = tile(i, label, "div");
      const n = m.counts[i] || 0;
      const notes = [t(poll ? "n_votes" : "n_answers", { count: n })];
      if (correct.has(i)) notes.unshift(t("tile_correct"));
      if (mine.has(i)) notes.push(t("tile_yours"));
      const note = document.createElement("span");
      note.className = "note";
      note.textContent = notes.join(" · ");
      el.append(note);
      el.classList.toggle("correct", correct.has(i));
      el.classList.toggle("dim", correct.size > 0 && !correct.has(i));
      el.classList.toggle("mine", mine.has(i));
      return el;
    });
    $("reveal-answers").replaceChildren(...tiles);
    $("reveal-answers").classList.toggle("long", longAnswers(labels));
    return null;
  },
};

// A typed answer: no tiles; the reveal counts right and wrong and lists the accepted answers.
const TYPED = {
  question(area) {
    area.replaceChildren();
    area.hidden = true;
  },
  screenReveal: (m) => ({
    labels: [t("bar_right"), t("bar_wrong")], correct: new Set([0]), shapes: false, colours: [3, 0], accept: accepted(m),
  }),
  phoneReveal(m, q, mine, typed) {
    $("reveal-answers").replaceChildren();
    const [right = 0, wrong = 0] = m.counts;
    const lines = [accepted(m), t("right_wrong_counts", { right, wrong })];
    if (typed) lines.push(t("you_typed", { typed }));
    return lines.join(" · ");
  },
};

const accepted = (m) => t("accepted_list", { list: (m.accept || []).join(", ") });

// A slider: a range input on the phone (`play.onPick(value)` sends it), the range on the big
// screens; the reveal charts the `values` histogram with the bar holding the correct value
// marked, and says the value and its tolerance.
const SLIDER = {
  question(area, v, play) {
    const r = v.slider || { min: 0, max: 100, step: 1 };
    area.classList.remove("two", "long");
    if (!play) {
      const range = document.createElement("p");
      range.className = "slider-range lead";
      range.textContent = t("slider_pick_from", { min: r.min, max: r.max });
      area.replaceChildren(range);
      area.hidden = false;
      return;
    }
    const input = document.createElement("input");
    input.type = "range";
    input.id = "slider-input";
    input.className = "slider";
    input.min = r.min;
    input.max = r.max;
    input.step = r.step;
    // The middle position, on the step.
    const start = play.chosen ?? r.min + Math.round((r.max - r.min) / r.step / 2) * r.step;
    input.value = start;
    input.setAttribute("aria-label", t("slider_your_answer", { min: r.min, max: r.max }));
    const out = document.createElement("output");
    out.id = "slider-value";
    out.className = "slider-value";
    out.htmlFor = "slider-input";
    out.textContent = input.value;
    input.oninput = () => { out.textContent = input.value; };
    const send = document.createElement("button");
    send.type = "button";
    send.id = "slider-btn";
    send.className = "primary big";
    send.textContent = t("submit");
    send.onclick = () => play.onPick(Number(input.value));
    area.replaceChildren(out, input, send);
    area.hidden = false;
  },
  screenReveal: (m) => {
    const bins = m.values || [];
    return {
      labels: bins.map((b) => (b.from === b.to ? `${b.from}` : `${b.from}–${b.to}`)),
      counts: bins.map((b) => b.count),
      correct: new Set(bins.flatMap((b, i) => (b.from <= m.correct_value && m.correct_value <= b.to ? [i] : []))),
      shapes: false,
      // Bars that score (within the tolerance) in the "right" colour, the others in "wrong".
      colours: bins.map((b) => {
        const tol = m.tolerance || 0;
        return b.to >= m.correct_value - tol && b.from <= m.correct_value + tol ? 3 : 0;
      }),
      accept: sliderKey(m),
    };
  },
  phoneReveal(m, q, mine, typed, sent) {
    const { labels, counts, correct, colours } = SLIDER.screenReveal(m);
    const area = $("reveal-answers");
    area.classList.remove("long");
    chart(area, { labels, counts, correct, shapes: false, colours });
    const lines = [sliderKey(m)];
    if (sent && sent.value != null) lines.push(t("you_said", { value: sent.value }));
    return lines.join(" · ");
  },
};

// An order question: the phone taps the items in order (each tap numbers one; tapping a
// numbered item takes it and those after it back), then Submit sends the ids
// (`play.onPick(ids)`); the big screens list the items as shuffled for them. The reveal says
// the right order in words.
const ORDER = {
  question(area, v, play) {
    const items = v.items || [];
    area.classList.remove("two");
    area.classList.add("long");
    if (!play) {
      area.replaceChildren(...items.map((it, i) => tile(i, it.text)));
      area.hidden = false;
      return;
    }
    const picked = [];
    const draw = () => {
      const tiles = items.map((it, i) => {
        const b = tile(i, it.text, "button");
        b.type = "button";
        const at = picked.indexOf(it.id);
        b.classList.toggle("chosen", at >= 0);
        b.querySelector(".shape").textContent = at >= 0 ? `${at + 1}.` : SHAPES[i] || "";
        b.setAttribute("aria-label", at >= 0 ? t("order_item_at", { item: it.text, n: at + 1 }) : t("order_item_unplaced", { item: it.text }));
        b.onclick = () => {
          if (at >= 0) picked.splice(at);
          else picked.push(it.id);
          draw();
          const again = area.querySelector(`[data-choice="${i}"]`);
          if (again) again.focus();
        };
        return b;
      });
      const send = document.createElement("button");
      send.type = "button";
      send.id = "order-btn";
      send.className = "primary big";
      send.textContent = picked.length === items.length ? t("submit") : t("tap_items_in_order", { n: picked.length, of: items.length });
      send.disabled = picked.length !== items.length;
      // `data-waiting`: the phone keeps it disabled when answering opens (see player.js).
      send.dataset.waiting = String(send.disabled);
      // The phone re-enables every input when answering opens: check again here.
      send.onclick = () => { if (picked.length === items.length) play.onPick([...picked]); };
      area.replaceChildren(...tiles, send);
    };
    draw();
    area.hidden = false;
  },
  screenReveal: (m, q) => ({
    labels: [t("right_order"), t("not_quite")], correct: new Set([0]), shapes: false, colours: [3, 0], accept: orderKey(m, q),
  }),
  phoneReveal(m, q, mine, typed, sent) {
    $("reveal-answers").replaceChildren();
    const lines = [orderKey(m, q)];
    if (sent && sent.order) lines.push(t("order_yours", { list: orderWords(sent.order, q) }));
    return lines.join(" · ");
  },
};

/** Item ids as their texts, from the question as this page saw it ("Atom → Cell → …"). */
export function orderWords(ids, q) {
  const byId = new Map(((q && q.items) || []).map((it) => [it.id, it.text]));
  return ids.map((id) => byId.get(id) ?? `#${id}`).join(" → ");
}

const orderKey = (m, q) => t("right_order_list", { list: orderWords(m.correct_order || [], q) });

const sliderKey = (m) =>
  t(m.tolerance ? "correct_value_within" : "correct_value", { value: m.correct_value, tolerance: m.tolerance });

/**
 * Each kind's renderers: `question` (the answer area), `screenReveal` (the big screens' chart
 * rows, and the `#reveal-accept` line if any), `phoneReveal` (draws the phone's tiles, answers
 * its `#reveal-accept` line or null), the phone's `hint`, and `live` when votes are shown as
 * they come. A new kind adds its entry here.
 */
const KINDS = {
  choice: { ...TILES, hint: t("hint_choice") },
  true_false: { ...TILES, hint: t("hint_true_false") },
  multi: { ...TILES, hint: t("hint_multi") },
  poll: { ...TILES, hint: t("hint_poll"), live: true },
  type_answer: { ...TYPED, hint: t("hint_type_answer") },
  slider: { ...SLIDER, hint: t("hint_slider") },
  order: { ...ORDER, hint: t("hint_order") },
  word_cloud: { ...CLOUD, hint: t("hint_word_cloud") },
  slide: { ...SLIDE, hint: "" },
};
const kindOf = (kind) => KINDS[kind] || KINDS.choice;
// A reveal names its kind by what it carries (`accept` only for a typed answer,
// `correct_value` only for a slider), so a page that never saw the question still draws it right.
const revealKind = (m, q) =>
  kindOf(m.accept !== undefined ? "type_answer"
    : m.correct_value !== undefined ? "slider"
      : m.correct_order !== undefined ? "order"
        : m.words !== undefined ? "word_cloud" : q && q.kind);

// ---- the room's rules ----

let mode = "classic";

/** The room's mode (`room_state.mode`, `welcome.mode`): race reveals name the winner. */
export function setMode(m) {
  mode = m === "race" ? "race" : "classic";
}

/** `ms` in seconds with `digits` decimals, the locale's decimal sign ("1.34", "1,34"). */
const secs = (ms, digits) =>
  num(ms / 1000, { minimumFractionDigits: digits, maximumFractionDigits: digits, numberingSystem: "latn" });

/** "Mia got it first (1.34 s)" for a race reveal; null when nobody did or in classic mode. */
function raceWinner(m) {
  if (mode !== "race") return null;
  const f = m.first_correct;
  return f ? t("got_it_first", { name: f.name, seconds: secs(f.elapsed_ms, 2) }) : t("nobody_got_it");
}

// ---- the question ----

/** The question: `#q-progress`, `#q-text` and the answer area `#q-choices` (see `TILES`). */
export function drawQuestion(v, play = null) {
  $("q-progress").textContent = t("question_n_of", { n: v.index + 1, total: v.total });
  // Shapes only (`question_on_phones` off): the words are on the big screen.
  $("q-text").textContent = v.shapes_only ? t("look_at_the_screen") : heading(v);
  drawMedia($("q-media"), v.media, { large: !play });
  kindOf(v.kind).question($("q-choices"), v, play);
  // A slide has no timer and takes no answers: the bar shows the progress alone.
  $("qbar").classList.toggle("untimed", v.kind === "slide");
  // A poll's votes arrive live with `answer_count.votes`: the chart grows under the tiles.
  const live = $("live-chart");
  if (live) {
    live.replaceChildren();
    live.hidden = true;
  }
}

/**
 * The big screens' question: drawn, with its answer count (`answered` of `of`), said to
 * screen readers, and its countdown started.
 */
export function drawScreenQuestion(v, answered, of, countdown) {
  drawQuestion(v);
  drawAnswerCount(answered, of);
  announce(`${t("question_n_of", { n: v.index + 1, total: v.total })}: ${heading(v)}`);
  startQuestionClock(v, countdown);
}

/** The get-ready countdown of the question on screen (one at a time; made on first use). */
let ready = null;

/**
 * The question's clock: first its get-ready time (`opens_in_ms`), shown in `#get-ready` with
 * the answer countdown held full, then the answer countdown itself; `onOpen()` when answering
 * opens (at once when there is no get-ready time). The server refuses earlier answers, so the
 * phone keeps its tiles disabled until then.
 */
export function startQuestionClock(v, countdown, onOpen = () => {}) {
  stopGetReady();
  // A room without time limits shows no clock; the countdown still runs, unseen, to the
  // server's safety cap, so the pages' "time is up" logic needs no second path. A slide has
  // no clock at all: it stays up until the host moves on.
  const untimed = Boolean(v.no_time_limit) || v.kind === "slide";
  $("time-left").parentElement.hidden = untimed;
  $("time-bar").parentElement.hidden = untimed;
  if (v.kind === "slide") return countdown.stop();
  markTeamTalk(v);
  const box = $("get-ready");
  const opened = () => {
    if (box) box.hidden = true;
    $("screen-question").classList.remove("reading");
    countdown.start(v.remaining_ms);
    onOpen();
  };
  if (!(v.opens_in_ms > 0)) return opened();
  countdown.stop();
  $("time-left").textContent = Math.ceil(v.remaining_ms / 1000);
  $("time-bar").style.transform = "scaleX(1)";
  $("screen-question").classList.add("reading");
  ready ??= new Countdown(() => {});
  ready.onTick = (left) => {
    if (left <= 0) return opened();
    box.hidden = false;
    $("get-ready-count").textContent = Math.ceil(left / 1000);
  };
  ready.start(v.opens_in_ms);
}

/** Stops a get-ready countdown (the question closed, or another came). */
export function stopGetReady() {
  if (ready) ready.stop();
  const box = $("get-ready");
  if (box) box.hidden = true;
  const screen = $("screen-question");
  if (screen) screen.classList.remove("reading");
}

/** The phone's hint for a kind ("Tap one answer."). */
export const hintFor = (kind) => (KINDS[kind] ? KINDS[kind].hint : "");

/** `#answer-count` on the big screens. */
function drawAnswerCount(answered, of) {
  $("answer-count").textContent = t("n_of_answered_short", { answered, of });
}

/** The votes so far under the tiles, for the kinds that show them live. */
function drawLiveVotes(q, votes) {
  if (!q || !kindOf(q.kind).live) return;
  chart($("live-chart"), { labels: q.choices, counts: votes });
  $("live-chart").hidden = false;
}

/**
 * The countdown in `#time-left` and `#time-bar`, against the question `current()` answers;
 * `onTick(leftMs)` for what a page adds (the phone's "Time's up!").
 */
export function stageCountdown(current, onTick = () => {}) {
  return new Countdown((left) => {
    $("time-left").textContent = Math.ceil(left / 1000);
    const q = current();
    const frac = q && q.time_limit_ms > 0 ? left / q.time_limit_ms : 0;
    $("time-bar").style.transform = `scaleX(${Math.min(1, frac)})`;
    onTick(left);
  });
}

// ---- the reveal ----

/**
 * The big screens' reveal: the question (`#reveal-text`), the chart with the right answers
 * marked (`#chart`), the accepted typed answers (`#reveal-accept`) and who was fastest
 * (`#first-correct`). `q` is the question as it was shown, or null when this page never saw it.
 */
export function drawReveal(m, q, opts = {}) {
  stopGetReady();
  $("reveal-text").textContent = q && q.text ? q.text : "";
  const kind = revealKind(m, q);
  let accept = null;
  if (kind.drawScreenReveal) {
    accept = kind.drawScreenReveal($("chart"), m, opts);
  } else {
    const { accept: line = null, ...rows } = kind.screenReveal(m, q);
    accept = line;
    chart($("chart"), { counts: m.counts, ...rows });
  }
  $("reveal-accept").hidden = !accept;
  $("reveal-accept").textContent = accept || "";
  const f = m.first_correct;
  const winner = raceWinner(m);
  $("first-correct").textContent = winner
    ? `${winner} · ${t("n_of_answered", { answered: m.answered, total: m.total })}`
    : f
      ? `${t("fastest_right", { name: f.name, seconds: secs(f.elapsed_ms, 1) })} · ${t("n_of_answered", { answered: m.answered, total: m.total })}`
      : t("n_of_answered", { answered: m.answered, total: m.total });
  drawExplanation(m);
}

/** `#reveal-explanation`: the author's explanation, which only `question_closed` carries. */
function drawExplanation(m) {
  const el = $("reveal-explanation");
  if (!el) return;
  el.textContent = m.explanation || "";
  el.hidden = !m.explanation;
}

/**
 * The phone's reveal: the question, the tiles with their counts (`#reveal-answers`), or the
 * accepted answers of a typed one (`#reveal-accept`). `mine` is the answer this phone sent.
 */
export function drawPhoneReveal(m, q, mine) {
  stopGetReady();
  // A phone with its own choice order (`shuffle_answers`): the reveal speaks the quiz's
  // indices, the tiles and `mine` the places shown.
  const order = q && q.choice_order;
  if (order) {
    m = {
      ...m,
      correct: m.correct && m.correct.map((i) => order.indexOf(i)),
      counts: m.counts && order.map((i) => m.counts[i]),
    };
  }
  $("reveal-text").textContent = q ? q.text : "";
  const picks = new Set(mine ? (mine.choices || [mine.choice]) : []);
  const line = revealKind(m, q).phoneReveal(m, q, picks, mine && mine.text, mine);
  $("reveal-accept").textContent = line || "";
  $("reveal-accept").hidden = !line;
  const winner = raceWinner(m);
  $("first-correct").textContent = winner || "";
  $("first-correct").hidden = !winner;
  drawExplanation(m);
}

/** Empties the phone's reveal (a new question, or a result for a reveal this tab never saw). */
export function clearPhoneReveal() {
  $("reveal-text").textContent = "";
  $("reveal-answers").replaceChildren();
  $("reveal-accept").hidden = true;
  $("first-correct").hidden = true;
  $("reveal-explanation").hidden = true;
}

// ---- leaderboard and podium ----

/**
 * The leaderboard (`#leaderboard`) or, `finished`, the podium (`#podium`, with `#podium-empty`
 * where the page has it). `prevBoard` (the leaderboard before) gives the rank changes; `meId`
 * marks the viewer's own row.
 */
export function drawStandings(list, finished, { prevBoard = null, meId = null } = {}) {
  stopGetReady();
  const prev = !finished && prevBoard ? ranksOf(prevBoard.top) : null;
  standings($(finished ? "podium" : "leaderboard"), list, { prev, meId });
  const empty = $("podium-empty");
  if (empty) empty.hidden = !(finished && list.length === 0);
}

// ---- the big screens' saved view ----

/**
 * The live messages the host page and the presenter draw alike, each saved to `view` (see
 * storage.js) first: `draw` is the page's `{ current(), question(v, answered), reveal(m),
 * board(m) }`. Spread into a Connection's `on` handlers.
 */
export const screenHandlers = (view, draw) => ({
  answer_count: (m) => {
    const q = draw.current();
    if (!q || m.index !== q.index) return;
    drawAnswerCount(m.answered, m.total);
    if (m.votes) drawLiveVotes(q, m.votes);
  },
  question: (m) => {
    view.save({ question: m, closed: null, board: null });
    draw.question(m, 0);
  },
  question_closed: (m) => {
    view.save({ closed: m });
    draw.reveal(m);
  },
  leaderboard: (m) => {
    view.save(boardsAfter(view.load(), m));
    draw.board(m);
  },
});

/**
 * After a `room_state` (a reload, a reconnect): what the live messages drew, from the snapshot
 * and from what this tab saved of the same game. `draw` as for `screenHandlers`, with
 * `shown(q)` to set the page's question first. Answers false when the page must draw the
 * phase on its own (the lobby; a reveal or leaderboard this tab never saw).
 */
export function redrawFromState(m, view, draw) {
  view.forGame(m.game_id);
  const saved = view.load();
  const seen = (f) => f && f.index === m.index;
  const shownQuestion = () => (seen(saved.question) ? saved.question : { index: m.index });
  if (m.phase === "question" && m.question) {
    if (!seen(saved.question)) view.save({ question: m.question, closed: null, board: null });
    draw.question(m.question, m.answered);
  } else if (m.phase === "reveal" && m.reveal) {
    // The server's copy of the reveal: drawn as the live `question_closed` was.
    const question = m.question || shownQuestion();
    const closed = { index: m.index, ...m.reveal };
    view.save({ question, closed });
    draw.shown(question);
    draw.reveal(closed);
  } else if (m.phase === "reveal" && seen(saved.closed)) {
    draw.shown(shownQuestion());
    draw.reveal(saved.closed);
  } else if (m.phase === "leaderboard" && seen(saved.board)) {
    draw.shown(shownQuestion());
    draw.board(saved.board);
  } else {
    return false;
  }
  return true;
}

/**
 * Standings rebuilt from `room_state`'s players (player_id → {name, score}) when the page
 * did not see the leaderboard itself: best first, in join order within a score, as many as
 * the server would show (3 on the podium, 10 on a leaderboard). Equal scores share a rank
 * (1, 2, 2, 4), as the server ranks; `room_state` carries no rank to copy.
 */
export function rebuiltStandings(players, finished) {
  const list = [...players.entries()]
    .sort((a, b) => b[1].score - a[1].score)
    .map(([id, p]) => ({ player_id: id, name: p.name, score: p.score }));
  list.forEach((s, i) => (s.rank = i > 0 && list[i - 1].score === s.score ? list[i - 1].rank : i + 1));
  return list.slice(0, finished ? 3 : 10);
}

/**
 * Rank changes against the previous standings (player_id → rank): "up 2", "down 1", "same",
 * "new". Computed in the page, because the server sends each leaderboard on its own.
 */
function rankMove(prev, s) {
  if (!prev) return null;
  const before = prev[s.player_id];
  if (before == null) return { kind: "new", text: t("move_new"), label: t("move_new_label") };
  if (before > s.rank) return { kind: "up", text: `▲ ${before - s.rank}`, label: t("move_up", { n: before - s.rank }) };
  if (before < s.rank) return { kind: "down", text: `▼ ${s.rank - before}`, label: t("move_down", { n: s.rank - before }) };
  return { kind: "same", text: "–", label: t("move_same") };
}

/**
 * The saved boards after leaderboard `m`: the board before it gives the rank changes, and a
 * redraw of the same board (after a reload) keeps comparing with the one before that.
 */
export function boardsAfter(saved, m) {
  const prevBoard = saved.lastBoard && saved.lastBoard.index < m.index ? saved.lastBoard : saved.prevBoard;
  return { board: m, lastBoard: m, prevBoard };
}

/** player_id → rank, to compare the next standings with. */
const ranksOf = (list) => Object.fromEntries(list.map((s) => [s.player_id, s.rank]));

/**
 * Standings (leaderboard or podium) as `<li>`s of rank, name, score and, with `prev`, the
 * rank change. `meId` marks the viewer's own row.
 */
function standings(el, list, { prev = null, meId = null } = {}) {
  el.replaceChildren(...list.map((s) => {
    const li = document.createElement("li");
    li.dataset.rank = s.rank;
    li.dataset.playerId = s.player_id;
    if (meId != null && s.player_id === meId) li.classList.add("me");
    const rank = document.createElement("span");
    rank.className = "rank";
    rank.textContent = s.rank;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = s.name;
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = t("score_pts", { score: s.score });
    li.append(rank, name, score);
    const move = rankMove(prev, s);
    if (move) {
      const m = document.createElement("span");
      m.className = `move ${move.kind}`;
      m.textContent = move.text;
      m.title = move.label;
      m.setAttribute("aria-label", move.label);
      li.append(m);
      li.classList.add("with-move");
    }
    return li;
  }));
}

/** A countdown bound to a deadline: `left()` in ms, `onTick(leftMs)` about five times a second. */
class Countdown {
  constructor(onTick) {
    this.onTick = onTick;
    this.deadline = 0;
    this.timer = null;
  }

  left() {
    return Math.max(0, this.deadline - performance.now());
  }

  start(remainingMs) {
    this.stop();
    this.deadline = performance.now() + remainingMs;
    const tick = () => {
      const left = this.left();
      this.onTick(left);
      if (left <= 0) this.stop();
    };
    tick();
    this.timer = setInterval(tick, 200);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * `fn` once, `ms` after the first of a burst of calls: a busy lobby brings hundreds of
 * `player_joined` a second, and a list of names need not be redrawn for each.
 */
export function coalesced(fn, ms = 150) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      fn();
    }, ms);
  };
}

// The host's and the presenter's roster: `roster()` is the page's current Map of players by
// id, `draw()` redraws it. Spread into a Connection's `on` handlers.
export const rosterHandlers = (roster, draw) => ({
  player_joined: (m) => {
    roster().set(m.player_id, { name: m.name, score: 0, connected: true, team: m.team });
    draw();
  },
  player_left: (m) => {
    roster().delete(m.player_id);
    draw();
  },
  player_connection: (m) => {
    const p = roster().get(m.player_id);
    if (p) p.connected = m.connected;
    draw();
  },
});

/**
 * Shrinks what `el` holds until it fits `el`'s box, and returns the scale it chose: the custom
 * property `--fit` (from `max` down to `min`) that app.css multiplies the question's, the answer
 * tiles' and the chart's sizes by. The box must not grow with its content (app.css gives a
 * `.screen.fit` the window's height, less the bars and controls around it).
 */
function fitText(el, { min = 0.3, max = 1 } = {}) {
  const overflows = () => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  el.style.setProperty("--fit", String(max));
  if (el.clientHeight === 0 || !overflows()) return max;
  // Line breaks make "fits" only nearly monotonic in the scale; a few halvings settle on one
  // that was seen to fit (or on `min`).
  let fits = min;
  let over = max;
  for (let i = 0; i < 8; i++) {
    const mid = (fits + over) / 2;
    el.style.setProperty("--fit", String(mid));
    if (overflows()) over = mid;
    else fits = mid;
  }
  el.style.setProperty("--fit", String(fits));
  return fits;
}

/**
 * Keeps `el` fitted (see `fitText`) when its box changes (the window resizes, the screen is
 * shown) and when its content changes (a new question, a live vote). Both observers report
 * before the next paint, so a new question never shows at the wrong size first.
 */
export function keepFitted(el, options) {
  const refit = () => fitText(el, options);
  new ResizeObserver(refit).observe(el);
  new MutationObserver(refit).observe(el, { childList: true, subtree: true, characterData: true });
  return refit;
}

/** Whether answers are long enough that a phone shows one tile per row rather than two. */
const longAnswers = (labels) => labels.some((l) => l.length > 32);
