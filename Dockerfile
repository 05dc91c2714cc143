# Tracker Hub API server. Configure with HUB_DATABASE_URL, HUB_CONFIG and the token variables
# that the config file names; run `hub db upgrade` once per release before starting replicas.
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
RUN pip install . \
    && useradd --create-home --uid 10001 hub \
    && rm -rf /src

USER hub
WORKDIR /home/hub
ENV HUB_CONFIG=/etc/hub/hub.toml
EXPOSE 8000
CMD ["hub", "serve", "--host", "0.0.0.0", "--port", "8000"]
