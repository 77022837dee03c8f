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


def test_password_guessing_is_refused_with_429(api, sender_a, settings):
    settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT = 3
    guesser = api(sender_a, password="guess")
    assert [guesser.post(URL).status_code for _ in range(4)] == [401, 401, 401, 429]
    # Even the right password from the locked-out client waits for the window.
    assert api(sender_a).post(URL).status_code == 429


def test_lockout_is_per_client_address(api, sender_a, settings):
    settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT = 2
    guesser = api(sender_a, password="guess")
    for _ in range(3):
        guesser.post(URL, REMOTE_ADDR="203.0.113.9")
    assert guesser.post(URL, REMOTE_ADDR="203.0.113.9").status_code == 429
    # The store's own PC, elsewhere, is not locked out of its account.
    assert api(sender_a).post(URL, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_verified_credentials_keep_working_during_an_attack(api, sender_a, settings):
    settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT = 2
    store_pc = api(sender_a)
    assert store_pc.post(URL, REMOTE_ADDR="10.1.2.3").status_code == 200  # verified and cached
    for _ in range(3):
        api(sender_a, password="guess").post(URL, REMOTE_ADDR="203.0.113.9")
    assert store_pc.post(URL, REMOTE_ADDR="10.1.2.3").status_code == 200
    # The locked-out guesser gets nothing from the cached credential, right password or not.
    assert store_pc.post(URL, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_one_address_sweeping_usernames_is_refused(api, sender_a, settings):
    settings.AUTH_FAILURE_LIMIT_PER_ADDRESS = 4
    from rest_framework.test import APIClient

    from tests.conftest import basic_auth_header

    statuses = []
    for n in range(5):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth_header(f"user{n}", "guess"))
        statuses.append(client.post(URL).status_code)
    assert statuses == [401, 401, 401, 401, 429]


def test_token_login_counts_failures_too(api, sender_a, settings):
    settings.AUTH_FAILURE_LIMIT_PER_ACCOUNT = 2
    client = api()
    bad = {"username": "boyner", "password": "nope"}
    assert [client.post("/api/auth/token", bad, format="json").status_code for _ in range(3)] == [401, 401, 429]
    assert "errors" in client.post("/api/auth/token", bad, format="json").json()
