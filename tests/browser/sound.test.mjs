// The game's sounds (client-web/js/sound.js), with a stand-in AudioContext injected into every
// page before its scripts run: it records the contexts made and the oscillators started, and
// starts "suspended" as a browser's does before a user gesture. sound.js announces each sound
// it plays as a `quizrace:sound` event, which the stand-in records too.
//
// Checked: the presenter, opened by the host page, says its sound is blocked and plays nothing
// until clicked; then a game plays lobby music, the countdown, answers locked in, the reveal
// and the podium on it; a phone plays nothing and makes no AudioContext unless its player
// turns sound on in the lobby; the presenter's mute is remembered after a reload.
//
// Run: node --test tests/browser/sound.test.mjs (server built from this tree), or
// scripts/browser-test.sh.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, noProblems } from "./harness.mjs";

const S = createSession();
const { step } = S;

const QUIZ = {
  title: "Sound check",
  read_s: 0,
  questions: [
    // Nobody answers the first: it runs its 5 s out, so the countdown ticks on every screen.
    { kind: "true_false", text: "Is this the first question?", correct: [0], time_limit_s: 5 },
    { kind: "choice", text: "Pick the sound of a duck", choices: ["Quack", "Moo"], correct: [0], time_limit_s: 60 },
  ],
};

// Runs in every page before its scripts: the stand-in AudioContext and the records.
function stubAudio() {
  const audio = (window.__audio = { contexts: 0, started: 0, sounds: [] });
  window.addEventListener("quizrace:sound", (e) => audio.sounds.push(e.detail));
  const param = () => ({ value: 0, setValueAtTime() {}, exponentialRampToValueAtTime() {}, linearRampToValueAtTime() {} });
  const node = (more) => ({ connect: (next) => next, disconnect() {}, ...more });
  class StubAudioContext {
    constructor() {
      audio.contexts++;
      this.state = "suspended";
      this.currentTime = 0;
      this.destination = node({});
      this.onstatechange = null;
    }
    createOscillator() {
      return node({ type: "sine", frequency: param(), start: () => audio.started++, stop() {} });
    }
    createGain() {
      return node({ gain: param() });
    }
    resume() {
      this.state = "running";
      if (this.onstatechange) this.onstatechange();
      return Promise.resolve();
    }
  }
  window.AudioContext = StubAudioContext;
  window.webkitAudioContext = StubAudioContext;
}

const audio = (page) => page.evaluate(() => window.__audio);

let host;
let present;
let quiet; // a phone left as it comes: sound off
let keen; // a phone whose player turns sound on in the lobby

async function phone(who, pin) {
  const p = await S.newPage(who, true);
  await p.addInitScript(stubAudio);
  await p.goto(`${S.baseUrl}/?pin=${pin}`);
  await screen(p, "join");
  await p.fill("#name", who);
  await p.locator("#join-btn").tap();
  await screen(p, "lobby");
  return p;
}

// Host: from the reveal on to the next question (or the podium after the last).
async function next(to) {
  await host.locator("#next-btn").click();
  await screen(host, "leaderboard");
  await host.locator("#next-btn").click();
  await screen(host, to);
}

describe("sounds: the presenter plays the game, phones stay quiet unless asked, mute is remembered", { timeout: 120_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the presenter opens blocked, plays nothing, and starts the lobby music once clicked", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false);
    // The presenter window opens in the host's context: the stand-in reaches it too.
    await host.context().addInitScript(stubAudio);
    await host.addInitScript((t) => localStorage.setItem("quizrace.host.token", t), token);
    await host.goto(`${S.baseUrl}/host?quiz=${id}`);
    await screen(host, "setup");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const [popup] = await Promise.all([host.waitForEvent("popup"), host.locator("#present-btn").click()]);
    present = S.watch(popup, "presenter");
    await screen(present, "lobby");
    const button = present.locator("#sound-btn");
    await button.and(present.locator(".blocked")).waitFor();
    assert.equal(await button.getAttribute("aria-pressed"), "true", "a screen wants sound by default");
    assert.deepEqual((await audio(present)).sounds, [], "nothing plays before a gesture");
    await S.shot(present, "sound-present-blocked");
    await button.click();
    await present.waitForFunction(() => window.__audio.sounds.includes("lobby"));
    assert.equal(await button.getAttribute("aria-pressed"), "true", "the click unblocked the sound, it did not mute it");
    assert.equal(await button.evaluate((b) => b.classList.contains("blocked")), false);
  });

  step("a phone has sound off and makes no AudioContext; one turned on in the lobby has it on", 20_000, async () => {
    const pin = (await host.textContent("#host-pin")).trim();
    quiet = await phone("Quiet", pin);
    keen = await phone("Keen", pin);
    for (const p of [quiet, keen]) {
      assert.equal(await p.locator("#screen-lobby #sound-btn").getAttribute("aria-pressed"), "false", `${p.who}: sound is off by default`);
    }
    await keen.locator("#sound-btn").tap();
    assert.equal(await keen.locator("#sound-btn").getAttribute("aria-pressed"), "true");
    assert.equal(await keen.evaluate(() => localStorage.getItem("quizrace.sound.phone")), "on");
    await host.locator("#lobby-count", { hasText: "2" }).waitFor();
  });

  step("a game: countdown, answers locked in, reveal and podium on the presenter", 50_000, async () => {
    await host.locator("#start-btn").click();
    await screen(present, "question");
    // Nobody answers: the last five seconds tick, then the reveal.
    await screen(present, "reveal", 12_000);
    await next("question");
    await screen(present, "question");
    await quiet.locator('#q-choices .tile[data-choice="0"]').tap();
    // The first answer locked in blips on the presenter (the last one closes the question).
    await present.waitForFunction(() => window.__audio.sounds.includes("locked"));
    await keen.locator('#q-choices .tile[data-choice="0"]').tap();
    await screen(present, "reveal");
    await screen(keen, "reveal");
    await next("over");
    await screen(present, "over");
    await screen(keen, "over");
    await present.waitForFunction(() => window.__audio.sounds.includes("podium"));
    const heard = (await audio(present)).sounds;
    for (const s of ["lobby", "tick", "last_tick", "locked", "reveal", "podium"]) {
      assert.ok(heard.includes(s), `the presenter played ${s}: ${heard.join(", ")}`);
    }
    assert.ok((await audio(present)).started > heard.length, "the sounds are made of oscillators");
    const q = await audio(quiet);
    assert.deepEqual([q.contexts, q.started, q.sounds], [0, 0, []], "a phone left as it came plays nothing");
    const k = (await audio(keen)).sounds;
    for (const s of ["locked", "reveal", "podium"]) assert.ok(k.includes(s), `the phone that opted in played ${s}: ${k.join(", ")}`);
  });

  step("the presenter's mute is remembered after a reload", 20_000, async () => {
    const button = present.locator("#sound-btn");
    await button.click();
    assert.equal(await button.getAttribute("aria-pressed"), "false");
    await present.reload();
    await screen(present, "over");
    assert.equal(await present.locator("#sound-btn").getAttribute("aria-pressed"), "false", "still muted after the reload");
    assert.equal(await present.evaluate(() => localStorage.getItem("quizrace.sound.screen")), "off");
    assert.deepEqual(await audio(present), { contexts: 0, started: 0, sounds: [] }, "a muted screen makes no sound at all");
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked]);
  });
});
