"""Every error the hub raises on purpose, in one tree.

    HubError                      base; its message says what to do next
    ├── ConfigError               the config file is wrong: names file, source and key
    ├── TrackerError              a tracker call failed
    │   ├── TrackerAuthError      401/403: fix the credentials or their scope
    │   ├── TrackerRequestError   other 4xx: the request or the scope is wrong
    │   ├── TrackerUnavailable    429/5xx/timeouts that outlived their retries
    │   └── TrackerDataError      the answer is not what the API promises
    ├── SyncInProgress            another sync of the same source is running
    └── NotFound                  a source, item or key that the hub does not know

Tracker errors stop one source's sync and leave stored data as it was.
Messages never carry credentials: they name the environment variable instead.
"""

from __future__ import annotations


class HubError(Exception):
    """Base of every error the hub raises on purpose."""


class ConfigError(HubError):
    """The configuration is wrong; the message names the file, the source and the key."""


class TrackerError(HubError):
    """A call to a tracker failed."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TrackerAuthError(TrackerError):
    """The tracker refused the credentials (401) or their scope (403)."""


class TrackerRequestError(TrackerError):
    """The tracker refused the request itself (4xx other than auth and rate limits)."""


class TrackerUnavailable(TrackerError):
    """Rate limits, server errors or timeouts that outlived every retry."""


class TrackerDataError(TrackerError):
    """The tracker answered with something its API does not promise."""


class SyncInProgress(HubError):
    """Another sync of this source holds the lock."""


class NotFound(HubError):
    """A name or key the hub does not know."""
