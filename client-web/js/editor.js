// The quiz editor: the account's quizzes (built-in samples read-only), and a form that edits
// every question kind. The form works on a plain model (`quiz`) and is redrawn from it after
// each structural change (add, remove, reorder, kind); typing only updates the model.
// The server is the judge of a quiz: its `bad_field` answer (`index` + `field`) is shown next
// to the question and field it names. The few checks done here only save a round trip.

import { $, el } from "./dom.js";
import { api, download, humanError, startPage } from "./common.js";
import { markQuizLang, t } from "./i18n.js";
import { mediaDoc, mediaPart, mediaProblem } from "./editor-media.js";

const KINDS = ["choice", "true_false", "multi", "type_answer", "poll", "slider", "order", "word_cloud", "slide"];
// Kinds that score nothing (no points setting), and the slide, which has no timer or reveal.
const UNSCORED = ["poll", "word_cloud", "slide"];
// A slider's numbers: the model's field and the document's.
const SLIDER_FIELDS = [["sMin", "min"], ["sMax", "max"], ["sStep", "step"], ["sValue", "correct_value"], ["sTolerance", "tolerance"]];
const KINDS_WITH_CHOICES = ["choice", "multi", "poll"];
const MAX_CHOICES = 6;
const MIN_CHOICES = 2;
const MAX_TITLE = 120;

let quiz = null; // {id: number|null, title, questions: [question model]}
let nextUid = 1;

const announce = (t) => ($("announcer").textContent = t);

// ---- list ----
async function showList(notice) {
  $("edit-view").hidden = true;
  $("list-view").hidden = false;
  $("list-notice").textContent = notice || "";
  $("list-notice").hidden = !notice;
  $("list-error").textContent = "";
  history.replaceState(null, "", "/editor");
  let list;
  try {
    list = await api("GET", "/api/quizzes");
  } catch (e) {
    $("list-error").textContent = t("could_not_load_quizzes", { error: humanError(e) });
    return;
  }
  $("quiz-list").replaceChildren(...list.map(quizCard));
  $("quiz-list-empty").hidden = list.length > 0;
}

function quizCard(q) {
  const builtin = q.builtin === true;
  const actions = [];
  if (!builtin) actions.push(el("button", { type: "button", class: "edit-btn", onclick: () => openQuiz(q.id) }, t("edit")));
  actions.push(
    el("button", { type: "button", class: "dup-btn", onclick: () => duplicate(q) }, t("duplicate")),
    el("a", { class: "button host-btn", href: `/host?quiz=${q.id}` }, t("host")),
  );
  if (!builtin) actions.push(el("button", { type: "button", class: "danger del-btn", onclick: () => remove(q) }, t("delete")));
  return el("li", { class: "card quiz-item", dataset: { quizId: q.id } },
    el("div", { class: "quiz-head" },
      el("strong", { class: "quiz-name" }, q.title),
      builtin ? el("span", { class: "tag builtin" }, t("builtin_read_only")) : null),
    el("p", { class: "hint" }, t("n_questions", { count: q.questions })),
    el("div", { class: "row" }, actions));
}

async function duplicate(q) {
  try {
    const doc = await api("GET", `/api/quizzes/${q.id}`);
    const suffix = ` (${t("copy")})`;
    doc.title = doc.title.slice(0, MAX_TITLE - suffix.length) + suffix;
    await api("POST", "/api/quizzes", doc);
    await showList(t("saved_copy", { title: doc.title }));
  } catch (e) {
    $("list-error").textContent = t("could_not_duplicate", { title: q.title, error: humanError(e) });
  }
}

async function remove(q) {
  if (!confirm(t("confirm_delete_quiz", { title: q.title }))) return;
  try {
    await api("DELETE", `/api/quizzes/${q.id}`);
    await showList(t("deleted_quiz", { title: q.title }));
  } catch (e) {
    $("list-error").textContent = t("could_not_delete", { title: q.title, error: humanError(e) });
  }
}

async function openQuiz(id) {
  try {
    const doc = await api("GET", `/api/quizzes/${id}`);
    edit(fromDoc(doc, id));
  } catch (e) {
    $("list-error").textContent = t("could_not_open_quiz", { error: humanError(e) });
  }
}

// ---- model <-> document ----
function blankQuestion(kind = "choice") {
  return {
    uid: nextUid++,
    kind,
    title: "",
    text: "",
    choices: [0, 1, 2, 3].map(() => ({ text: "", correct: false })),
    tf: 0,
    accept: "",
    typo: "forgive",
    partial: false,
    time: "",
    read: "",
    explanation: "",
    points: "standard",
    sMin: "",
    sMax: "",
    sStep: "",
    sValue: "",
    sTolerance: "",
    items: "",
    media: null,
  };
}

function fromDoc(doc, id = null) {
  return {
    id,
    title: doc.title || "",
    read: doc.read_s == null ? "" : String(doc.read_s),
    lang: doc.lang || "",
    questions: (doc.questions || []).map((d) => {
      const q = blankQuestion(d.kind);
      q.text = d.text || "";
      q.title = d.title || "";
      const correct = new Set(d.correct || []);
      if (KINDS_WITH_CHOICES.includes(d.kind)) {
        q.choices = (d.choices || []).map((text, i) => ({ text, correct: correct.has(i) }));
      }
      if (d.kind === "true_false") q.tf = correct.has(1) && !correct.has(0) ? 1 : 0;
      q.accept = (d.accept || []).join("\n");
      q.time = d.time_limit_s == null ? "" : String(d.time_limit_s);
      q.read = d.read_s == null ? "" : String(d.read_s);
      q.explanation = d.explanation || "";
      q.typo = d.typo || "forgive";
      q.partial = d.partial === true;
      q.points = d.points || "standard";
      for (const [m, f] of SLIDER_FIELDS) q[m] = d[f] == null ? "" : String(d[f]);
      q.items = (d.items || []).join("\n");
      q.media = d.media ? { hash: d.media.hash, alt: d.media.alt || "", kind: d.media.kind } : null;
      return q;
    }),
  };
}

/** The quiz document as the API takes it. */
function toDoc() {
  const doc = {
    title: quiz.title.trim(),
    questions: quiz.questions.map((q) => {
      const d = { kind: q.kind, text: q.text.trim() };
      if (q.kind === "slide" && q.title.trim()) d.title = q.title.trim();
      if (KINDS_WITH_CHOICES.includes(q.kind)) d.choices = q.choices.map((c) => c.text.trim());
      if (q.kind === "choice" || q.kind === "multi") {
        d.correct = q.choices.flatMap((c, i) => (c.correct ? [i] : []));
      }
      if (q.kind === "true_false") d.correct = [q.tf];
      if (q.kind === "type_answer") d.accept = q.accept.split("\n").map((a) => a.trim()).filter(Boolean);
      if (q.kind !== "slide" && q.time.trim() !== "") d.time_limit_s = Number(q.time);
      if (q.kind !== "slide" && q.read.trim() !== "") d.read_s = Number(q.read);
      if (!UNSCORED.includes(q.kind)) d.points = q.points;
      if (q.kind === "type_answer" && q.typo === "exact") d.typo = "exact";
      if (q.kind === "multi" && q.partial) d.partial = true;
      if (q.kind === "order") d.items = q.items.split("\n").map((a) => a.trim()).filter(Boolean);
      if (q.kind === "slider") {
        for (const [m, f] of SLIDER_FIELDS) if (q[m].trim() !== "") d[f] = Number(q[m]);
      }
      if (q.kind !== "slide" && q.explanation.trim()) d.explanation = q.explanation.trim();
      const media = mediaDoc(q);
      if (media) d.media = media;
      return d;
    }),
  };
  if (quiz.read.trim() !== "") doc.read_s = Number(quiz.read);
  if (quiz.lang.trim() !== "") doc.lang = quiz.lang.trim();
  return doc;
}

// ---- the form ----
function edit(model, notice) {
  quiz = model;
  $("list-view").hidden = true;
  $("edit-view").hidden = false;
  $("edit-title").textContent = t(quiz.id ? "edit_quiz" : "new_quiz");
  $("edit-notice").textContent = notice || "";
  $("edit-notice").hidden = !notice;
  $("quiz-title").value = quiz.title;
  $("quiz-read").value = quiz.read;
  $("quiz-lang").value = quiz.lang;
  markQuizText(document);
  updateHostLink();
  clearErrors();
  drawQuestions();
  if (quiz.id) history.replaceState(null, "", `/editor?quiz=${quiz.id}`);
  window.scrollTo(0, 0);
  $("quiz-title").focus();
}

function updateHostLink() {
  $("host-link").hidden = !quiz.id;
  if (quiz.id) $("host-link").href = `/host?quiz=${quiz.id}`;
}

$("quiz-title").oninput = () => (quiz.title = $("quiz-title").value);
$("quiz-lang").oninput = () => {
  quiz.lang = $("quiz-lang").value;
  markQuizText(document);
};

// The fields that hold quiz text carry the quiz's language, so that a screen reader reads the
// questions in the language they are written in, whatever the page's own.
const QUIZ_TEXT = "#quiz-title, .f-text, .f-choice, .f-accept, .f-explanation";
function markQuizText(root) {
  const tag = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(quiz.lang.trim()) ? quiz.lang.trim() : "";
  for (const field of root.querySelectorAll(QUIZ_TEXT)) markQuizLang(field, tag);
}
$("quiz-read").oninput = () => {
  quiz.read = $("quiz-read").value;
  // Each question's get-ready box shows the quiz's time as its placeholder.
  for (const f of document.querySelectorAll("#questions .f-read")) f.placeholder = quiz.read.trim() || "5";
};

function drawQuestions() {
  $("questions").replaceChildren(...quiz.questions.map(questionCard));
  markQuizText($("questions"));
}

function questionCard(q, i) {
  const li = $("question-tpl").content.firstElementChild.cloneNode(true);
  const part = (c) => li.querySelector(c);
  const id = (name) => `q${q.uid}-${name}`;
  li.dataset.index = i;
  li.dataset.kind = q.kind;
  part(".qnum").textContent = t("question_n", { n: i + 1 });
  for (const [label, input, name] of [
    [".l-kind", ".f-kind", "kind"], [".l-title", ".f-title", "title"], [".l-text", ".f-text", "text"], [".l-tf", ".f-tf", "tf"],
    [".l-accept", ".f-accept", "accept"], [".l-time", ".f-time", "time"], [".l-points", ".f-points", "points"],
    [".l-read", ".f-read", "read"], [".l-explanation", ".f-explanation", "explanation"], [".l-typo", ".f-typo", "typo"],
    [".l-min", ".f-min", "min"], [".l-max", ".f-max", "max"], [".l-step", ".f-step", "step"],
    [".l-value", ".f-value", "value"], [".l-tolerance", ".f-tolerance", "tolerance"], [".l-items", ".f-items", "items"],
  ]) {
    part(label).htmlFor = id(name);
    part(input).id = id(name);
  }
  part(".move-up").disabled = i === 0;
  part(".move-down").disabled = i === quiz.questions.length - 1;
  part(".move-up").setAttribute("aria-label", t("move_question_up", { n: i + 1 }));
  part(".move-down").setAttribute("aria-label", t("move_question_down", { n: i + 1 }));
  part(".remove").setAttribute("aria-label", t("remove_question", { n: i + 1 }));

  part(".f-kind").value = q.kind;
  part(".f-kind").onchange = (ev) => {
    q.kind = ev.target.value;
    if (KINDS_WITH_CHOICES.includes(q.kind) && q.choices.length < MIN_CHOICES) {
      while (q.choices.length < MIN_CHOICES) q.choices.push({ text: "", correct: false });
    }
    redrawQuestion(i, ".f-kind");
  };
  part(".title-part").hidden = q.kind !== "slide";
  part(".f-title").value = q.title;
  part(".f-title").oninput = (ev) => (q.title = ev.target.value);
  // A slide's text is what every screen shows under its title.
  part(".l-text").textContent = q.kind === "slide" ? t("slide_text") : t("question");
  part(".f-text").value = q.text;
  part(".f-text").oninput = (ev) => (q.text = ev.target.value);

  const hasChoices = KINDS_WITH_CHOICES.includes(q.kind);
  part(".choices-part").hidden = !hasChoices;
  part(".correct-hint").hidden = q.kind === "poll";
  if (hasChoices) part(".choice-list").replaceChildren(...q.choices.map((c, ci) => choiceRow(q, i, c, ci)));
  part(".add-choice").disabled = q.choices.length >= MAX_CHOICES;
  part(".add-choice").setAttribute("aria-label", t("add_choice_to", { n: i + 1 }));

  part(".tf-part").hidden = q.kind !== "true_false";
  part(".f-tf").value = String(q.tf);
  part(".f-tf").onchange = (ev) => (q.tf = Number(ev.target.value));

  part(".accept-part").hidden = q.kind !== "type_answer";
  part(".f-accept").value = q.accept;
  part(".f-accept").oninput = (ev) => (q.accept = ev.target.value);
  part(".f-typo").value = q.typo;
  part(".f-typo").onchange = (ev) => (q.typo = ev.target.value);

  part(".order-part").hidden = q.kind !== "order";
  part(".f-items").value = q.items;
  part(".f-items").oninput = (ev) => (q.items = ev.target.value);
  part(".slider-part").hidden = q.kind !== "slider";
  for (const [m, f] of SLIDER_FIELDS) {
    const input = part(`[data-field="${f}"]`);
    input.value = q[m];
    input.oninput = (ev) => (q[m] = ev.target.value);
  }

  part(".partial-part").hidden = q.kind !== "multi";
  part(".f-partial").checked = q.partial;
  part(".f-partial").onchange = (ev) => (q.partial = ev.target.checked);

  part(".f-time").value = q.time;
  part(".f-time").placeholder = "20";
  part(".f-time").oninput = (ev) => (q.time = ev.target.value);
  part(".f-read").value = q.read;
  part(".f-read").placeholder = quiz.read.trim() || "5";
  part(".f-read").oninput = (ev) => (q.read = ev.target.value);
  part(".f-explanation").value = q.explanation;
  part(".f-explanation").oninput = (ev) => (q.explanation = ev.target.value);
  part(".points-part").hidden = UNSCORED.includes(q.kind);
  part(".timing-part").hidden = q.kind === "slide";
  part(".explanation-part").hidden = q.kind === "slide";
  part(".f-points").value = q.points;
  part(".f-points").onchange = (ev) => (q.points = ev.target.value);
  mediaPart(q, part, id);

  li.addEventListener("click", (ev) => {
    const act = ev.target.closest("[data-act]");
    if (act) questionAction(i, act.dataset.act, act.dataset.choice);
  });
  return li;
}

function choiceRow(q, qi, c, ci) {
  const base = `q${q.uid}-c${ci}`;
  const n = q.choices.length;
  const correct = q.kind === "poll" ? null
    : el("label", { class: "check correct-box", for: `${base}-ok` },
      el("input", { type: "checkbox", id: `${base}-ok`, class: "f-correct" }), t("bar_right"));
  if (correct) {
    const box = correct.querySelector("input");
    box.checked = c.correct;
    box.onchange = () => (c.correct = box.checked);
    box.setAttribute("aria-label", t("choice_is_right", { c: ci + 1, q: qi + 1 }));
  }
  const input = el("input", { id: base, class: "f-choice", maxlength: "120", value: c.text });
  input.value = c.text;
  input.oninput = () => (c.text = input.value);
  const tool = (act, label, text, disabled) => el("button", {
    type: "button", class: `choice-${act}`, dataset: { act: `choice-${act}`, choice: ci },
    "aria-label": t(label, { c: ci + 1, q: qi + 1 }), disabled,
  }, text);
  return el("li", { class: "choice-row" },
    el("label", { for: base, class: "choice-label" }, t("choice_n", { n: ci + 1 })),
    input,
    el("div", { class: "choice-tools" },
      correct,
      tool("up", "move_choice_up", "↑", ci === 0),
      tool("down", "move_choice_down", "↓", ci === n - 1),
      tool("remove", "remove_choice", "✕", n <= MIN_CHOICES)));
}

function questionAction(i, act, choice) {
  const qs = quiz.questions;
  const q = qs[i];
  const ci = Number(choice);
  const swap = (list, a, b) => ([list[a], list[b]] = [list[b], list[a]]);
  switch (act) {
    case "up":
      swap(qs, i, i - 1);
      drawQuestions();
      return focusIn(i - 1, ".move-up:not(:disabled), .move-down");
    case "down":
      swap(qs, i, i + 1);
      drawQuestions();
      return focusIn(i + 1, ".move-down:not(:disabled), .move-up");
    case "remove":
      if (qs.length > 1 && (q.text.trim() || q.choices.some((c) => c.text.trim())) &&
        !confirm(t("confirm_remove_question", { n: i + 1 }))) return;
      qs.splice(i, 1);
      if (qs.length === 0) qs.push(blankQuestion());
      drawQuestions();
      announce(t("question_removed", { n: i + 1 }));
      return focusIn(Math.min(i, qs.length - 1), ".f-text");
    case "add-choice":
      if (q.choices.length >= MAX_CHOICES) return;
      q.choices.push({ text: "", correct: false });
      redrawQuestion(i, `.choice-row:last-child .f-choice`);
      return;
    case "choice-up":
      swap(q.choices, ci, ci - 1);
      return redrawQuestion(i, `.choice-row:nth-child(${ci}) .choice-up:not(:disabled), .choice-row:nth-child(${ci}) .choice-down`);
    case "choice-down":
      swap(q.choices, ci, ci + 1);
      return redrawQuestion(i, `.choice-row:nth-child(${ci + 2}) .choice-down:not(:disabled), .choice-row:nth-child(${ci + 2}) .choice-up`);
    case "choice-remove":
      if (q.choices.length <= MIN_CHOICES) return;
      q.choices.splice(ci, 1);
      return redrawQuestion(i, `.choice-row:nth-child(${Math.min(ci + 1, q.choices.length)}) .f-choice`);
  }
}

function redrawQuestion(i, focusSel) {
  const old = $("questions").children[i];
  const card = questionCard(quiz.questions[i], i);
  markQuizText(card);
  old.replaceWith(card);
  if (focusSel) focusIn(i, focusSel);
}

function focusIn(i, sel) {
  const e = $("questions").children[i]?.querySelector(sel);
  if (e) e.focus();
}

$("add-question-btn").onclick = () => {
  const last = quiz.questions[quiz.questions.length - 1];
  const q = blankQuestion(last ? last.kind : "choice");
  if (last && last.kind === "poll") q.points = "standard";
  quiz.questions.push(q);
  drawQuestions();
  focusIn(quiz.questions.length - 1, ".f-text");
};

$("new-btn").onclick = () => edit({ id: null, title: "", read: "", lang: "", questions: [blankQuestion()] });
$("back-btn").onclick = () => showList();

// ---- errors next to their field ----
function clearErrors() {
  for (const e of document.querySelectorAll("#edit-view .field-error")) e.textContent = "";
  for (const e of document.querySelectorAll("#edit-view [aria-invalid]")) e.removeAttribute("aria-invalid");
  for (const e of document.querySelectorAll("#questions .has-error")) e.classList.remove("has-error");
  $("save-error").textContent = "";
}

// A fixed field loses its mark and its message at once; the summary goes with the last mark.
function fieldEdited(ev) {
  const t = ev.target;
  if (!(t instanceof Element) || t.getAttribute("aria-invalid") !== "true") return;
  t.removeAttribute("aria-invalid");
  for (const id of (t.getAttribute("aria-describedby") || "").split(/\s+/)) {
    const out = id && document.getElementById(id);
    if (out && out.classList.contains("field-error")) out.textContent = "";
  }
  const li = t.closest("#questions > li");
  if (li && !li.querySelector("[aria-invalid]")) {
    li.classList.remove("has-error");
    for (const out of li.querySelectorAll(".field-error")) out.textContent = "";
  }
  if (!$("edit-view").querySelector("[aria-invalid]")) $("save-error").textContent = "";
}
$("edit-view").addEventListener("input", fieldEdited);
$("edit-view").addEventListener("change", fieldEdited);

const FOCUS_FOR = {
  kind: ".f-kind",
  title: ".f-title",
  text: ".f-text",
  choices: ".f-choice",
  correct: ".f-correct, .f-tf",
  accept: ".f-accept",
  time_limit_s: ".f-time",
  points: ".f-points",
  read_s: ".f-read",
  explanation: ".f-explanation",
  media: ".alt-part:not([hidden]) .f-alt, .f-media",
  typo: ".f-typo",
  partial: ".f-partial",
  min: ".f-min",
  max: ".f-max",
  step: ".f-step",
  correct_value: ".f-value",
  tolerance: ".f-tolerance",
  items: ".f-items",
};

/** Shows one problem where it belongs; answers the element to focus. */
function placeError(index, field, message) {
  if (index == null) {
    const own = { title: ["quiz-title", "quiz-title-error"], read_s: ["quiz-read", "quiz-read-error"], lang: ["quiz-lang", "quiz-lang-error"] }[field];
    const target = own ? $(own[0]) : $("add-question-btn");
    const out = own ? $(own[1]) : $("questions-error");
    out.textContent = message;
    if (own) target.setAttribute("aria-invalid", "true");
    return target;
  }
  const li = $("questions").children[index];
  if (!li) {
    $("save-error").textContent = t("question_n_problem", { n: index + 1, message });
    return null;
  }
  li.classList.add("has-error");
  const out = li.querySelector(`.e-${field}`) || li.querySelector(".e-text");
  out.textContent = out.textContent ? `${out.textContent} ${message}` : message;
  let target = li.querySelector(FOCUS_FOR[field] || ".f-text");
  if (field === "choices") target = [...li.querySelectorAll(".f-choice")].find((c) => !c.value.trim()) || target;
  if (field === "media") target = li.querySelector(".alt-part:not([hidden]) .f-alt") || target;
  if (target) {
    target.setAttribute("aria-invalid", "true");
    const errId = out.id || (out.id = `${target.id || `q${index}-${field}`}-error`);
    target.setAttribute("aria-describedby", errId);
  }
  return target;
}

function focusError(target) {
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}

/** The cheap checks, all at once; the server still checks everything. */
function localProblems() {
  const out = [];
  if (!quiz.title.trim()) out.push([null, "title", t("quiz_needs_title")]);
  if (quiz.questions.length === 0) out.push([null, "questions", t("add_one_question")]);
  if (quiz.read.trim() !== "" && !Number.isInteger(Number(quiz.read))) {
    out.push([null, "read_s", t("read_whole_seconds")]);
  }
  quiz.questions.forEach((q, i) => {
    if (!q.text.trim()) out.push([i, "text", t("question_text_empty")]);
    if (KINDS_WITH_CHOICES.includes(q.kind)) {
      const empty = q.choices.findIndex((c) => !c.text.trim());
      if (empty >= 0) out.push([i, "choices", t("choice_n_empty", { n: empty + 1 })]);
      if (q.kind !== "poll" && !q.choices.some((c) => c.correct)) {
        out.push([i, "correct", t(q.kind === "multi" ? "tick_one_right_choice" : "tick_the_right_choice")]);
      }
    }
    if (q.kind === "type_answer" && !q.accept.trim()) out.push([i, "accept", t("add_one_accepted")]);
    if (q.time.trim() !== "" && !Number.isInteger(Number(q.time))) {
      out.push([i, "time_limit_s", t("time_whole_seconds")]);
    }
    if (q.read.trim() !== "" && !Number.isInteger(Number(q.read))) {
      out.push([i, "read_s", t("read_whole_seconds")]);
    }
    const media = mediaProblem(q);
    if (media) out.push([i, "media", media]);
  });
  return out;
}

// The server's message names the question by its 0-based index and fields by their JSON
// names; the form numbers from 1, shows the message inside the question already, and has labels.
const local = (message) => {
  const m = message.replace(/^question \d+:\s*/, "").replace(/\btime_limit_s\b/g, "the time limit in seconds")
    .replace(/\bread_s \(the get-ready time\)/g, "the get-ready time").replace(/\bread_s\b/g, "the get-ready time");
  return m.charAt(0).toUpperCase() + m.slice(1);
};

$("quiz-form").onsubmit = async (ev) => {
  ev.preventDefault();
  clearErrors();
  const problems = localProblems();
  if (problems.length) {
    const targets = problems.map(([i, f, m]) => placeError(i, f, m));
    $("save-error").textContent = t("fix_problems", { count: problems.length });
    return focusError(targets[0]);
  }
  $("save-btn").disabled = true;
  try {
    const doc = toDoc();
    if (quiz.id) {
      await api("PUT", `/api/quizzes/${quiz.id}`, doc);
    } else {
      quiz.id = (await api("POST", "/api/quizzes", doc)).id;
      $("edit-title").textContent = t("edit_quiz");
      history.replaceState(null, "", `/editor?quiz=${quiz.id}`);
    }
    updateHostLink();
    $("edit-notice").textContent = t("saved_title", { title: doc.title });
    $("edit-notice").hidden = false;
    announce(t("saved_title", { title: doc.title }));
    // Save sits at the foot of a long form: bring the notice and "Host this quiz" (just
    // under it) into view, and the focus to the notice so a screen reader reads it.
    $("edit-notice").scrollIntoView({ block: "center" });
    $("edit-notice").focus({ preventScroll: true });
  } catch (e) {
    if (e.code === "bad_field" && e.field) {
      $("save-error").textContent = t("server_refused_quiz");
      focusError(placeError(e.index, e.field, local(e.message)));
    } else if (e.code === "read_only") {
      $("save-error").textContent = t("err_read_only");
    } else if (e.code === "no_such_quiz") {
      $("save-error").textContent = t("quiz_gone_export");
    } else {
      $("save-error").textContent = t("could_not_save", { error: humanError(e) });
    }
  } finally {
    $("save-btn").disabled = false;
  }
};

// ---- import and export ----
const fileStem = (name) => name.replace(/\.[^.]*$/, "").trim() || t("imported_quiz");
const fileName = (title) => `${title.replace(/[^\p{L}\p{N}_-]+/gu, "-").replace(/^-+|-+$/g, "") || "quiz"}.json`;

$("export-btn").onclick = () => {
  const doc = toDoc();
  download(new Blob([JSON.stringify(doc, null, 2) + "\n"], { type: "application/json" }), fileName(doc.title));
};

$("import-json").onchange = async (ev) => {
  const file = ev.target.files[0];
  ev.target.value = "";
  if (!file) return;
  $("list-error").textContent = "";
  let doc;
  try {
    doc = JSON.parse(await file.text());
  } catch (e) {
    $("list-error").textContent = t("not_json_file", { file: file.name, error: e.message });
    return;
  }
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.questions)) {
    $("list-error").textContent = t("not_quiz_document", { file: file.name });
    return;
  }
  const odd = doc.questions.findIndex((q) => !q || !KINDS.includes(q.kind));
  if (odd >= 0) {
    $("list-error").textContent = t("unknown_kind", { file: file.name, n: odd + 1, kinds: KINDS.join(", ") });
    return;
  }
  if (typeof doc.title !== "string") doc.title = fileStem(file.name);
  edit(fromDoc(doc), t("imported_file", { file: file.name }));
};

$("import-csv").onchange = async (ev) => {
  const file = ev.target.files[0];
  ev.target.value = "";
  if (!file) return;
  $("list-error").textContent = "";
  try {
    const title = fileStem(file.name).slice(0, MAX_TITLE);
    const doc = await api("POST", `/api/quizzes/csv?title=${encodeURIComponent(title)}`, await file.text(), { type: "text/csv" });
    edit(fromDoc(doc), t("imported_n_from", { count: doc.questions.length, file: file.name }));
  } catch (e) {
    // The server's message names the row (the line in the file) and the column already.
    $("list-error").textContent = t("could_not_import", { file: file.name, error: humanError(e) });
    $("csv-help").open = true;
  }
};

$("csv-example-btn").onclick = () =>
  download(new Blob([$("csv-example").textContent], { type: "text/csv" }), "quiz-example.csv");

// ---- go ----
await startPage();
const wanted = Number(new URLSearchParams(location.search).get("quiz"));
if (wanted) {
  await showList();
  await openQuiz(wanted);
} else {
  await showList();
}
