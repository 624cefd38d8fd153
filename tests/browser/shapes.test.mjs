// Shapes only on phones, and a podium with a tie for first. The host unticks "Show questions
// and answers on phones": the host's screen shows the question and its choices, each phone
// only the coloured shape tiles and "look at the big screen", and no phone frame carries the
// question's words; the answers count all the same. The quiz gives no points, so both players
// tie for first: the podium shows them side by side at the same height, both "1", with no
// empty step. Screenshots shapes-phone.png and podium-tie.png.
//
// Run: node --test tests/browser/shapes.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, text, noProblems } from "./harness.mjs";

const S = createSession();
const { step, shot } = S;
const QUIZ = {
  title: "Shapes",
  read_s: 1,
  questions: [
    { kind: "choice", text: "Capital of France?", choices: ["Paris", "Lyon", "Nice", "Lille"], correct: [0], points: "none" },
  ],
};
const WORDS = /Capital of France|Paris|Lyon|Nice|Lille/;

let host;
const phones = [];
const frames = []; // every text frame the phones received

describe("shapes only on phones, and two players tied first on the podium", { timeout: 90_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host unticks questions on phones; two phones join", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.hostSetup();
    await host.selectOption("#quiz-select", String(id));
    assert.equal(await host.isChecked("#question-on-phones"), true, "on by default");
    await host.uncheck("#question-on-phones");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    for (const name of ["Ana", "Ben"]) {
      const p = await S.newPage(`phone-${name}`, true);
      p.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", name);
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      phones.push(p);
    }
    await host.locator("#lobby-count", { hasText: "2" }).waitFor();
  });

  step("the host shows the words, each phone the shapes and where to look", 30_000, async () => {
    await host.locator("#start-btn").click();
    await screen(host, "question");
    assert.equal(await text(host, "#q-text"), "Capital of France?");
    assert.match(await text(host, "#q-choices"), /Paris.*Lyon.*Nice.*Lille/s);
    for (const p of phones) {
      await screen(p, "question");
      assert.equal(await text(p, "#q-text"), "Look at the big screen for the question");
      const tiles = p.locator("#q-choices .tile");
      assert.equal(await tiles.count(), 4, `${p.who}: four tiles`);
      assert.deepEqual(await p.$$eval("#q-choices .tile .label", (ls) => ls.map((l) => l.textContent)), ["", "", "", ""]);
      assert.equal(await tiles.nth(0).getAttribute("aria-label"), "Answer 1");
      assert.doesNotMatch(await p.textContent("#stage"), WORDS, `${p.who}: no words of the question`);
    }
    await phones[0].locator("#q-choices .tile[data-choice=\"0\"]").waitFor({ state: "visible" });
    await phones[0].waitForFunction(() => !document.querySelector('#q-choices .tile[data-choice="0"]').disabled);
    await shot(phones[0], "shapes-phone");
    for (const p of phones) await p.locator('#q-choices .tile[data-choice="0"]').tap();
    await screen(host, "reveal");
  });

  step("both tie for first: side by side at the same height, both 1, no empty step", 30_000, async () => {
    await host.locator("#next-btn").click();
    // The reveal gives way to the leaderboard (then Next once more) or to the podium: wait for
    // one of them before asking which, or a slow server leaves the host on the leaderboard.
    await host.locator("#screen-leaderboard:not([hidden]), #screen-over:not([hidden])").first().waitFor();
    if (await host.locator("#screen-leaderboard").isVisible()) await host.locator("#next-btn").click();
    await screen(host, "over");
    await host.waitForFunction(() => [...document.querySelectorAll("#podium li")]
      .every((li) => getComputedStyle(li).opacity === "1"), null, { timeout: 8_000 });
    const blocks = await host.$$eval("#podium li", (lis) => lis.map((li) => {
      const b = li.getBoundingClientRect();
      return { rank: li.dataset.rank, shown: li.querySelector(".rank").textContent, top: b.top, left: b.left, height: b.height };
    }));
    assert.deepEqual(blocks.map((b) => [b.rank, b.shown]), [["1", "1"], ["1", "1"]]);
    assert.ok(Math.abs(blocks[0].top - blocks[1].top) < 1 && Math.abs(blocks[0].height - blocks[1].height) < 1,
      `the same height: ${JSON.stringify(blocks)}`);
    assert.ok(Math.abs(blocks[0].left - blocks[1].left) > 10, `side by side: ${JSON.stringify(blocks)}`);
    await shot(host, "podium-tie");
  });

  test("no phone frame carried the question's words", () => {
    assert.ok(frames.some((f) => f.includes('"shapes_only":true')), "the question came, shapes only");
    const worded = frames.filter((f) => WORDS.test(f));
    assert.deepEqual(worded, [], "frames with the question's words");
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
