"""Every login surface, tried the same way: one attempt from an address, one outcome.

Outcomes: ``"ok"`` (logged in), ``"refused"`` (wrong password, said so), ``"locked"`` (429 from
the login limits). Each attempt uses a fresh client, as an attacker's script would.
"""

from __future__ import annotations

import base64

from django.test import Client
from rest_framework.test import APIClient

SURFACES = ("admin", "dashboard", "token", "basic", "body")
HTML_SURFACES = ("admin", "dashboard")
LOCKED_TEXT = "Too many failed logins"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def attempt(surface: str, username: str, password: str, address: str = "203.0.113.9", **extra):
    """One login on ``surface`` from ``address``; ``extra`` are more request headers (META)."""
    meta = {"REMOTE_ADDR": address, **extra}
    if surface == "admin":
        return Client().post("/admin/login/", {"username": username, "password": password, "next": "/admin/"}, **meta)
    if surface == "dashboard":
        return Client().post("/accounts/login/", {"username": username, "password": password}, **meta)
    if surface == "token":
        body = {"username": username, "password": password}
        return APIClient().post("/api/auth/token", body, format="json", **meta)
    if surface == "basic":
        return APIClient().post("/api/health/heartbeat", HTTP_AUTHORIZATION=basic(username, password), **meta)
    if surface == "body":
        body = {"username": username, "password": password, "site_name": "AVM", "cameras": []}
        return APIClient().post("/api/settings/setup", body, format="json", **meta)
    raise ValueError(surface)


def outcome(surface: str, response) -> str:
    """What the attempt came to, checked strictly: anything unexpected fails the test."""
    status = response.status_code
    if status == 429:
        if surface in HTML_SURFACES:
            assert LOCKED_TEXT in response.content.decode(), "the page must say why"
        else:
            assert "errors" in response.json()
        assert int(response["Retry-After"]) > 0
        return "locked"
    if surface in HTML_SURFACES:
        if status == 302:
            return "ok"
        assert status == 200, status
        assert response.context["form"].errors, "a refused login shows the form's error"
        return "refused"
    if status in (200, 201):
        return "ok"
    assert status == 401, (status, response.content)
    return "refused"


def tries(surface: str, username: str, password: str, count: int, address: str = "203.0.113.9", **extra) -> list:
    return [outcome(surface, attempt(surface, username, password, address, **extra)) for _ in range(count)]
