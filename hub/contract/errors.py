"""Every error the hub raises on purpose, in one tree.

    HubError                      base; its message says what to do next
    ├── ConfigError               the config file is wrong: names file, source and key
    ├── TrackerError              a tracker call failed
    │   ├── TrackerAuthError      401/403: fix the credentials or their scope
    │   ├── TrackerRequestError   other 4xx: the request or the scope is wrong
    │   ├── TrackerUnavailable    429/5xx/timeouts that outlived their retries
    │   └── TrackerDataError      the answer is not what the API promises
    ├── SyncInProgress            another sync of the same source is running
    ├── NotFound                  a source, item or key that the hub does not know
    └── ManualChangeRejected      a change made by hand that the hub refuses:
        ├── ItemNotFound (NotFound)           no live item has that tracker key or hub id
        ├── InitiativeNotFound (NotFound)     no live initiative has that key or hub id
        ├── AmbiguousItemKey                  the key names items in several sources
        ├── NotAnEpic                         only epics go under initiatives
        ├── AssignmentNotFound (NotFound)     the item has no manual assignment to remove
        ├── InvalidInitiativeKey              an initiative key must be a lowercase slug
        ├── InvalidInitiative                 a blank title, or a target before the start
        ├── InitiativeKeyTaken                another initiative has that key
        ├── SelfDependency                    an item cannot block itself
        ├── DuplicateDependency               that manual dependency exists already
        └── DependencyNotFound (NotFound)     there is no such manual dependency to remove

Tracker errors stop one source's sync and leave stored data as it was.
Messages never carry credentials: they name the environment variable instead.
Each manual-change refusal is named as the GraphQL type that reports it, and carries that
type's fields as attributes.
"""

from __future__ import annotations

from hub.contract.records import Level


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


class ManualChangeRejected(HubError):
    """A change a person asked for by hand (``hub.sync.manual``) that the hub refuses;
    nothing was written."""


class ItemNotFound(ManualChangeRejected, NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"no item has the tracker key or hub id {reference!r}; check the key, or sync its "
            "source first"
        )
        self.reference = reference


class InitiativeNotFound(ManualChangeRejected, NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(
            f"no initiative has the key or hub id {reference!r}; create it with "
            "`createInitiative` or declare it in the config"
        )
        self.reference = reference


class AmbiguousItemKey(ManualChangeRejected):
    def __init__(self, reference: str, ids: list[str]) -> None:
        super().__init__(
            f"key {reference!r} names items in several sources ({', '.join(ids)}); "
            "pass the hub id instead"
        )
        self.reference = reference
        self.ids = ids


class NotAnEpic(ManualChangeRejected):
    def __init__(self, key: str, level: Level) -> None:
        super().__init__(
            f"{key} is an {level.value}; only epics go under initiatives (issues follow their epic)"
        )
        self.level = level


class AssignmentNotFound(ManualChangeRejected, NotFound):
    def __init__(self, key: str) -> None:
        super().__init__(f"{key} has no manual initiative assignment to remove")


class InvalidInitiativeKey(ManualChangeRejected):
    def __init__(self, key: str) -> None:
        super().__init__(
            f"initiative key {key!r} is not valid: use lowercase letters, digits, '-', '_' "
            "and '.', starting with a letter or digit, at most 100 characters"
        )
        self.key = key


class InvalidInitiative(ManualChangeRejected):
    """A field other than the key is wrong; the message names it."""


class InitiativeKeyTaken(ManualChangeRejected):
    def __init__(self, key: str, *, declared: bool) -> None:
        where = "declared in the config" if declared else "in use by another initiative"
        super().__init__(f"initiative key {key!r} is {where}; choose another key")
        self.key = key


class SelfDependency(ManualChangeRejected):
    def __init__(self, key: str) -> None:
        super().__init__(f"{key} cannot block itself; name two different items")


class DuplicateDependency(ManualChangeRejected):
    def __init__(self, blocker_key: str, blocked_key: str) -> None:
        super().__init__(f"{blocker_key} already blocks {blocked_key} by a manual dependency")


class DependencyNotFound(ManualChangeRejected, NotFound):
    def __init__(self, blocker_key: str, blocked_key: str) -> None:
        super().__init__(
            f"there is no manual dependency {blocker_key} blocks {blocked_key}; tracker and "
            "mention dependencies change only in the tracker"
        )
