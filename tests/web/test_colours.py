"""Health is readable in every colour the page and the report give it (WCAG AA, 4.5:1)."""

from __future__ import annotations

import re

from hub.web.assets import read_asset

AA = 4.5
HEALTHS = {"ON_TRACK", "AT_RISK", "OFF_TRACK", "DONE", "NO_DATES"}


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_does() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


def test_every_health_colour_reads_at_aa_contrast() -> None:
    css = read_asset("roadmap.css")
    text = re.search(r"--text: (#[0-9a-f]{6});", css)
    assert text
    found = re.findall(r"\.health-(\w+) \{ --fill: (#[0-9a-f]{6}); --tint: (#[0-9a-f]{6}); \}", css)
    assert {health for health, _, _ in found} == HEALTHS
    for health, fill, tint in found:
        assert contrast("#ffffff", fill) >= AA, health  # the percentage on the filled part
        assert contrast(text.group(1), tint) >= AA, health  # the percentage on the rest
        assert contrast(fill, tint) >= AA, health  # the badge's label
