"""A device whose documents are refused, through the real XML ingest API: the refusing alert.

Until the health work adds ``state``/``refusal`` to ``device_health``, ``alerts.sources`` derives
them from ``ReceivedDocument``; once it lands, the same test holds against its contract.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts import checks, sources
from devices.models import ReceivedDocument
from tests.devices.conftest import count_xml, document, object_xml, report_xml

pytestmark = pytest.mark.django_db
BAD = document(reports=[report_xml(objects=[object_xml("0", [count_xml(enters="-3")])])])


def post(client, store, body):
    return client.generic("POST", f"/api/devices/xml/{store.ingest_key}/", body, content_type="text/xml")


def test_refused_documents_raise_one_refusing_alert_and_an_accepted_one_recovers(
    client, store_a, store_b, make_rule, django_capture_on_commit_callbacks
):
    make_rule(store_a.tenant, kinds=["device_refusing", "device_silent"])
    make_rule(store_b.tenant, "ops@rival.example")
    assert post(client, store_a, document()).status_code == 200
    assert post(client, store_a, BAD).status_code == 400

    [state] = sources.device_states(store_a, timezone.now())
    assert state["state"] == "refusing"
    refused = ReceivedDocument.objects.get(outcome="rejected")
    assert state["refusal"] == {
        "reason": refused.error,
        "document_id": refused.pk,
        "received_at": refused.received_at.isoformat(),
        "console_url": f"/admin/devices/receiveddocument/{refused.pk}/change/",
    }
    assert refused.error.startswith("ReportData/Report[1]/Object[1]/Count[1]/@Enters")
    with django_capture_on_commit_callbacks(execute=True):
        [alert] = checks.check_store(store_a, timezone.now())
        checks.check_store(store_b, timezone.now())
    assert (alert.kind, alert.phase) == ("device_refusing", "problem")
    [sent] = mail.outbox
    assert sent.to == ["ops@boyner.example"]
    assert "device Door sends data that is refused (ReportData/Report[1]/Object[1]/Count[1]/@Enters" in sent.body

    assert post(client, store_a, document()).status_code == 200  # fixed firmware: accepted again
    with django_capture_on_commit_callbacks(execute=True):
        [recovery] = checks.check_store(store_a, timezone.now() + timedelta(seconds=1))
    assert recovery.phase == "recovery"
    assert [m.to for m in mail.outbox] == [["ops@boyner.example"]] * 2
