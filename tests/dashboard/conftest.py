"""Fixtures of the dashboard tests: an ASGI live server (HTTP and WebSockets) and Chromium.

Django's ``live_server`` speaks WSGI only, so Daphne runs in a thread of the test process: it
shares the test database and the channel layer, in-memory or Redis when
``REDIS_URL`` is set. Its reactor can run once per process, hence one server per session.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Debian's Chromium (what `make install` puts in place where it can); on another system point
# CHROMIUM_PATH at any Chromium or Chrome binary.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of Daphne serving the project's ASGI application."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server  # installs Twisted's asyncio reactor (not run in this thread)
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections
    from twisted.internet import reactor

    from vislivis.asgi import application

    # Server threads must not keep connections open: PostgreSQL cannot drop a test database
    # that a finished request thread still holds.
    connections["default"].settings_dict["CONN_MAX_AGE"] = 0
    port = free_port()
    server = Server(
        ASGIStaticFilesHandler(application),
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=port),
        signal_handlers=False,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="daphne-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("Daphne did not start") from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright, only for the module that uses it: Playwright's
    sync API keeps an event loop in this thread while it runs, which other tests must not see."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: run `make install` as root on Debian/Ubuntu (installs the "
            "'chromium' package), or set CHROMIUM_PATH to a Chromium/Chrome binary."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/dashboard/")
