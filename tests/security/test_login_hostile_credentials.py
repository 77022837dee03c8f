"""Credentials no database can hold (NUL, lone surrogates) are a failed login, never a 500.

PostgreSQL refuses NUL in text and psycopg refuses lone surrogates, so before the backend
checked them a Basic header ``sender\\0A:x`` was a 500 before any login took place.
"""

from __future__ import annotations

import base64
import json

from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import PASSWORD

HEARTBEAT = "/api/health/heartbeat"
TOKEN = "/api/auth/token"
SETUP = "/api/settings/setup"
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def basic_raw(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


def raw_json(client: APIClient, url: str, text: str):
    """A body as an attacker writes it (json.dumps escapes surrogates as \\ud800, as they would)."""
    return client.post(url, text, content_type="application/json")


def test_nul_in_a_basic_username_is_401(sender_a):
    for raw in (b"boyner\x00A:x", b"boyner:s3cret\x00pass", b"\x00:\x00"):
        response = APIClient().post(HEARTBEAT, HTTP_AUTHORIZATION=basic_raw(raw))
        assert response.status_code == 401, raw
    # And the account itself still works from there (3 failures are far from the limit).
    good = basic_raw(f"{sender_a.username}:{PASSWORD}".encode())
    assert APIClient().post(HEARTBEAT, HTTP_AUTHORIZATION=good).status_code == 200


def test_surrogates_and_nul_in_token_login_are_400(sender_a):
    for body in (
        {"username": "\ud800", "password": "x"},
        {"username": "boyner", "password": "\udfff"},
        {"username": "boy\x00ner", "password": "x"},
        {"username": "boyner", "password": "s3cret\x00pass"},
    ):
        response = raw_json(APIClient(), TOKEN, json.dumps(body))
        assert response.status_code == 400, body
        assert set(response.json()["errors"]) <= {"username", "password"}


def test_surrogates_and_nul_in_body_credentials_are_400_naming_the_field(sender_a):
    """The safe JSON parser refuses such a body before any login runs: a 400 naming the field."""
    for username, password in (("\ud800", "x"), ("boyner", "\ud800"), ("boy\x00ner", PASSWORD)):
        body = {"username": username, "password": password, "site_name": "AVM", "cameras": []}
        response = raw_json(APIClient(), SETUP, json.dumps(body))
        assert response.status_code == 400, body
        assert set(response.json()["errors"]) <= {"username", "password"}, response.json()


@HYPOTHESIS
@given(username=st.text(max_size=40), password=st.text(max_size=40))
def test_any_token_login_body_is_answered_without_a_server_error(sender_a, username, password):
    cache.clear()  # each example starts below the limits, so the backend really runs
    response = raw_json(APIClient(), TOKEN, json.dumps({"username": username, "password": password}))
    assert response.status_code in (400, 401), (response.status_code, username, password)


@HYPOTHESIS
@given(raw=st.binary(max_size=60))
def test_any_basic_header_is_answered_without_a_server_error(sender_a, raw):
    cache.clear()
    response = APIClient().post(HEARTBEAT, HTTP_AUTHORIZATION=basic_raw(raw))
    assert response.status_code == 401, (response.status_code, raw)
