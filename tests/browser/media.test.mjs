// Media in questions in the browser: the editor uploads an image (asking for its alt text
// first) and an audio clip, the host ticks "Show media on phones", and the game plays: the
// presenter shows the image large with its alt text, the phone shows it too, the audio
// question carries a player; no phone frame carries anything about the answer before the
// reveal. The presenter's image question is docs/screenshots/media-question.png.
//
// Run: node --test tests/browser/media.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSession, screen, text, noProblems } from "./harness.mjs";
import { png, mp3 } from "./files.mjs";

const S = createSession();
const { step, shot } = S;
const ALT = "A red fox sitting in the snow";

let host;
let present;
let phone;
let token;
const frames = []; // every text frame the phone received

describe("a quiz with an image and an audio clip, from the editor to every screen", { timeout: 120_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the editor uploads an image, asks for its alt text, and an audio clip", 40_000, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quizrace-media-"));
    // The names lie: the server goes by the bytes.
    const image = path.join(dir, "fox.jpg");
    const clip = path.join(dir, "howl.mp3");
    fs.writeFileSync(image, png(640, 480));
    fs.writeFileSync(clip, mp3());
    host = await S.hostSetup();
    await host.goto(`${S.baseUrl}/editor`);
    await host.locator("#new-btn").click();
    await host.locator("#edit-view").waitFor();
    await host.fill("#quiz-title", "Animals");
    const card = (i) => host.locator("#questions > li").nth(i);
    await card(0).locator(".f-text").fill("Which animal is this?");
    const choices = card(0).locator(".f-choice");
    for (const [i, c] of ["Fox", "Wolf", "Cat", "Dog"].entries()) await choices.nth(i).fill(c);
    await card(0).locator(".f-correct").first().check();
    await card(0).locator(".f-media").setInputFiles(image);
    await card(0).locator(".media-preview img").waitFor();
    assert.equal(await card(0).locator(".f-alt").isVisible(), true, "an image asks for alt text");
    await host.click("#add-question-btn");
    await card(1).locator(".f-kind").selectOption("true_false");
    await card(1).locator(".f-text").fill("Is this a wolf howling?");
    await card(1).locator(".f-media").setInputFiles(clip);
    await card(1).locator(".media-preview audio").waitFor({ state: "attached" });
    assert.equal(await card(1).locator(".f-alt").isVisible(), false, "audio needs no alt text");
    await host.click("#save-btn");
    await card(0).locator(".e-media", { hasText: "alt text" }).waitFor();
    assert.equal(await host.locator("#edit-notice").isVisible(), false, "not saved without alt text");
    await card(0).locator(".f-alt").fill(ALT);
    await host.click("#save-btn");
    await host.locator("#edit-notice", { hasText: "Saved" }).waitFor();
    ({ token } = await S.api("POST", "/api/login", { username: "admin", password: S.password }));
    const list = await S.api("GET", "/api/quizzes", undefined, token);
    const { id } = list.find((q) => q.title === "Animals");
    const doc = await S.api("GET", `/api/quizzes/${id}`, undefined, token);
    assert.deepEqual(
      doc.questions.map((q) => [q.media.kind, q.media.alt, q.media.width ?? null]),
      [["image", ALT, 640], ["audio", "", null]],
    );
    fs.rmSync(dir, { recursive: true, force: true });
    host.quizId = id;
  });

  step("with media on phones, the presenter and the phone show the image during the get-ready time", 40_000, async () => {
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "setup");
    await host.selectOption("#quiz-select", String(host.quizId));
    await host.check("#media-on-phones");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    const room = await host.evaluate(() => JSON.parse(sessionStorage.getItem("quizrace.host.room")));
    present = await S.newPage("present", false, { viewport: { width: 1366, height: 768 } });
    await present.goto(`${S.baseUrl}/present#${new URLSearchParams({ pin, key: room.host_key })}`);
    await screen(present, "lobby");
    phone = await S.newPage("phone-Mia", true);
    phone.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
    await phone.goto(`${S.baseUrl}/?pin=${pin}`);
    await screen(phone, "join");
    await phone.fill("#name", "Mia");
    await phone.locator("#join-btn").tap();
    await screen(phone, "lobby");
    await host.locator("#start-btn").click();
    for (const page of [present, phone]) {
      await screen(page, "question");
      const img = page.locator("#q-media img");
      await img.waitFor();
      assert.equal(await img.getAttribute("alt"), ALT, `${page.who}: the alt text`);
      await page.waitForFunction(() => {
        const i = document.querySelector("#q-media img");
        return i && i.complete && i.naturalWidth > 0;
      });
    }
    assert.equal(await text(present, "#q-text"), "Which animal is this?");
    await present.locator("#get-ready").waitFor({ state: "hidden", timeout: 15_000 });
    await shot(present, "media-question");
    await phone.locator('#q-choices .tile[data-choice="0"]').tap();
    await screen(host, "reveal");
  });

  step("the audio question carries a player on the presenter and the phone", 40_000, async () => {
    await host.locator("#next-btn").click();
    await screen(host, "leaderboard");
    await host.locator("#next-btn").click();
    for (const page of [present, phone]) {
      await screen(page, "question");
      const audio = page.locator("#q-media audio");
      await audio.waitFor({ state: "attached" });
      assert.match(await audio.getAttribute("src"), /^\/media\/[0-9a-f]{64}\?room=\d+\.[0-9a-f]{32}$/);
    }
    assert.equal(await text(phone, "#q-text"), "Is this a wolf howling?");
  });

  test("no phone frame carried the answer before its reveal", () => {
    const questions = frames.filter((f) => f.includes('"type":"question"'));
    assert.ok(questions.length >= 2, "both questions came");
    for (const f of questions) {
      assert.ok(!/"correct"|"accept"|"correct_value"/.test(f), `a question frame names the answer: ${f}`);
    }
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
