"""A tracker's 4xx refusal as the hub error that says what to fix."""

from __future__ import annotations

import httpx

from connectors.http.redaction import Redactor
from hub.contract.errors import TrackerAuthError, TrackerRequestError

FIX_HINTS = {
    401: "check the source's credentials: the token may be wrong, expired or revoked",
    403: "check the source's credentials and what they may read (scopes, project access)",
    404: "check the project or repository name in the source's config, "
    "and that the credentials may see it",
}
DEFAULT_FIX_HINT = "the tracker refused the request"


def raise_for_client_error(
    source: str, method: str, response: httpx.Response, redactor: Redactor
) -> None:
    """Turn a 4xx into an error that says what to fix, with no credential in it."""
    status = response.status_code
    if status < 400:
        return
    hint = FIX_HINTS.get(status, DEFAULT_FIX_HINT)
    said = redactor.with_request(response.request).excerpt(response.text) or "(nothing)"
    message = (
        f"{source}: the tracker answered {status} to {method} {response.request.url.path}: "
        f"{hint}; it said: {said}"
    )
    error = TrackerAuthError if status in (401, 403) else TrackerRequestError
    raise error(message, status=status)
