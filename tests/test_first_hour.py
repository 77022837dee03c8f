"""Issue 18, item 5: the small things that got in the way of a new store's first hour.

Store codes (transliterated, brand not repeated), the full ingest URL from ``make run``, no
benchmark tools installed by ``make run``, ISO dates in English, the favicon, and one log line
per request from the development server.
"""

from __future__ import annotations

import io
import os
import re
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date, datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from stores.codes import TURKISH, base_store_code, slug
from stores.models import Store
from tests.services import database_url

REPO = Path(__file__).resolve().parents[1]


# --- store codes ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tenant", "store", "code"),
    [
        ("Koton", "Koton Kadıköy", "koton-kadikoy"),  # the example
        ("Koton", "KOTON İstinye Park", "koton-istinye-park"),
        ("Boyner", "AVM İstanbul", "boyner-avm-istanbul"),
        ("Boyner", "Şişli Çarşı Öğretmenler Ünye Ilgaz", "boyner-sisli-carsi-ogretmenler-unye-ilgaz"),
        ("Koton", "Kotonville", "koton-kotonville"),  # a prefix only counts as a whole word
        ("Mavi", "Koton Kadıköy", "mavi-koton-kadikoy"),
        ("Koton", "Koton", "koton"),
        ("Koton", "台北 101", "koton-101"),
        ("台北", "信義", "store"),
    ],
)
def test_provision_derives_readable_codes(tenant, store, code):
    out = io.StringIO()
    call_command("provision", "--tenant", tenant, "--store", store, stdout=out)
    assert f'"store_code": "{code}"' in out.getvalue()
    assert Store.objects.get(name=store).code == code


@pytest.mark.django_db
def test_a_taken_code_gets_a_number():
    call_command("provision", "--tenant", "Koton", "--store", "Koton Kadıköy", stdout=io.StringIO())
    call_command("provision", "--tenant", "Koton", "--store", "Koton  Kadıköy!", stdout=io.StringIO())
    assert sorted(Store.objects.values_list("code", flat=True)) == ["koton-kadikoy", "koton-kadikoy-2"]


TURKISH_LETTERS = "ıİşŞğĞçÇöÖüÜ"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=80))
def test_codes_are_always_valid_slugs(tenant, store):
    code = base_store_code(tenant, store)
    assert re.fullmatch(r"[a-z0-9_]+(-[a-z0-9_]+)*", code), code
    assert len(code) <= 56


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=TURKISH_LETTERS + string.ascii_letters, min_size=1, max_size=30))
def test_turkish_letters_are_never_dropped(word):
    assert slug(word) == word.translate(TURKISH).lower()


# --- make run -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_prints_the_whole_ingest_url():
    out = io.StringIO()
    call_command("demo", "--no-data", "--base-url", "http://192.168.1.100:5000/", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "device ingest URL" in line]
    assert len(lines) == 2
    for line in lines:
        assert re.search(r"device ingest URL http://192\.168\.1\.100:5000/api/devices/xml/[A-Za-z0-9_-]{20,}/$", line)


def test_demo_loads_every_app_that_has_a_demo_module():
    """Found, not listed: each project app's ``demo.load``, analytics first (INSTALLED_APPS order)."""
    import analytics.demo
    import devices.demo
    from vislivis.management.commands.demo import demo_loaders

    loaders = demo_loaders()
    assert loaders[:2] == [analytics.demo.load, devices.demo.load]
    assert all(loader.__module__.endswith(".demo") for loader in loaders)


def make_dry_run(target: str, *args: str) -> str:
    done = subprocess.run(
        ["make", "-n", "-B", target, *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_make_run_passes_host_and_port_to_the_demo():
    assert "manage.py demo --base-url http://10.0.0.5:5001" in make_dry_run("run", "HOST=10.0.0.5", "PORT=5001")


def test_make_run_installs_no_benchmark_tools():
    packages = (REPO / ".ci" / "apt-packages.txt").read_text().split()
    assert "wrk" not in packages and "apache2-utils" not in packages
    assert "chromium" in packages  # the browser tests' one system package stays
    run = make_dry_run("run")
    assert "wrk" not in run
    assert "scripts/system-packages.sh" in run  # which reads only .ci/apt-packages.txt
    assert "apt-get install -y --no-install-recommends wrk" in make_dry_run("bench")  # bench still gets it


# --- dates, favicon -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime"),
    [
        ("en", "2026-12-01", "2026-12-01 19:10"),
        ("tr", "01 Ara 2026", "01 Ara 2026 19:10"),
        ("zh-hant", "2026年12月1日", "2026年12月1日 19:10"),
    ],
)
def test_dates_are_unambiguous_in_every_language(language, short_date, short_datetime):
    template = Template('{{ d|date:"SHORT_DATE_FORMAT" }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}|{{ d|date }}')
    with translation.override(language):
        rendered = template.render(Context({"d": date(2026, 12, 1), "t": datetime(2026, 12, 1, 19, 10)}))
    first, second, third = rendered.split("|")
    assert (first, second) == (short_date, short_datetime)
    if language == "en":
        assert third == "2026-12-01"


@pytest.mark.django_db
def test_the_english_dashboard_writes_iso_dates(client, viewer_a, store_a):
    client.force_login(viewer_a)
    page = client.get(f"/dashboard/stores/{store_a.pk}/?from=2026-11-24&to=2026-12-01").content.decode()
    assert "2026-11-24 – 2026-12-01, compared with 2026-11-16 – 2026-11-23" in page
    assert not re.search(r"\b\d{2}/\d{2}/\d{4}\b", page)


def test_favicon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    with Image.open(finders.find("favicon.ico")) as icon:
        assert icon.format == "ICO"
        assert (32, 32) in icon.info["sizes"]
    assert finders.find("favicon.svg")
    login_page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login_page


# --- one log line per request ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runserver_logs_each_request_once(db):
    # `make run`'s web line (Procfile.dev): Daphne's runserver with the local settings.
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE_URL", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "vislivis.settings.local",
        "DATABASE_URL": database_url(),  # this test's database (runserver reads its migrations)
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "runserver did not start"
                time.sleep(0.2)
        for path in ("/favicon.ico", "/no-such-page-abc", "/downloads/vislivis-sender.pyz"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()  # noqa: S310
            except urllib.error.HTTPError as exc:
                exc.read()
        time.sleep(1.0)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    def lines_for(path: str) -> list[str]:
        return [line for line in output.splitlines() if f" {path} " in line]

    for path in ("/favicon.ico", "/no-such-page-abc", "/downloads/vislivis-sender.pyz"):
        assert len(lines_for(path)) == 1, (path, output)
        assert "vislivis.request" in lines_for(path)[0]  # the middleware's line, with the request id
    # /favicon.ico redirected to the static file: served by runserver before any middleware,
    # so Daphne's line is its only one, and it is kept.
    assert len(lines_for("/static/favicon.ico")) == 1, output
    assert "django.channels.server" in lines_for("/static/favicon.ico")[0]
