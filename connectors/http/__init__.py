"""One HTTP policy for every connector: timeouts, retries, rate limits and error classes.

Connectors describe requests; ``connectors.http.client`` decides what a response means:

- 2xx/3xx: returned.
- 429, 5xx, timeouts, dropped connections, and rate limits reported in other ways (403 or 429
  with a spent budget, GitHub's secondary limits, or what ``is_rate_limited`` recognises in a
  body): retried with jittered exponential backoff, waiting at least what ``Retry-After`` or
  the reset headers ask (GitHub's secondary limits: at least 60 s when they name no time);
  ``TrackerUnavailable`` once the attempts run out, or at once when the tracker asks for a
  longer wait than ``RetryPolicy.wait_max`` (``retry``).
- 401/403: ``TrackerAuthError``; other 4xx: ``TrackerRequestError``. Never retried
  (``refusals``).
- An answer not complete within the request deadline: ``TrackerUnavailable`` at once, not
  retried (a tracker dripping one answer drips the next).

No message or log line built from an answer carries a credential: each client's ``Redactor``
(``redaction``) cleans it before it is cut to length.

Every response's budget headers are read too (``limits``): when little of a budget is left,
the next requests are spaced so that the rest lasts until its reset (``pacing``), instead of
running into the limit. ``stats`` counts what a client did, for reports and progress displays.
"""
