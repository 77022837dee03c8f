#!/bin/sh
# The one place that says how each production process starts. docker/compose.yaml runs
# `entrypoint.sh <role>` for every service, and `make prod-smoke` (scripts/prod_smoke.py) runs
# the very same roles outside Docker, so the two cannot drift apart.
#
# Roles: migrate | web | ws | worker | beat | watcher | applier | <any command>
# Tunables (environment): BIND, PORT, WEB_WORKERS, WEB_TIMEOUT, WORKER_CONCURRENCY,
# WORKER_QUEUES, BEAT_SCHEDULE_FILE, FORWARDED_ALLOW_IPS, APPLIER_BATCH, APPLIER_IDLE_SECONDS.
# Logs: every long-running role writes one JSON object per line with production settings
# (vislivis/logging.py; gunicorn's own lines through docker/gunicorn.conf.py, daphne's access
# log through docker/ws_server.py); Celery's banners are off (--quiet).
set -eu
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-vislivis.settings.production}"
BIND="${BIND:-0.0.0.0}"

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
  migrate)
    # One-shot: schema, the brand-admin group (post_migrate), then the deployment checks.
    python manage.py migrate --noinput
    exec python manage.py check --deploy --fail-level WARNING
    ;;
  web)
    # HTTP API and pages: gunicorn sync workers (Django's sync views under an ASGI server ran at
    # 0.07-0.16x of this here). Persistent DB connections come from CONN_MAX_AGE.
    # Workers: 2 x CPUs + 1 unless WEB_WORKERS says otherwise. A camera push waits for its commit
    # (the WAL flush): with 2 x CPUs the cores idled ~5-10 % under a push load (bench, 2026-12-03);
    # set WEB_WORKERS where the container's CPU quota is below the CPUs nproc sees.
    # --preload: the master loads Django once and a worker is a fork of it. Without it each
    # worker imports the application itself (~2 s of CPU), and the workers, which share the load
    # evenly, reach --max-requests within seconds of each other: four boots at once cut the
    # push rate to a third for that moment on 2 cores (bench, 2026-12-02).
    exec gunicorn vislivis.wsgi:application \
      --bind "$BIND:${PORT:-8000}" \
      --worker-class sync \
      --workers "${WEB_WORKERS:-$((2 * $(nproc) + 1))}" \
      --timeout "${WEB_TIMEOUT:-60}" \
      --graceful-timeout 30 \
      --preload --max-requests 5000 --max-requests-jitter 500 \
      --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-*}" \
      --config docker/gunicorn.conf.py \
      "$@"
    ;;
  ws)
    # WebSockets only (/ws/): live dashboards and capture session status through Channels.
    # daphne with a JSON access log; no --proxy-headers: daphne would take the client address
    # from the left end of X-Forwarded-For (anyone can write it). The app reads it through
    # TRUSTED_PROXY_HOPS instead (vislivis.client_address).
    exec python docker/ws_server.py --bind "$BIND" --port "${PORT:-8001}" vislivis.asgi:application "$@"
    ;;
  worker)
    # Capture sessions, exports, alerts, purges. Late ack + prefetch 1 come from settings.
    exec celery -A vislivis --quiet worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${WORKER_CONCURRENCY:-2}" --queues "${WORKER_QUEUES:-celery}" "$@"
    ;;
  beat)
    # Exactly one sends: vislivis.beat.SingleBeatScheduler holds a Redis lock (a second beat waits).
    exec celery -A vislivis --quiet beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${BEAT_SCHEDULE_FILE:-var/celerybeat-schedule}" "$@"
    ;;
  watcher)
    # VisitorsFlow: the folder watcher of every enabled site.
    exec python manage.py visitorsflow watch "$@"
    ;;
  applier)
    # Camera documents: web only keeps each push (one INSERT) and answers; this applies them in
    # batches (devices.applier). Run as many as the lag needs, on any machine: they claim with
    # FOR UPDATE SKIP LOCKED, so no two take the same document. SIGTERM stops it after the
    # current batch; a SIGKILL rolls that batch back and another applier takes it again.
    exec python manage.py apply_documents \
      --batch "${APPLIER_BATCH:-500}" --idle-seconds "${APPLIER_IDLE_SECONDS:-0.2}" "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
