// The question kinds beyond the first five, on every screen: a slider, then an order question
// (each phone's own shuffle, tapped into order). The host starts a
// classic room of one slider question, a presenter follows it and two phones join. The phones
// show a range input (the big screens the range); one phone slides near the right value and
// submits, the other submits the middle. At the reveal every screen says the correct value
// and its tolerance and charts the answers as bars with the right one marked; the near phone
// scored, the far one did not. No frame a phone received before the reveal named the value.
//
// Run: node --test tests/browser/kinds.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step } = S;
const QUIZ = {
  title: "Space years",
  read_s: 0,
  questions: [{
    kind: "slider", text: "In which year did people first walk on the Moon?",
    min: 1900, max: 2000, step: 1, correct_value: 1969, tolerance: 5, time_limit_s: 60,
  }, {
    kind: "order", text: "Smallest to largest", items: ["Atom", "Cell", "Mouse", "Whale"], time_limit_s: 60,
  }],
};
const RIGHT = ["Atom", "Cell", "Mouse", "Whale"];

let host;
let present;
const phones = []; // Mia (near), Bob (the middle: far)
const frames = new Map(); // phone -> text frames received

describe("a slider question on every screen", { timeout: 90_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host creates a room of a slider quiz, a presenter follows it, and two phones join", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false);
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");
    await host.selectOption("#quiz-select", String(id));
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    present = await S.newPage("present", false);
    await present.goto(`${S.baseUrl}/present#${new URLSearchParams({ pin, key: room.host_key })}`);
    await screen(present, "lobby");
    for (const name of ["Mia", "Bob"]) {
      const p = await S.newPage(`phone-${name}`, true);
      const seen = [];
      frames.set(p, seen);
      p.on("websocket", (ws) => ws.on("framereceived", (f) => seen.push(String(f.payload))));
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", name);
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      phones.push(p);
    }
    await host.locator("#lobby-count", { hasText: "2" }).waitFor();
  });

  step("phones slide and submit; the big screens show the range", 30_000, async () => {
    await host.locator("#start-btn").click();
    for (const page of [host, present]) {
      await screen(page, "question");
      assert.match(await text(page, "#q-choices"), /from 1900 to 2000/, `${page.who}: the range`);
    }
    const [mia, bob] = phones;
    for (const p of phones) {
      await screen(p, "question");
      await p.locator("#slider-input").waitFor({ state: "visible" });
      assert.equal(await p.locator("#slider-input").getAttribute("min"), "1900");
      assert.equal(await p.locator("#slider-input").getAttribute("max"), "2000");
    }
    await mia.locator("#slider-input").fill("1971");
    assert.equal(await text(mia, "#slider-value"), "1971", "the value shown as it slides");
    await S.shot(mia, "slider-phone");
    await mia.locator("#slider-btn").tap();
    await screen(mia, "answered");
    assert.match(await text(mia, "#answered-msg"), /1971/);
    await bob.locator("#slider-btn").tap(); // the middle: 1950, outside the tolerance
  });

  step("every screen reveals the value, the tolerance and the histogram; the near answer scored", 30_000, async () => {
    for (const page of [host, present, ...phones]) {
      await screen(page, "reveal");
      assert.match(await text(page, "#reveal-accept"), /Correct value: 1969 \(±5 scores\)/, `${page.who}: the key`);
    }
    for (const page of [host, present]) {
      const rows = await page.locator("#chart .bar-row").count();
      assert.ok(rows > 1 && rows <= 20, `${page.who}: ${rows} bars`);
      const [from, to] = (await text(page, "#chart .bar-row.correct .bar-label")).match(/\d+/g).map(Number);
      assert.ok(from <= 1969 && 1969 <= (to ?? from), `${page.who}: the right bar is ${from}–${to}`);
    }
    const [mia, bob] = phones;
    assert.match(await text(mia, "#reveal-accept"), /You said 1971/);
    await mia.locator("#reveal-answers .bar-row.correct").waitFor();
    await S.shot(present, "slider-reveal-present");
    await mia.locator("#result").waitFor({ state: "visible" });
    await bob.locator("#result").waitFor({ state: "visible" });
    assert.doesNotMatch(await text(mia, "#result-verdict"), /wrong|no answer/i);
    assert.match(await text(bob, "#result-verdict"), /wrong/i);
  });

  step("an order question: phones get their own shuffle, tap the items in order and see the right order", 30_000, async () => {
    await host.locator("#next-btn", { hasText: "Show leaderboard" }).click();
    await host.locator("#next-btn", { hasText: "Next question" }).click();
    const [mia, bob] = phones;
    for (const p of phones) {
      await screen(p, "question");
      await p.locator("#order-btn").waitFor({ state: "visible" });
      const shown = await p.locator("#q-choices .tile .label").allTextContents();
      assert.deepEqual([...shown].sort(), [...RIGHT].sort(), `${p.who}: every item`);
      assert.notDeepEqual(shown, RIGHT, `${p.who}: never shown in the right order`);
    }
    assert.equal(await mia.locator("#order-btn").isDisabled(), true, "Submit waits for every item");
    for (const item of RIGHT) await mia.locator("#q-choices .tile", { hasText: item }).tap();
    await S.shot(mia, "order-phone");
    await mia.locator("#order-btn").tap();
    await screen(mia, "answered");
    assert.match(await text(mia, "#answered-msg"), /Atom → Cell → Mouse → Whale/);
    const shown = await bob.locator("#q-choices .tile .label").allTextContents();
    for (const item of shown) await bob.locator("#q-choices .tile", { hasText: item }).tap();
    await bob.locator("#order-btn").tap();
    for (const page of [host, present, ...phones]) {
      await screen(page, "reveal");
      assert.match(await text(page, "#reveal-accept"), /Right order: Atom → Cell → Mouse → Whale/, `${page.who}: the right order`);
    }
    await mia.locator("#result").waitFor({ state: "visible" });
    assert.equal(await text(mia, "#result-verdict"), "Correct!");
  });

  test("no phone received the correct value before the reveal", () => {
    for (const [p, seen] of frames) {
      const closedAt = seen.findIndex((f) => f.includes('"question_closed"'));
      assert.ok(closedAt > 0, `${p.who}: a reveal came`);
      for (const f of seen.slice(0, closedAt)) {
        assert.ok(!f.includes("correct_value") && !f.includes("1969") && !f.includes("tolerance"), `${p.who}: leaked in ${f}`);
      }
    }
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
