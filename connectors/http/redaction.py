"""Keeping credentials out of error text and logs, in every form a tracker might echo them back.

A client's ``Redactor`` knows the credentials it sends. Every text built from a tracker's
answer — a refusal's excerpt, a GraphQL error, a partial-data warning — goes through it, and
is redacted *before* it is cut to length: cutting first could leave all but the last
characters of a secret that straddles the cut.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from urllib.parse import quote

import httpx

SENSITIVE_HEADER_PARTS = ("auth", "token", "secret", "key", "cookie", "session", "password")
SENSITIVE_QUERY_PARTS = ("token", "secret", "key", "password", "signature", "auth")
REDACTED = "[redacted]"
EXCERPT_CHARS = 300
MIN_SECRET_CHARS = 4
"""Shorter strings are left alone: redacting them would garble ordinary words."""


def without_query(url: str) -> str:
    """The URL's path: queries may carry JQL or tokens we do not want in messages."""
    return httpx.URL(url).path


def credential_forms(value: str) -> set[str]:
    """A credential or header value, its credential without the scheme, and a Basic pair
    decoded (the pair, its user and its password)."""
    scheme, _, credential = value.strip().partition(" ")
    forms = {value, value.strip(), credential.strip() or scheme}
    if scheme.lower() == "basic" and credential:
        try:
            pair = base64.b64decode(credential.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return forms
        user, _, password = pair.partition(":")
        forms.update({pair, user, password})
    return forms


def _echoes(secret: str) -> set[str]:
    """How an answer may quote a secret: as is, JSON-escaped (``/`` too, as some servers
    write it), or percent-encoded."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, escaped, escaped.replace("/", "\\/"), quote(secret, safe="")}


class Redactor:
    """Replaces every known credential in a text; built once per client."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found = {echo for secret in secrets for echo in _echoes(secret)}
        self.secrets = sorted(
            (s for s in found if len(s) >= MIN_SECRET_CHARS), key=len, reverse=True
        )

    @classmethod
    def of_credentials(
        cls, credentials: Iterable[str], headers: Mapping[str, str] | None = None
    ) -> Redactor:
        """``credentials`` and those among ``headers`` (known by their names), in every form."""
        forms = {form for secret in credentials for form in credential_forms(secret)}
        for name, value in (headers or {}).items():
            if any(part in name.lower() for part in SENSITIVE_HEADER_PARTS):
                forms.update(credential_forms(value))
        return cls(forms)

    def with_request(self, request: httpx.Request) -> Redactor:
        """This redactor and the credentials one request carried in its headers or query."""
        extra = Redactor.of_credentials((), request.headers)
        query = [
            value
            for name, value in request.url.params.multi_items()
            if any(part in name.lower() for part in SENSITIVE_QUERY_PARTS)
        ]
        return Redactor([*self.secrets, *extra.secrets, *query])

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def excerpt(self, text: str, limit: int = EXCERPT_CHARS) -> str:
        """``text`` redacted, on one line, then cut to ``limit`` characters."""
        flat = " ".join(self(text).split())
        return flat[:limit] + ("…" if len(flat) > limit else "")
