"""The roadmap as one self-contained HTML file: the /roadmap page's stylesheet and timeline
renderer inlined, with the data of the Roadmap document beside them as JSON.

Nothing is loaded from anywhere when the file is opened; the only links are to the items in
their trackers, and only http(s) ones (``webUrl`` in ``timeline.js``). The file's own
Content-Security-Policy runs its one inlined script and stylesheet, by their hashes, and nothing
else, so not even a ``javascript:`` address that slipped into the data could run. The page and
the report share ``timeline.js``, so they draw the same chart.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from hub.web.assets import read_asset, script_json

_GROUPINGS = {
    "INITIATIVE": "by initiative",
    "COMPONENT": "by component",
    "SOURCE": "by source",
    "QUARTER": "by quarter",
}

# The renderer's module and the call that draws the report: the timeline script imports
# nothing, so it runs inlined as it is.
_BOOT = """
const data = JSON.parse(document.getElementById("roadmap-data").textContent);
document.getElementById("roadmap").replaceChildren(renderRoadmap(data.roadmap));
"""


def content_hash(text: str) -> str:
    """A CSP source allowing the inline element whose text is ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def report_policy(css: str, script: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {content_hash(script)}",
            f"style-src {content_hash(css)}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def render_roadmap(data: dict[str, Any]) -> str:
    """The report for ``data``, the result of ``run_query(sessions, ROADMAP_QUERY, ...)``."""
    roadmap = data["roadmap"]
    css = "\n" + read_asset("roadmap.css")
    script = "\n" + read_asset("timeline.js") + _BOOT
    policy = report_policy(css, script)
    grouping = _GROUPINGS.get(roadmap["groupBy"], "")
    heading = f"Roadmap {grouping}, as of {roadmap['asOf']}"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(heading)} · Tracker Hub</title>
<style>{css}</style>
</head>
<body>
<main>
<h1>{escape(heading)}</h1>
<p class="lede">Epics across Jira, GitHub and Linear by quarter, with progress from their issues
and delivery health. Every key links to the item in its tracker.</p>
<div id="roadmap"><noscript><p>This report draws its timeline with JavaScript: open it in a
browser with JavaScript on.</p></noscript></div>
</main>
<script type="application/json" id="roadmap-data">{script_json(data)}</script>
<script type="module">{script}</script>
</body>
</html>
"""
