// What the management pages share (and the host page's navigation bar): an `api()` fetch
// helper that turns the server's error shape into a thrown `ApiError`, the login form shown to a
// page opened without a token, the top navigation bar, and the one error presenter every page
// (the player's too) shows refusals with. The login token itself is kept by storage.js.

import { humanError } from "./messages.js";
import { dateTime, t } from "./i18n.js";
import { $, el } from "./dom.js";
import { clearToken, forgetHostRoom, getToken, setToken } from "./storage.js";

export { humanError };

/**
 * A refused request: the HTTP `status` plus what the server's `{"error":{...}}` carried —
 * `code`, `message`, and where it applies `field`, `index` (a quiz's question), `row` and
 * `column` (a CSV cell).
 */
export class ApiError extends Error {
  constructor(status, e) {
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || `http_${status}`;
    this.field = e.field ?? null;
    this.index = e.index ?? null;
    this.row = e.row ?? null;
    this.column = e.column ?? null;
    this.retryAfter = e.retry_after_s ?? null;
  }
}

/**
 * One API call with the bearer token. `body` is sent as JSON, unless `opts.type` names another
 * content type (then it goes as it is). Answers the parsed JSON, or the raw `Blob` with
 * `opts.blob`. Throws `ApiError` for any non-2xx answer, and for a network failure (code
 * `network`), so a page has one path for every failure.
 */
export async function api(method, path, body, opts = {}) {
  const headers = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = opts.type || "application/json";
    payload = opts.type ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, { code: "network", message: "The server cannot be reached." });
  }
  if (!res.ok) {
    let e = {};
    try {
      e = (await res.json()).error || {};
    } catch {
      // Not our JSON (a proxy's page, a plain-text refusal): the status says enough.
    }
    throw new ApiError(res.status, e);
  }
  if (opts.blob) return res.blob();
  const text = await res.text();
  return text ? JSON.parse(text) : {};
}

/** What a failed `POST /api/login` tells the person at the login form. */
export const loginError = (e) =>
  e.code === "rate_limited"
    ? e.retryAfter == null ? t("login_rate_limited_few") : t("login_rate_limited", { count: Number(e.retryAfter) })
    : humanError(e);

// ---- errors: one presenter for every page ----
//
// A refusal is written for people (messages.js), shown in the page's flow (never over the
// header) in an element with role="alert", and stays until the person's next action. When it
// is about one field, the field is marked: aria-invalid, the `[aria-invalid]` look, and the
// message right after it (`#<field id>-error`), which editing the field takes away.

/**
 * Marks `input` as the faulty field with `text` next to it; answers the input (to focus).
 * The page's own `#<id>-error` element is used, or one is made after the field.
 */
export function markField(input, text) {
  let out = document.getElementById(`${input.id}-error`);
  if (!out) {
    out = el("p", { id: `${input.id}-error`, class: "error-text field-error", role: "alert" });
    input.after(out);
  }
  out.textContent = text;
  input.setAttribute("aria-invalid", "true");
  const ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== out.id);
  input.setAttribute("aria-describedby", [out.id, ...ids].join(" "));
  return input;
}

/** Takes `input`'s mark and message away. */
export function unmarkField(input) {
  input.removeAttribute("aria-invalid");
  const out = document.getElementById(`${input.id}-error`);
  if (out) out.textContent = "";
}

/** Every marked field inside `scope` unmarked: before a new attempt. */
export function clearFieldErrors(scope = document) {
  for (const input of scope.querySelectorAll("[aria-invalid]")) unmarkField(input);
}

/** A field's mark goes as soon as the person edits it (typing, picking, ticking). */
export function unmarkOnEdit(scope = document) {
  const edited = (ev) => {
    const t = ev.target;
    if (t && t.getAttribute && t.getAttribute("aria-invalid") === "true") unmarkField(t);
  };
  scope.addEventListener("input", edited);
  scope.addEventListener("change", edited);
}

/**
 * Shows refusal `e` (an `ApiError` or a socket `error` frame): next to its field when
 * `fields` maps its `field` (or its code) to an input id, else in `region` (a role="alert"
 * element in the page's flow). Answers the marked input, or null.
 */
export function showError(region, e, fields = {}) {
  const text = humanError(e);
  const id = (e.field && fields[e.field]) || fields[e.code];
  const input = id ? document.getElementById(id) : null;
  if (input) {
    if (region) region.textContent = "";
    return markField(input, text);
  }
  if (region) {
    region.textContent = text;
    region.hidden = false;
  }
  return null;
}

/** The URL players open to join `pin` (the server knows its public address). */
export const joinUrl = async (pin) => (await api("GET", `/api/join-url?pin=${encodeURIComponent(pin)}`)).url;

/** The address of the QR code image for `pin`'s join URL. */
export const qrSrc = (pin) => `/api/qr.svg?pin=${encodeURIComponent(pin)}`;
/** An assignment's link as a QR code (`/?code=`). */
export const codeQrSrc = (code) => `/api/qr.svg?code=${encodeURIComponent(code)}`;

/** Saves `blob` as a file named `name` (a link cannot send the bearer header, so we fetch first). */
export function download(blob, name) {
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** A date and time in the reader's locale, from unix milliseconds. */
export const when = (ms) => (ms == null ? "" : dateTime(ms));

// The host-side pages and their labels' keys.
const NAV = [
  ["/host", "nav_host"],
  ["/assignments", "nav_assignments"],
  ["/editor", "quizzes"],
  ["/results", "nav_results"],
  ["/leaderboard", "leaderboard"],
  ["/account", "nav_account"],
];

/**
 * Fills `<nav id="topnav">` with the host-side pages; Admin only for an admin. Log out revokes
 * the token on the server, forgets it here, and reloads, which shows the login form again.
 */
export function mountNav(nav, me) {
  const links = me && me.role === "admin" ? [...NAV, ["/admin", "nav_admin"]] : NAV;
  const here = location.pathname;
  const items = links.map(([href, label]) =>
    el("a", { href, class: "navlink", "aria-current": here === href ? "page" : null }, t(label)));
  const out = el("button", { type: "button", id: "nav-logout", class: "navlink link" }, t("log_out"));
  out.onclick = async () => {
    out.disabled = true;
    try {
      await api("POST", "/api/logout", {});
    } catch {
      // Already expired or the server is away: forgetting the token here is what matters.
    }
    clearToken();
    forgetHostRoom();
    location.reload();
  };
  if (me) items.push(el("span", { class: "navme", title: t("logged_in_as_name", { name: me.username }) }, me.username), out);
  nav.replaceChildren(...items);
  nav.hidden = false;
}

/**
 * Starts a page that needs an account: with a valid token it mounts the navigation bar and
 * answers `/api/me`; without one (or with an expired one) it shows a login form in `#stage`
 * first. The page's own content is `#app`, shown once logged in.
 */
export async function startPage() {
  const stage = $("stage");
  const app = $("app");
  if (getToken()) {
    try {
      const me = await api("GET", "/api/me");
      mountNav($("topnav"), me);
      app.hidden = false;
      return me;
    } catch (e) {
      if (e.status !== 401) {
        showLogin(stage, humanError(e));
        return waitForLogin(app);
      }
      clearToken();
      showLogin(stage, t("session_expired"));
      return waitForLogin(app);
    }
  }
  showLogin(stage, "");
  return waitForLogin(app);
}

function showLogin(stage, notice) {
  let screen = $("screen-login");
  if (!screen) {
    screen = el("section", { id: "screen-login", class: "screen login-screen" },
      el("h1", {}, t("host_log_in")),
      el("form", { id: "login-form", class: "stack" },
        el("label", { for: "login-user" }, t("username")),
        el("input", { id: "login-user", autocomplete: "username", required: true }),
        el("label", { for: "login-pass" }, t("password")),
        el("input", { id: "login-pass", type: "password", autocomplete: "current-password", required: true }),
        el("button", { type: "submit", id: "login-btn", class: "primary big" }, t("log_in")),
        el("p", { id: "login-error", class: "error-text", role: "alert" })));
    stage.prepend(screen);
  }
  $("login-error").textContent = notice;
  screen.hidden = false;
  $("app").hidden = true;
  $("login-user").focus();
}

function waitForLogin(app) {
  return new Promise((resolve) => {
    $("login-form").onsubmit = async (ev) => {
      ev.preventDefault();
      $("login-btn").disabled = true;
      $("login-error").textContent = "";
      try {
        const r = await api("POST", "/api/login", {
          username: $("login-user").value.trim(),
          password: $("login-pass").value,
        });
        setToken(r.token);
        $("login-pass").value = "";
        const me = await api("GET", "/api/me");
        $("screen-login").hidden = true;
        mountNav($("topnav"), me);
        app.hidden = false;
        resolve(me);
      } catch (e) {
        $("login-error").textContent = loginError(e);
      } finally {
        $("login-btn").disabled = false;
      }
    };
  });
}
