"""``python -m tests.server.webhook_hub ARGS``: the ``hub`` command whose Jira kind is a
pretend tracker: the webhooks of ``tests.sync.webhook_fakes`` and a connector reading the
items' current state from the JSON file ``TEST_TRACKER_STATE`` names (external id → title).

Test equipment for a real ``hub serve`` process, which a test can kill."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx

import connectors
from hub.contract.config import SourceConfig
from tests.sync.fakes import item
from tests.sync.webhook_fakes import WEBHOOKS_MODULE, Handlers, TrackerConnector

STATE_ENV = "TEST_TRACKER_STATE"


class FileTrackerConnector(TrackerConnector):
    def __init__(
        self, source: SourceConfig, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        titles = json.loads(Path(os.environ[STATE_ENV]).read_text())
        tracker = {key: item(int(key), title=title) for key, title in titles.items()}
        super().__init__(source, tracker, transport=transport)


def main() -> None:
    sys.modules[WEBHOOKS_MODULE] = Handlers().module()
    connectors._CONNECTORS["jira"] = ("tests.server.webhook_hub", FileTrackerConnector.__name__)
    from hub.cli import main as hub

    hub()


if __name__ == "__main__":
    main()
