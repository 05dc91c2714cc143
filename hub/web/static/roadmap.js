// The /roadmap page: sends the documents the server wrote into the page (the reports' own) to
// /graphql, draws the timeline, narrows it with the filters, and shows the dependency graph of
// the item chosen. The filters and the chosen item live in the URL, so a view can be shared.
import { renderGraph } from "./graph.js";
import { count, h, markSelected, renderRoadmap } from "./timeline.js";

const documents = JSON.parse(document.getElementById("hub-documents").textContent);
const endpoint = new URL("graphql", document.baseURI);
const TOKEN_KEY = "tracker-hub.api-token";
const FILTERS = { component: "components", source: "sources", initiative: "initiatives" };
const GRAPH_VARIABLES = { rootKind: "ITEM", direction: "BOTH", depth: 3 };

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = {
  component: params.get("component") ?? "",
  source: params.get("source") ?? "",
  initiative: params.get("initiative") ?? "",
  item: params.get("item"),
};
let roadmapRequest = 0; // answers to older filter choices arriving late are dropped

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
    if (state.item) await select({ key: state.item }, { focus: false });
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

function show(roadmap) {
  $("timeline-body").replaceChildren(
    renderRoadmap(roadmap, { onSelect: select, selected: state.item }),
  );
  const initiatives = roadmap.lanes.filter((lane) => lane.initiative).length;
  const epics = roadmap.summary.epics;
  const filtered = filterVariable() ? " matching the filters" : "";
  announce(`Showing ${count(initiatives, "initiative")} and ${count(epics, "epic")}${filtered}.`);
}

async function select(item, { focus = true } = {}) {
  state.item = item.key;
  saveUrl();
  markSelected($("timeline-body"), item.key);
  const section = $("dependencies");
  const heading = $("dependencies-heading");
  section.hidden = false;
  heading.textContent = `Dependencies of ${item.key}`;
  $("graph").replaceChildren(h("p", {}, "Loading…"));
  try {
    const data = await graphql(documents.dependencies, { root: item.key, ...GRAPH_VARIABLES });
    if (state.item !== item.key) return;
    const graph = data.dependencyGraph;
    $("graph").replaceChildren(renderGraph(graph, item.key));
    announce(
      `Dependency graph of ${item.key}: ${count(graph.nodes.length, "item")}, ` +
        `${count(graph.edges.length, "dependency", "dependencies")}.`,
    );
    if (focus) {
      // Move focus to what the choice revealed, as a keyboard or screen reader user expects.
      heading.focus();
      section.scrollIntoView({ block: "start" });
    }
  } catch (error) {
    $("graph").replaceChildren(
      h("p", { class: "error" }, `Could not load the dependencies: ${error.message}`),
    );
    if (error instanceof Unauthorized) fail(error);
  }
}

$("filters").addEventListener("change", (event) => {
  const name = event.target.name;
  if (!(name in FILTERS)) return;
  state[name] = event.target.value;
  saveUrl();
  loadRoadmap();
});

$("clear-filters").addEventListener("click", () => {
  for (const name of Object.keys(FILTERS)) {
    state[name] = "";
    $(`filter-${name}`).value = "";
  }
  saveUrl();
  loadRoadmap();
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
