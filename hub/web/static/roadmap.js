// The /roadmap page: sends the documents the server wrote into the page (the reports' own) to
// /graphql, draws the timeline, narrows it with the filters, and shows the dependency graph of
// what was chosen last: an item or initiative of the timeline, or the initiative or component
// of a filter. The filters and the chosen item live in the URL, so a view can be shared.
import { renderGraph } from "./graph.js";
import { count, h, markSelected, renderRoadmap } from "./timeline.js";

const documents = JSON.parse(document.getElementById("hub-documents").textContent);
const endpoint = new URL("graphql", document.baseURI);
const TOKEN_KEY = "tracker-hub.api-token";
const FILTERS = { component: "components", source: "sources", initiative: "initiatives" };
const GRAPH_VARIABLES = { direction: "BOTH", depth: 3 };
const GRAPH_FILTERS = { initiative: "INITIATIVE", component: "COMPONENT" };

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  component: params.get("component") ?? "",
  source: params.get("source") ?? "",
  initiative: params.get("initiative") ?? "",
  item: params.get("item"),
};
let roadmapRequest = 0; // answers to older filter choices arriving late are dropped
let graphRequest = 0; // likewise for graphs
let shown = null; // the roadmap on screen
let shownStatus = ""; // what was announced of it

class Unauthorized extends Error {}

async function graphql(query, variables) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
  if (response.status === 401) {
    throw new Unauthorized(
      token ? "The API refused this token; enter another one." : "The API needs a token.",
    );
  }
  const body = await response.json().catch(() => ({}));
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join("; "));
  if (!response.ok || !body.data) throw new Error(`The API answered ${response.status}.`);
  return body.data;
}

function announce(message, { error = false } = {}) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", error);
}

function fail(error) {
  if (error instanceof Unauthorized) {
    $("token-form").hidden = false;
    $("token").focus();
    announce(error.message, { error: true });
  } else {
    announce(`Could not load the roadmap: ${error.message}`, { error: true });
  }
}

function filterVariable() {
  const filter = {};
  for (const [name, field] of Object.entries(FILTERS))
    if (state[name]) filter[field] = [state[name]];
  return Object.keys(filter).length ? filter : null;
}

function saveUrl() {
  const query = new URLSearchParams();
  for (const name of [...Object.keys(FILTERS), "item"])
    if (state[name]) query.set(name, state[name]);
  const search = query.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

function fillSelect(select, options, chosen) {
  select.replaceChildren(
    select.options[0],
    ...options.map(([value, label]) => h("option", { value }, label)),
  );
  // A choice from a shared URL that is no longer on offer still shows as chosen.
  if (chosen && !options.some(([value]) => value === chosen))
    select.append(h("option", { value: chosen }, chosen));
  select.value = chosen;
}

async function start() {
  try {
    const [choices, all] = await Promise.all([
      graphql(documents.filters, {}),
      graphql(documents.roadmap, { groupBy: "INITIATIVE" }),
    ]);
    $("token-form").hidden = true;
    fillSelect(
      $("filter-component"),
      choices.components.map((c) => [c.name, c.name]),
      state.component,
    );
    fillSelect(
      $("filter-source"),
      choices.sources.map((source) => [source.name, `${source.name} (${source.kind})`]),
      state.source,
    );
    const initiatives = all.roadmap.lanes
      .filter((lane) => lane.initiative)
      .map((lane) => [lane.key, lane.title]);
    fillSelect($("filter-initiative"), initiatives, state.initiative);
    if (filterVariable()) await loadRoadmap();
    else show(all.roadmap);
    if (state.item) await select(findItem(all.roadmap, state.item), { focus: false });
    else await showFilterGraph(null, { focus: false });
  } catch (error) {
    fail(error);
  }
}

async function loadRoadmap() {
  const request = ++roadmapRequest;
  announce("Loading the roadmap…");
  try {
    const data = await graphql(documents.roadmap, {
      groupBy: "INITIATIVE",
      filter: filterVariable(),
    });
    if (request === roadmapRequest) show(data.roadmap);
  } catch (error) {
    if (request === roadmapRequest) fail(error);
  }
}

/** The timeline's item of that key (an epic or an initiative), or a bare item to look up. */
function findItem(roadmap, key) {
  for (const lane of roadmap.lanes) {
    if (lane.initiative?.key === key) return lane.initiative;
    const epic = lane.epics.find((entry) => entry.item.key === key);
    if (epic) return epic.item;
  }
  return { key, level: "ITEM" };
}

function show(roadmap) {
  shown = roadmap;
  $("timeline-body").replaceChildren(
    renderRoadmap(roadmap, { onSelect: select, selected: state.item }),
  );
  const initiatives = roadmap.lanes.filter((lane) => lane.initiative).length;
  const epics = roadmap.summary.epics;
  const filtered = filterVariable() ? " matching the filters" : "";
  shownStatus = `Showing ${count(initiatives, "initiative")} and ${count(epics, "epic")}${filtered}.`;
  announce(shownStatus);
}

/** An epic or issue draws its own graph; an initiative, that of its epics and their issues. */
async function select(item, { focus = true } = {}) {
  state.item = item.key;
  saveUrl();
  markSelected($("timeline-body"), item.key);
  if (item.level === "INITIATIVE") {
    const lane = shown?.lanes.find((entry) => entry.initiative?.key === item.key);
    await drawGraph(
      { kind: "INITIATIVE", key: item.key, name: `initiative ${item.title ?? item.key}` },
      { focus, roots: lane ? lane.epics.map((epic) => epic.item.key) : [] },
    );
  } else {
    await drawGraph({ kind: "ITEM", key: item.key, name: item.key }, { focus });
  }
}

/** After a filter choice: the graph of the initiative or component just chosen, else of the
 * one still chosen (the initiative when both are), or none. */
async function showFilterGraph(changed, { focus = true } = {}) {
  if (state.item) return; // an item chosen since then is what the graph shows
  if (changed !== null && !(changed in GRAPH_FILTERS)) return;
  const still = state.initiative ? "initiative" : state.component ? "component" : null;
  const name = changed !== null && state[changed] ? changed : still;
  if (name === null) {
    graphRequest++;
    $("dependencies").hidden = true;
    return;
  }
  const key = state[name];
  const label =
    name === "initiative"
      ? [...$("filter-initiative").options].find((option) => option.value === key)?.text ?? key
      : key;
  const roots =
    name === "initiative"
      ? (shown?.lanes.find((lane) => lane.key === key)?.epics ?? []).map((epic) => epic.item.key)
      : [];
  // Announced after the roadmap's line, which the same choice has just changed.
  const graphRoot = { kind: GRAPH_FILTERS[name], key, name: `${name} ${label}` };
  await drawGraph(graphRoot, { focus, roots, after: shownStatus });
}

async function drawGraph(root, { focus, roots = [root.key], after = "" }) {
  const request = ++graphRequest;
  const section = $("dependencies");
  const heading = $("dependencies-heading");
  section.hidden = false;
  heading.textContent = `Dependencies of ${root.name}`;
  $("graph").replaceChildren(h("p", {}, "Loading…"));
  try {
    const data = await graphql(documents.dependencies, {
      root: root.key,
      rootKind: root.kind,
      ...GRAPH_VARIABLES,
    });
    if (request !== graphRequest) return;
    const graph = data.dependencyGraph;
    const rootsAre = root.kind === "INITIATIVE" ? "epic of the initiative" : "selected item";
    $("graph").replaceChildren(renderGraph(graph, root.key, { roots, rootsAre }));
    const drawn =
      `Dependency graph of ${root.name}: ${count(graph.nodes.length, "item")}, ` +
      `${count(graph.edges.length, "dependency", "dependencies")}.`;
    announce(after ? `${after} ${drawn}` : drawn);
    if (focus) {
      // Move focus to what the choice revealed, as a keyboard or screen reader user expects.
      heading.focus();
      section.scrollIntoView({ block: "start" });
    }
  } catch (error) {
    if (request !== graphRequest) return;
    $("graph").replaceChildren(
      h("p", { class: "error" }, `Could not load the dependencies: ${error.message}`),
    );
    if (error instanceof Unauthorized) fail(error);
  }
}

$("filters").addEventListener("change", async (event) => {
  const name = event.target.name;
  if (!(name in FILTERS)) return;
  state[name] = event.target.value;
  if (name in GRAPH_FILTERS) state.item = null; // the latest choice is the one drawn
  saveUrl();
  await loadRoadmap();
  await showFilterGraph(name, { focus: false });
});

$("clear-filters").addEventListener("click", () => {
  for (const name of Object.keys(FILTERS)) {
    state[name] = "";
    $(`filter-${name}`).value = "";
  }
  saveUrl();
  loadRoadmap();
  showFilterGraph(null);
});

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
  $("token").value = "";
  announce("Loading the roadmap…");
  start();
});

$("back-to-timeline").addEventListener("click", (event) => {
  const button = document.querySelector('button.select[aria-pressed="true"]');
  if (button) {
    event.preventDefault();
    button.focus();
    button.scrollIntoView({ block: "center" });
  }
});

start();
