"""Keeping credentials out of error text, in every form a tracker might echo them back."""

from __future__ import annotations

import base64
import binascii

import httpx

SENSITIVE_HEADER_PARTS = ("auth", "token", "secret", "key", "cookie", "session", "password")
SENSITIVE_QUERY_PARTS = ("token", "secret", "key", "password", "signature", "auth")
REDACTED = "[redacted]"


def without_query(url: str) -> str:
    """The URL's path: queries may carry JQL or tokens we do not want in messages."""
    return httpx.URL(url).path


def secrets_of(request: httpx.Request) -> list[str]:
    """Credential strings a request carried, in every form a tracker might echo back."""
    found: set[str] = set()
    for name, value in request.headers.items():
        if any(part in name.lower() for part in SENSITIVE_HEADER_PARTS):
            found.update(credential_forms(value))
    for name, value in request.url.params.multi_items():
        if any(part in name.lower() for part in SENSITIVE_QUERY_PARTS):
            found.add(value)
    return sorted((s for s in found if len(s) >= 4), key=len, reverse=True)


def credential_forms(value: str) -> set[str]:
    """The header value, its credential without the scheme, and a Basic pair decoded."""
    scheme, _, credential = value.strip().partition(" ")
    forms = {value, value.strip(), credential.strip() or scheme}
    if scheme.lower() == "basic" and credential:
        try:
            pair = base64.b64decode(credential.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return forms
        forms.update({pair, pair.partition(":")[2]})
    return forms


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text
