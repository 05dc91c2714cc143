// The roadmap timeline, drawn the same way on the /roadmap page and in the HTML report: the
// report inlines this file as it is, so it imports nothing.
// Input: the `roadmap` field of the Roadmap document (hub/reports/roadmap.graphql).

const SVG_NS = "http://www.w3.org/2000/svg";
const DAY_MS = 86_400_000;
const ROW_HEIGHT = 44; // px, as tall as a row's two-line label, so that quarter stripes join up
const EPIC_BAR = { y: 14, height: 16 }; // bars are placed in % of the row: the chart fits any width
const LANE_BAR = { y: 12, height: 20 };
const MIN_BAR_WIDTH = 0.5; // % of the axis, so that a one-day epic still shows
const LABEL_PADDING = 6; // px a percentage keeps clear of its bar's ends to sit inside it

export const HEALTH = {
  ON_TRACK: "On track",
  AT_RISK: "At risk",
  OFF_TRACK: "Off track",
  DONE: "Done",
  NO_DATES: "No dates",
};

/** What a team can declare in a status update, shown in the colour of the nearest health. */
export const DECLARED = {
  ON_TRACK: ["On track", "ON_TRACK"],
  AT_RISK: ["At risk", "AT_RISK"],
  OFF_TRACK: ["Off track", "OFF_TRACK"],
  COMPLETE: ["Complete", "DONE"],
  INACTIVE: ["Inactive", "NO_DATES"],
};

const DATE_SOURCES = {
  FIELD: "field",
  PROJECT_FIELD: "project field",
  ITERATION: "iteration",
  SPRINT: "sprint",
  RELEASE: "release",
  MILESTONE: "milestone",
  CYCLE: "cycle",
  CHILDREN: "derived from its children",
  MANUAL: "set in the hub",
};

/** How an entry's health reads: closed work is Done, unless it was canceled. */
export function healthLabel({ item, health }) {
  if (health === "DONE" && item?.statusCategory === "CANCELED") return "Canceled";
  return HEALTH[health] ?? health;
}

/** An HTML element: h("a", { href }, "text", child, ...); attributes set to null are left out. */
export function h(tag, attributes = {}, ...children) {
  return build(document.createElement(tag), attributes, children);
}

/** "1 epic", "2 epics"; "1 dependency", "2 dependencies" with the plural given. */
export function count(n, noun, plural = `${noun}s`) {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** An SVG element, as h() builds HTML ones. */
export function s(tag, attributes = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

function build(node, attributes, children) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(name.replace(/^on/, ""), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}

/** The roadmap as a legend (with the count of epics per health) and a timeline table. */
export function renderRoadmap(roadmap, { onSelect = null, selected = null } = {}) {
  const lanes = roadmap.lanes.map(laneRows);
  if (lanes.length === 0) {
    return h(
      "div",
      { class: "roadmap" },
      legend(roadmap),
      h("p", { class: "empty" }, "No epics match."),
    );
  }
  const entries = lanes.flatMap((lane) => [lane.head, ...lane.epics]);
  const today = dayOf(roadmap.asOf);
  const days = entries.flatMap((entry) => (entry.span ? [entry.span.start, entry.span.end] : []));
  const axis = axisOf([...days, today]);
  const context = { axis, today, onSelect, selected };
  const first = axis.quarters[0];
  const last = axis.quarters.at(-1);
  const root = h(
    "div",
    { class: "roadmap" },
    legend(roadmap),
    h(
      "div",
      { class: "timeline-scroll" },
      h(
        "table",
        { class: "timeline" },
        h(
          "caption",
          { class: "visually-hidden" },
          `${count(roadmap.summary.epics, "epic")} in ${count(lanes.length, "lane")}`,
        ),
        h("colgroup", {}, h("col", { class: "label-col" }), h("col", { class: "chart-col" })),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col", class: "label" }, laneHeading(roadmap.groupBy)),
            h(
              "th",
              { scope: "col", class: "chart" },
              h(
                "span",
                { class: "visually-hidden" },
                `Timeline from ${first.name} ${first.year} to ${last.name} ${last.year}`,
              ),
              axisHeader(axis, today),
            ),
          ),
        ),
        lanes.map((lane) => {
          const body = h(
            "tbody",
            { class: "lane", "data-lane": lane.key ?? "", "data-depth": lane.depth },
            row(lane.head, "lane", context),
            lane.epics.map((epic) => row(epic, "epic", context)),
          );
          // A sub-initiative's lane is indented under its parent's, which comes right before
          // it; set through the CSSOM, which the page's style-src 'self' allows.
          body.style.setProperty("--depth", String(lane.depth));
          return body;
        }),
      ),
    ),
  );
  // Bars are sized in % of the chart, so whether a percentage fits inside its bar is known
  // only once the chart is laid out, and again whenever its width changes.
  new ResizeObserver(() => placeLabels(root)).observe(root);
  return root;
}

/** Puts each bar's percentage in one colour on one ground, never cut off: white at the end of
 * the filled part where it fits there, else dark at the start of the rest of the bar, else
 * beside the bar (after it, or before it near the chart's right edge). */
export function placeLabels(root) {
  for (const group of root.querySelectorAll("g.bar[data-label]")) {
    const bar = group.querySelector(".bar-track").getBoundingClientRect().width;
    const filled = group.querySelector(".bar-done").getBoundingClientRect().width;
    const room = group.querySelector(".bar-text.beside").getComputedTextLength() + 2 * LABEL_PADDING;
    group.dataset.label = filled >= room ? "fill" : bar - filled >= room ? "rest" : "beside";
  }
}

/** Marks the row of `key` as the selected one (and no other). */
export function markSelected(root, key) {
  for (const button of root.querySelectorAll("button.select")) {
    const pressed = button.dataset.key === key;
    button.setAttribute("aria-pressed", String(pressed));
    button.closest("tr").classList.toggle("selected", pressed);
  }
}

function laneHeading(groupBy) {
  return (
    {
      INITIATIVE: "Initiative and its epics",
      COMPONENT: "Component and its epics",
      SOURCE: "Source and its epics",
      QUARTER: "Quarter and its epics",
    }[groupBy] ?? "Lane"
  );
}

// Rows --------------------------------------------------------------------------------------

function laneRows(lane) {
  const epics = lane.epics.map((epic) => ({
    ...epic,
    title: epic.item.title,
    span: epicSpan(epic.item),
  }));
  const head = {
    item: lane.initiative,
    title: lane.title,
    health: lane.health,
    healthDisagrees: lane.initiativeHealthDisagrees,
    progress: lane.progress,
    span: lane.initiative ? initiativeSpan(lane.initiative, epics) : null,
    epics: epics.length,
  };
  return { key: lane.key, depth: lane.depth ?? 0, head, epics };
}

function row(entry, kind, context) {
  const { item } = entry;
  const selected = item !== null && item.key === context.selected;
  return h(
    "tr",
    { class: `row row-${kind}${selected ? " selected" : ""}` },
    h(
      "th",
      { scope: kind === "lane" ? "rowgroup" : "row", class: "label" },
      h("div", { class: "label-title" }, title(entry, context, selected)),
      h("div", { class: "label-meta" }, meta(entry)),
    ),
    h("td", { class: "chart" }, track(entry, kind, context)),
  );
}

function title(entry, { onSelect }, selected) {
  if (!onSelect || !entry.item) return h("span", { title: entry.title }, entry.title);
  return h(
    "button",
    {
      type: "button",
      class: "select",
      title: `${entry.title}: show its dependencies`,
      "aria-pressed": String(selected),
      "data-key": entry.item.key,
      onclick: () => onSelect(entry.item),
    },
    entry.title,
  );
}

function meta({ item, health, epics, healthDisagrees }) {
  const parts = item
    ? [keyLink(item), h("span", {}, item.source.name), h("span", {}, item.status)]
    : [h("span", {}, count(epics, "epic"))];
  const computed = h(
    "span",
    { class: `badge health-${health}`, title: "Health as the hub reads it" },
    healthLabel({ item, health }),
  );
  return [...parts, computed, declaredBadge(item?.declaredHealth, healthDisagrees)];
}

/** What the team said in its latest status update, marked ⚠ where the hub's reading
 * contradicts it; the update's date, author and text are in its tooltip. */
function declaredBadge(declared, disagrees) {
  if (!declared) return null;
  const [label, colour] = DECLARED[declared.status] ?? [declared.status, "NO_DATES"];
  const said = [
    "Declared by the team",
    declared.at ? ` on ${declared.at.slice(0, 10)}` : "",
    declared.by ? ` by ${declared.by}` : "",
    declared.note ? `: ${declared.note}` : "",
    disagrees ? " (the hub's reading disagrees)" : "",
  ].join("");
  return h(
    "span",
    { class: `badge declared health-${colour}${disagrees ? " disagrees" : ""}`, title: said },
    `Team: ${label}${disagrees ? " ⚠" : ""}`,
  );
}

/** Where a date came from, in words, for the bar's description. */
function origin(source) {
  if (!source) return "";
  const words = DATE_SOURCES[source.source] ?? source.source.toLowerCase();
  return source.field ? `${words} “${source.field}”` : words;
}

const isDerived = (source) => source?.source === "CHILDREN";

/** `url` when it is an absolute http(s) address, else null: a tracker's data decides what an
 * item's URL says, and a `javascript:` or `data:` one must never become a working link. */
export function webUrl(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The item's key, as a link to it in its tracker (hub-native initiatives have no tracker;
 * a URL that is not http(s) shows as the plain key). */
export function keyLink(item) {
  const url = webUrl(item.url);
  if (!url) {
    const why = item.url ? "Its address is not a web link" : "Defined in the hub's configuration";
    return h("span", { class: "key", title: why }, item.key);
  }
  return h("a", { class: "key", href: url, title: `${item.key} in ${item.source.name}` }, item.key);
}

// Dates and the quarter axis -----------------------------------------------------------------

function dayOf(iso) {
  return iso ? Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / DAY_MS : null;
}

function isoOf(day) {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** An epic runs from its start date (or the day it was created) to its target date. A span
 * with a date derived from the children is `derived`: drawn dashed, nobody declared it. */
function epicSpan(item) {
  const end = dayOf(item.targetDate);
  if (end === null) return null;
  const start = dayOf(item.startDate) ?? dayOf(item.createdAt) ?? end;
  return {
    start: Math.min(start, end),
    end,
    derived: isDerived(item.startDateSource) || isDerived(item.targetDateSource),
    from: origin(item.targetDateSource),
  };
}

/** An initiative without dates of its own spans its epics. */
function initiativeSpan(item, epics) {
  const spans = epics.map((epic) => epic.span).filter(Boolean);
  const ownEnd = dayOf(item.targetDate);
  const end = ownEnd ?? (spans.length ? Math.max(...spans.map((span) => span.end)) : null);
  if (end === null) return null;
  const ownStart = dayOf(item.startDate);
  const start =
    ownStart ??
    (spans.length ? Math.min(...spans.map((span) => span.start)) : dayOf(item.createdAt));
  const derived =
    ownEnd === null ||
    isDerived(item.targetDateSource) ||
    (ownStart === null && spans.length > 0) ||
    isDerived(item.startDateSource);
  return { start: Math.min(start ?? end, end), end, derived, from: origin(item.targetDateSource) };
}

function quarterStart(year, quarter) {
  return Date.UTC(year, quarter * 3, 1) / DAY_MS;
}

/** Whole calendar quarters covering `days`, and x(day) as a percentage of their width. */
function axisOf(days) {
  const first = new Date(Math.min(...days) * DAY_MS);
  const end = Math.max(...days);
  let [year, quarter] = [first.getUTCFullYear(), Math.floor(first.getUTCMonth() / 3)];
  const quarters = [];
  while (quarterStart(year, quarter) <= end) {
    const [nextYear, nextQuarter] = quarter === 3 ? [year + 1, 0] : [year, quarter + 1];
    quarters.push({
      name: `Q${quarter + 1}`,
      year,
      start: quarterStart(year, quarter),
      end: quarterStart(nextYear, nextQuarter),
    });
    [year, quarter] = [nextYear, nextQuarter];
  }
  const from = quarters[0].start;
  const to = quarters.at(-1).end;
  return { quarters, x: (day) => ((day - from) / (to - from)) * 100 };
}

const pct = (value) => `${value.toFixed(3)}%`;

function axisHeader(axis, today) {
  const svg = s("svg", { class: "axis", width: "100%", height: 40, "aria-hidden": "true" });
  svg.append(...backdrop(axis, today, 40, 18));
  for (const [index, quarter] of axis.quarters.entries()) {
    const x0 = axis.x(quarter.start);
    if (quarter.name === "Q1" || index === 0) {
      svg.append(s("text", { class: "axis-year", x: pct(x0), dx: 4, y: 14 }, String(quarter.year)));
    }
    const middle = pct((x0 + axis.x(quarter.end)) / 2);
    svg.append(s("text", { class: "axis-quarter", x: middle, y: 32 }, quarter.name));
  }
  return svg;
}

/** Every other quarter shaded, a line where each quarter starts, and a dashed line today. */
function backdrop(axis, today, height, todayFrom = 0) {
  const shapes = [];
  for (const [index, quarter] of axis.quarters.entries()) {
    const x = pct(axis.x(quarter.start));
    const width = pct(axis.x(quarter.end) - axis.x(quarter.start));
    if (index % 2 === 1) shapes.push(s("rect", { class: "quarter-odd", x, y: 0, width, height }));
    if (index > 0) {
      const grid = quarter.name === "Q1" ? "grid grid-year" : "grid";
      shapes.push(s("line", { class: grid, x1: x, x2: x, y1: 0, y2: height }));
    }
  }
  if (today !== null) {
    const x = pct(axis.x(today));
    shapes.push(s("line", { class: "today", x1: x, x2: x, y1: todayFrom, y2: height }));
  }
  return shapes;
}

// Bars ------------------------------------------------------------------------------------

function percentText(progress) {
  return progress.ratio === null ? "no issues" : `${Math.round(progress.ratio * 100)}%`;
}

function describe(entry) {
  const { progress, span } = entry;
  const done =
    progress.ratio === null
      ? "No issues to count"
      : `${percentText(progress)} done, ${progress.done} of ${progress.total} issues`;
  const when = span ? `${isoOf(span.start)} to ${isoOf(span.end)}` : "No target date";
  const whence = !span
    ? ""
    : span.derived
      ? ", dates derived from its children"
      : span.from
        ? `, target from ${span.from}`
        : "";
  const declared = entry.item?.declaredHealth;
  const said = declared
    ? ` Team says ${(DECLARED[declared.status] ?? [declared.status])[0]}` +
      `${entry.healthDisagrees ? ", which the hub's reading contradicts" : ""}.`
    : "";
  return `${healthLabel(entry)}. ${done}. ${when}${whence}.${said}`;
}

function track(entry, kind, { axis, today, onSelect }) {
  const described = entry.item !== null || entry.span !== null; // not the "No initiative" lane
  const svg = s("svg", {
    class: onSelect && entry.item ? "track clickable" : "track",
    width: "100%",
    height: ROW_HEIGHT,
    role: described ? "img" : null,
    "aria-label": described ? describe(entry) : null,
    "aria-hidden": described ? null : "true",
    // The title button is the keyboard's way in; a click on the bar is a shortcut for the mouse.
    onclick: onSelect && entry.item ? () => onSelect(entry.item) : null,
  });
  svg.append(...backdrop(axis, today, ROW_HEIGHT));
  if (entry.span) svg.append(bar(entry, kind === "lane" ? LANE_BAR : EPIC_BAR, axis));
  if (entry.item?.milestones?.length) svg.append(...milestoneMarks(entry.item.milestones, axis));
  else if (entry.item) {
    svg.append(
      s(
        "text",
        { class: "undated", x: "0.5%", y: ROW_HEIGHT / 2 },
        `No target date · ${entry.progress.ratio === null ? "no issues" : `${percentText(entry.progress)} done`}`,
      ),
    );
  }
  return svg;
}

/** A diamond over the bar's top edge on each dated milestone, filled once it is done; its
 * tooltip says which milestone and where it stands. Off-axis days are not drawn. */
function milestoneMarks(milestones, axis) {
  const marks = [];
  for (const milestone of milestones) {
    const day = dayOf(milestone.targetDate);
    const x = day === null ? null : axis.x(day);
    if (x === null || x < 0 || x > 100) continue;
    const done = milestone.status === "done";
    const details = [milestone.targetDate, milestone.status].filter(Boolean).join(", ");
    marks.push(
      s(
        "svg",
        { class: `milestone${done ? " done" : ""}`, x: pct(x), y: EPIC_BAR.y - 5, overflow: "visible" },
        s("title", {}, `Milestone ${milestone.name}: ${details}`),
        s("path", { d: "M0 0 L5 5 L0 10 L-5 5 Z" }),
      ),
    );
  }
  return marks;
}

function bar(entry, { y, height }, axis) {
  const x0 = axis.x(entry.span.start);
  const width = Math.max(axis.x(entry.span.end) - x0, MIN_BAR_WIDTH);
  const filled = width * (entry.progress.ratio ?? 0);
  const middle = y + height / 2;
  const text = percentText(entry.progress);
  const group = s(
    "g",
    { class: `bar health-${entry.health}${entry.span.derived ? " derived" : ""}` },
    s("title", {}, describe(entry)),
    s("rect", { class: "bar-track", x: pct(x0), y, width: pct(width), height, rx: 3 }),
    s("rect", { class: "bar-done", x: pct(x0), y, width: pct(filled), height, rx: 3 }),
  );
  // Three copies of the percentage; placeLabels() shows the one that fits.
  const edge = pct(x0 + filled);
  const after = x0 + width < 90;
  group.setAttribute("data-label", "beside");
  group.append(
    s(
      "text",
      { class: "bar-text in-fill", x: edge, dx: -LABEL_PADDING, y: middle },
      text,
    ),
    s(
      "text",
      { class: "bar-text in-rest", x: edge, dx: LABEL_PADDING, y: middle },
      text,
    ),
    s(
      "text",
      {
        class: `bar-text beside ${after ? "after" : "before"}`,
        x: pct(after ? x0 + width : x0),
        dx: after ? 4 : -4,
        y: middle,
      },
      text,
    ),
  );
  return group;
}

// Legend ----------------------------------------------------------------------------------

function legend(roadmap) {
  const { summary } = roadmap;
  const counts = {
    ON_TRACK: summary.onTrack,
    AT_RISK: summary.atRisk,
    OFF_TRACK: summary.offTrack,
    DONE: summary.done,
    NO_DATES: summary.noDates,
  };
  return h(
    "div",
    { class: "legend" },
    h(
      "p",
      { class: "legend-title" },
      `${count(summary.epics, "epic")}, health as of ${roadmap.asOf}:`,
    ),
    h(
      "ul",
      {},
      Object.entries(HEALTH).map(([health, label]) =>
        h(
          "li",
          {},
          swatch(health),
          h("span", {}, label),
          h("span", { class: "count" }, String(counts[health])),
        ),
      ),
      h(
        "li",
        { class: "legend-note" },
        s(
          "svg",
          { width: 14, height: 14, "aria-hidden": "true" },
          s("line", { class: "today", x1: 7, x2: 7, y1: 0, y2: 14 }),
        ),
        h("span", {}, "today"),
      ),
      h("li", { class: "legend-note" }, h("span", {}, "filled part and %: issues done")),
      h(
        "li",
        { class: "legend-note" },
        s(
          "svg",
          { width: 26, height: 12, "aria-hidden": "true", class: "bar derived health-NO_DATES" },
          s("rect", { class: "bar-track", x: 0.5, y: 0.5, width: 25, height: 11, rx: 3 }),
        ),
        h("span", {}, "dashed: dates derived from the children"),
      ),
      h("li", { class: "legend-note" }, h("span", {}, "Team: health the team declared, ⚠ disputed")),
    ),
  );
}

function swatch(health) {
  return s(
    "svg",
    { width: 26, height: 12, "aria-hidden": "true", class: `bar health-${health}` },
    s("rect", { class: "bar-track", x: 0.5, y: 0.5, width: 25, height: 11, rx: 3 }),
    s("rect", { class: "bar-done", x: 0.5, y: 0.5, width: 12, height: 11, rx: 3 }),
  );
}
