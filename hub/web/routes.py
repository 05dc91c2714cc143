"""``/`` (links to the page and the API), ``/roadmap`` and the page's static files.

The pages hold no data: the roadmap page reads everything from ``/graphql`` with the
documents written into it here, and sends a token only when ``/graphql`` asks for one. So
they are served to anyone, as the GraphiQL page is; only the API behind them is guarded. A
strict Content-Security-Policy lets them run nothing but this origin's files and talk to
nothing but this origin.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hub.web.assets import documents, read_asset, script_json

DOCUMENTS_PLACEHOLDER = "__HUB_DOCUMENTS__"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}
STATIC_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
"""``no-cache`` revalidates by ETag, so an upgraded hub never runs yesterday's script."""


@cache
def roadmap_html() -> str:
    return read_asset("roadmap.html").replace(DOCUMENTS_PLACEHOLDER, script_json(documents()))


async def index(_request: Request) -> Response:
    return HTMLResponse(read_asset("index.html"), headers=PAGE_HEADERS)


async def roadmap(_request: Request) -> Response:
    return HTMLResponse(roadmap_html(), headers=PAGE_HEADERS)


class PageFiles(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(STATIC_HEADERS)
        return response


def web_routes() -> list[BaseRoute]:
    return [
        Route("/", index, methods=["GET"]),
        Route("/roadmap", roadmap, methods=["GET"]),
        Mount("/static", PageFiles(packages=[("hub.web", "static")]), name="static"),
    ]
