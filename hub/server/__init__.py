"""The HTTP shell around the schema: the ASGI app, token auth and the body limit."""
