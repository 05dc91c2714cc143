"""The files of the /roadmap page, read from the package, and the GraphQL documents it sends.

The page and the HTML report (``hub.web.html_report``) share one stylesheet and one timeline
renderer, and the page sends the reports' own documents, so neither can draw a roadmap the
API would not.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from hub.reports.documents import DEPENDENCIES_QUERY, ROADMAP_QUERY

FILTERS_QUERY = files(__package__).joinpath("filters.graphql").read_text(encoding="utf-8")


@cache
def read_asset(name: str) -> str:
    """A file of ``hub/web/static``."""
    return files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def documents() -> dict[str, str]:
    """The GraphQL documents the page sends, by the name its script knows them by."""
    return {"roadmap": ROADMAP_QUERY, "dependencies": DEPENDENCIES_QUERY, "filters": FILTERS_QUERY}


def script_json(value: Any) -> str:
    """``value`` as JSON for a ``<script type="application/json">`` element.

    Every ``<`` is escaped, so no string in the data (a title with ``</script>`` or ``<!--``)
    can end the element early.
    """
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
