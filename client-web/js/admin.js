// The admin page: live rooms (refreshed every few seconds, each with a Close button), the
// accounts (create, reset a password, disable or enable, change role) and the database
// writer's counters. A host who opens it sees "Admins only" and the page asks for nothing:
// the API would refuse it anyway.

import { $, el } from "./dom.js";
import { api, humanError, when, startPage, unmarkOnEdit } from "./common.js";

const ROOMS_EVERY_MS = 3000;
const PHASES = { lobby: "Lobby", question: "Question open", reveal: "Showing answers", leaderboard: "Leaderboard", finished: "Game over" };

let me = null;
let lastRooms = "";

const announce = (t) => ($("announcer").textContent = t);

// ---- accounts ----
async function loadAccounts() {
  try {
    const list = await api("GET", "/api/admin/accounts");
    $("accounts").tBodies[0].replaceChildren(...list.map(accountRow));
    $("accounts-error").textContent = "";
  } catch (e) {
    $("accounts-error").textContent = `Could not load the accounts. ${humanError(e)}`;
  }
}

function accountRow(a) {
  const self = a.id === me.id;
  const role = el("select", { class: "role-select", "aria-label": `Role of ${a.username}`, disabled: self },
    el("option", { value: "host" }, "Host"),
    el("option", { value: "admin" }, "Admin"));
  role.value = a.role;
  role.onchange = () => patch(a, { role: role.value }, `${a.username} is now ${role.value === "admin" ? "an admin" : "a host"}.`);
  const toggle = el("button", {
    type: "button", class: a.disabled ? "enable-btn" : "danger disable-btn", disabled: self,
    "aria-label": `${a.disabled ? "Enable" : "Disable"} ${a.username}`,
  }, a.disabled ? "Enable" : "Disable");
  toggle.onclick = () => {
    if (!a.disabled && !confirm(`Disable ${a.username}? They are logged out and cannot log in until enabled again.`)) return;
    patch(a, { disabled: !a.disabled }, `${a.username} is ${a.disabled ? "enabled" : "disabled"}.`);
  };
  const reset = el("button", { type: "button", class: "reset-btn", "aria-label": `Reset the password of ${a.username}` }, "Reset password");
  reset.onclick = () => openReset(a);
  return el("tr", { dataset: { accountId: a.id, username: a.username }, class: a.disabled ? "disabled" : null },
    el("th", { scope: "row" }, a.username, self ? el("span", { class: "hint" }, " (you)") : null),
    el("td", { "data-label": "Role" }, role),
    el("td", { class: "status-cell", "data-label": "Status" }, a.disabled ? "Disabled" : "Active"),
    el("td", { "data-label": "Created" }, when(a.created_at)),
    el("td", {}, el("div", { class: "row nowrap" }, toggle, reset)));
}

async function patch(a, change, done) {
  try {
    await api("PATCH", `/api/admin/accounts/${a.id}`, change);
    announce(done);
  } catch (e) {
    $("accounts-error").textContent = `Could not change ${a.username}. ${humanError(e)}`;
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
    $("reset-error").textContent = "The password needs 8 to 200 characters.";
    return $("reset-password").focus();
  }
  $("reset-save").disabled = true;
  try {
    await api("PATCH", `/api/admin/accounts/${resetting.id}`, { password });
    $("reset-dialog").close();
    announce(`The password of ${resetting.username} is reset.`);
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
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(body.username)) return bad("username", "1 to 40 letters, digits, _ - or . (no spaces).");
  const n = [...body.password].length;
  if (n < 8 || n > 200) return bad("password", "The password needs 8 to 200 characters.");
  $("create-btn").disabled = true;
  try {
    await api("POST", "/api/admin/accounts", body);
    $("new-username").value = "";
    $("new-password").value = "";
    $("create-done").textContent = `Created the ${body.role} account ${body.username}.`;
    $("create-done").hidden = false;
    await loadAccounts();
  } catch (e) {
    if (e.code === "username_taken") bad("username", "That username is taken.");
    else if (e.code === "bad_field" && CREATE_FIELDS[e.field]) bad(e.field, humanError(e));
    else $("create-error").textContent = `Could not create the account. ${humanError(e)}`;
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
    $("rooms-error").textContent = `Could not load the rooms. ${humanError(e)}`;
    return;
  }
  $("rooms-error").textContent = "";
  $("rooms-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
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
    ? `${PHASES[r.phase]}: ${r.index + 1} of ${r.total}`
    : PHASES[r.phase] || r.phase;
  const close = el("button", { type: "button", class: "danger close-room", "aria-label": `Close room ${r.pin}` }, "Close room");
  close.onclick = async () => {
    // Like the host's End: a running game ends first (players see the podium), and a room
    // whose game is over closes for good.
    const ask = r.phase === "finished"
      ? `Close room ${r.pin} (“${r.title}”, host ${r.host})? Its game is over; the players are disconnected.`
      : `End the game in room ${r.pin} (“${r.title}”, host ${r.host}) now? Everyone sees the podium; the scores so far are kept. Close it again to disconnect the players.`;
    if (!confirm(ask)) return;
    close.disabled = true;
    try {
      await api("POST", `/api/admin/rooms/${r.pin}/close`, {});
      announce(r.phase === "finished" ? `Room ${r.pin} closed.` : `The game in room ${r.pin} is over.`);
    } catch (e) {
      $("rooms-error").textContent = e.code === "no_such_room" ? `Room ${r.pin} had already closed.` : `Could not close room ${r.pin}. ${humanError(e)}`;
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
      el("span", { class: "tag" }, `PIN ${r.pin}`), " ",
      el("span", { class: "tag" }, r.mode === "race" ? "Race" : "Classic"), " ",
      el("span", { class: "tag room-phase" }, phase), " ",
      r.locked ? el("span", { class: "tag" }, "Locked") : null, " ",
      el("span", { class: "hint" }, `host ${r.host} · ${r.players.length} player${r.players.length === 1 ? "" : "s"} · chat ${r.chat ? "on" : "off"}`)),
    players.length === 0 ? el("p", { class: "hint" }, "No players yet.") :
      el("div", { class: "table-wrap" },
        el("table", { class: "data room-players" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Player"), el("th", { scope: "col", class: "num" }, "Score"), el("th", { scope: "col" }, "Connection"))),
          el("tbody", {}, players.map((p) => el("tr", { class: p.connected ? null : "offline" },
            el("td", { class: "name" }, p.name),
            el("td", { class: "num" }, String(p.score)),
            el("td", {}, p.connected ? "online" : "offline")))))));
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
