"""Secrets in kept camera documents (devices.redaction): password values never reach storage.

HX-CCD21 V2.1 firmwares send ``<WifiSSID>`` and ``<WifiPassword>`` in every push; the kept
body must hold neither the password nor any ``*Password``/``*Passwd`` value, and every other
byte as sent (replay parses what the camera sent).
"""

from __future__ import annotations

import importlib
from xml.sax.saxutils import escape, quoteattr

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.models import MinuteCount, Outcome, ReceivedDocument
from devices.redaction import REDACTED, redact_secrets
from devices.services import ingest_document
from devices.xml import parse_document
from tests.devices.conftest import document, sample

SECRET = "s3cr3t-Pa55 w0rd"
WIFI = f"<WifiSSID>Store-Guest</WifiSSID><WifiPassword>{SECRET}</WifiPassword>"


def test_element_form_is_redacted_and_every_other_byte_kept():
    body = document(properties_extra=WIFI)
    redacted = redact_secrets(body)
    assert SECRET.encode() not in redacted
    assert redacted == body.replace(SECRET.encode(), REDACTED.encode())
    assert b"<WifiSSID>Store-Guest</WifiSSID>" in redacted


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (f'<Wifi SSID="guest" Password="{SECRET}"/>', f'<Wifi SSID="guest" Password="{REDACTED}"/>'),
        (f"<Ftp adminPasswd='{SECRET}' Port='21'/>", f"<Ftp adminPasswd='{REDACTED}' Port='21'/>"),
        (f'<Wifi wifi_PASSWORD = "{SECRET}"/>', f'<Wifi wifi_PASSWORD = "{REDACTED}"/>'),
        (f'<Wifi a="1"\n\tpassword="{SECRET}"/>', f'<Wifi a="1"\n\tpassword="{REDACTED}"/>'),
    ],
)
def test_attribute_form_is_redacted_and_every_other_byte_kept(fragment, expected):
    body = document(properties_extra=fragment)
    assert redact_secrets(body) == body.replace(fragment.encode(), expected.encode())


@pytest.mark.parametrize(
    "fragment",
    [
        f"<wifipassword>{SECRET}</wifipassword>",
        f"<FTP_PASSWD>{SECRET}</FTP_PASSWD>",
        f'<AdminPassword Kind="plain">{SECRET}</AdminPassword>',
        f"<WifiPassword><![CDATA[{SECRET}]]></WifiPassword>",
        f"<x:WifiPassword xmlns:x='urn:x'>{SECRET}</x:WifiPassword>",
        f"<WifiPassword>{SECRET}<!-- a comment --> tail</WifiPassword>",  # redacted from the tree
        f"<WifiPassword><Value>{SECRET}</Value></WifiPassword>",  # a secret in a child element
    ],
)
def test_every_spelling_and_shape_of_a_password_element_is_redacted(fragment):
    body = document(properties_extra=fragment)
    redacted = redact_secrets(body)
    assert SECRET.encode() not in redacted and b"tail" not in redacted
    assert parse_document(redacted).properties == parse_document(body).properties


def test_names_that_only_contain_password_and_empty_values_are_left_alone():
    fragment = "<PasswordHint>ask IT</PasswordHint><WifiPassword/><AdminPasswd></AdminPasswd><Ftp Password=''/>"
    body = document(properties_extra=fragment)
    assert redact_secrets(body) == body


def test_utf16_documents_are_redacted_in_their_own_encoding():
    text = document(properties_extra=WIFI).decode().replace('encoding="utf-8"', 'encoding="utf-16"')
    body = text.encode("utf-16")
    redacted = redact_secrets(body)
    assert redacted == text.replace(SECRET, REDACTED).encode("utf-16")
    assert parse_document(redacted).counts == parse_document(body).counts


def test_a_refused_document_is_redacted_too():
    body = b"<Metrics DeviceId='cam-1'><Properties><WifiPassword>" + SECRET.encode() + b"</WifiPassword><broken"
    assert redact_secrets(body) == body.replace(SECRET.encode(), REDACTED.encode())


@settings(max_examples=100, deadline=None)
@given(secret=st.text(min_size=1, max_size=30).filter(lambda s: s.strip()), attribute=st.booleans())
def test_no_password_value_survives_and_the_verdict_is_unchanged(secret, attribute):
    secret = "Zq" + secret
    if attribute:
        fragment = f"<Wifi Ssid='x' WifiPassword={quoteattr(secret)}/>"
    else:
        fragment = f"<WifiPassword>{escape(secret)}</WifiPassword>"
    try:
        body = document(properties_extra=fragment)
        parse_document(body)
    except Exception:  # noqa: BLE001 - only well-formed secrets are the point here
        return
    redacted = redact_secrets(body)
    assert escape(secret).encode() not in redacted and quoteattr(secret)[1:-1].encode() not in redacted
    assert parse_document(redacted).counts == parse_document(body).counts


def test_ingest_keeps_only_the_redacted_body_and_the_console_never_shows_the_secret(store_a, operator):
    body = document(properties_extra=WIFI + f'<Ftp User="cam" Passwd="{SECRET}"/>')
    result = ingest_document(store_a, body)
    assert result.accepted and result.records == 1
    kept = ReceivedDocument.objects.get()
    assert kept.outcome == Outcome.ACCEPTED
    assert kept.raw_body() == body.replace(SECRET.encode(), REDACTED.encode())
    assert kept.size == len(body)  # the size as received
    assert MinuteCount.objects.get().enters == 2
    client = Client()
    client.force_login(operator)
    page = client.get(f"/admin/devices/receiveddocument/{kept.pk}/change/")
    assert page.status_code == 200
    assert b"Store-Guest" in page.content
    assert SECRET.encode() not in page.content and escape(SECRET).encode() not in page.content


def test_a_refused_push_is_kept_redacted(post_xml, store_a):
    body = (
        sample("metrics")
        .replace(b"</Properties>", WIFI.encode() + b"</Properties>")
        .replace(b'Enters="2"', b'Enters="x"')
    )
    assert post_xml(store_a, body).status_code == 400
    kept = ReceivedDocument.objects.get()
    assert kept.outcome == Outcome.REJECTED
    assert kept.raw_body() == body.replace(SECRET.encode(), REDACTED.encode())


def test_migration_redacts_documents_kept_before_redaction(store_a):
    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module("devices.migrations.0003_redact_kept_passwords")
    body = document(properties_extra=WIFI)
    old = ReceivedDocument.objects.create(
        store=store_a, body=body, size=len(body), received_at=timezone.now(), outcome=Outcome.ACCEPTED
    )
    plain = ReceivedDocument.objects.create(
        store=store_a, body=sample("diags"), size=1, received_at=timezone.now(), outcome=Outcome.ACCEPTED
    )
    migration.redact_kept_documents(apps, None)
    old.refresh_from_db()
    plain.refresh_from_db()
    assert old.raw_body() == body.replace(SECRET.encode(), REDACTED.encode())
    assert plain.raw_body() == sample("diags")
