"""/readyz says how fresh the camera data is (issue 17): pending documents and the apply lag,
"degraded" past the threshold but still 200 (vislivis.health says why a lag never fails readiness)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from devices.freshness import apply_lag_warn_seconds
from devices.models import ReceivedDocument


def pending(store, seconds_ago: float, outcome: str = "pending") -> ReceivedDocument:
    return ReceivedDocument.objects.create(
        store=store,
        device_key="door-1",
        kind="Metrics",
        body=b"<Metrics/>",
        size=10,
        received_at=timezone.now() - timedelta(seconds=seconds_ago),
        outcome=outcome,
    )


@pytest.fixture
def database_only(settings):
    settings.READYZ_CHECKS = ["database"]
    settings.DEVICES_APPLY_LAG_WARN_SECONDS = 60


@pytest.mark.django_db
def test_nothing_pending_is_ok_with_zero_lag(client, database_only, store_a):
    pending(store_a, 500, outcome="accepted")  # applied documents are not waiting, however old
    pending(store_a, 900, outcome="rejected")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["pending_documents"], body["apply_lag_seconds"]) == (0, 0.0)


@pytest.mark.django_db
def test_pending_count_and_the_oldest_ones_age_across_every_store(client, database_only, store_a, store_b):
    pending(store_a, 5)
    pending(store_a, 12)
    pending(store_b, 2)
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["pending_documents"] == 3
    assert 12 <= body["apply_lag_seconds"] < 20  # the oldest (12 s), plus the test's own time
    assert body["apply_lag_warn_seconds"] == 60.0


@pytest.mark.django_db
def test_a_lag_past_the_threshold_is_degraded_and_still_200(client, database_only, store_a, settings):
    pending(store_a, 75)
    response = client.get("/readyz")
    # A web node that keeps accepting pushes must stay in the load balancer while the appliers lag.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["down"] == []
    assert body["apply_lag_seconds"] >= 75
    settings.DEVICES_APPLY_LAG_WARN_SECONDS = 120
    assert client.get("/readyz").json()["status"] == "ok"


@pytest.mark.django_db
def test_a_dependency_down_outranks_the_lag(client, store_a, settings):
    from tests.production.services import closed_port

    settings.READYZ_CHECKS = ["database", "redis"]
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    pending(store_a, 300)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["pending_documents"] == 1  # the database answered: the figure is still there


@pytest.mark.django_db
def test_the_answer_names_no_brand_store_or_device(client, database_only, store_a):
    pending(store_a, 3)
    text = client.get("/readyz").content.decode()
    assert store_a.name not in text and store_a.code not in text and "door-1" not in text
    assert store_a.tenant.name not in text and store_a.ingest_key not in text


def test_database_down_reports_unknown_freshness(client, settings):
    from django.db import connections

    from tests.production.services import closed_port

    settings.READYZ_CHECKS = ["database"]
    conn = connections["default"]
    original = conn.settings_dict.copy()
    conn.close()
    broken = {**original, "HOST": "127.0.0.1", "PORT": closed_port(), "NAME": "nope", "USER": "nobody"}
    conn.settings_dict = {**broken, "OPTIONS": {"connect_timeout": 1}}
    try:
        response = client.get("/readyz")
    finally:
        conn.close()
        conn.settings_dict = original
    assert response.status_code == 503
    body = json.loads(response.content)
    assert (body["pending_documents"], body["apply_lag_seconds"]) == (None, None)


@pytest.mark.django_db
def test_a_slow_backlog_read_is_unknown_not_a_hang(client, database_only, store_a, monkeypatch):
    """The count runs under the checks' one-second statement timeout; past it the figures are null."""
    import devices.applier

    def slow_backlog():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(3)")
        raise AssertionError("the statement timeout should have stopped the sleep")

    monkeypatch.setattr(devices.applier, "backlog", slow_backlog)
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["pending_documents"], body["apply_lag_seconds"]) == ("ok", None, None)


@pytest.mark.django_db
def test_a_bad_threshold_falls_back_to_the_default(client, database_only, settings, caplog):
    settings.DEVICES_APPLY_LAG_WARN_SECONDS = "soon"
    with pytest.raises(ImproperlyConfigured):
        apply_lag_warn_seconds()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["apply_lag_warn_seconds"] == 60.0
    assert "DEVICES_APPLY_LAG_WARN_SECONDS" in caplog.text


def test_threshold_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("DEVICES_APPLY_LAG_WARN_SECONDS", "15.5")
    assert apply_lag_warn_seconds() == 15.5
    monkeypatch.setenv("DEVICES_APPLY_LAG_WARN_SECONDS", "0")
    with pytest.raises(ImproperlyConfigured):
        apply_lag_warn_seconds()
    monkeypatch.delenv("DEVICES_APPLY_LAG_WARN_SECONDS")
    assert apply_lag_warn_seconds() == 60.0
