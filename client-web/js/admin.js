// The admin page: live rooms (refreshed every few seconds, each with a Close button), the
// accounts (create, reset a password, disable or enable, change role) and the database
// writer's counters. A host who opens it sees "Admins only" and the page asks for nothing:
// the API would refuse it anyway.

import { $, el } from "./dom.js";
import { api, humanError, when, startPage, unmarkOnEdit } from "./common.js";
import { dateTime, t } from "./i18n.js";

const ROOMS_EVERY_MS = 3000;
const PHASES = { lobby: "phase_lobby", question: "phase_question", reveal: "phase_reveal", leaderboard: "leaderboard", finished: "game_over" };
const phaseName = (p) => (PHASES[p] ? t(PHASES[p]) : p);

let me = null;
let lastRooms = "";

const announce = (text) => ($("announcer").textContent = text);

// ---- accounts ----
async function loadAccounts() {
  try {
    const list = await api("GET", "/api/admin/accounts");
    $("accounts").tBodies[0].replaceChildren(...list.map(accountRow));
    $("accounts-error").textContent = "";
  } catch (e) {
    $("accounts-error").textContent = t("could_not_load_accounts", { error: humanError(e) });
  }
}

function accountRow(a) {
  const self = a.id === me.id;
  const role = el("select", { class: "role-select", "aria-label": t("role_of", { name: a.username }), disabled: self },
    el("option", { value: "host" }, t("host")),
    el("option", { value: "admin" }, t("nav_admin")));
  role.value = a.role;
  role.onchange = () => patch(a, { role: role.value }, t(role.value === "admin" ? "now_admin" : "now_host", { name: a.username }));
  const toggle = el("button", {
    type: "button", class: a.disabled ? "enable-btn" : "danger disable-btn", disabled: self,
    "aria-label": t(a.disabled ? "enable_name" : "disable_name", { name: a.username }),
  }, t(a.disabled ? "enable" : "disable"));
  toggle.onclick = () => {
    if (!a.disabled && !confirm(t("confirm_disable", { name: a.username }))) return;
    patch(a, { disabled: !a.disabled }, t(a.disabled ? "name_enabled" : "name_disabled", { name: a.username }));
  };
  const reset = el("button", { type: "button", class: "reset-btn", "aria-label": t("reset_password_of", { name: a.username }) }, t("reset_password"));
  reset.onclick = () => openReset(a);
  return el("tr", { dataset: { accountId: a.id, username: a.username }, class: a.disabled ? "disabled" : null },
    el("th", { scope: "row" }, a.username, self ? el("span", { class: "hint" }, ` (${t("you_mark")})`) : null),
    el("td", { "data-label": t("role") }, role),
    el("td", { class: "status-cell", "data-label": t("status") }, t(a.disabled ? "disabled" : "active")),
    el("td", { "data-label": t("created") }, when(a.created_at)),
    el("td", {}, el("div", { class: "row nowrap" }, toggle, reset)));
}

async function patch(a, change, done) {
  try {
    await api("PATCH", `/api/admin/accounts/${a.id}`, change);
    announce(done);
  } catch (e) {
    $("accounts-error").textContent = t("could_not_change_name", { name: a.username, error: humanError(e) });
  }
  await loadAccounts();
}

let resetting = null;
function openReset(a) {
  resetting = a;
  $("reset-name").textContent = a.username;
  $("reset-password").value = "";
  $("reset-error").textContent = "";
  $("reset-dialog").showModal();
  $("reset-password").focus();
}
$("reset-cancel").onclick = () => $("reset-dialog").close();
$("reset-form").onsubmit = async (ev) => {
  ev.preventDefault();
  const password = $("reset-password").value;
  const n = [...password].length;
  if (n < 8 || n > 200) {
    $("reset-error").textContent = t("password_length");
    return $("reset-password").focus();
  }
  $("reset-save").disabled = true;
  try {
    await api("PATCH", `/api/admin/accounts/${resetting.id}`, { password });
    $("reset-dialog").close();
    announce(t("password_reset_done", { name: resetting.username }));
    $("accounts-error").textContent = "";
  } catch (e) {
    $("reset-error").textContent = humanError(e);
  } finally {
    $("reset-save").disabled = false;
  }
};

const CREATE_FIELDS = { username: "new-username", password: "new-password", role: "new-role" };

// A field's mark goes once it is edited; the next attempt checks everything again.
unmarkOnEdit($("create-form"));
$("create-form").onsubmit = async (ev) => {
  ev.preventDefault();
  for (const id of Object.values(CREATE_FIELDS)) {
    $(`${id}-error`).textContent = "";
    $(id).removeAttribute("aria-invalid");
  }
  $("create-error").textContent = "";
  $("create-done").hidden = true;
  const body = { username: $("new-username").value.trim(), password: $("new-password").value, role: $("new-role").value };
  const bad = (field, text) => {
    const id = CREATE_FIELDS[field];
    $(`${id}-error`).textContent = text;
    $(id).setAttribute("aria-invalid", "true");
    $(id).focus();
  };
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(body.username)) return bad("username", t("username_rule"));
  const n = [...body.password].length;
  if (n < 8 || n > 200) return bad("password", t("password_length"));
  $("create-btn").disabled = true;
  try {
    await api("POST", "/api/admin/accounts", body);
    $("new-username").value = "";
    $("new-password").value = "";
    $("create-done").textContent = t(body.role === "admin" ? "created_admin_account" : "created_host_account", { name: body.username });
    $("create-done").hidden = false;
    await loadAccounts();
  } catch (e) {
    if (e.code === "username_taken") bad("username", t("username_taken"));
    else if (e.code === "bad_field" && CREATE_FIELDS[e.field]) bad(e.field, humanError(e));
    else $("create-error").textContent = t("could_not_create_account", { error: humanError(e) });
  } finally {
    $("create-btn").disabled = false;
  }
};

// ---- live rooms ----
async function loadRooms() {
  let rooms;
  try {
    rooms = await api("GET", "/api/admin/rooms");
  } catch (e) {
    $("rooms-error").textContent = t("could_not_load_rooms", { error: humanError(e) });
    return;
  }
  $("rooms-error").textContent = "";
  $("rooms-updated").textContent = t("updated_at", { time: dateTime(Date.now(), { timeStyle: "medium" }) });
  // Redraw only on change, so a refresh never steals focus from a Close button.
  const now = JSON.stringify(rooms);
  if (now === lastRooms) return;
  lastRooms = now;
  $("room-count").textContent = rooms.length;
  $("rooms-empty").hidden = rooms.length > 0;
  const focused = document.activeElement?.closest?.("[data-pin]")?.dataset.pin;
  $("rooms").replaceChildren(...rooms.map(roomCard));
  if (focused) document.querySelector(`#rooms [data-pin="${focused}"] .close-room`)?.focus();
}

function roomCard(r) {
  const phase = r.phase === "question" || r.phase === "reveal"
    ? t("phase_progress", { phase: phaseName(r.phase), n: r.index + 1, total: r.total })
    : phaseName(r.phase);
  const close = el("button", { type: "button", class: "danger close-room", "aria-label": t("close_room_pin", { pin: r.pin }) }, t("close_room"));
  close.onclick = async () => {
    // Like the host's End: a running game ends first (players see the podium), and a room
    // whose game is over closes for good.
    const ask = r.phase === "finished"
      ? t("confirm_admin_close", { pin: r.pin, title: r.title, host: r.host })
      : t("confirm_admin_end", { pin: r.pin, title: r.title, host: r.host });
    if (!confirm(ask)) return;
    close.disabled = true;
    try {
      await api("POST", `/api/admin/rooms/${r.pin}/close`, {});
      announce(t(r.phase === "finished" ? "room_pin_closed" : "room_pin_game_over", { pin: r.pin }));
    } catch (e) {
      $("rooms-error").textContent = e.code === "no_such_room"
        ? t("room_pin_already_closed", { pin: r.pin })
        : t("could_not_close_room", { pin: r.pin, error: humanError(e) });
    }
    lastRooms = "";
    await loadRooms();
  };
  const players = r.players.slice().sort((a, b) => b.score - a.score);
  return el("li", { class: "card room", dataset: { pin: r.pin } },
    el("div", { class: "section-head" },
      el("h3", {}, r.title),
      close),
    el("p", { class: "room-meta" },
      el("span", { class: "tag" }, t("pin_n", { pin: r.pin })), " ",
      el("span", { class: "tag" }, t(r.mode === "race" ? "mode_race" : "mode_classic")), " ",
      el("span", { class: "tag room-phase" }, phase), " ",
      r.locked ? el("span", { class: "tag" }, t("locked")) : null, " ",
      el("span", { class: "hint" }, [t("host_name", { name: r.host }), t("n_players", { count: r.players.length }), t(r.chat ? "chat_on" : "chat_off")].join(" · "))),
    players.length === 0 ? el("p", { class: "hint" }, t("no_players_yet")) :
      el("div", { class: "table-wrap" },
        el("table", { class: "data room-players" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("player")), el("th", { scope: "col", class: "num" }, t("score")), el("th", { scope: "col" }, t("connection")))),
          el("tbody", {}, players.map((p) => el("tr", { class: p.connected ? null : "offline" },
            el("td", { class: "name" }, p.name),
            el("td", { class: "num" }, String(p.score)),
            el("td", {}, t(p.connected ? "status_online" : "status_offline"))))))));
}

async function loadStats() {
  try {
    const s = await api("GET", "/api/admin/stats");
    $("stat-commits").textContent = s.commits;
    $("stat-rows").textContent = s.rows;
    $("stat-rooms").textContent = s.rooms;
  } catch {
    // The rooms section reports a lost server; the counters just keep their last values.
  }
}

// ---- go ----
me = await startPage();
if (me.role !== "admin") {
  $("refused-name").textContent = me.username;
  $("refused").hidden = false;
} else {
  $("admin").hidden = false;
  await Promise.all([loadRooms(), loadAccounts(), loadStats()]);
  setInterval(() => {
    if (document.visibilityState === "hidden") return;
    loadRooms();
    loadStats();
  }, ROOMS_EVERY_MS);
}
