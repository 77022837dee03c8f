"""docker/compose.yaml: valid YAML describing the processes the smoke test runs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP = {name: s for name, s in SERVICES.items() if "vislivis" in str(s.get("image", ""))}


def test_every_process_of_the_profile_is_a_service():
    infrastructure = {"postgres", "redis", "mosquitto-passwd", "mosquitto", "proxy"}
    assert set(SERVICES) == infrastructure | {"migrate", "web", "ws", "worker", "beat", "watcher", "applier"}
    assert {name: s["command"] for name, s in APP.items()} == {
        "migrate": ["migrate"],
        "web": ["web"],
        "ws": ["ws"],
        "worker": ["worker"],
        "beat": ["beat"],
        "watcher": ["watcher"],
        "applier": ["applier"],
    }


def test_smoke_runs_exactly_the_compose_roles():
    from scripts.prod_smoke import APP_ROLES, compose_roles

    assert set(compose_roles().values()) == set(APP_ROLES)


def test_entrypoint_knows_every_role_and_the_measured_servers():
    script = (ROOT / "docker" / "entrypoint.sh").read_text()
    for role in ("migrate", "web", "ws", "worker", "beat", "watcher", "applier"):
        assert re.search(rf"^\s+{role}\)", script, re.MULTILINE), role
    assert "exec gunicorn vislivis.wsgi:application" in script
    assert "--worker-class sync" in script
    assert "daphne" in script and "vislivis.asgi:application" in script
    assert "manage.py visitorsflow watch" in script
    assert re.search(r"exec python manage.py apply_documents \\\n\s+--batch", script)
    assert "check --deploy --fail-level WARNING" in script


def test_app_services_run_production_settings_with_persistent_connections():
    for name, service in APP.items():
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "vislivis.settings.production", name
        assert env["CONN_MAX_AGE"] == "${CONN_MAX_AGE:-60}", name
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["CELERY_BROKER_URL"] == "redis://redis:6379/1"
        if name != "beat":  # beat only sends tasks; it keeps its schedule file on its own volume
            assert "media:/app/var/media" in service["volumes"], name


def test_long_running_services_wait_for_the_migration_and_healthy_dependencies():
    for name in ("web", "ws", "worker", "beat", "watcher", "applier"):
        depends = APP[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
    assert "/readyz" in " ".join(APP["web"]["healthcheck"]["test"])
    for name in ("postgres", "redis", "mosquitto"):
        assert SERVICES[name]["healthcheck"]["test"], name


def test_exactly_one_beat_and_volumes_for_data():
    assert APP["beat"]["deploy"]["replicas"] == 1
    assert set(COMPOSE["volumes"]) >= {"pgdata", "redisdata", "mosquitto-data", "media", "visitorsflow"}
    assert "pgdata:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    assert any(v.endswith(":/srv/visitorsflow") for v in APP["watcher"]["volumes"])


def test_every_compose_variable_is_documented_in_env_example():
    text = (ROOT / "docker" / "compose.yaml").read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    documented = set(re.findall(r"^#?\s*([A-Z_][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert used - documented == set()


def test_dockerfile_is_slim_non_root_with_production_requirements_only():
    dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
    assert "FROM python:3.11-slim-bookworm" in dockerfile
    assert "requirements/production.txt" in dockerfile
    assert "local.txt" not in dockerfile
    assert re.search(r"^USER vislivis$", dockerfile, re.MULTILINE)
    assert "collectstatic" in dockerfile
    requirements = (ROOT / "requirements" / "base.txt").read_text()
    assert "opencv-python-headless" in requirements
    assert not re.search(r"^opencv-python==", requirements, re.MULTILINE)


def test_the_applier_has_the_database_and_the_live_events_channel_and_time_to_finish_a_batch():
    applier = APP["applier"]
    assert applier["image"] == APP["web"]["image"]  # the same image as web and worker
    assert applier["environment"]["DATABASE_URL"].startswith("postgres://")
    assert applier["environment"]["REDIS_URL"] == "redis://redis:6379/0"  # the channel layer ws reads
    assert applier["init"] is True  # tini forwards compose's SIGTERM to the command
    seconds = int(applier["stop_grace_period"].rstrip("s"))
    assert seconds >= 10  # a batch takes well under a second; SIGKILL only after this
    assert "deploy" not in applier  # no fixed replica count: scale it with the lag


def test_make_run_starts_the_applier_too():
    lines = dict(
        line.split(": ", 1)
        for line in (ROOT / "Procfile.dev").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert lines["applier"] == ".venv/bin/python manage.py apply_documents"
    assert set(lines) == {"web", "watcher", "beat", "applier"}


def test_the_smokes_camera_document_is_a_recent_minute_with_the_asked_count():
    """The smokes read the applier's work back as today's footfall: the document must be a recent
    minute (the sample's 2022 minute is older than the retention the applier keeps to)."""
    from datetime import UTC, datetime, timedelta

    from devices.xml import parse_document
    from scripts.prod_smoke import fresh_metrics

    before = datetime.now(UTC)
    document = parse_document(fresh_metrics(2, enters=7))
    people = [count for count in document.counts if count.object_type == 0]
    assert [count.enters for count in people] == [7]
    assert before - timedelta(minutes=3) <= people[0].period_start <= before - timedelta(minutes=1)
    assert people[0].period_start.second == 0 and people[0].interval == 1
    assert document.records == 3 and document.device_id == "12345"
