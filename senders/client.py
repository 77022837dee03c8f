"""HTTP to the panel: one POST, classified into what the sender should do next.

Standard library only (``urllib``): a store PC's stock Python 3.8+ runs the client without
``pip install`` of anything (issue 18).

The classification is the whole store-and-forward policy in one place: a 2xx is done, a 401/403
is the operator's problem (fix the credentials; never spooled), another 4xx is the payload's
problem (reported, never retried), and anything that says "not now" (no connection, timeout,
5xx, 408, 429) is spooled and retried later.
"""

from __future__ import annotations

import base64
import json
import random
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from senders import __version__

SENT, UNREACHABLE, AUTH, REJECTED = "sent", "unreachable", "auth", "rejected"
RETRY_LATER_STATUSES = {408, 425, 429}


@dataclass(frozen=True)
class Credentials:
    """HTTP Basic (``-u/-p``, the seed's way) or a token from ``POST /api/auth/token``."""

    username: str | None = None
    password: str | None = None
    token: str | None = None

    @property
    def account(self) -> str:
        """Who the spool keeps an entry for: it is only ever resent with the same account."""
        if self.token:
            return "token:" + self.token[:6]
        return self.username or ""


@dataclass
class Outcome:
    kind: str  # SENT, UNREACHABLE, AUTH or REJECTED
    status: int | None = None
    message: str = ""
    body: Any = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        return self.status == 201


def describe_errors(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in errors.items())


class PanelClient:
    """Posts JSON to one panel with one account; retries "not now" answers with back-off."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float = 15.0,
        retries: int = 2,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.sleep = sleep
        self.opener = opener or urllib.request.build_opener(_NoRedirect)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": f"vislivis-senders/{__version__}"}
        if self.credentials.token:
            headers["Authorization"] = f"Token {self.credentials.token}"
        elif self.credentials.username is not None:
            pair = f"{self.credentials.username}:{self.credentials.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return headers

    def post(self, path: str, body: str) -> Outcome:
        """POST ``body`` (JSON text); up to ``retries`` more tries when the answer is "not now"."""
        outcome = self._post_once(path, body)
        for attempt in range(self.retries):
            if outcome.kind != UNREACHABLE:
                break
            delay = self.backoff * (2**attempt)
            self.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not cryptography
            outcome = self._post_once(path, body)
        return outcome

    def _post_once(self, path: str, body: str) -> Outcome:
        url = self.base_url + path
        # config.resolve() admits http:// and https:// URLs only, so no file: or custom schemes here.
        request = urllib.request.Request(url, body.encode("utf-8"), self._headers(), method="POST")  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return classify(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as exc:  # 4xx/5xx and the redirects _NoRedirect refused
            return classify(exc.code, _read_error(exc), exc.headers or {})
        except (socket.timeout, TimeoutError):
            return Outcome(UNREACHABLE, message=f"no answer from {self.base_url} within {self.timeout:g} s")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (socket.timeout, TimeoutError)):
                return Outcome(UNREACHABLE, message=f"no answer from {self.base_url} within {self.timeout:g} s")
            if isinstance(exc.reason, OSError):
                return Outcome(UNREACHABLE, message=f"cannot connect to {self.base_url} ({_reason(exc.reason)})")
            return Outcome(REJECTED, message=f"cannot send to {url}: {exc.reason}")
        except (ConnectionError, OSError) as exc:  # reset mid-answer, broken pipe
            return Outcome(UNREACHABLE, message=f"cannot connect to {self.base_url} ({_reason(exc)})")
        except ValueError as exc:  # a URL urllib cannot use (checked earlier, but never a traceback)
            return Outcome(REJECTED, message=f"cannot send to {url}: {exc}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST turns into a GET and the data is lost: report the redirect instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        return None


def classify(status: int, raw: bytes, headers: Mapping[str, str]) -> Outcome:
    text = raw.decode("utf-8", "replace")
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text[:500]
    errors = body.get("errors", {}) if isinstance(body, dict) and isinstance(body.get("errors"), dict) else {}
    errors = {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()}
    detail = describe_errors(errors) or (body if isinstance(body, str) else json.dumps(body))[:300]
    if 200 <= status < 300:
        return Outcome(SENT, status, body=body)
    if status in (401, 403):
        hint = "wrong username/password or token" if status == 401 else "this account may not send data"
        return Outcome(AUTH, status, f"{hint} ({status}: {detail})", body, errors)
    if status >= 500 or status in RETRY_LATER_STATUSES:
        return Outcome(UNREACHABLE, status, f"panel answered {status}; will retry later", body, errors)
    if 300 <= status < 400:
        where = headers.get("Location", "?")
        return Outcome(REJECTED, status, f"panel redirected to {where}; set --url to that address", body)
    return Outcome(REJECTED, status, f"rejected ({status}): {detail}", body, errors)


def _read_error(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read()
    except (OSError, ValueError, AttributeError):  # no body, or the connection dropped mid-body
        return b""
    finally:
        exc.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "name or service not known"
    text = getattr(exc, "strerror", None) or str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if marker in text:
            return marker.lower()
    return text[:200]
