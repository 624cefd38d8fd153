// Drawing shared by the game pages (player, host, presenter): answer tiles with a colour and a
// shape, the answer chart, standings with rank changes, the podium, and the reveal screen the
// host and the presenter show alike. The pages decide what to show when.

/** One shape per choice, so colour is never the only cue (tile classes c0…c5 give the colour). */
export const SHAPES = ["▲", "◆", "●", "■", "★", "⬟"];

/** An answer tile: `<tag class="tile cN" data-choice=N>` with its shape and label. */
export function tile(i, label, tag = "div") {
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
      said.textContent = " (right answer)";
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
    [...el.children].every((r, i) => r.querySelector(".bar-label").textContent === rows[i].querySelector(".bar-label").textContent);
  if (!same) return el.replaceChildren(...rows);
  rows.forEach((r, i) => {
    const old = el.children[i];
    old.className = r.className;
    old.querySelector(".bar").style.width = r.querySelector(".bar").style.width;
    old.querySelector(".bar-count").textContent = r.querySelector(".bar-count").textContent;
  });
}

/**
 * The reveal of the host and presenter pages, which share its element ids: the question
 * (`#reveal-text`), the chart with the right answers marked (`#chart`), the accepted typed
 * answers (`#reveal-accept`) and who was fastest (`#first-correct`). `q` is the question as
 * it was shown, or null when this page never saw it (its labels are then generic).
 */
export function drawReveal(m, q) {
  const $ = (id) => document.getElementById(id);
  $("reveal-text").textContent = q && q.text ? q.text : "";
  const typed = m.accept !== undefined || (q && q.kind === "type_answer");
  const labels = typed
    ? ["Right", "Wrong"]
    : m.counts.map((_, i) => (q && q.choices ? q.choices[i] : `Answer ${i + 1}`));
  const correct = new Set(typed ? [0] : m.correct || []);
  chart($("chart"), { labels, counts: m.counts, correct, shapes: !typed, colours: typed ? [3, 0] : null });
  $("reveal-accept").hidden = !typed;
  $("reveal-accept").textContent = typed ? `Accepted answers: ${(m.accept || []).join(", ")}` : "";
  const f = m.first_correct;
  $("first-correct").textContent = f
    ? `Fastest right answer: ${f.name} in ${(f.elapsed_ms / 1000).toFixed(1)} s · ${m.answered} of ${m.total} answered`
    : `${m.answered} of ${m.total} answered`;
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
export function rankMove(prev, s) {
  if (!prev) return null;
  const before = prev[s.player_id];
  if (before == null) return { kind: "new", text: "new", label: "new on the board" };
  if (before > s.rank) return { kind: "up", text: `▲ ${before - s.rank}`, label: `up ${before - s.rank}` };
  if (before < s.rank) return { kind: "down", text: `▼ ${s.rank - before}`, label: `down ${s.rank - before}` };
  return { kind: "same", text: "–", label: "same place" };
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
export const ranksOf = (list) => Object.fromEntries(list.map((s) => [s.player_id, s.rank]));

/**
 * Standings (leaderboard or podium) as `<li>`s of rank, name, score and, with `prev`, the
 * rank change. `meId` marks the viewer's own row.
 */
export function standings(el, list, { prev = null, meId = null } = {}) {
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
    score.textContent = `${s.score} pts`;
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
export class Countdown {
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
    roster().set(m.player_id, { name: m.name, score: 0, connected: true });
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
export function fitText(el, { min = 0.3, max = 1 } = {}) {
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
export const longAnswers = (labels) => labels.some((l) => l.length > 32);
