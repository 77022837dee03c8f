"""The camera push served outside DRF answers exactly as the API view did (429, 405, 413, 404).

POST goes to the lean ``xml_ingest`` function; the other methods and the OpenAPI schema still
go through ``XmlIngestView``. These tests pin the replies that could drift between the two.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from freezegun import freeze_time

from devices.api.views import XmlIngestView, xml_ingest
from devices.models import MinuteCount, ReceivedDocument
from devices.services import STORE_OF_KEY_SQL
from tests.devices.conftest import sample
from tests.devices.test_ingest_api import asgi_request

START = datetime(2026, 3, 2, 9, 0, 20, tzinfo=UTC)


def limit_ingest_rate(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "ingest_key_burst": rate},
    }


def test_post_is_routed_to_the_lean_view_documented_as_the_api_view(store_a):
    match = resolve(store_a.ingest_path)
    assert match.func is xml_ingest
    assert match.func.cls is XmlIngestView


def test_throttled_push_is_the_api_429_with_retry_after(post_xml, store_a, settings):
    limit_ingest_rate(settings, "2/min")
    with freeze_time(START):
        assert [post_xml(store_a, sample("diags")).status_code for _ in range(2)] == [200, 200]
        refused = post_xml(store_a, sample("metrics"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    assert refused.json() == {"errors": {"detail": ["Request was throttled. Expected available in 40 seconds."]}}
    assert ReceivedDocument.objects.count() == 2
    assert not MinuteCount.objects.exists()


def test_unknown_key_is_counted_too_and_looked_up_once(post_xml, db, settings):
    """A scanner guessing keys is throttled per key tried; a miss is one indexed lookup, no ORDER BY."""
    with CaptureQueriesContext(connection) as queries:
        response = post_xml("no-such-key", sample("diags"))
    assert response.status_code == 404
    assert len(queries) == 0  # the lookup is one prepared statement on the raw connection, no ORM
    assert "ORDER BY" not in STORE_OF_KEY_SQL
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + STORE_OF_KEY_SQL, ["no-such-key"])
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "Index" in plan and "stores_store_ingest_key" in plan
    limit_ingest_rate(settings, "1/min")
    with freeze_time(START):
        assert post_xml("guess-1", b"<Diags/>").status_code == 404
        assert post_xml("guess-1", b"<Diags/>").status_code == 429


def test_get_is_the_api_405(client, store_a):
    response = client.get(store_a.ingest_path)
    assert response.status_code == 405
    assert response.json() == {"errors": {"detail": ['Method "GET" not allowed.']}}
    assert "POST" in response["Allow"]


def test_options_still_describes_the_endpoint(client, store_a):
    response = client.options(store_a.ingest_path)
    assert response.status_code == 200
    assert response.json()["name"] == "Xml Ingest"


def test_lean_view_reads_a_body_without_content_length(store_a, settings):
    request = asgi_request(store_a.ingest_path, sample("metrics"))
    assert xml_ingest(request, ingest_key=store_a.ingest_key).status_code == 200
    settings.MAX_REQUEST_BODY_BYTES = 2048
    request = asgi_request(store_a.ingest_path, sample("metrics") + b" " * 2048)
    response = xml_ingest(request, ingest_key=store_a.ingest_key)
    assert response.status_code == 413
    assert MinuteCount.objects.count() == 3


class StatementCounter:
    """Counts the statements psycopg sends on the raw connection (they still run, for real)."""

    def __init__(self, monkeypatch):
        import psycopg

        self.statements: list[str] = []
        real = psycopg.Cursor.execute

        def execute(cursor, query, *args, **kwargs):
            self.statements.append(str(query))
            return real(cursor, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, "execute", execute)


def test_an_accepted_push_is_one_statement_with_the_store_found_by_its_key(post_xml, store_a, settings, monkeypatch):
    settings.DEVICES_APPLY_INLINE = False
    counter = StatementCounter(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        response = post_xml(store_a, sample("metrics"))
    assert response.status_code == 200 and response.json()["code"] == "0"
    assert len(queries) == 0 and len(counter.statements) == 1
    assert "FROM stores_store s WHERE s.ingest_key" in counter.statements[0]
    kept = ReceivedDocument.objects.get()
    assert (kept.store_id, kept.outcome) == (store_a.pk, "pending")


def test_an_unknown_key_is_404_whatever_it_sends_and_keeps_nothing(post_xml, store_a, settings):
    settings.MAX_REQUEST_BODY_BYTES = 2000
    for body in (sample("metrics"), b"<Metrics><oops", b"<Diags/>"):
        assert post_xml("no-such-key", body).status_code == 404
        assert post_xml("k" * 65, body).status_code == 404
    assert not ReceivedDocument.objects.exists()
    # The store's own key: a refusal is kept beside the store, a body over the limit is a 413.
    assert post_xml(store_a, b"<Metrics><oops").status_code == 400
    assert post_xml(store_a, b"x" * 5000).status_code == 413
    assert list(ReceivedDocument.objects.values_list("store_id", "outcome")) == [(store_a.pk, "rejected")]


def test_the_success_reply_is_the_bytes_json_response_would_send():
    from django.http import JsonResponse

    from devices.api.views import accepted

    for records in (0, 1, 3, 86_400):
        reply = accepted(records)
        expected = JsonResponse({"code": "0", "message": "success", "records": records})
        assert reply.content == expected.content
        assert reply["Content-Type"] == expected["Content-Type"] == "application/json"
