// The two kinds that are not asked like the others, as stage.js draws them (its `KINDS` holds
// these entries): a word cloud (players type 1 to 3 words in the phone's text form; the reveal
// draws everyone's words sized by how many gave them, in plain HTML and CSS) and a slide (a
// title and a text, no answers, no timer; the host moves on).

import { $ } from "./dom.js";
import { t } from "./i18n.js";

/** Longest word cloud answer the server takes, in characters (it also counts 1 to 3 words). */
export const CLOUD_MAX_CHARS = 40;

/** How many of the top words a phone lists under its small cloud. */
const PHONE_TOP = 5;

/**
 * Draws `words` (`[{text, count}]`, most given first, as `question_closed.words` sends them) as
 * a word cloud in `el`: one `<li class="word cN">` each, its size from 0 (fewest) to 1 (most)
 * in `--w`, which the stylesheet turns into a font size. Colours cycle through the answer
 * palette; the counts are said to screen readers and shown on hover.
 */
export function drawCloud(el, words, limit = words.length) {
  const shown = words.slice(0, limit);
  const most = shown.length ? shown[0].count : 1;
  const least = shown.length ? shown[shown.length - 1].count : 1;
  const list = document.createElement("ul");
  list.className = "cloud";
  list.setAttribute("aria-label", t("word_cloud"));
  // Biggest in the middle, as word clouds are read: alternate the others to either side.
  const order = [];
  shown.forEach((w, i) => (i % 2 ? order.push(w) : order.unshift(w)));
  for (const w of order) {
    const li = document.createElement("li");
    li.className = `word c${shown.indexOf(w) % 6}`;
    li.style.setProperty("--w", most === least ? "0.5" : String((w.count - least) / (most - least)));
    li.textContent = w.text;
    li.title = t("n_gave_it", { count: w.count });
    const said = document.createElement("span");
    said.className = "sr-only";
    said.textContent = ` (${w.count})`;
    li.append(said);
    list.append(li);
  }
  if (shown.length === 0) {
    const none = document.createElement("li");
    none.className = "hint";
    none.textContent = t("no_words_sent");
    list.append(none);
  }
  el.replaceChildren(list);
}

// A word cloud: the phone answers in the text form (player.js shows it for this kind, bounded to
// `CLOUD_MAX_CHARS`), so the answer area stays empty; the reveal is the cloud.
export const CLOUD = {
  question(area) {
    area.replaceChildren();
    area.hidden = true;
  },
  /** The big screens: the cloud in `#chart`; the host alone is told how many were filtered. */
  drawScreenReveal(el, m, { host = false } = {}) {
    drawCloud(el, m.words || []);
    return host && m.filtered > 0 ? t("n_hidden_by_the_word_filter", { count: m.filtered }) : null;
  },
  phoneReveal(m, q, mine, typed) {
    const words = m.words || [];
    drawCloud($("reveal-answers"), words, PHONE_TOP);
    const lines = [];
    if (typed) lines.push(t("your_words", { words: typed }));
    if (words.length) {
      lines.push(t("top_words", { list: words.slice(0, PHONE_TOP).map((w) => `${w.text} (${w.count})`).join(", ") }));
    }
    return lines.join(" · ");
  },
};

// A slide: its title (if any) is the heading in `#q-text` (stage.js), its text the answer area.
export const SLIDE = {
  question(area, v) {
    area.classList.remove("two", "long");
    if (!v.title) {
      area.replaceChildren();
      area.hidden = true;
      return;
    }
    const p = document.createElement("p");
    p.className = "slide-text lead";
    p.textContent = v.text;
    area.replaceChildren(p);
    area.hidden = false;
  },
  // A slide is never revealed; these are here so that a stray reveal draws nothing wrong.
  drawScreenReveal(el) {
    el.replaceChildren();
    return null;
  },
  phoneReveal() {
    $("reveal-answers").replaceChildren();
    return null;
  },
};

/** The heading a question shows: a slide's title when it has one, else the text. */
export const heading = (v) => (v.kind === "slide" && v.title ? v.title : v.text);
