"""The self-contained HTML roadmap: the page's stylesheet and timeline inlined, the data as
JSON that no title can break out of, and no asset from anywhere else."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from hub.web.assets import read_asset
from hub.web.html_report import content_hash, render_roadmap

EVIL = '</script><script>alert("x")</script><!-- & "quotes"'


def item(key: str, title: str, url: str, **dates: str | None) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "url": url,
        "level": "EPIC",
        "status": "In Progress",
        "statusCategory": "IN_PROGRESS",
        "startDate": dates.get("start"),
        "targetDate": dates.get("target"),
        "createdAt": "2026-01-02T03:04:05+00:00",
        "source": {"name": "jira", "kind": "jira"},
        "components": [{"name": "ledger"}],
    }


def progress(done: int, total: int) -> dict[str, Any]:
    ratio = done / total if total else None
    return {
        "total": total,
        "done": done,
        "ratio": ratio,
        "estimateTotal": None,
        "estimateDone": None,
        "estimateRatio": None,
    }


DATA: dict[str, Any] = {
    "roadmap": {
        "groupBy": "INITIATIVE",
        "asOf": "2026-05-01",
        "summary": {"epics": 2, "onTrack": 1, "atRisk": 0, "offTrack": 0, "done": 0, "noDates": 1},
        "lanes": [
            {
                "key": "payments-v2",
                "title": "Payments v2",
                "kind": "INITIATIVE",
                "health": "ON_TRACK",
                "progress": progress(3, 10),
                "initiative": item("payments-v2", "Payments v2", "", target="2026-12-31"),
                "epics": [
                    {
                        "health": "ON_TRACK",
                        "progress": progress(3, 4),
                        "item": item(
                            "PAY-1",
                            EVIL,
                            "https://jira.example/browse/PAY-1",
                            start="2026-02-01",
                            target="2026-09-30",
                        ),
                        "slippingBlockers": [],
                    },
                    {
                        "health": "NO_DATES",
                        "progress": progress(0, 6),
                        "item": item("PAY-2", "Ledger export", "https://jira.example/browse/PAY-2"),
                        "slippingBlockers": [],
                    },
                ],
            }
        ],
    }
}


class Elements(HTMLParser):
    """The report's elements: their attributes, and the text of each script and style."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[str, dict[str, str | None], str]] = []
        self.raw: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.raw = self.tags[-1] if tag in {"script", "style"} else None

    def handle_endtag(self, tag: str) -> None:
        self.raw = None

    def handle_data(self, data: str) -> None:
        if self.raw is not None:
            self.texts.append((*self.raw, data))


def parsed(html: str) -> Elements:
    elements = Elements()
    elements.feed(html)
    return elements


def test_the_report_is_one_file_with_the_pages_stylesheet_and_timeline() -> None:
    html = render_roadmap(DATA)
    elements = parsed(html)
    styles = [text for tag, _, text in elements.texts if tag == "style"]
    modules = [text for tag, a, text in elements.texts if a.get("type") == "module"]
    assert styles == ["\n" + read_asset("roadmap.css")]
    assert len(modules) == 1 and modules[0].startswith("\n" + read_asset("timeline.js"))
    assert "renderRoadmap(data.roadmap)" in modules[0]
    for tag, attrs in elements.tags:
        assert "src" not in attrs, tag
        assert tag != "link", attrs


def test_the_data_is_embedded_whole_and_no_title_can_break_out() -> None:
    html = render_roadmap(DATA)
    elements = parsed(html)
    data = [text for _, a, text in elements.texts if a.get("id") == "roadmap-data"]
    assert len(data) == 1
    assert json.loads(data[0]) == DATA
    assert EVIL not in html
    assert len(re.findall(r"<script\b", html)) == 2


def test_the_heading_says_how_and_when() -> None:
    html = render_roadmap(DATA)
    assert "<h1>Roadmap by initiative, as of 2026-05-01</h1>" in html
    assert "<title>Roadmap by initiative, as of 2026-05-01 · Tracker Hub</title>" in html


def test_nothing_inlined_can_end_its_element() -> None:
    assert "</style" not in read_asset("roadmap.css").lower()
    assert "</script" not in read_asset("timeline.js").lower()


def test_the_report_runs_only_its_own_inlined_script_and_stylesheet() -> None:
    """Its Content-Security-Policy names them by hash, so no link or markup in the data can run
    a script (a ``javascript:`` URL included) even were it rendered."""
    html = render_roadmap(DATA)
    elements = parsed(html)
    policies = [
        a["content"] for tag, a in elements.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(policies) == 1 and policies[0] is not None
    directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";"))
    style = [text for tag, _, text in elements.texts if tag == "style"]
    module = [text for _, a, text in elements.texts if a.get("type") == "module"]
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == content_hash(module[0])
    assert directives["style-src"] == content_hash(style[0])
    assert "unsafe" not in policies[0]
