// A team game's parts of the game screen, as the player, host and presenter pages draw them:
// the team standings under a leaderboard and a podium (`#team-board-wrap` / `#team-board`,
// `#team-podium-wrap` / `#team-podium`) and a team's name in the page's language.

import { $ } from "./dom.js";
import { t } from "./i18n.js";

/**
 * A team game's standings (`teams` of `leaderboard` or `game_over`) in `#team-board` or,
 * `finished`, `#team-podium`; the list's section is hidden in a game without teams. Teams are
 * named by id in the page's language. `myTeam` marks the viewer's team; its standing is
 * returned (or null).
 */
export function drawTeams(teams, finished, myTeam = null) {
  const wrap = $(finished ? "team-podium-wrap" : "team-board-wrap");
  if (!wrap) return null;
  wrap.hidden = !teams;
  if (!teams) return null;
  const list = finished ? teams.slice(0, 3) : teams;
  $(finished ? "team-podium" : "team-board").replaceChildren(...list.map((s) => {
    const li = document.createElement("li");
    li.dataset.rank = s.rank;
    li.dataset.team = s.id;
    if (s.id === myTeam) li.classList.add("me");
    const rank = document.createElement("span");
    rank.className = "rank";
    rank.textContent = s.rank;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = teamName(s.id);
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = t("score_pts", { score: s.score });
    li.append(rank, name, score);
    return li;
  }));
  return teams.find((s) => s.id === myTeam) || null;
}

/** A team's name in the page's language: the server's `Team <id>` translated by id. */
export const teamName = (id) => t("team_n", { n: id });

/**
 * The host's lobby control for one player of a team game: a `<select>` of the teams (with
 * "No team yet" while the player has none) that calls `move(team)` when the host picks one.
 */
export function teamPicker(id, p, teams, move) {
  const select = document.createElement("select");
  select.className = "team-select";
  select.dataset.playerId = id;
  select.setAttribute("aria-label", t("team_of", { name: p.name }));
  const option = (value, label) => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  };
  if (p.team == null) select.append(option("", t("no_team_yet")));
  select.append(...teams.map((s) => option(s.id, teamName(s.id))));
  select.value = p.team == null ? "" : String(p.team);
  select.onchange = () => select.value && move(Number(select.value));
  return select;
}

/**
 * The phone's team buttons in the lobby of a game whose players choose (`#team-choice`, with
 * `#team-buttons`): one per team with its members so far, the player's own pressed. Hidden
 * when `teams` is null (the server places players).
 */
export function drawTeamChoice(teams, myTeam, choose) {
  const box = $("team-choice");
  if (!box) return;
  box.hidden = !teams;
  if (!teams) return;
  $("team-buttons").replaceChildren(...teams.map((s) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "team-btn";
    b.dataset.team = s.id;
    b.setAttribute("aria-pressed", String(s.id === myTeam));
    b.textContent = t("team_with_members", { team: teamName(s.id), count: s.members });
    b.onclick = () => choose(s.id);
    return b;
  }));
}

/**
 * Says "Team talk" in the get-ready line (`#get-ready`) of a question with team talk
 * (`team_talk_ms`), where the page has the label (`#team-talk-label`); the usual words
 * otherwise.
 */
export function markTeamTalk(v) {
  const label = $("team-talk-label");
  if (!label) return;
  const talk = v.team_talk_ms > 0;
  label.hidden = !talk;
  $("get-ready-label").hidden = talk;
}
