// The answer colours are colour-blind safe and never the only cue: a six-answer question is
// shown on the host (light theme) and on two phones (one light, one dark), and each tile's
// computed background must
//   1. keep white text readable: WCAG 2 contrast of white on it at least 4.5:1 (AA for normal
//      text; the tiles' bold text would pass at 3:1, so 4.5 leaves room);
//   2. stay apart from every other answer colour under simulated protanopia, deuteranopia and
//      tritanopia (the Machado, Oliveira and Fernandes 2009 matrices at severity 1.0, applied
//      in linear RGB) and with normal vision: a CIE76 ΔE (Euclidean distance in CIELAB, D65) of
//      at least MIN_DELTA_E between every pair;
//   3. carry its shape (a non-empty `.shape`), as does every reveal chart row.
//
// MIN_DELTA_E is 12. A ΔE of about 2.3 is a just-noticeable difference; 10 or more reads as a
// different colour at a glance on patches the size of a tile. The 4.5:1 rule holds all six
// colours at CIELAB L* of about 50 or darker, which leaves too little room for 20 between all
// fifteen pairs under all three simulations: the best six found from Okabe–Ito or Paul Tol's
// palettes, darkened to 4.5:1, reach about 15–16. 12 is five times a just-noticeable difference,
// and the shape is always there as the second cue.
//
// Run: node --test tests/browser/palette.test.mjs (server built from this tree, since it embeds
// the pages; `npm ci` done here), or scripts/browser-test.sh.
//
// Environment: see harness.mjs (QUIZRACE_BIN, QUIZRACE_CHROMIUM, QUIZRACE_SHOTS_DIR).

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createSession, screen, noProblems } from "./harness.mjs";

const S = createSession();
const { step } = S;

const MIN_CONTRAST = 4.5;
const MIN_DELTA_E = 12;
const CHOICES = ["Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn"];
const QUIZ = {
  title: "Planets",
  read_s: 0, // answering opens at once: the get-ready countdown is game.test.mjs's
  questions: [{ kind: "choice", text: "Which planet is the largest?", choices: CHOICES, correct: [4], time_limit_s: 120 }],
};

// Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
const CVD = {
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
  "normal vision": [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

// "rgb(r, g, b)" or "rgba(r, g, b, a)" as [r, g, b] in 0…255; null when transparent.
function parseRgb(css) {
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)$/.exec(css);
  if (!m || (m[4] !== undefined && Number(m[4]) < 1)) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
const toLinear = (c) => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};
const luminance = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b; // of linear RGB
const whiteContrast = (rgb) => 1.05 / (luminance(rgb.map(toLinear)) + 0.05);

// Linear sRGB to CIELAB (D65 white).
function lab([r, g, b]) {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
const simulate = (rgb, m) => {
  const l = rgb.map(toLinear);
  return m.map((row) => Math.min(1, Math.max(0, row[0] * l[0] + row[1] * l[1] + row[2] * l[2])));
};
const deltaE = (a, b) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

// Each answer tile of `page`: its class cN, background, text colour and shape.
const tiles = (page) =>
  page.$$eval("#q-choices .tile", (els) =>
    els.map((el) => ({
      cls: [...el.classList].find((c) => /^c\d$/.test(c)) || "(none)",
      background: getComputedStyle(el).backgroundColor,
      color: getComputedStyle(el).color,
      shape: (el.querySelector(".shape")?.textContent ?? "").trim(),
    })),
  );

// What is wrong with the tiles `who` shows, as sentences.
function judge(who, list) {
  const out = [];
  if (list.length !== CHOICES.length) out.push(`${who}: ${list.length} tiles, expected ${CHOICES.length}`);
  const colours = [];
  for (const t of list) {
    if (!t.shape) out.push(`${who}: tile ${t.cls} shows no shape`);
    const rgb = parseRgb(t.background);
    if (!rgb) {
      out.push(`${who}: tile ${t.cls} has no solid background (${t.background})`);
      continue;
    }
    const text = parseRgb(t.color);
    if (!text || text.some((c) => c !== 255)) out.push(`${who}: tile ${t.cls} text is ${t.color}, not white`);
    const ratio = whiteContrast(rgb);
    if (ratio < MIN_CONTRAST) out.push(`${who}: white on ${t.cls} ${t.background} is ${ratio.toFixed(2)}:1, under ${MIN_CONTRAST}:1`);
    colours.push({ cls: t.cls, rgb, css: t.background });
  }
  for (const [vision, m] of Object.entries(CVD)) {
    for (let i = 0; i < colours.length; i++) {
      for (let j = i + 1; j < colours.length; j++) {
        const d = deltaE(lab(simulate(colours[i].rgb, m)), lab(simulate(colours[j].rgb, m)));
        if (d < MIN_DELTA_E) {
          out.push(`${who}: under ${vision} ${colours[i].cls} ${colours[i].css} and ${colours[j].cls} ${colours[j].css} are ΔE ${d.toFixed(1)} apart, under ${MIN_DELTA_E}`);
        }
      }
    }
  }
  return out;
}

const problems = [];
let judged = 0;
let host;
const phones = [];

describe("answer colours are colour-blind safe and always carry their shape", { timeout: 90_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host creates a room and two phones (light and dark) join", 30_000, async () => {
    const { token } = await S.api("POST", "/api/login", { username: "admin", password: S.password });
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    host = await S.newPage("host", false, { colorScheme: "light" });
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");
    await host.selectOption("#quiz-select", String(id));
    await host.selectOption("#mode-select", "classic");
    await host.click("#create-btn");
    await screen(host, "lobby");
    const pin = (await host.textContent("#host-pin")).trim();
    for (const scheme of ["light", "dark"]) {
      const p = await S.newPage(`phone-${scheme}`, true, { colorScheme: scheme });
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", `Player ${scheme}`);
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
      phones.push(p);
    }
    await host.locator("#lobby-count", { hasText: "2" }).waitFor();
  });

  step("every tile on the host and the phones is readable, distinguishable and shaped", 20_000, async () => {
    await host.locator("#start-btn").click();
    for (const page of [host, ...phones]) {
      await screen(page, "question");
      await page.locator("#q-choices .tile").nth(CHOICES.length - 1).waitFor();
      problems.push(...judge(page.who, await tiles(page)));
      judged++;
    }
  });

  step("every reveal chart row on the host starts with its answer's shape", 20_000, async () => {
    for (const [i, p] of phones.entries()) await p.locator(`#q-choices .tile[data-choice="${i}"]`).tap();
    await screen(host, "reveal");
    await host.locator("#chart .bar-row").nth(CHOICES.length - 1).waitFor();
    const rows = await host.$$eval("#chart .bar-row", (rs) =>
      rs.map((r) => ({ label: r.querySelector(".bar-label").textContent, bar: r.querySelector(".bar").className })),
    );
    assert.equal(rows.length, CHOICES.length);
    const shapes = await host.$$eval("#q-choices .tile .shape", (s) => s.map((x) => x.textContent.trim()));
    for (const [i, r] of rows.entries()) {
      const shape = r.label.trim().split(" ")[0];
      if (!shape || shape === CHOICES[i]) problems.push(`host reveal: chart row ${i} "${r.label}" has no shape`);
      else if (shapes[i] && shape !== shapes[i]) problems.push(`host reveal: chart row ${i} shows ${shape}, its tile ${shapes[i]}`);
      if (!r.bar.includes(`c${i}`)) problems.push(`host reveal: chart row ${i} bar is "${r.bar}", not c${i}`);
    }
  });

  test("white text keeps 4.5:1 on every answer colour, every pair stays apart under protanopia, deuteranopia and tritanopia, and every tile and chart row shows its shape", (t) => {
    noProblems(problems);
    if (S.broken) return t.skip("the game did not run to the end");
    assert.equal(judged, 3, "the host and both phones were measured");
  });

  test("no page errors, and no request left 127.0.0.1", (t) => {
    noProblems(S.pageErrors);
    noProblems(S.blocked.map((b) => `blocked request to ${b}`));
    if (S.broken) t.skip("the game did not run to the end");
  });
});
