"""Global throttles: a well-behaved store or camera is never throttled; a runaway one is.

Rates are the real defaults of base settings; the clock is frozen and moved with freezegun
(the throttles read ``time.time``), so nothing here depends on how fast the machine is.
The counting itself (windows, rollover, Redis and cache paths) is in test_throttle_counting.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import path
from freezegun import freeze_time
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.models import HourlyCustomers
from tests.factories import PASSWORD
from vislivis.urls import urlpatterns as project_urlpatterns

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEARTBEAT = "/api/health/heartbeat"
CUSTOMERS = "/api/analytics/customers"


class FakeIngestView(APIView):
    """Stands in for the camera XML endpoint: the throttle keys on the path, not the view."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request, key):
        return Response({"code": "0"})


urlpatterns = [path("api/devices/xml/<str:key>/", FakeIngestView.as_view()), *project_urlpatterns]


def test_rates_in_settings_are_the_documented_ones(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "login": "30/min",
        "account_burst": "300/min",
        "account": "6000/hour",
        "ingest_key_burst": "300/min",
        "ingest_key": "12000/hour",
    }


def test_hours_of_a_well_behaved_store_are_never_throttled(api, sender_a, store_a):
    """Heartbeat every 5 minutes, ~20 data posts an hour (one a batch of 1,000 records).

    Three hours fill both the minute and the hour window more than once."""
    client = api(sender_a)
    statuses = set()
    with freeze_time(START) as clock:
        for hour in range(3):
            for minute in range(0, 60, 5):
                statuses.add(client.post(HEARTBEAT).status_code)
                if minute < 20:  # a burst of posts at the top of the hour, as the seed's cron does
                    for _ in range(4 if minute == 0 else 3):
                        body = {"entered": 3, "exited": 1, "timestamp": f"2026-03-02T{hour:02d}:00"}
                        statuses.add(client.post(CUSTOMERS, body, format="json").status_code)
                clock.tick(timedelta(minutes=5))
            if hour == 1:
                batch = [{"camera_id": f"cam-{i}", "entered": 1} for i in range(1000)]
                statuses.add(client.post(CUSTOMERS, batch, format="json").status_code)
    assert statuses <= {200, 201}
    assert HourlyCustomers.objects.filter(store=store_a).count() == 3 + 1000


def test_runaway_account_is_throttled_alone(api, sender_a, sender_b):
    looping, other = api(sender_a), api(sender_b)
    with freeze_time(START) as clock:
        codes = [looping.post(HEARTBEAT).status_code for _ in range(300)]
        assert set(codes) == {200}
        throttled = looping.post(HEARTBEAT)
        assert throttled.status_code == 429
        assert throttled["Retry-After"] == "60"
        assert "errors" in throttled.json()
        # Another tenant's store is not affected by the first one's loop.
        assert other.post(HEARTBEAT).status_code == 200
        clock.tick(timedelta(seconds=61))
        assert looping.post(HEARTBEAT).status_code == 200


def test_login_is_limited_per_client_address(api, sender_a, sender_b, settings):
    # This is about the DRF throttle; the failed-login lockout (tests/stores) would answer first.
    settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT = settings.AUTH_FAILURE_LIMIT_PER_ADDRESS = 1000
    client = api()
    attacker, store_pc = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "10.1.2.3"}
    right, wrong = {"username": "boyner", "password": PASSWORD}, {"username": "boyner", "password": "guess"}
    with freeze_time(START) as clock:
        for _ in range(30):
            assert client.post("/api/auth/token", wrong, format="json", **attacker).status_code == 401
        blocked = client.post("/api/auth/token", right, format="json", **attacker)
        assert blocked.status_code == 429
        other = {"username": sender_b.username, "password": PASSWORD}
        assert client.post("/api/auth/token", other, format="json", **attacker).status_code == 429
        # Never per username: the account logs in fine from its own address.
        assert client.post("/api/auth/token", right, format="json", **store_pc).status_code == 200
        clock.tick(timedelta(seconds=61))
        again = client.post("/api/auth/token", right, format="json", **attacker)
        assert again.status_code == 200


def test_a_store_fetching_a_token_before_every_post_is_not_throttled(api, sender_a):
    client = api()
    with freeze_time(START) as clock:
        for _ in range(4 * 32):  # a token per request, 32 requests an hour, for four hours
            response = client.post("/api/auth/token", {"username": "boyner", "password": PASSWORD}, format="json")
            assert response.status_code == 200
            clock.tick(timedelta(seconds=112))


def test_login_with_malformed_body_is_400_not_throttle_error(api, db):
    response = api().post("/api/auth/token", "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.urls(__name__)
def test_cameras_of_a_store_are_never_throttled(api, db):
    """Ten counters on one store key, each pushing Metrics, RTMetrics and Diags every minute."""
    client = api()
    statuses = set()
    with freeze_time(START) as clock:
        for _minute in range(20):
            for _camera in range(10):
                for _document in range(3):
                    statuses.add(
                        client.post("/api/devices/xml/store-key-1/", "<Diags/>", content_type="text/xml").status_code
                    )
            clock.tick(timedelta(minutes=1))
    assert statuses == {200}


@pytest.mark.urls(__name__)
def test_runaway_ingest_key_is_throttled_alone(api, db):
    client = api()
    with freeze_time(START):
        for _ in range(300):
            assert client.post("/api/devices/xml/looping-key/", "<Diags/>", content_type="text/xml").status_code == 200
        assert client.post("/api/devices/xml/looping-key", "<Diags/>", content_type="text/xml").status_code == 429
        assert client.post("/api/devices/xml/other-key/", "<Diags/>", content_type="text/xml").status_code == 200


def test_ingest_key_is_not_stored_in_the_cache_key():
    from django.test import RequestFactory
    from rest_framework.request import Request

    from vislivis.throttles import Window, counter_key, identities

    request = Request(RequestFactory().post("/api/devices/xml/secret-key-123/"))
    request.user = None
    found = identities(request)
    # Only the ingest key's windows apply (no account), and only a digest of the key is kept.
    assert [scopes for _, scopes in found] == [("ingest_key_burst", "ingest_key")]
    key = counter_key(Window("ingest_key_burst", 300, 60), found[0][0], START.timestamp())
    assert key.startswith("throttle:ingest_key_burst:")
    assert "secret-key-123" not in key


DIAGS = (Path(__file__).resolve().parents[1] / "devices" / "samples" / "diags.xml").read_bytes()


def test_real_ingest_endpoint_counters_of_a_store_are_not_throttled(api, store_a, store_b):
    """Four counters on one store, each pushing Metrics/RTMetrics/Diags every minute, 10 minutes."""
    client = api()
    statuses = set()
    with freeze_time(START) as clock:
        for _minute in range(10):
            for _push in range(4 * 3):
                statuses.add(client.post(store_a.ingest_path, DIAGS, content_type="text/xml").status_code)
            clock.tick(timedelta(minutes=1))
    assert statuses == {200}


def test_real_ingest_endpoint_runaway_key_is_throttled_alone(api, store_a, store_b, settings):
    # Same classes, a lower rate: the real endpoint is slower than the fake one above.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ingest_key_burst": "20/min"},
    }
    client = api()
    with freeze_time(START):
        for _ in range(20):
            assert client.post(store_a.ingest_path, DIAGS, content_type="text/xml").status_code == 200
        throttled = client.post(store_a.ingest_path, DIAGS, content_type="text/xml")
        assert throttled.status_code == 429
        assert client.post(store_b.ingest_path, DIAGS, content_type="text/xml").status_code == 200
