# Conversation runtime image (Python 3.10): the Rasa server and the action server (one image, two commands).
# Built from the repository root: docker compose -f deploy/compose.yml build (train first: make train).
# The same pins as make install: requirements/rasa.txt constrained by requirements/rasa.lock.
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONUTF8=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 PATH=/opt/venv/bin:$PATH \
    RASA_PORT=5005 ACTIONS_HOST=127.0.0.1 ACTIONS_PORT=5055 RASA_ENDPOINTS=endpoints.yml RASA_MODEL=models/court.tar.gz \
    RASA_TRACKER_DB=/app/var/tracker.db ROLE=rasa

COPY requirements/rasa.txt requirements/rasa.lock /tmp/requirements/
RUN python -m venv /opt/venv \
    && pip install --no-cache-dir pip==25.3 setuptools==70.3.0 wheel==0.45.1 \
    && pip install --no-cache-dir -r /tmp/requirements/rasa.txt -c /tmp/requirements/rasa.lock \
    && useradd --create-home --uid 10001 court

WORKDIR /app
COPY config.yml credentials.yml endpoints.yml endpoints.scaled.yml ./
COPY domain/ domain/
COPY bot/ bot/
COPY actions/ actions/
COPY connectors/ connectors/
COPY court_common/ court_common/
COPY rasa_server/ rasa_server/
COPY scaling/ scaling/
COPY knowledge_base/court_profile.yml knowledge_base/court_profile.yml
COPY models/court.tar.gz models/court.tar.gz
COPY deploy/docker/entrypoint.sh deploy/docker/healthcheck.py deploy/docker/
RUN mkdir -p /app/var && chown court:court /app/var

USER 10001
VOLUME ["/app/var"]
EXPOSE 5005 5055
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "deploy/docker/healthcheck.py"]
ENTRYPOINT ["deploy/docker/entrypoint.sh"]
CMD ["rasa"]
