"""Each request ends at the client's deadline, body included, even when every read gets a
byte in time; the expiry is not retried, so a dripping tracker costs one deadline."""

from __future__ import annotations

import pytest

from connectors.http.client import TrackerHttp
from connectors.http.retry import RetryPolicy
from hub.contract.errors import TrackerUnavailable
from simulators.dripping import dripping_tracker


async def test_a_dripping_answer_ends_at_the_deadline_without_retries() -> None:
    async with dripping_tracker(every=0.05) as (url, tracker):
        http = TrackerHttp(
            source="acme",
            base_url=url,
            policy=RetryPolicy(attempts=4, timeout=5.0),
            deadline=0.5,
            tracker="Jira",
        )
        try:
            with pytest.raises(TrackerUnavailable) as caught:
                await http.request_json("GET", "/rest/api/3/field?jql=secret")
        finally:
            await http.aclose()

    host = url.removeprefix("http://")
    assert str(caught.value) == (
        f"acme: Jira at {host} did not answer within 0.5 s (GET /rest/api/3/field); "
        "if it is only slow, raise the source's request_deadline"
    )
    assert tracker.requests == 1 and http.stats.retries == 0
