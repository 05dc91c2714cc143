# Tracker Hub API server, in production mode (no introspection, no GraphiQL, no suggestions).
# Configure with HUB_DATABASE_URL, HUB_CONFIG and the token variables that the config file
# names; run `hub db upgrade` once per release before starting replicas. Put it behind a
# reverse proxy that terminates TLS (docs/deployment.md).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY connectors ./connectors
COPY schema ./schema
COPY simulators ./simulators
RUN pip install httpx \
    && python -m hub.web.graphiql_assets \
    && pip install . \
    && useradd --create-home --uid 10001 hub \
    && rm -rf /src

USER hub
WORKDIR /home/hub
ENV HUB_CONFIG=/etc/hub/hub.toml
EXPOSE 8000
# /healthz answers 200 without a token or the database; the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["hub", "serve", "--host", "0.0.0.0", "--port", "8000", "--production"]
