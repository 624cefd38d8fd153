// The DOM helpers every page uses: `$` by id, the `el` builder, and the page furniture the game
// pages share by id (the screen-reader announcer, the connection status, the error banner).
// Nothing here knows the game or the server.

/** The element with id `id` (or null). */
export const $ = (id) => document.getElementById(id);

/** A small element builder: `el("button", { type: "button", class: "x" }, "Label")`. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else e.setAttribute(k, v);
  }
  e.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return e;
}

/** Says `text` to screen readers through the page's polite `#announcer`. */
export function announce(text) {
  $("announcer").textContent = text;
}

/** The connection status in the top bar (`#status`), green when `ok`. */
export function setStatus(text, ok) {
  $("status").textContent = text;
  $("status").classList.toggle("ok", ok);
  $("status").classList.toggle("bad", !ok);
}

// ---- the error banner (`#error-banner`, `#error-text`, `#error-close`) ----
// A refusal stays, in the page's flow under the header, until the person's next action.

/** Shows `text` in the error banner. */
export function banner(text) {
  $("error-text").textContent = text;
  $("error-banner").hidden = false;
}

export const hideBanner = () => ($("error-banner").hidden = true);

/** Wires the banner's close button, and takes the banner away at the person's next action. */
export function bannerGoesOnAction() {
  $("error-close").onclick = hideBanner;
  // Capture: the click that brings a new refusal clears the old one first.
  document.addEventListener("click", (ev) => {
    if (ev.target instanceof Element && ev.target.closest("button, a")) hideBanner();
  }, true);
  document.addEventListener("submit", hideBanner, true);
}
