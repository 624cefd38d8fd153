// The question kinds beyond the first five, on every screen: a slider, then an order question
// (each phone's own shuffle, tapped into order). The host starts a
// classic room of one slider question, a presenter follows it and two phones join. The phones
// show a range input (the big screens the range); one phone slides near the right value and
// submits, the other submits the middle. At the reveal every screen says the correct value
// and its tolerance and charts the answers as bars with the right one marked; the near phone
// scored, the far one did not. No frame a phone received before the reveal named the value.
// Then a slide (a title and a text on every screen, no timer, no answer box; the host's Next
// moves on, with no reveal) and a word cloud: the phones type their words (four words are
// refused with a worded error), the presenter at 1366×768 draws the cloud, the phones say
// "Your words" and the top words, and no phone received another's words before the reveal.
// Last, the editor's forms for a slide and a word cloud save what the API takes.
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
  }, {
    kind: "slide", title: "Part 2: the sea", text: "Now a few words from everyone.",
  }, {
    kind: "word_cloud", text: "One word for the sea?", time_limit_s: 60,
  }],
};
const RIGHT = ["Atom", "Cell", "Mouse", "Whale"];

let host;
let present;
const phones = []; // Mia (near), Bob (the middle: far)
const frames = new Map(); // phone -> text frames received

describe("the added kinds on every screen", { timeout: 90_000 }, () => {
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

  step("a slide shows its title and text everywhere, with no timer and no answers, until Next", 30_000, async () => {
    await host.setViewportSize({ width: 1366, height: 768 });
    await present.setViewportSize({ width: 1366, height: 768 });
    await host.locator("#next-btn", { hasText: "Show leaderboard" }).click();
    await host.locator("#next-btn", { hasText: "Next question" }).click();
    for (const page of [host, present, ...phones]) {
      await screen(page, "question");
      await page.locator("#q-text", { hasText: "Part 2: the sea" }).waitFor();
      assert.match(await text(page, "#q-choices"), /Now a few words from everyone\./, `${page.who}: the text`);
      assert.match(await text(page, "#q-progress"), /3 of 4/, `${page.who}: the slide counts in the progress`);
      assert.equal(await page.locator("#time-left").isVisible(), false, `${page.who}: no timer`);
    }
    for (const p of phones) {
      assert.equal(await p.locator("#text-form").isVisible(), false, `${p.who}: nothing to answer`);
      assert.equal(await p.locator("#q-points").isVisible(), false, `${p.who}: no points said`);
    }
    assert.equal(await host.locator("#close-btn").isVisible(), false, "nothing to close");
    await host.locator("#next-btn", { hasText: "Next question" }).click();
  });

  step("a word cloud: phones type words, the presenter draws the cloud, phones see theirs and the top", 30_000, async () => {
    const [mia, bob] = phones;
    for (const p of phones) {
      await screen(p, "question");
      await p.locator("#answer-text").waitFor({ state: "visible" });
      assert.equal(await p.locator("#answer-text").getAttribute("maxlength"), "40");
    }
    await mia.fill("#answer-text", "far too many words here");
    await mia.locator("#text-btn").tap();
    await mia.locator("#error-banner").waitFor({ state: "visible" });
    assert.match(await text(mia, "#error-text"), /1 to 3 words/);
    await mia.fill("#answer-text", "Ocean waves");
    await mia.locator("#text-btn").tap();
    await screen(mia, "answered");
    assert.match(await text(mia, "#answered-msg"), /Ocean waves/);
    await bob.fill("#answer-text", "seagull");
    await bob.locator("#text-btn").tap();
    for (const page of [host, present, ...phones]) await screen(page, "reveal");
    for (const page of [host, present]) {
      const words = await page.locator("#chart .cloud .word").allTextContents();
      assert.deepEqual(words.map((w) => w.replace(/\s*\(\d+\)$/, "")).sort(), ["Ocean waves", "seagull"], `${page.who}: the cloud`);
    }
    await S.shot(present, "word-cloud-present");
    assert.match(await text(mia, "#reveal-accept"), /Your words: Ocean waves/);
    assert.match(await text(mia, "#reveal-accept"), /Top words: .*seagull \(1\)/);
    await mia.locator("#result").waitFor({ state: "visible" });
    assert.equal(await text(mia, "#result-verdict"), "Thanks for your words!");
  });

  step("the editor has a form for a slide and a word cloud, and saves what the API takes", 30_000, async () => {
    await host.goto(`${S.baseUrl}/editor`);
    await host.locator("#new-btn").click();
    await host.locator("#edit-view").waitFor();
    await host.fill("#quiz-title", "Editor kinds");
    const card = (i) => host.locator("#questions > li").nth(i);
    await card(0).locator(".f-kind").selectOption("slide");
    assert.equal(await card(0).locator(".f-title").isVisible(), true, "a slide has a title box");
    assert.equal(await card(0).locator(".f-time").isVisible(), false, "a slide has no timer");
    assert.equal(await card(0).locator(".f-points").isVisible(), false, "a slide has no points");
    assert.equal(await card(0).locator(".f-explanation").isVisible(), false, "a slide has no reveal");
    await card(0).locator(".f-title").fill("Part 2");
    await card(0).locator(".f-text").fill("The sea.");
    await host.click("#add-question-btn");
    await card(1).locator(".f-kind").selectOption("word_cloud");
    assert.equal(await card(1).locator(".f-title").isVisible(), false, "only a slide has a title");
    assert.equal(await card(1).locator(".f-time").isVisible(), true, "a word cloud is timed");
    assert.equal(await card(1).locator(".f-points").isVisible(), false, "a word cloud scores nothing");
    await card(1).locator(".f-text").fill("One word for the sea?");
    await card(1).locator(".f-time").fill("30");
    await host.click("#save-btn");
    await host.locator("#edit-notice", { hasText: "Saved" }).waitFor();
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const list = await S.api("GET", "/api/quizzes", undefined, token);
    const { id } = list.find((q) => q.title === "Editor kinds");
    const doc = await S.api("GET", `/api/quizzes/${id}`, undefined, token);
    assert.deepEqual(doc.questions, [
      { kind: "slide", title: "Part 2", text: "The sea." },
      { kind: "word_cloud", text: "One word for the sea?", time_limit_s: 30 },
    ]);
  });

  test("no phone received another phone's words before the word cloud's reveal", () => {
    for (const [p, seen] of frames) {
      const cloudAt = seen.findIndex((f) => f.includes('"question_closed"') && f.includes('"words"'));
      assert.ok(cloudAt > 0, `${p.who}: the cloud came`);
      for (const f of seen.slice(0, cloudAt)) {
        assert.ok(!/seagull|ocean waves|"words"/i.test(f), `${p.who}: leaked in ${f}`);
      }
    }
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
