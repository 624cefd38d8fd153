// Assignments: the host makes one from a quiz (deadline, what to ask each player for,
// attempts), shares its code, link and QR code, and watches it live (`/assignments?id=N`):
// attempts started and finished, the average score and the leaderboard so far, polled every
// few seconds, with a button to close it early. Its game is in Results like any other.

import { $, el } from "./dom.js";
import { api, codeQrSrc, humanError, showError, startPage, when } from "./common.js";
import { num, t } from "./i18n.js";

const POLL_MS = 3000;
const announce = (text) => ($("announcer").textContent = text);

// ---- the list and the form ----
async function showList() {
  $("list-view").hidden = false;
  try {
    const quizzes = await api("GET", "/api/quizzes");
    $("hw-quiz").replaceChildren(...quizzes.map((q) => el("option", { value: q.id }, q.title)));
  } catch (e) {
    $("new-error").textContent = humanError(e);
  }
  // Tomorrow at this time, in the browser's own time zone, as datetime-local wants it.
  const d = new Date(Date.now() + 24 * 3600 * 1000);
  d.setSeconds(0, 0);
  $("hw-deadline").value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  await loadList();
}

async function loadList() {
  let rows;
  try {
    rows = await api("GET", "/api/assignments");
  } catch (e) {
    $("list-error").textContent = humanError(e);
    return;
  }
  $("list-empty").hidden = rows.length > 0;
  $("hw-list").hidden = rows.length === 0;
  $("hw-list").tBodies[0].replaceChildren(...rows.map((a) => el("tr", { dataset: { id: a.game_id } },
    el("th", { scope: "row" }, el("a", { href: `/assignments?id=${a.game_id}` }, a.title)),
    el("td", { "data-label": t("assignment_code"), translate: "no" }, a.code),
    el("td", { class: "nowrap", "data-label": t("deadline") }, when(a.deadline_ms)),
    el("td", { "data-label": t("status") }, t(a.closed ? "assignment_closed" : "assignment_open")),
    el("td", { class: "num", "data-label": t("finished_of_started") }, `${a.finished} / ${a.started}`))));
}

$("new-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const deadline = new Date($("hw-deadline").value);
  const body = {
    quiz_id: Number($("hw-quiz").value),
    deadline: Number.isNaN(deadline.getTime()) ? "" : deadline.getTime(),
    attempts: Number($("hw-attempts").value),
    shuffle_questions: $("hw-shuffle").checked,
    shuffle_answers: $("hw-shuffle-answers").checked,
  };
  const label = $("hw-label").value.trim();
  if (label) body.identifier_label = label;
  $("hw-create").disabled = true;
  try {
    const made = await api("POST", "/api/assignments", body);
    location.href = `/assignments?id=${made.id}`;
  } catch (e) {
    showError($("new-error"), e, { deadline: "hw-deadline", attempts: "hw-attempts", identifier_label: "hw-label", quiz_id: "hw-quiz" });
  } finally {
    $("hw-create").disabled = false;
  }
};

// ---- one assignment, live ----
let shownCode = null;
async function showLive(id) {
  $("live-results").href = `/results?game=${id}`;
  $("live-close").onclick = async () => {
    if (!confirm(t("close_assignment_confirm"))) return;
    try {
      draw(await api("POST", `/api/assignments/${id}/close`, {}));
      announce(t("assignment_closed"));
    } catch (e) {
      $("live-error").textContent = humanError(e);
    }
  };
  const poll = async () => {
    try {
      draw(await api("GET", `/api/assignments/${id}`));
      $("live-error").textContent = "";
    } catch (e) {
      $("live-error").textContent = humanError(e);
    }
  };
  // Shown once the first answer is drawn (or its error), never as an empty frame.
  await poll();
  $("live-view").hidden = false;
  setInterval(() => {
    if (document.visibilityState !== "hidden") poll();
  }, POLL_MS);
}

function draw(a) {
  $("live-title").textContent = a.title;
  $("live-status").textContent = a.closed
    ? t("assignment_closed")
    : t("open_until", { when: when(a.deadline_ms) });
  if (shownCode !== a.code) {
    shownCode = a.code;
    const url = `${location.origin}/?code=${a.code}`;
    $("live-code").textContent = a.code;
    $("live-link").textContent = url;
    $("live-link").href = url;
    $("live-qr").src = codeQrSrc(a.code);
    $("live-qr").alt = t("qr_code_for", { url });
  }
  $("live-close").hidden = a.closed;
  $("live-started").textContent = num(a.started);
  $("live-finished").textContent = num(a.finished);
  $("live-average").textContent = a.average_score == null ? "–" : num(Math.round(a.average_score));
  const asks = a.identifier_label != null;
  $("board-id-col").hidden = !asks;
  $("board-id-col").textContent = asks ? a.identifier_label : "";
  $("board-empty").hidden = a.leaderboard.length > 0;
  $("live-board").hidden = a.leaderboard.length === 0;
  $("live-board").tBodies[0].replaceChildren(...a.leaderboard.map((l) => el("tr", {},
    el("td", { class: "num" }, num(l.rank)),
    el("th", { scope: "row" }, l.name),
    asks ? el("td", { translate: "no" }, l.identifier || "") : null,
    el("td", { class: "num" }, num(l.score)))));
}

await startPage();
const id = new URLSearchParams(location.search).get("id");
if (id) await showLive(Number(id));
else await showList();
