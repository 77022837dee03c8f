"""Ingest keys are credentials: no log line may carry one whole."""

from __future__ import annotations

import io
import logging

import pytest

from vislivis.logging import JsonFormatter, RequestIdFilter, redact_secrets


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("vislivis.request", "django.request", "devices")]
    for logger in loggers:
        logger.addHandler(handler)
    yield stream
    for logger in loggers:
        logger.removeHandler(handler)


def test_redact_keeps_a_prefix_only():
    assert (
        redact_secrets("POST /api/devices/xml/9RknQIVM048qI6a3PZ96rtpNhOWRK1AU/ 400")
        == "POST /api/devices/xml/9Rkn…/ 400"
    )
    assert redact_secrets("/api/stores/1/customers") == "/api/stores/1/customers"


def test_rejected_camera_push_logs_no_key(client, store_a, captured):
    key = store_a.ingest_key
    response = client.post(f"/api/devices/xml/{key}/", b"<Metrics", content_type="text/xml")
    assert response.status_code == 400
    client.post(f"/api/devices/xml/{key}/", b"<Diags/>", content_type="text/xml")
    output = captured.getvalue()
    assert f"/api/devices/xml/{key[:4]}…" in output
    assert key not in output
