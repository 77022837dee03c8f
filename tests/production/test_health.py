"""/healthz and /readyz: unauthenticated, cheap, and /readyz names the dependency that is down."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.production.services import closed_port, fake_mqtt_reply, fake_server, require_or_fallback
from tests.services import redis_url as machine_or_embedded_redis

PRODUCTION_MIDDLEWARE_HEAD = "vislivis.health.HealthCheckMiddleware"


@pytest.fixture
def redis_url():
    """A real Redis: the machine's, else the test process's embedded one (tests.embedded_redis)."""
    return machine_or_embedded_redis()


@pytest.fixture
def mqtt_url():
    if require_or_fallback(1883, "Mosquitto"):
        yield "mqtt://127.0.0.1:1883"
        return
    with fake_server(fake_mqtt_reply(0)) as port:
        yield f"mqtt://127.0.0.1:{port}"


def test_healthz_needs_no_login_and_touches_nothing(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_all_dependencies_up(client, redis_url, mqtt_url):
    checks = ["database", "redis", "broker", "mqtt"]
    with override_settings(READYZ_CHECKS=checks, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url, MQTT_URL=mqtt_url):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "broker": "ok", "mqtt": "ok"},
        "down": [],
        "pending_documents": 0,
        "apply_lag_seconds": 0.0,
        "apply_lag_warn_seconds": 60.0,
    }


@pytest.mark.django_db
def test_readyz_names_each_dependency_that_is_down(client, redis_url):
    dead = closed_port()
    with override_settings(
        READYZ_CHECKS=["database", "redis", "broker", "mqtt"],
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=f"redis://127.0.0.1:{dead}/1",
        MQTT_URL=f"mqtt://127.0.0.1:{dead}",
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "ok", "broker": "down", "mqtt": "down"},
        "down": ["broker", "mqtt"],
        "pending_documents": 0,
        "apply_lag_seconds": 0.0,
        "apply_lag_warn_seconds": 60.0,
    }
    # The anonymous caller learns which dependency, never where it lives.
    assert str(dead) not in response.content.decode()


@pytest.mark.django_db
def test_readyz_redis_down(client):
    with override_settings(READYZ_CHECKS=["database", "redis"], REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


@pytest.mark.django_db
def test_readyz_mqtt_port_open_but_not_accepting(client):
    # A broker that refuses the connection (CONNACK return code 5) is not ready either.
    with (
        fake_server(fake_mqtt_reply(5)) as port,
        override_settings(READYZ_CHECKS=["mqtt"], MQTT_URL=f"mqtt://127.0.0.1:{port}"),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"mqtt": "down"}


@pytest.mark.django_db
def test_readyz_port_open_but_not_mqtt(client):
    with (
        fake_server(lambda data: b"HTTP/1.1 400 Bad Request\r\n\r\n") as port,
        override_settings(READYZ_CHECKS=["mqtt"], MQTT_URL=f"mqtt://127.0.0.1:{port}"),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503


def test_readyz_database_down(client, settings):
    from django.db import connections

    settings.READYZ_CHECKS = ["database"]
    original = connections["default"].settings_dict.copy()
    conn = connections["default"]
    conn.close()
    broken = {**original, "ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1", "PORT": closed_port()}
    broken.update({"NAME": "nope", "USER": "nobody", "OPTIONS": {"connect_timeout": 1}})
    conn.settings_dict = broken
    try:
        response = client.get("/readyz")
    finally:
        conn.close()
        conn.settings_dict = original
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


@pytest.mark.django_db
def test_embedded_default_checks_only_what_it_uses(settings):
    from vislivis.health import enabled_checks

    assert not hasattr(settings, "READYZ_CHECKS")  # only production sets the list explicitly
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert enabled_checks() == ["database"]
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/1"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert enabled_checks() == ["database", "redis", "broker"]


@pytest.mark.django_db
def test_production_middleware_answers_before_host_and_https_checks(client, settings):
    settings.MIDDLEWARE = [PRODUCTION_MIDDLEWARE_HEAD, *settings.MIDDLEWARE]
    settings.ALLOWED_HOSTS = ["vislivis.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.READYZ_CHECKS = ["database"]
    # The load balancer calls by IP over plain HTTP.
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").json()["status"] == "ok"
    # Everything else still gets the host check and the HTTPS redirect.
    assert client.get("/api/stores/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    redirect = client.get("/api/stores/", HTTP_HOST="vislivis.example.com")
    assert redirect.status_code == 301
    assert redirect["Location"] == "https://vislivis.example.com/api/stores/"


@pytest.mark.django_db
def test_readyz_mqtt_sends_the_urls_credentials(client):
    seen = []

    def reply(data: bytes):
        seen.append(data)
        return fake_mqtt_reply(0)(data)

    with (
        fake_server(reply) as port,
        override_settings(READYZ_CHECKS=["mqtt"], MQTT_URL=f"mqtt://vislivis:p%40ss@127.0.0.1:{port}"),
    ):
        response = client.get("/readyz")
    assert response.status_code == 200
    connect = seen[0]
    assert connect[0] == 0x10
    assert connect[9] == 0xC2  # username, password, clean session
    assert connect.endswith(b"\x00\x08vislivis\x00\x04p@ss")
