"""The client address: REMOTE_ADDR, or the trusted proxy's entry of X-Forwarded-For; nothing else."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from vislivis.client_address import client_ip

PROXY = "172.18.0.5"


def request(remote: str = PROXY, **meta):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **meta)


@pytest.mark.parametrize(
    "meta",
    [
        {"HTTP_X_FORWARDED_FOR": "198.51.100.7"},
        {"HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.0.0.1"},
        {"HTTP_X_REAL_IP": "198.51.100.7"},
        {"HTTP_FORWARDED": "for=198.51.100.7"},
        {"HTTP_TRUE_CLIENT_IP": "198.51.100.7", "HTTP_CF_CONNECTING_IP": "198.51.100.7"},
    ],
)
def test_without_a_proxy_every_client_header_is_ignored(meta, settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(request("203.0.113.9", **meta)) == "203.0.113.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),  # nginx's $proxy_add_x_forwarded_for with nothing before
        ("6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own claim is left of the proxy's
        ("1.1.1.1,2.2.2.2 ,  198.51.100.7", "198.51.100.7"),
        ("2001:DB8::1", "2001:db8::1"),  # canonical form: one counter per address
        ("", PROXY),  # not through the proxy: REMOTE_ADDR
        ("198.51.100.7, not-an-address", PROXY),  # the proxy always appends an address
    ],
)
def test_behind_one_proxy_the_rightmost_entry_counts(forwarded, expected, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    meta = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_ip(request(**meta, HTTP_X_REAL_IP="6.6.6.6")) == expected


def test_behind_two_proxies_the_second_entry_from_the_right_counts(settings):
    settings.TRUSTED_PROXY_HOPS = 2
    assert client_ip(request(HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"
    # Fewer entries than proxies: the request skipped one; only REMOTE_ADDR is known.
    assert client_ip(request(HTTP_X_FORWARDED_FOR="198.51.100.7")) == PROXY


def test_no_address_at_all_is_empty_not_an_error(settings):
    from django.http import HttpRequest

    assert client_ip(HttpRequest()) == ""
