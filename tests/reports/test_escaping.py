"""Titles and keys as trackers may hold them, through every format: pure renderer tests on
query data built by hand (PostgreSQL would refuse some of these characters in a row)."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest

from hub.reports import dot, markdown, mermaid
from hub.reports.drawing import drawing
from hub.reports.text import one_line, web_url

NASTY = (
    'Say "hi" \\N back\\slash\\\nnew line 🚀 ok\u202eevil\u0000\u0007 '
    "<b>x</b> #12; `c` & [l](u) | p"
)


def node(key: str, title: str, url: str = "https://t/x", source: str = "jira") -> dict[str, Any]:
    return {
        "id": f"{source}:{key}",
        "key": key,
        "title": title,
        "url": url,
        "level": "ISSUE",
        "status": "To Do",
        "statusCategory": "TODO",
        "targetDate": None,
        "source": {"name": source, "kind": source},
    }


def graph_data() -> dict[str, Any]:
    """Three items whose keys sanitize alike, one with a nasty title and a hostile URL."""
    nodes = [
        node("acme/x#1", NASTY, 'https://github.example/acme/x/issues/1?q="a b"', "github"),
        node("acme-x-1", "plain", "javascript:alert(1)"),
        node("ACME_X_1", "end"),
    ]
    return {
        "nodes": nodes,
        "edges": [
            {
                "provenance": ["MENTION"],
                "crossesTools": True,
                "blocker": {"id": "github:acme/x#1", "key": "acme/x#1"},
                "blocked": {"id": "jira:acme-x-1", "key": "acme-x-1"},
            },
            {
                "provenance": ["TRACKER"],
                "crossesTools": False,
                "blocker": {"id": "jira:acme-x-1", "key": "acme-x-1"},
                "blocked": {"id": "jira:ACME_X_1", "key": "ACME_X_1"},
            },
        ],
        "cycles": [],
        "criticalPath": [nodes[0], nodes[1], nodes[2]],
        "blockedByOpenWork": [],
        "scheduleConflicts": [],
    }


def test_one_line_drops_breaks_and_invisible_characters() -> None:
    assert one_line(" a\r\n b\u2028c\u202ed\u0000e\u200bf 👩\u200d💻 ") == "a b cdef 👩\u200d💻"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ('https://t/a b?x="y"&z=(1)', "https://t/a%20b?x=%22y%22&z=%281%29"),
        ("HTTP://t/x", "HTTP://t/x"),
        ("javascript:alert(1)", None),
        ("/relative", None),
        ("", None),
    ],
)
def test_only_web_links_are_linked(url: str, expected: str | None) -> None:
    assert web_url(url) == expected


def test_dot_labels_survive_graphviz() -> None:
    text = dot.render_dependencies(drawing('Root "x" \\ y', [graph_data()]))
    assert "\u202e" not in text and "\u0000" not in text and "\u0007" not in text
    assert 'URL="https://github.example/acme/x/issues/1?q=%22a%20b%22"' in text
    assert "javascript:" not in text
    done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    svg = ElementTree.fromstring(done.stdout)
    shown = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    for piece in ('"hi"', "\\N", "back\\slash\\", "🚀", "<b>x</b>", "#12;", 'Root "x" \\ y'):
        assert piece in shown, piece
    ids = re.findall(r"^  (n_\w+) \[", text, flags=re.MULTILINE)
    assert ids == ["n_acme_x_1", "n_acme_x_1_2", "n_ACME_X_1"]


def test_mermaid_labels_stay_inside_their_quotes() -> None:
    text = mermaid.render_dependencies(drawing("Root", [graph_data()]))
    labels = re.findall(r'^  n_\w+\["(.*)"\]$', text, flags=re.MULTILINE)
    assert len(labels) == 3
    first = labels[0]
    assert '"' not in first and "<b>" not in first and "`" not in first
    assert first.startswith(
        "acme/x#35;1 · github<br/>Say #quot;hi#quot; \\N back\\slash\\ new line"
    )
    assert first.endswith("#lt;b#gt;x#lt;/b#gt; #35;12; #96;c#96;…")  # shortened
    assert '  n_acme_x_1 -.->|"mention"| n_acme_x_1_2' in text
    assert "  n_acme_x_1_2 --> n_ACME_X_1" in text
    assert "click n_acme_x_1_2" not in text  # not a web link
    assert "  linkStyle 0,1 stroke:" in text


def test_markdown_escapes_every_cell() -> None:
    item: dict[str, Any] = {
        "key": "acme/x#1",
        "title": NASTY,
        "url": "javascript:alert(1)",
        "level": "EPIC",
        "status": "In | Progress",
        "statusCategory": "IN_PROGRESS",
        "startDate": None,
        "startDateSource": None,
        "targetDate": "2026-05-01",
        "targetDateSource": {"source": "PROJECT_FIELD", "field": "Target | date"},
        "declaredHealth": None,
        "milestones": [
            {"name": "GA | <i>now</i>", "targetDate": None, "status": None, "progress": None}
        ],
        "source": {"name": "github", "kind": "github"},
        "components": [],
    }
    progress = {
        "total": 0,
        "done": 0,
        "ratio": None,
        "estimateTotal": 0.0,
        "estimateDone": 0.0,
        "estimateRatio": None,
    }
    epic = {
        "health": "ON_TRACK",
        "healthDisagrees": False,
        "progress": progress,
        "item": item,
        "slippingBlockers": [],
    }
    lane = {
        "key": None,
        "title": "No *initiative*",
        "kind": "INITIATIVE",
        "depth": 0,
        "epicCount": 1,
        "health": "ON_TRACK",
        "healthDisagrees": False,
        "progress": progress,
        "initiative": None,
        "epics": [epic],
    }
    summary = {"epics": 1, "onTrack": 1, "atRisk": 0, "offTrack": 0, "done": 0, "noDates": 0}
    data: dict[str, Any] = {
        "roadmap": {"groupBy": "INITIATIVE", "asOf": "2026-04-01", "summary": summary}
    }
    data["roadmap"]["lanes"] = [lane]
    text = markdown.render_roadmap(data)
    assert "## No \\*initiative\\*" in text
    (row,) = [line for line in text.splitlines() if line.startswith("| acme")]
    assert row == (
        '| acme/x\\#1 | Say "hi" \\\\N back\\\\slash\\\\ new line 🚀 okevil \\<b\\>x\\</b\\> '
        "\\#12; \\`c\\` \\& \\[l\\](u) \\| p | github | In \\| Progress | – | 2026-05-01 | – "
        "| 🟢 On track |"
    )
    assert "- acme/x\\#1: GA \\| \\<i\\>now\\</i\\>" in text.splitlines()


def test_items_of_two_tools_that_share_a_key_stay_apart() -> None:
    jira, linear = node("ENG-7", "in Jira"), node("ENG-7", "in Linear", source="linear")
    edge = {
        "provenance": ["MENTION"],
        "crossesTools": True,
        "blocker": {"id": jira["id"], "key": "ENG-7"},
        "blocked": {"id": linear["id"], "key": "ENG-7"},
    }
    data = {
        "nodes": [jira, linear],
        "edges": [edge],
        "cycles": [],
        "criticalPath": [jira, linear],
        "blockedByOpenWork": [],
        "scheduleConflicts": [],
    }
    text = dot.render_dependencies(drawing("ENG-7", [data], roots=["eng-7"]))
    assert '  n_ENG_7 [label="ENG-7 · jira\\nin Jira"' in text
    assert '  n_ENG_7_2 [label="ENG-7 · linear\\nin Linear"' in text
    assert "  n_ENG_7 -> n_ENG_7_2 [color=" in text
    assert text.count("peripheries=2") == 2  # the key names both
