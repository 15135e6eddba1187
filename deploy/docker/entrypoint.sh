#!/bin/sh
# One entry point for both images: the first argument (or ROLE) says which process this container is.
#   rasa | actions              conversation image
#   service | fallback | migrate | backup | restore <folder>   service image
# Outside a container it runs the same commands with whatever `python` / `rasa` / `uvicorn` PATH finds, which
# is how tests/service/test_deploy_files.py checks it on a machine without a container engine.
set -eu
role="${1:-${ROLE:-}}"
[ "$#" -gt 0 ] && shift
# `exec` so the process gets the container's signals (docker stop sends SIGTERM to PID 1).
case "$role" in
  rasa)
    exec python -m rasa_server run --port "${RASA_PORT:-5005}" --cors "*" --credentials credentials.yml \
      --endpoints "${RASA_ENDPOINTS:-endpoints.yml}" --model "${RASA_MODEL:-models/court.tar.gz}" "$@" ;;
  actions)
    exec rasa run actions --port "${ACTIONS_PORT:-5055}" --actions actions "$@" ;;
  service)
    # Migrations run in the one-shot `migrate` container (Compose) or ExecStartPre (systemd), never in
    # several replicas at once.
    exec uvicorn service_center.main:app --host "${SERVICE_HOST:-0.0.0.0}" --port "${SERVICE_PORT:-8000}" \
      --no-access-log --proxy-headers --forwarded-allow-ips="${FORWARDED_ALLOW_IPS:-*}" "$@" ;;
  fallback)
    exec uvicorn service_center.hotline.fallback_app:app --host "${SERVICE_HOST:-0.0.0.0}" \
      --port "${HOTLINE_FALLBACK_PORT:-8001}" --no-access-log --proxy-headers \
      --forwarded-allow-ips="${FORWARDED_ALLOW_IPS:-*}" "$@" ;;
  migrate)
    exec alembic upgrade heads ;;
  backup)
    exec python -m deploy.backup create "$@" ;;
  restore)
    exec python -m deploy.backup restore "$@" ;;
  *)
    echo "usage: entrypoint.sh rasa|actions|service|fallback|migrate|backup|restore <folder>" >&2
    exit 64 ;;
esac
