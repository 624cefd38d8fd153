// The pages in the reader's language: a game played with the host in German, one phone in
// Arabic and one in German, each chosen from the browser's language (Playwright's `locale`,
// which sets navigator.languages and Accept-Language). Arabic pages are right-to-left and
// mirror (the status pill sits left of the brand, the first answer tile right of the second);
// the phones, the host and its presenter window show no English from the pages' own tables
// through the game; every page (host, editor, results, account, admin, leaderboard, player)
// in German and in Arabic shows no visible text or label that reads as an English message its
// language translates (names, numbers and the short codes in SAME_IN_EVERY_LANGUAGE aside); a
// language picked in the top bar wins over the browser's and is remembered. Screenshots:
// docs/screenshots/i18n-*.png.
//
// Run: node --test tests/browser/i18n.test.mjs (server built from this tree), or
// scripts/browser-test.sh.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { createSession, screen, text, noProblems, ROOT } from "./harness.mjs";

const S = createSession();
const { step } = S;
const en = (await import(path.join(ROOT, "client-web/js/lang/en.js"))).default;
const ar = (await import(path.join(ROOT, "client-web/js/lang/ar.js"))).default;
const de = (await import(path.join(ROOT, "client-web/js/lang/de.js"))).default;

const QUIZ = {
  title: "Hauptstädte",
  lang: "de",
  read_s: 0,
  questions: [
    { kind: "choice", text: "Was ist die Hauptstadt von Frankreich?", choices: ["Paris", "Lyon", "Nizza", "Lille"], correct: [0], time_limit_s: 60 },
    { kind: "true_false", text: "Der Rhein fließt durch Basel.", correct: [0], time_limit_s: 60 },
  ],
};

let host;
let token;
let quizId;
let present;
let phoneAr;
let phoneDe;

/** The page's `<html lang dir>`. */
const htmlLang = (page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);

// Text the check below lets through although it reads as English: the product's name, the
// short codes every language keeps, and the built-in account's name ("admin", a username
// shown in the top bar and the tables, which the brand "admin" would otherwise match).
const SAME_IN_EVERY_LANGUAGE = ["quizrace", "PIN", "CSV", "JSON", "Excel", "EN", "DE", "FR", "ES", "AR", "admin"];

/**
 * Every English message (each plural form) that `table` translates differently, as the source
 * of a regular expression matching the whole text it makes: `{name}` stands for any text.
 * Messages that are nothing but placeholders and short words ("{n} of {of}") are left out:
 * they would match names and numbers.
 */
function englishPatterns(table) {
  const out = [];
  for (const [k, v] of Object.entries(en)) {
    if (JSON.stringify(v) === JSON.stringify(table[k])) continue;
    for (const form of typeof v === "object" ? Object.values(v) : [v]) {
      if (!/\p{L}{3}/u.test(form.replace(/\{\w+\}/g, ""))) continue;
      const re = form.trim().replace(/\s+/g, " ").split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+");
      out.push(`^${re}$`);
    }
  }
  return out;
}

/**
 * English from the tables that `page` shows although its language says otherwise: every
 * visible text node of `scope`, and every visible element's aria-label, title, placeholder
 * and alt, that reads as an English message the page's table translates differently.
 */
async function englishLeft(page, table, scope = "body") {
  return page.evaluate(({ scope, patterns, same }) => {
    const english = patterns.map((p) => new RegExp(p, "u"));
    const allowed = new Set(same);
    const found = [];
    const check = (s, where) => {
      s = s.replace(/\s+/g, " ").trim();
      if (s && !allowed.has(s) && english.some((re) => re.test(s))) found.push(`${where}: ${s}`);
    };
    const root = document.querySelector(scope);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (el && el.checkVisibility?.() && !el.closest("script, style, [translate=no]")) check(n.textContent, el.tagName.toLowerCase());
    }
    for (const el of root.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
      if (!el.checkVisibility?.()) continue;
      for (const a of ["aria-label", "title", "placeholder", "alt"]) if (el.hasAttribute(a)) check(el.getAttribute(a), `${el.tagName.toLowerCase()}[${a}]`);
    }
    return found;
  }, { scope, patterns: englishPatterns(table), same: SAME_IN_EVERY_LANGUAGE });
}

describe("the pages in German and Arabic, right-to-left mirrored, the picker remembered", { timeout: 120_000 }, () => {
  before(S.start);
  after(S.stop);

  step("the host page speaks German from the browser's language", 30_000, async () => {
    ({ token } = await S.api("POST", "/api/login", { username: "admin", password: S.password }));
    const { id } = await S.api("POST", "/api/quizzes", QUIZ, token, 201);
    quizId = id;
    host = await S.newPage("host-de", false, { locale: "de-DE" });
    await host.goto(`${S.baseUrl}/host`);
    await screen(host, "login");
    assert.deepEqual(await htmlLang(host), ["de", "ltr"]);
    assert.equal(await text(host, "#screen-login h1"), de.host_log_in);
    assert.equal(await host.inputValue("#lang-picker"), "de", "the picker shows the language in use");
    await host.fill("#login-user", "admin");
    await host.fill("#login-pass", S.password);
    await host.click("#login-btn");
    await screen(host, "setup");
    await host.selectOption("#quiz-select", String(id));
    await host.click("#create-btn");
    await screen(host, "lobby");
    await S.shot(host, "i18n-host-lobby-de");
  });

  step("a phone in Arabic is right-to-left and mirrored, a phone in German is not", 30_000, async () => {
    const pin = (await host.textContent("#host-pin")).trim();
    phoneAr = await S.newPage("phone-ar", true, { locale: "ar-EG" });
    phoneDe = await S.newPage("phone-de", true, { locale: "de-AT" });
    for (const [p, name] of [[phoneAr, "ليلى"], [phoneDe, "Jonas"]]) {
      await p.goto(`${S.baseUrl}/?pin=${pin}`);
      await screen(p, "join");
      await p.fill("#name", name);
    }
    assert.deepEqual(await htmlLang(phoneAr), ["ar", "rtl"]);
    assert.deepEqual(await htmlLang(phoneDe), ["de", "ltr"]);
    assert.equal(await text(phoneAr, "#screen-join h1"), ar.join_a_game);
    assert.equal(await phoneAr.getAttribute("#name", "placeholder"), ar.your_name);
    // Mirrored: the brand starts the bar on the right, the pill and picker follow to its left.
    const x = (p, sel) => p.locator(sel).evaluate((e) => e.getBoundingClientRect().x);
    assert.ok((await x(phoneAr, ".brand")) > (await x(phoneAr, "#lang-picker")), "Arabic: the brand is right of the picker");
    assert.ok((await x(phoneDe, ".brand")) < (await x(phoneDe, "#lang-picker")), "German: the brand is left of the picker");
    await S.shot(phoneAr, "i18n-player-join-ar");
    noProblems(await englishLeft(phoneAr, ar));
    await S.checkLayout(phoneAr, "join (ar)");
    for (const p of [phoneAr, phoneDe]) {
      await p.locator("#join-btn").tap();
      await screen(p, "lobby");
    }
    assert.equal(await text(phoneAr, "#lobby-title"), ar.youre_in_name.replace("{name}", "ليلى"));
    assert.equal(await text(phoneDe, "#lobby-title"), de.youre_in_name.replace("{name}", "Jonas"));
    noProblems([...(await englishLeft(phoneAr, ar)), ...(await englishLeft(phoneDe, de))]);
    await S.shot(phoneAr, "i18n-player-lobby-ar");
    // The picker leaves the phone's bar room for a short name: not cut to an ellipsis.
    for (const p of [phoneAr, phoneDe]) {
      const cut = await p.locator("#me-name").evaluate((e) => e.scrollWidth > e.clientWidth);
      assert.equal(cut, false, `${p.who}: the name in the top bar is cut short`);
    }
    await host.locator("#lobby-count", { hasText: "2" }).waitFor();
    // The presenter window opens in the host's browser, so in German too.
    const [popup] = await Promise.all([host.waitForEvent("popup"), host.locator("#present-btn").click()]);
    present = S.watch(popup, "presenter-de");
    await screen(present, "lobby");
    await present.locator("#lobby-count", { hasText: "2" }).waitFor();
    noProblems([...(await englishLeft(host, de)), ...(await englishLeft(present, de))]);
  });

  step("the game is played: the Arabic answer grid mirrors, the quiz text keeps German", 40_000, async () => {
    await host.locator("#start-btn").click();
    for (const p of [phoneAr, phoneDe]) await screen(p, "question");
    const tile = (p, i) => p.locator(`#q-choices .tile[data-choice="${i}"]`).evaluate((e) => e.getBoundingClientRect().x);
    assert.ok((await tile(phoneAr, 0)) > (await tile(phoneAr, 1)), "Arabic: the first answer is on the right");
    assert.ok((await tile(phoneDe, 0)) < (await tile(phoneDe, 1)), "German: the first answer is on the left");
    for (const p of [phoneAr, phoneDe]) {
      assert.equal(await p.locator("#q-text").evaluate((e) => e.closest("[lang]").lang), "de", `${p.who}: the question is marked as German`);
    }
    assert.equal(await host.locator("#q-text").evaluate((e) => e.closest("[lang]").lang), "de", "host: the question is marked as German");
    assert.equal(await phoneAr.locator("#screen-join h1").evaluate((e) => e.closest("[lang]").lang), "ar", "the page's own text stays Arabic");
    await S.shot(phoneAr, "i18n-player-question-ar");
    await S.checkLayout(phoneAr, "question (ar)");
    await phoneAr.locator('#q-choices .tile[data-choice="0"]').tap();
    await phoneDe.locator('#q-choices .tile[data-choice="1"]').tap();
    for (const p of [phoneAr, phoneDe]) await screen(p, "reveal");
    await phoneAr.locator("#result").waitFor({ state: "visible" });
    await S.shot(phoneAr, "i18n-player-reveal-ar");
    await screen(present, "reveal");
    noProblems([
      ...(await englishLeft(phoneAr, ar, "#stage")), ...(await englishLeft(phoneDe, de, "#stage")),
      ...(await englishLeft(host, de)), ...(await englishLeft(present, de)),
    ]);
    await host.locator("#next-btn").click();
    for (const p of [phoneAr, phoneDe]) await screen(p, "leaderboard");
    await host.locator("#next-btn").click();
    for (const p of [phoneAr, phoneDe]) await screen(p, "question");
    await phoneAr.locator('#q-choices .tile[data-choice="0"]').tap();
    await phoneDe.locator('#q-choices .tile[data-choice="0"]').tap();
    for (const p of [phoneAr, phoneDe]) await screen(p, "reveal");
    await host.locator("#next-btn").click();
    for (const p of [phoneAr, phoneDe]) await screen(p, "leaderboard");
    await host.locator("#next-btn").click();
    for (const p of [phoneAr, phoneDe]) await screen(p, "over");
    await screen(host, "over");
    await screen(present, "over");
    await S.shot(phoneAr, "i18n-player-podium-ar");
    await S.shot(phoneDe, "i18n-player-podium-de");
    await S.shot(host, "i18n-host-podium-de");
    assert.equal(await text(phoneAr, "#screen-over h2"), ar.game_over);
    noProblems([
      ...(await englishLeft(phoneAr, ar, "#stage")), ...(await englishLeft(phoneDe, de, "#stage")), ...(await englishLeft(host, de)),
      ...(await englishLeft(present, de)),
    ]);
  });

  // Each page, logged in as the admin, and what to wait for before reading it.
  const PAGES = [
    ["host", "/host", "#create-btn:enabled"],
    ["editor", "/editor", "#quiz-list li"],
    ["editor-quiz", "/editor?quiz={quiz}", "#questions li .qnum"],
    ["results", "/results", "#games tbody tr"],
    ["results-game", "/results?game=1", "#report-players details"],
    ["account", "/account", "#me-name:not(:empty)"],
    ["admin", "/admin", "#accounts tbody tr"],
    ["leaderboard", "/leaderboard", "#board li"],
    ["player", "/", "#screen-join"],
  ];

  step("every page in German and in Arabic shows no English from the tables", 60_000, async () => {
    const problems = [];
    for (const [lang, table, locale] of [["de", de, "de-DE"], ["ar", ar, "ar-EG"]]) {
      const page = await S.newPage(`pages-${lang}`, false, { locale });
      await page.addInitScript((t) => localStorage.setItem("quizrace.host.token", t), token);
      for (const [name, url, ready] of PAGES) {
        await page.goto(S.baseUrl + url.replace("{quiz}", quizId));
        await page.locator(ready).first().waitFor();
        assert.deepEqual(await htmlLang(page), [lang, lang === "ar" ? "rtl" : "ltr"], `${name} in ${lang}`);
        // The report's details, opened, show each player's answers too.
        if (name === "results-game") for (const d of await page.locator("#report-players details").all()) await d.evaluate((e) => (e.open = true));
        problems.push(...(await englishLeft(page, table)).map((p) => `${name} (${lang}) ${p}`));
        // The phone's join and the leaderboard in Arabic have their shots from the other steps.
        if (lang === "ar" && name !== "player" && name !== "leaderboard") await S.shot(page, `i18n-${name}-ar`);
      }
    }
    noProblems(problems);
  });

  step("a language picked in the top bar wins over the browser's and is remembered", 20_000, async () => {
    const board = await S.newPage("board-de", true, { locale: "de-DE" });
    await board.goto(`${S.baseUrl}/leaderboard`);
    assert.deepEqual(await htmlLang(board), ["de", "ltr"]);
    await Promise.all([board.waitForEvent("load"), board.selectOption("#lang-picker", "ar")]);
    assert.deepEqual(await htmlLang(board), ["ar", "rtl"]);
    await board.goto(`${S.baseUrl}/`);
    assert.deepEqual(await htmlLang(board), ["ar", "rtl"], "another page of the same browser keeps the pick");
    assert.equal(await board.inputValue("#lang-picker"), "ar");
    await board.goto(`${S.baseUrl}/leaderboard`);
    await S.shot(board, "i18n-leaderboard-ar");
  });

  test("no page errors, and no request left 127.0.0.1", () => {
    noProblems([...S.pageErrors, ...S.blocked, ...S.layoutIssues]);
  });
});
