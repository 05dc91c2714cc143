"""The HTTP shell around the schema: the ASGI app, token auth, the body's size and deadline,
the rate limit, and how the server treats connections (``connections``)."""
