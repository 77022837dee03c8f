"""Outbound connections to URLs a tenant can type (rig API, camera WebSocket, official export API).

Closed by default: only http(s)/ws(s) to public addresses. Loopback, link-local, private,
shared (CGNAT), multicast, reserved and unspecified addresses — IPv4 and IPv6, IPv4-mapped and
NAT64/6to4-embedded IPv4 included — are refused unless an operator lists them in
``OUTBOUND_ALLOWED_NETWORKS`` (a Django setting, else the environment: comma-separated CIDRs,
addresses or host names). The demo and test settings allow loopback explicitly.

Names are resolved by the system resolver (``getaddrinfo``), which is also what turns
``2130706433``, ``0x7f.1`` or ``0177.0.0.1`` into 127.0.0.1, so every spelling of an address is
judged by the address it really means. The check runs twice: when the URL is saved (model field
validator) and at send time, where the connection is opened to the very address that was
checked (no second lookup an attacker's DNS could answer differently) and redirects are not
followed.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

logger = logging.getLogger(__name__)

HTTP_SCHEMES = ("http", "https")
WS_SCHEMES = ("ws", "wss")
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
SETTING = "OUTBOUND_ALLOWED_NETWORKS"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 prefixes that carry an IPv4 address a gateway may forward to (NAT64, 6to4).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class OutboundRefused(ValueError):
    """The URL or the address it leads to is not one the server may connect to."""


def allowed_entries() -> tuple[list[ipaddress.IPv4Network | ipaddress.IPv6Network], set[str]]:
    """(networks, host names) an operator allows; read at call time so tests can override."""
    raw = getattr(settings, SETTING, None)
    if raw is None:
        raw = os.environ.get(SETTING, "")
    items: Iterable[str] = raw.split(",") if isinstance(raw, str) else raw
    networks, hosts = [], set()
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.lower().rstrip("."))
    return networks, hosts


def refusal(address: IPAddress) -> str:
    """Why an address is refused by default ("" when it is a public unicast address)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and (address in _NAT64 or address in _NAT64_LOCAL):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            reason = refusal(embedded)
            return f"{reason} (embedded in {address})" if reason else ""
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("shared (carrier-grade NAT)", isinstance(address, ipaddress.IPv4Address) and address in _SHARED),
        ("not globally routable", not address.is_global),
    )
    for name, hit in checks:
        if hit:
            return f"{address} is a {name} address" if name[0] not in "aeiou" else f"{address} is an {name} address"
    return ""


def check_address(address: str | IPAddress) -> None:
    """Raise ``OutboundRefused`` unless the address is public or in the allowed networks."""
    ip = address if not isinstance(address, str) else ipaddress.ip_address(address.split("%", 1)[0])
    networks, _ = allowed_entries()
    if any(ip.version == net.version and ip in net for net in networks):
        return
    reason = refusal(ip)
    if reason:
        raise OutboundRefused(f"{reason}; an operator can allow it in {SETTING}")


def _host_allowed(host: str) -> bool:
    return host.lower().rstrip(".") in allowed_entries()[1]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, each checked; raises ``OutboundRefused`` if any is refused.

    All must pass, not one: a name answering both a public and a private address would
    otherwise reach the private one whenever the resolver's order changes.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"{host} does not resolve: {exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not _host_allowed(host):
        for address in addresses:
            check_address(address)
    return addresses


def split_url(url: str, schemes: tuple[str, ...]) -> tuple[str, str, int]:
    """(scheme, host, port) of an absolute URL with an allowed scheme; raises ``OutboundRefused``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise OutboundRefused(f"only {', '.join(s + '://' for s in schemes)} URLs are allowed")
    host = parts.hostname
    if not host:
        raise OutboundRefused("the URL has no host")
    return scheme, host, port or DEFAULT_PORTS[scheme]


def check_url(url: str, schemes: tuple[str, ...] = HTTP_SCHEMES, *, unresolved_ok: bool = False) -> list[str]:
    """Check scheme and every address the host resolves to; returns those addresses.

    ``unresolved_ok`` (used when a URL is saved) accepts a name that does not resolve now: it
    leads nowhere yet, and the send-time check judges what it resolves to then.
    """
    _, host, port = split_url(url, schemes)
    try:
        return resolve(host, port)
    except OutboundRefused:
        if unresolved_ok and not _is_literal(host) and not _resolves(host, port):
            return []
        raise


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _resolves(host: str, port: int) -> bool:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return False
    return True


@deconstructible
class OutboundURLValidator:
    """Model field validator: the URL's scheme is allowed and its host is not an internal address."""

    def __init__(self, schemes: tuple[str, ...] | list[str] = HTTP_SCHEMES) -> None:
        self.schemes = tuple(schemes)

    def __call__(self, value: str) -> None:
        if not value:
            return
        try:
            check_url(value, self.schemes, unresolved_ok=True)
        except OutboundRefused as exc:
            raise ValidationError(f"Refused: {exc}.", code="outbound_refused") from exc

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OutboundURLValidator) and other.schemes == self.schemes

    def __hash__(self) -> int:
        return hash(self.schemes)


def connect_target(url: str, schemes: tuple[str, ...] = WS_SCHEMES) -> tuple[str, int]:
    """(address, port) to open a socket to for ``url``: resolved and checked now, for clients
    (the WebSocket recorder) that accept a host override while keeping the URL's name for TLS
    and the Host header."""
    _, host, port = split_url(url, schemes)
    return resolve(host, port)[0], port


class _GuardedConnectionMixin:
    """Resolve, check, and connect only to a checked address (what the peer really is)."""

    def _new_conn(self) -> socket.socket:
        host = self._dns_host  # type: ignore[attr-defined]
        addresses = resolve(host, self.port)  # type: ignore[attr-defined]
        last_error: OSError | None = None
        for address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port),  # type: ignore[attr-defined]
                    self.timeout,  # type: ignore[attr-defined]
                    source_address=self.source_address,  # type: ignore[attr-defined]
                    socket_options=self.socket_options,  # type: ignore[attr-defined]
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {host} timed out") from exc
            except OSError as exc:
                last_error = exc
                continue
            if not _host_allowed(host):
                try:
                    check_address(sock.getpeername()[0])
                except OutboundRefused:
                    sock.close()
                    raise
            return sock
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")  # type: ignore[arg-type]


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections go only to checked addresses."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def session() -> requests.Session:
    """A session for tenant URLs: guarded connections, no proxies from the environment (a proxy
    would connect on our behalf, unchecked), no ``.netrc`` credentials."""
    http = requests.Session()
    http.trust_env = False
    adapter = GuardedAdapter()
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def post(url: str, **kwargs) -> requests.Response:
    """POST to a tenant-set URL: checked, connected to a checked address, redirects not followed.

    Raises ``OutboundRefused`` (not a ``requests`` error: retrying cannot help) or the usual
    ``requests.RequestException``.
    """
    check_url(url, HTTP_SCHEMES)
    with session() as http:
        return http.post(url, allow_redirects=False, **kwargs)
