// The dependency graph around one item, an initiative or a component, from the Dependencies
// document (hub/reports/dependencies.graphql): around an item, columns by distance from it;
// around a group, columns by how many blockers deep each item sits; blockers always to the left
// of what they block, drawn as SVG. The same facts follow as a list for screen readers.
import { count, h, keyLink, s, webUrl } from "./timeline.js";

const NODE = { width: 210, height: 60 };
const GAP = { x: 64, y: 16 };
const PAD = 16;
const ARC = 44; // px above the boxes that an arc of a backward edge reaches for
const TITLE_CHARS = 30;

/** A figure with the graph around `rootKey` and, below it, the graph as a list. `roots` are
 * the keys drawn as chosen: the item itself, or an initiative's epics. */
export function renderGraph(graph, rootKey, { roots = [rootKey], rootsAre = "selected item" } = {}) {
  if (graph.nodes.length === 0) {
    return h("p", { class: "graph-empty" }, `Nothing in ${rootKey} blocks or is blocked by anything.`);
  }
  const flags = { ...flagsOf(graph), roots: new Set(roots) };
  const place = layout(graph, roots.length === 1 && roots[0]);
  const width = Math.max(...[...place.values()].map((p) => p.x)) + NODE.width + PAD;
  const height = Math.max(...[...place.values()].map((p) => p.y)) + NODE.height + PAD;
  const label =
    `Dependency graph of ${rootKey}: ${count(graph.nodes.length, "item")}, ` +
    `${count(graph.edges.length, "dependency", "dependencies")}. ` +
    "The same as a list follows the drawing.";
  const svg = s(
    "svg",
    {
      class: "graph",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "group",
      "aria-label": label,
    },
    s("defs", {}, ["plain", "cross", "critical", "conflict"].map(arrowMarker)),
    graph.edges.map((edge) => edgePath(edge, place, flags)),
    graph.nodes.map((node) => nodeBox(node, place.get(node.key), flags)),
  );
  return h(
    "figure",
    { class: "graph-figure" },
    h("div", { class: "graph-scroll" }, svg),
    h("figcaption", {}, graphLegend(roots.length ? rootsAre : null)),
    asList(graph, rootKey, flags),
  );
}

const pair = (edge) => `${edge.blocker.key}>${edge.blocked.key}`;

function flagsOf(graph) {
  const path = graph.criticalPath.map((node) => node.key);
  const pathEdges = new Set(path.slice(1).map((key, index) => `${path[index]}>${key}`));
  return {
    critical: new Set(path),
    criticalEdge: (edge) => pathEdges.has(pair(edge)),
    cycle: new Set(graph.cycles.map((node) => node.key)),
    conflicts: new Map(graph.scheduleConflicts.map((conflict) => [pair(conflict), conflict])),
  };
}

/** Each node's column is its distance from the root item (blockers negative), or with no
 * single root, its number of blockers deep; within a column, nodes sit near the neighbours they
 * share with the column nearer the root (or the blockers' column), which keeps edges from
 * crossing in the common cases without a real layout engine. */
function layout(graph, rootKey) {
  const neighbours = new Map(graph.nodes.map((node) => [node.key, []]));
  for (const edge of graph.edges) {
    neighbours.get(edge.blocker.key)?.push([edge.blocked.key, 1]);
    neighbours.get(edge.blocked.key)?.push([edge.blocker.key, -1]);
  }
  const depth = neighbours.has(rootKey) ? distances(neighbours, rootKey) : layers(neighbours);
  const columns = new Map();
  for (const node of graph.nodes) {
    const d = depth.get(node.key) ?? 0; // every node is linked to the root; this is a fallback
    columns.set(d, [...(columns.get(d) ?? []), node.key]);
  }
  const row = new Map();
  const outward = [...columns.keys()].sort((a, b) => Math.abs(a) - Math.abs(b));
  for (const d of outward) {
    const inner = rootKey ? d - Math.sign(d) : d - 1;
    const score = (key) => {
      const rows = neighbours
        .get(key)
        .filter(([other]) => d !== 0 && depth.get(other) === inner)
        .map(([other]) => row.get(other));
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : Infinity;
    };
    const keys = columns.get(d).sort((a, b) => score(a) - score(b) || a.localeCompare(b));
    keys.forEach((key, index) => row.set(key, index));
  }
  const tallest = Math.max(...[...columns.values()].map((keys) => keys.length));
  const first = Math.min(...columns.keys());
  const backwards = graph.edges.some((e) => depth.get(e.blocker.key) >= depth.get(e.blocked.key));
  const top = PAD + (backwards ? ARC : 0); // room for the arcs of backward edges
  const place = new Map();
  for (const [d, keys] of columns) {
    const offset = ((tallest - keys.length) * (NODE.height + GAP.y)) / 2; // centred columns
    for (const [index, key] of keys.entries()) {
      place.set(key, {
        x: PAD + (d - first) * (NODE.width + GAP.x),
        y: top + offset + index * (NODE.height + GAP.y),
      });
    }
  }
  return place;
}

function distances(neighbours, rootKey) {
  const depth = new Map([[rootKey, 0]]);
  const queue = [rootKey];
  while (queue.length) {
    const key = queue.shift();
    for (const [other, step] of neighbours.get(key) ?? []) {
      if (!depth.has(other)) {
        depth.set(other, depth.get(key) + step);
        queue.push(other);
      }
    }
  }
  return depth;
}

/** Longest chain of blockers behind each node; an edge that closes a cycle is not followed. */
function layers(neighbours) {
  const depth = new Map();
  const visiting = new Set();
  const layer = (key) => {
    if (depth.has(key)) return depth.get(key);
    if (visiting.has(key)) return -1; // in a cycle: this blocker is drawn as an arc
    visiting.add(key);
    const blockers = neighbours.get(key).filter(([, step]) => step === -1);
    const d = Math.max(0, ...blockers.map(([other]) => layer(other) + 1));
    visiting.delete(key);
    depth.set(key, d);
    return d;
  };
  for (const key of neighbours.keys()) layer(key);
  return depth;
}

function edgeKind(edge, flags) {
  if (flags.conflicts.has(pair(edge))) return "conflict";
  if (flags.criticalEdge(edge)) return "critical";
  return edge.crossesTools ? "cross" : "plain";
}

function arrowMarker(kind) {
  return s(
    "marker",
    {
      id: `arrow-${kind}`,
      class: `arrow arrow-${kind}`,
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 9,
      markerHeight: 9,
      markerUnits: "userSpaceOnUse",
      orient: "auto",
    },
    s("path", { d: "M0,0 L10,5 L0,10 z" }),
  );
}

function edgePath(edge, place, flags) {
  const from = place.get(edge.blocker.key);
  const to = place.get(edge.blocked.key);
  if (!from || !to) return null;
  const y1 = from.y + NODE.height / 2;
  const y2 = to.y + NODE.height / 2;
  let d;
  if (from.x < to.x) {
    const x1 = from.x + NODE.width;
    const bend = (to.x - x1) / 2;
    d = `M${x1},${y1} C${x1 + bend},${y1} ${to.x - bend},${y2} ${to.x},${y2}`;
  } else {
    // Same column or backwards (only in a cycle): an arc over the top, clear of the boxes.
    const x1 = from.x + NODE.width / 2;
    const x2 = to.x + NODE.width / 2;
    const top = Math.min(from.y, to.y) - ARC;
    d = `M${x1},${from.y} C${x1},${top} ${x2},${top} ${x2},${to.y}`;
  }
  const kind = edgeKind(edge, flags);
  return s(
    "path",
    {
      class: `edge edge-${kind}${edge.crossesTools ? " edge-crosses" : ""}`,
      d,
      "marker-end": `url(#arrow-${kind})`,
    },
    s("title", {}, edgeText(edge, flags)),
  );
}

function nodeBox(node, { x, y }, flags) {
  const classes = ["node", `status-${node.statusCategory}`];
  if (flags.roots.has(node.key)) classes.push("root");
  if (flags.critical.has(node.key)) classes.push("critical");
  if (flags.cycle.has(node.key)) classes.push("cycle");
  const title =
    node.title.length > TITLE_CHARS ? `${node.title.slice(0, TITLE_CHARS - 1)}…` : node.title;
  const when = node.targetDate ? ` · due ${node.targetDate}` : "";
  const key = s("text", { class: "node-key", x: x + 10, y: y + 18 }, node.key);
  const url = webUrl(node.url);
  return s(
    "g",
    { class: classes.join(" "), "data-key": node.key },
    s("title", {}, `${node.key}: ${node.title}`),
    s("rect", { class: "node-box", x, y, width: NODE.width, height: NODE.height, rx: 6 }),
    url ? s("a", { href: url }, key) : key,
    s("text", { class: "node-source", x: x + NODE.width - 10, y: y + 18 }, node.source.name),
    s("text", { class: "node-title", x: x + 10, y: y + 35 }, title),
    s(
      "text",
      { class: "node-meta", x: x + 10, y: y + 51 },
      `${node.status}${when}${flags.cycle.has(node.key) ? " · in a cycle" : ""}`,
    ),
  );
}

function graphLegend(rootsAre) {
  const line = (kind, text) =>
    h(
      "li",
      {},
      s(
        "svg",
        { width: 30, height: 10, "aria-hidden": "true" },
        s("line", {
          class: `edge edge-${kind}${kind === "cross" ? " edge-crosses" : ""}`,
          x1: 1,
          x2: 29,
          y1: 5,
          y2: 5,
        }),
      ),
      h("span", {}, text),
    );
  return h(
    "ul",
    { class: "graph-legend" },
    line("plain", "blocks (left blocks right)"),
    line("cross", "blocks, across tools"),
    line("critical", "critical path"),
    line("conflict", "blocker due after the item it blocks"),
    rootsAre && h("li", {}, h("span", { class: "box-sample root" }), h("span", {}, rootsAre)),
    h("li", {}, h("span", { class: "box-sample cycle" }), h("span", {}, "in a cycle")),
  );
}

function edgeText(edge, flags) {
  return `${edge.blocker.key} blocks ${edge.blocked.key} (${edgeNotes(edge, flags)})`;
}

function edgeNotes(edge, flags) {
  const notes = [];
  if (edge.crossesTools) notes.push("across tools");
  notes.push(edge.provenance.map((p) => p.toLowerCase()).join(", "));
  if (flags.criticalEdge(edge)) notes.push("on the critical path");
  const conflict = flags.conflicts.get(pair(edge));
  if (conflict)
    notes.push(`blocker due ${conflict.blockerTarget}, after ${conflict.blockedTarget}`);
  return notes.join("; ");
}

function asList(graph, rootKey, flags) {
  const nodes = new Map(graph.nodes.map((node) => [node.key, node]));
  const item = (key) => {
    const node = nodes.get(key);
    return node ? [keyLink(node), ` (${node.source.name}, ${node.status})`] : [key];
  };
  const facts = [];
  if (graph.edges.length === 0)
    facts.push(h("li", {}, `Nothing blocks ${rootKey}, and it blocks nothing.`));
  for (const edge of graph.edges) {
    const notes = edgeNotes(edge, flags);
    facts.push(
      h("li", {}, item(edge.blocker.key), " blocks ", item(edge.blocked.key), ` — ${notes}`),
    );
  }
  if (graph.edges.length && graph.criticalPath.length) {
    facts.push(
      h("li", {}, `Critical path: ${graph.criticalPath.map((node) => node.key).join(" → ")}`),
    );
  }
  if (graph.cycles.length)
    facts.push(h("li", {}, `In a cycle: ${graph.cycles.map((node) => node.key).join(", ")}`));
  if (graph.blockedByOpenWork.length) {
    facts.push(
      h(
        "li",
        {},
        `Waiting on open work: ${graph.blockedByOpenWork.map((node) => node.key).join(", ")}`,
      ),
    );
  }
  return h(
    "details",
    { class: "graph-list" },
    h("summary", {}, "The graph as a list"),
    h("ul", {}, facts),
  );
}
