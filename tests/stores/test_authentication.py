"""HTTP Basic is verified once per window, and a password change invalidates it at once."""

from __future__ import annotations

from unittest import mock

from django.contrib.auth import hashers

URL = "/api/health/heartbeat"


def test_password_hash_runs_once_for_repeated_requests(api, sender_a):
    client = api(sender_a)
    with mock.patch("django.contrib.auth.base_user.check_password", wraps=hashers.check_password) as check:
        for _ in range(5):
            assert client.post(URL).status_code == 200
    assert check.call_count == 1


def test_password_change_invalidates_cached_credentials(api, sender_a):
    client = api(sender_a)
    assert client.post(URL).status_code == 200
    sender_a.set_password("new-password")
    sender_a.save()
    assert client.post(URL).status_code == 401
    assert api(sender_a, password="new-password").post(URL).status_code == 200


def test_deactivated_user_is_refused_even_when_cached(api, sender_a):
    client = api(sender_a)
    assert client.post(URL).status_code == 200
    sender_a.is_active = False
    sender_a.save()
    assert client.post(URL).status_code == 401


def test_token_endpoint_rejects_bad_credentials(api, sender_a):
    response = api().post("/api/auth/token", {"username": "boyner", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert api().post("/api/auth/token", {"username": "boyner"}, format="json").status_code == 400


def test_token_is_stable(api, sender_a):
    first = api().post("/api/auth/token", {"username": "boyner", "password": "s3cret-pass"}, format="json").json()
    second = api().post("/api/auth/token", {"username": "boyner", "password": "s3cret-pass"}, format="json").json()
    assert first == second
