"""Refusals in the shape of a GraphQL response, so that a client reads every error the same
way, whichever layer refused."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse


def error_response(
    status: int, message: str, code: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """A refusal in the shape of a GraphQL response: ``data`` null, one error with a code."""
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))
