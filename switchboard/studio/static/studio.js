// Switchboard Studio's page. Every text from a run (tasks, model replies, tool results) is put in the page as text
// (textContent, createTextNode), never parsed as HTML, so a reply holding <script> shows as text.
"use strict";

const TERMINAL = new Set(["completed", "failed", "cancelled"]);
const STATUSES = ["queued", "running", "awaiting_input", "completed", "failed", "cancelled"];
let config = { trace_url: null, target: "", price_input: 0, price_output: 0, poll_ms: 700 };
let timer = null;
let view = 0; // bumped on every navigation, so a late answer of an old view draws nothing

function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function svg(tag, attrs, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) element.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

async function api(method, path, body) {
  const response = await fetch("/api/" + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let payload = {};
  try { payload = await response.json(); } catch (error) { payload = { error: response.statusText }; }
  if (!response.ok) throw new Error(payload.error || ("HTTP " + response.status));
  return payload;
}

function flash(message) {
  const box = document.getElementById("flash");
  box.textContent = message;
  setTimeout(() => { if (box.textContent === message) box.textContent = ""; }, 6000);
}

function navigate(path) {
  history.pushState(null, "", path);
  route();
}

function link(path, text, attrs) {
  return h("a", { href: path, onclick: (event) => { event.preventDefault(); navigate(path); }, ...(attrs || {}) }, text);
}

function tokensOf(usage) {
  let total = 0;
  for (const spent of Object.values(usage || {})) total += (spent.prompt_tokens || 0) + (spent.completion_tokens || 0);
  return total;
}

function cost(prompt, completion) {
  return "$" + ((prompt * config.price_input + completion * config.price_output) / 1e6).toFixed(4);
}

function pretty(value) {
  // Tool arguments arrive as JSON text or as an object; either is shown indented, as text.
  if (typeof value === "string") {
    try { return JSON.stringify(JSON.parse(value), null, 2); } catch (error) { return value; }
  }
  return JSON.stringify(value === undefined ? {} : value, null, 2);
}

function when(text) {
  if (!text) return "";
  const date = new Date(text);
  return isNaN(date) ? String(text) : date.toLocaleString();
}

function duration(run) {
  const start = Date.parse(run.created_at);
  if (isNaN(start)) return "";
  const end = TERMINAL.has(run.status) ? Date.parse(run.updated_at) : Date.now();
  const seconds = Math.max(0, ((isNaN(end) ? Date.now() : end) - start) / 1000);
  return seconds < 60 ? seconds.toFixed(1) + " s" : Math.floor(seconds / 60) + " min " + Math.round(seconds % 60) + " s";
}

function repeat(task, ms) {
  const mine = view;
  const tick = async () => {
    if (mine !== view) return;
    let again = true;
    try { again = (await task()) !== false; } catch (error) { flash(error.message); }
    if (again && mine === view) timer = setTimeout(tick, ms);
  };
  tick();
}

// ---- New run -------------------------------------------------------------------------------------------------------

async function newRunPage(main) {
  main.append(h("h1", {}, "New run"));
  const teamSelect = h("select", { id: "team", name: "team" });
  const task = h("textarea", { id: "task", name: "task", required: true });
  const start = h("button", { type: "submit" }, "Start run");
  const form = h("form", { "aria-label": "New run", onsubmit: async (event) => {
    event.preventDefault();
    if (!task.value.trim()) { flash("Write a task first."); task.focus(); return; }
    start.disabled = true;
    try {
      const created = await api("POST", "runs", { task: task.value, team: teamSelect.value });
      navigate("/runs/" + created.run_id);
    } catch (error) { flash(error.message); start.disabled = false; }
  } },
    h("label", { for: "task" }, "Task"), task,
    h("label", { for: "team" }, "Team"), teamSelect,
    start);
  const pictures = h("div", { class: "grid" });
  main.append(form, h("h2", {}, "Teams"), pictures);
  const { teams, default: preferred } = await api("GET", "teams");
  for (const team of teams) {
    const agents = team.agents.map((agent) => agent.name).join(", ");
    teamSelect.append(h("option", { value: team.name, selected: team.name === preferred }, team.name + " — " + agents));
    pictures.append(teamCard(team));
  }
}

// ---- Teams ---------------------------------------------------------------------------------------------------------

const KIND_NAMES = { round_robin: "RoundRobin ring", selector: "Selector star", swarm: "Swarm handoffs", graph_flow: "GraphFlow edges" };

function teamCard(team) {
  return h("section", { class: "card", "aria-label": "Team " + team.name },
    h("h3", {}, team.name + " · " + (KIND_NAMES[team.kind] || team.kind)),
    h("p", { class: "meta" }, team.description || ""),
    teamGraph(team));
}

function teamGraph(team) {
  const size = 300, middle = size / 2, radius = 105;
  const names = team.agents.map((agent) => agent.name);
  const star = team.kind !== "round_robin" && team.kind !== "swarm" && team.kind !== "graph_flow";
  const places = {};
  names.forEach((name, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / names.length;
    places[name] = [middle + radius * Math.cos(angle), middle + radius * Math.sin(angle)];
  });
  if (star) places[team.manager] = [middle, middle];
  const id = "arrow-" + team.name;
  const titleId = "graph-title-" + team.name;
  const picture = svg("svg", { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: "img", "aria-labelledby": titleId },
    svg("title", { id: titleId }, `${team.name}: ${KIND_NAMES[team.kind] || team.kind} of ${names.join(", ")}`),
    svg("defs", {}, svg("marker", { id, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#5b6675" }))));
  for (const edge of team.edges) {
    const from = places[edge.source], to = places[edge.target];
    if (!from || !to || edge.source === edge.target) continue;
    const dx = to[0] - from[0], dy = to[1] - from[1], length = Math.hypot(dx, dy) || 1, pad = 36;
    picture.append(svg("line", { class: "edge", x1: from[0] + dx / length * pad, y1: from[1] + dy / length * pad,
      x2: to[0] - dx / length * pad, y2: to[1] - dy / length * pad, stroke: "#5b6675", "stroke-width": 1.5, "marker-end": `url(#${id})` }));
  }
  for (const [name, [x, y]] of Object.entries(places)) {
    const manager = name === team.manager;
    picture.append(svg("g", { class: "node" },
      svg("circle", { cx: x, cy: y, r: 34, fill: manager ? "#102a43" : "#dce9ff", stroke: "#0b63c5" }),
      svg("text", { x, y: y + 4, "text-anchor": "middle", fill: manager ? "#fff" : "#1d2430" }, name)));
  }
  return picture;
}

async function teamsPage(main) {
  main.append(h("h1", {}, "Teams"));
  const grid = h("div", { class: "grid" });
  main.append(grid);
  for (const team of (await api("GET", "teams")).teams) grid.append(teamCard(team));
}

// ---- One run -------------------------------------------------------------------------------------------------------

function turn(entry) {
  const usage = entry.usage || {};
  const tokens = (usage.prompt_tokens || 0) + (usage.completion_tokens || 0);
  const headingId = "turn-" + entry.index + "-" + Math.random().toString(36).slice(2, 8);
  const calls = (entry.tool_activity || []).map((call) => h("details", {},
    h("summary", {}, "Tool call: " + call.name + (call.is_error ? " (error)" : "")),
    h("pre", {}, "arguments: " + pretty(call.arguments)),
    h("pre", {}, "result: " + (typeof call.result === "string" ? call.result : JSON.stringify(call.result)))));
  if (!calls.length && (entry.tool_calls || []).length) {
    calls.push(h("details", {}, h("summary", {}, "Tool calls: " + entry.tool_calls.join(", "))));
  }
  return h("article", { "aria-labelledby": headingId, "data-kind": entry.kind || "text" },
    h("h3", { id: headingId }, entry.source || "?",
      h("span", { class: "tokens" }, `${tokens} tokens` + (entry.model ? " · " + entry.model : "") + (entry.kind && entry.kind !== "text" ? " · " + entry.kind : ""))),
    h("p", { class: "content" }, entry.content || ""),
    calls);
}

function usageTable(run) {
  const body = h("tbody");
  let prompt = 0, completion = 0;
  for (const [agent, spent] of Object.entries(run.usage || {})) {
    const p = spent.prompt_tokens || 0, c = spent.completion_tokens || 0;
    prompt += p; completion += c;
    body.append(h("tr", {}, h("th", { scope: "row" }, agent), h("td", {}, spent.model || ""),
      h("td", { class: "num" }, p), h("td", { class: "num" }, c), h("td", { class: "num" }, p + c), h("td", { class: "num" }, cost(p, c))));
  }
  body.append(h("tr", {}, h("th", { scope: "row" }, "all"), h("td"), h("td", { class: "num" }, prompt),
    h("td", { class: "num" }, completion), h("td", { class: "num" }, prompt + completion), h("td", { class: "num" }, cost(prompt, completion))));
  return h("table", { "aria-labelledby": "usage-title" },
    h("caption", { id: "usage-title", class: "sr" }, "Token usage"),
    h("thead", {}, h("tr", {}, ["Agent", "Model", "Prompt", "Completion", "Total", "Cost"].map((name, i) => h("th", { scope: "col", class: i > 1 ? "num" : null }, name)))),
    body);
}

function questionBox(runId, pending) {
  // A run may have several open questions (parallel branches): ids are unique per request.
  const titleId = "question-title-" + pending.request_id, answerId = "answer-" + pending.request_id;
  const box = h("section", { class: "question", "aria-labelledby": titleId, "data-request": pending.request_id },
    h("h2", { id: titleId }, "Open question from " + (pending.agent || "the team")),
    h("p", { class: "content" }, pending.prompt || ""));
  const send = async (body, buttons) => {
    buttons.forEach((button) => { button.disabled = true; });
    try { await api("POST", `runs/${encodeURIComponent(runId)}/input`, { ...body, request_id: pending.request_id }); box.append(h("p", { role: "status" }, "Answer sent.")); }
    catch (error) { flash(error.message); buttons.forEach((button) => { button.disabled = false; }); }
  };
  if (pending.kind === "approval") {
    if (pending.tool) box.append(h("p", {}, "Tool: " + pending.tool), h("pre", {}, pretty(pending.arguments)));
    const approve = h("button", { type: "button" }, "Approve");
    const deny = h("button", { type: "button", class: "danger" }, "Deny");
    approve.addEventListener("click", () => send({ approve: true }, [approve, deny]));
    deny.addEventListener("click", () => send({ approve: false }, [approve, deny]));
    box.append(approve, deny);
  } else {
    const answer = h("textarea", { id: answerId, name: "answer" });
    const button = h("button", { type: "submit" }, "Send answer");
    box.append(h("form", { "aria-label": "Answer the question", onsubmit: (event) => { event.preventDefault(); send({ input: answer.value }, [button]); } },
      h("label", { for: answerId }, "Answer"), answer, button));
  }
  return box;
}

async function runPage(main, runId) {
  const status = h("p", { id: "run-status", role: "status", "aria-live": "polite" }, "Loading…");
  const cancel = h("button", { type: "button", class: "danger" }, "Cancel run");
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    try { await api("POST", `runs/${encodeURIComponent(runId)}/cancel`, {}); } catch (error) { flash(error.message); cancel.disabled = false; }
  });
  const trace = config.trace_url
    ? h("a", { href: config.trace_url.replace("{run_id}", encodeURIComponent(runId)), target: "_blank", rel: "noopener" }, "Trace")
    : null;
  const task = h("p", { class: "meta" });
  const question = h("div");
  const transcript = h("section", { "aria-label": "Transcript" });
  const usage = h("div");
  main.append(h("h1", {}, "Run ", h("code", {}, runId)), task, status, h("p", {}, cancel, " ", trace), question,
    h("h2", {}, "Transcript"), transcript, h("h2", { id: "usage-heading" }, "Token usage"), usage);
  let shown = 0;
  const boxes = new Map();  // request id -> its question box, kept while open (so typed text survives a poll)
  repeat(async () => {
    const run = await api("GET", "runs/" + encodeURIComponent(runId));
    task.textContent = `Team ${run.team || "?"} · task: ${run.task || ""}`;
    status.replaceChildren("Status: ", h("span", { class: "status " + run.status }, run.status),
      run.stop_reason ? " · Stop reason: " + run.stop_reason : "", run.error ? " · Error: " + run.error : "");
    const entries = run.transcript || [];
    for (; shown < entries.length; shown++) transcript.append(turn(entries[shown]));
    usage.replaceChildren(usageTable(run));
    cancel.disabled = TERMINAL.has(run.status);
    const open = run.status !== "awaiting_input" ? [] : Object.values(run.pending_inputs || {}).length
      ? Object.values(run.pending_inputs) : (run.pending_input ? [run.pending_input] : []);
    const ids = new Set(open.map((pending) => pending.request_id));
    for (const [id, box] of boxes) if (!ids.has(id)) { box.remove(); boxes.delete(id); }
    for (const pending of open) {
      if (!boxes.has(pending.request_id)) { const box = questionBox(runId, pending); boxes.set(pending.request_id, box); question.append(box); }
    }
    return !TERMINAL.has(run.status);
  }, config.poll_ms);
}

// ---- Runs ----------------------------------------------------------------------------------------------------------

async function runsPage(main) {
  const params = new URLSearchParams(location.search);
  const filter = h("select", { id: "status-filter" }, h("option", { value: "" }, "all"),
    STATUSES.map((name) => h("option", { value: name, selected: params.get("status") === name }, name)));
  filter.addEventListener("change", () => navigate("/runs" + (filter.value ? "?status=" + filter.value : "")));
  const body = h("tbody");
  main.append(h("h1", {}, "Runs"), h("label", { for: "status-filter" }, "Status"), filter,
    h("table", { "aria-label": "Runs" },
      h("thead", {}, h("tr", {}, ["Id", "Team", "Status", "Started", "Duration", "Tokens"].map((name) => h("th", { scope: "col" }, name)))),
      body));
  repeat(async () => {
    const query = filter.value ? "?status=" + encodeURIComponent(filter.value) : "";
    const { runs } = await api("GET", "runs" + query);
    body.replaceChildren(...runs.map((run) => h("tr", {},
      h("td", {}, link("/runs/" + run.id, run.id)), h("td", {}, run.team || ""),
      h("td", {}, h("span", { class: "status " + run.status }, run.status)), h("td", {}, when(run.created_at)),
      h("td", {}, duration(run)), h("td", { class: "num" }, tokensOf(run.usage)))));
    if (!runs.length) body.append(h("tr", {}, h("td", { colspan: 6 }, "No runs.")));
  }, 2000);
}

// ---- Dead letters --------------------------------------------------------------------------------------------------

async function deadLettersPage(main) {
  const body = h("tbody");
  const detail = h("section", { "aria-label": "Dead letter" });
  const refresh = h("button", { type: "button", class: "secondary" }, "Refresh");
  main.append(h("h1", {}, "Dead letters"), refresh,
    h("table", { "aria-label": "Dead letters" },
      h("thead", {}, h("tr", {}, ["Queue", "Message id", "Reason", "Description", "Enqueued", "Actions"].map((name) => h("th", { scope: "col" }, name)))),
      body), detail);
  const load = async () => {
    const { letters } = await api("GET", "deadletters");
    body.replaceChildren(...letters.map((letter) => {
      const path = `deadletters/${encodeURIComponent(letter.queue)}/${encodeURIComponent(letter.message_id)}`;
      const show = h("button", { type: "button", class: "secondary", "aria-label": "Show " + letter.message_id }, "Show");
      const replay = h("button", { type: "button", "aria-label": "Replay " + letter.message_id }, "Replay");
      show.addEventListener("click", async () => {
        try {
          const full = await api("GET", path);
          detail.replaceChildren(h("h2", {}, "Dead letter " + full.message_id), h("pre", { class: "letter" }, JSON.stringify(full, null, 2)));
        } catch (error) { flash(error.message); }
      });
      replay.addEventListener("click", async () => {
        replay.disabled = true;
        try { await api("POST", path + "/replay", {}); detail.replaceChildren(h("p", { role: "status" }, "Replayed " + letter.message_id + " to " + letter.queue + ".")); await load(); }
        catch (error) { flash(error.message); replay.disabled = false; }
      });
      return h("tr", {}, h("td", {}, letter.queue), h("td", {}, letter.message_id), h("td", {}, letter.reason || ""),
        h("td", {}, letter.description || ""), h("td", {}, when(letter.enqueued_at)), h("td", {}, show, replay));
    }));
    if (!letters.length) body.append(h("tr", {}, h("td", { colspan: 6 }, "No dead letters.")));
  };
  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    try { await load(); } catch (error) { flash(error.message); } finally { refresh.disabled = false; }
  });
  await load();
}

// ---- Router --------------------------------------------------------------------------------------------------------

async function route() {
  view += 1;
  clearTimeout(timer);
  const main = document.getElementById("main");
  main.replaceChildren();
  const path = location.pathname;
  for (const anchor of document.querySelectorAll("a[data-nav]")) {
    const here = anchor.getAttribute("href") === path || (anchor.getAttribute("href") === "/runs" && path.startsWith("/runs/"));
    if (here) anchor.setAttribute("aria-current", "page"); else anchor.removeAttribute("aria-current");
  }
  try {
    if (path === "/runs") await runsPage(main);
    else if (path.startsWith("/runs/")) await runPage(main, decodeURIComponent(path.slice("/runs/".length)));
    else if (path === "/deadletters") await deadLettersPage(main);
    else if (path === "/teams") await teamsPage(main);
    else await newRunPage(main);
  } catch (error) { flash(error.message); }
}

document.addEventListener("DOMContentLoaded", async () => {
  for (const anchor of document.querySelectorAll("a[data-nav], a.brand")) {
    anchor.addEventListener("click", (event) => { event.preventDefault(); navigate(anchor.getAttribute("href")); });
  }
  window.addEventListener("popstate", route);
  try { config = await (await fetch("/studio/config.json")).json(); } catch (error) { flash("studio config: " + error.message); }
  document.getElementById("target").textContent = config.target ? "on " + config.target : "";
  route();
});
