"""GraphiQL as the hub serves it on GET /graphql, in place of strawberry's page.

Strawberry's page loads React and GraphiQL from public CDNs, so the IDE is blank on a machine
without internet. This page loads the same releases from ``static/graphiql/`` (where they came
from and how to update them: the README there), and runs nothing but this origin's files.
"""

from __future__ import annotations

from starlette.responses import HTMLResponse

from hub.web.assets import read_asset

GRAPHIQL_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        # React and CodeMirror set style attributes; GraphiQL's fonts are data: URLs.
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
GRAPHIQL_HEADERS = {
    "Content-Security-Policy": GRAPHIQL_CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(read_asset("graphiql.html"), headers=GRAPHIQL_HEADERS)
