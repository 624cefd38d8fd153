// One game that uses everything, as issue 13's "done when" asks: every kind (choice, true or
// false, multiple answers, typed answer, poll, slider, order, slide, word cloud), an image and
// an audio clip, the get-ready countdown, each phone's own order of the answers, and Play
// again, with the host and the presenter at 1366×768 and a phone at 390×844. Every frame the
// phone receives is kept, and no question frame carries its answer (the right choices, the
// accepted texts, the slider's value, the right order) before its reveal.
//
// Run: node --test tests/browser/tour.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";
import { png, mp3 } from "./files.mjs";

const S = createSession();
const { step } = S;
const SCREEN = { viewport: { width: 1366, height: 768 } };
const ORDER = ["Atom", "Cell", "Mouse", "Whale"];

async function upload(token, bytes) {
  const res = await fetch(`${S.baseUrl}/api/media`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    body: bytes,
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(res.status, 201, `upload: HTTP ${res.status}`);
  return (await res.json()).hash;
}

const quiz = (image, audio) => ({
  title: "Everything",
  read_s: 0,
  questions: [
    { kind: "choice", text: "Capital of France?", choices: ["Paris", "Lyon", "Nice", "Lille"], correct: [0], read_s: 2,
      media: { hash: image, alt: "A grey square" } },
    { kind: "true_false", text: "Is this a howl?", correct: [0], media: { hash: audio } },
    { kind: "multi", text: "Which are prime?", choices: ["2", "4", "5", "9"], correct: [0, 2] },
    { kind: "type_answer", text: "Chemical symbol of gold?", accept: ["Au"] },
    { kind: "poll", text: "Tea or coffee?", choices: ["Tea", "Coffee"] },
    { kind: "slider", text: "First Moon landing?", min: 1900, max: 2000, correct_value: 1969, tolerance: 2 },
    { kind: "order", text: "Smallest to largest", items: ORDER },
    { kind: "slide", title: "Half time", text: "Stretch your legs." },
    { kind: "word_cloud", text: "One word for the sea?" },
  ],
});

let host;
let present;
let phone;
const frames = []; // every text frame the phone received, in order

/** The host moves from a reveal to the next question (through the leaderboard). */
async function next() {
  await screen(host, "reveal");
  await host.locator("#next-btn", { hasText: "Show leaderboard" }).click();
  await host.locator("#next-btn", { hasText: /Next question|Finish the game/ }).click();
}

/** The phone at question `n` (1-based), ready to answer. */
async function at(n) {
  await screen(phone, "question");
  await phone.locator("#q-progress", { hasText: `${n} of 9` }).waitFor();
}

const tile = (label) => phone.locator("#q-choices .tile").filter({ has: phone.locator(".label", { hasText: new RegExp(`^${label}$`) }) });

describe("one game of every kind, media, get-ready, shuffled answers and Play again", { timeout: 120_000 }, () => {
  before(S.start);
  after(S.stop);

  step("a host at 1366×768 makes a room with shuffled answers and media on phones", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const doc = quiz(await upload(token, png(96, 64)), await upload(token, mp3()));
    const { id } = await S.api("POST", "/api/quizzes", doc, token, 201);
    host = await S.hostSetup("host", false, SCREEN);
    await host.selectOption("#quiz-select", String(id));
    await host.check("#shuffle-answers");
    await host.check("#media-on-phones");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    present = await S.newPage("present", false, SCREEN);
    await present.goto(`${S.baseUrl}/present#${new URLSearchParams({ pin, key: room.host_key })}`);
    await screen(present, "lobby");
    phone = await S.newPage("phone-Mia", true);
    phone.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
    await phone.goto(`${S.baseUrl}/?pin=${pin}`);
    await screen(phone, "join");
    await phone.fill("#name", "Mia");
    await phone.locator("#join-btn").tap();
    await screen(phone, "lobby");
  });

  step("an image question with its get-ready countdown, its answers in the phone's own order", 20_000, async () => {
    await host.locator("#start-btn").click();
    await at(1);
    for (const page of [present, phone]) {
      await page.locator("#get-ready").waitFor({ state: "visible" });
      await page.locator("#q-media img").waitFor();
    }
    assert.equal(await text(present, "#q-text"), "Capital of France?");
    await tile("Paris").tap();
    await next();
  });

  step("an audio question, multiple answers, a typed answer and a poll", 30_000, async () => {
    await at(2);
    for (const page of [present, phone]) await page.locator("#q-media audio").waitFor({ state: "attached" });
    await tile("True").tap();
    await next();
    await at(3);
    await tile("2").tap();
    await tile("5").tap();
    await phone.locator("#submit-btn").tap();
    await next();
    await at(4);
    await phone.fill("#answer-text", "Au");
    await phone.locator("#text-btn").tap();
    await next();
    await at(5);
    await tile("Tea").tap();
    await next();
  });

  step("a slider, an order question, a slide and a word cloud", 30_000, async () => {
    await at(6);
    await phone.locator("#slider-input").fill("1970");
    await phone.locator("#slider-btn").tap();
    await next();
    await at(7);
    await phone.locator("#order-btn").waitFor({ state: "visible" });
    for (const item of ORDER) await tile(item).tap();
    await phone.locator("#order-btn").tap();
    await next();
    await at(8);
    await phone.locator("#q-text", { hasText: "Half time" }).waitFor();
    await host.locator("#next-btn", { hasText: "Next question" }).click();
    await at(9);
    await phone.fill("#answer-text", "waves");
    await phone.locator("#text-btn").tap();
    await next();
    await screen(present, "over");
    await phone.locator("#podium li").first().waitFor();
    await S.checkLayout(phone, "podium");
  });

  step("Play again: the phone and the presenter follow the host into a new room, which plays", 20_000, async () => {
    await host.locator("#again-room-btn").click();
    await screen(phone, "lobby");
    await host.locator("#lobby-count", { hasText: "1" }).waitFor();
    const pin = (await host.textContent("#host-pin")).trim();
    // A presenter opened by its own link (not the host's window) follows too: the server
    // hands a screen the new room's key.
    await present.locator("#present-pin", { hasText: pin }).waitFor();
    await screen(present, "lobby");
    assert.equal(new URL(present.url()).hash, "", "no key in the address bar");
    await host.locator("#start-btn").click();
    await at(1);
    await screen(present, "question");
  });

  test("every question reached the phone, and none carried its answer before the reveal", () => {
    const msgs = frames.map((f) => JSON.parse(f));
    const asked = msgs.filter((m) => m.type === "question" && m.total === 9);
    assert.ok(asked.length >= 10, `nine questions and the new room's first: ${asked.length}`);
    for (const q of asked) {
      for (const key of ["correct", "accept", "correct_value", "correct_order", "tolerance", "explanation"]) {
        assert.ok(!(key in q), `question ${q.index} carries ${key}`);
      }
      if (q.kind === "choice" || q.kind === "multi") assert.ok(Array.isArray(q.choice_order), `question ${q.index}: own order`);
      if (q.kind === "slider") assert.ok(!JSON.stringify(q).includes("1969"), "the slider's value");
      if (q.kind === "order") assert.notDeepEqual(q.items.map((i) => i.text), ORDER, "shown in the right order");
    }
    // Each reveal comes after its question's frame, never before.
    const first = (type, index) => msgs.findIndex((m) => m.type === type && m.index === index);
    for (const index of [0, 1, 2, 3, 4, 5, 6, 8]) {
      assert.ok(first("question", index) < first("question_closed", index), `question ${index} revealed first`);
    }
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
