"""Outbound URLs a tenant can set never reach the server's own network (issue 13, item 2).

Rig ``api_url``, camera ``ws_url`` and the VisitorsFlow ``export_url`` accept only http(s)/ws(s)
to public addresses unless an operator allows more (``OUTBOUND_ALLOWED_NETWORKS``). Checked when
saved and again when sending, against real local servers that must receive nothing.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pantilt.models import Rig, RigCamera
from visitorsflow.models import ExportAttempt, PersonEvent, Site
from vislivis import outbound


@pytest.fixture
def closed(settings):
    """The production default: nothing internal allowed."""
    settings.OUTBOUND_ALLOWED_NETWORKS = []


class Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        self.server.hits.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        location = self.server.location
        self.send_response(302 if location else 200)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """Real HTTP servers on 127.0.0.1 that record every request they receive."""
    started = []

    def start(location: str = "") -> ThreadingHTTPServer:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        httpd.hits, httpd.location = [], location
        httpd.url = f"http://127.0.0.1:{httpd.server_port}/in"
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return httpd

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


REFUSED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://2130706433/", "loopback"),  # decimal
    ("http://0x7f.1/", "loopback"),  # hex, short form
    ("http://0177.0.0.1/", "loopback"),  # octal
    ("http://127.1/", "loopback"),
    ("http://localhost:8000/", "loopback"),  # a name that resolves inward
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped IPv6
    ("http://[::ffff:a00:1]/", "private"),
    ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 of 169.254.169.254
    ("http://[2002:c0a8:101::]/", "private"),  # 6to4 of 192.168.1.1
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://10.0.0.5:5000/cmd", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://192.168.1.100:5000/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://100.64.0.1/", "shared"),
    ("http://224.0.0.251/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://240.0.0.1/", "private"),  # reserved (Python files it under private too)
    ("http://192.0.2.1/", "private"),  # documentation range
    ("gopher://8.8.8.8/", "only http://"),
    ("file:///etc/passwd", "only http://"),
    ("http:///nohost", "no host"),
    ("http://8.8.8.8:99999/", "not a valid URL"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED)
def test_internal_and_odd_urls_are_refused(closed, url, why):
    with pytest.raises(outbound.OutboundRefused, match=why):
        outbound.check_url(url)


def test_public_addresses_pass(closed):
    assert outbound.check_url("https://8.8.8.8/api") == ["8.8.8.8"]
    assert outbound.check_url("http://[2001:4860:4860::8888]/") == ["2001:4860:4860::8888"]


private_ints = st.one_of(
    st.integers(int(ipaddress.IPv4Address("127.0.0.0")), int(ipaddress.IPv4Address("127.255.255.255"))),
    st.integers(int(ipaddress.IPv4Address("10.0.0.0")), int(ipaddress.IPv4Address("10.255.255.255"))),
    st.integers(int(ipaddress.IPv4Address("169.254.0.0")), int(ipaddress.IPv4Address("169.254.255.255"))),
    st.integers(int(ipaddress.IPv4Address("192.168.0.0")), int(ipaddress.IPv4Address("192.168.255.255"))),
)


def spellings(value: int) -> list[str]:
    a, b, c, d = ipaddress.IPv4Address(value).packed
    return [
        str(value),
        hex(value),
        f"0{value:o}",
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"0x{a:x}.0x{b:x}.0x{c:x}.0x{d:x}",
        f"0{a:o}.{b}.0x{c:x}.{d}",
        f"[::ffff:{a}.{b}.{c}.{d}]",
    ]


@hsettings(max_examples=60, deadline=None)
@given(value=private_ints)
def test_every_spelling_of_an_internal_ipv4_address_is_refused(value):
    from django.test import override_settings

    with override_settings(OUTBOUND_ALLOWED_NETWORKS=[]):
        for host in spellings(value):
            with pytest.raises(outbound.OutboundRefused):
                outbound.check_url(f"http://{host}/x")


def test_operator_allows_networks_and_names(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = "10.0.0.0/24, localhost"  # as the environment gives it

    assert outbound.check_url("http://10.0.0.5:5000/cmd") == ["10.0.0.5"]
    assert outbound.check_url("http://localhost/")  # the name is allowed, whatever it resolves to
    with pytest.raises(outbound.OutboundRefused, match="10.0.1.5 is a private address"):
        outbound.check_url("http://10.0.1.5/")
    with pytest.raises(outbound.OutboundRefused, match="loopback"):
        outbound.check_url("http://0x7f.1/")


@pytest.mark.django_db
def test_model_fields_refuse_internal_urls(closed, store_a, tenant_a):
    site = Site(store=store_a, ssid="SS-X", export_url="http://169.254.169.254/latest")
    rig = Rig(tenant=tenant_a, device_id="r1", api_url="http://2130706433/cmd")

    with pytest.raises(ValidationError) as site_error:
        site.full_clean()
    with pytest.raises(ValidationError) as rig_error:
        rig.full_clean()
    rig.api_url = ""
    rig.save()
    camera = RigCamera(rig=rig, camera_id="cam_rgb", kind="rgb", ws_url="ws://[::1]:8765/cam")
    with pytest.raises(ValidationError) as camera_error:
        camera.full_clean()

    assert "link-local" in site_error.value.message_dict["export_url"][-1]
    assert "loopback" in rig_error.value.message_dict["api_url"][-1]
    assert "loopback" in camera_error.value.message_dict["ws_url"][-1]


@pytest.mark.django_db
def test_export_is_checked_again_when_sending(closed, server, store_a, tmp_path):
    """A row saved before this check existed (or a name whose DNS changed) is refused at send time."""
    from datetime import timedelta

    from django.utils import timezone

    from visitorsflow.export import export_site

    api = server()
    site = Site.objects.create(store=store_a, ssid="SS-X", watch_dir=str(tmp_path))
    Site.objects.filter(pk=site.pk).update(export_url=api.url)
    site.refresh_from_db()
    PersonEvent.objects.create(
        site=site, person_id=1, in_out=0, time=timezone.now() - timedelta(seconds=1), frame_number=1
    )

    outcome = export_site(site)

    assert outcome.attempt.status == ExportAttempt.Status.FAILED
    assert outcome.attempt.error.startswith("refused: 127.0.0.1 is a loopback address")
    assert outcome.retryable is False
    assert api.hits == []


def test_the_connection_itself_goes_only_to_checked_addresses(closed, server):
    """Even past the URL check (a resolver answering differently the second time), the socket is
    opened only to an address checked at connect time."""
    api = server()

    with outbound.session() as http, pytest.raises(outbound.OutboundRefused, match="loopback"):
        http.post(api.url.replace("127.0.0.1", "localhost"), data=b"x", timeout=5)
    assert api.hits == []


def test_redirects_are_not_followed(server, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    inner = server()
    outer = server(location=inner.url)

    response = outbound.post(outer.url, data=b"x", timeout=5)

    assert response.status_code == 302
    assert (outer.hits, inner.hits) == (["/in"], [])


def test_rig_command_is_refused_at_send_time(closed, server):
    from pantilt.session import _post

    api = server()

    status, response = _post(api.url, {"command_id": "x"})

    assert status == "error"
    assert response["error"].startswith("refused: 127.0.0.1 is a loopback address")
    assert api.hits == []


def test_camera_websocket_is_refused_before_connecting(closed, tmp_path):
    import socket

    from pantilt.recorder import record

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    try:
        recordings = record([("cam_rgb", f"ws://localhost:{listener.getsockname()[1]}/cam_rgb")], 0.5, tmp_path)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()

    assert recordings[0].connections == 0
    assert recordings[0].outages[0]["error"].startswith("refused: 127.0.0.1 is a loopback address")
