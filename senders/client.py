"""HTTP to the panel: one POST, classified into what the sender should do next.

The classification is the whole store-and-forward policy in one place: a 2xx is done, a 401/403
is the operator's problem (fix the credentials; never spooled), another 4xx is the payload's
problem (reported, never retried), and anything that says "not now" (no connection, timeout,
5xx, 408, 429) is spooled and retried later.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

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
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.sleep = sleep
        self.session = session or requests.Session()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "User-Agent": f"vislivis-senders/{__version__}"}
        if self.credentials.token:
            headers["Authorization"] = f"Token {self.credentials.token}"
        return headers

    def _auth(self) -> tuple[str, str] | None:
        if self.credentials.token or self.credentials.username is None:
            return None
        return (self.credentials.username, self.credentials.password or "")

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
        try:
            response = self.session.post(
                url,
                data=body.encode("utf-8"),
                headers=self._headers(),
                auth=self._auth(),
                timeout=self.timeout,
                allow_redirects=False,  # a redirected POST turns into a GET and the data is lost
            )
        except requests.Timeout:
            return Outcome(UNREACHABLE, message=f"no answer from {self.base_url} within {self.timeout:g} s")
        except requests.ConnectionError as exc:
            return Outcome(UNREACHABLE, message=f"cannot connect to {self.base_url} ({_reason(exc)})")
        except requests.RequestException as exc:
            return Outcome(REJECTED, message=f"cannot send to {url}: {exc}")
        return classify(response)


def classify(response: requests.Response) -> Outcome:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = response.text[:500]
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
        where = response.headers.get("Location", "?")
        return Outcome(REJECTED, status, f"panel redirected to {where}; set --url to that address", body)
    return Outcome(REJECTED, status, f"rejected ({status}): {detail}", body, errors)


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "No route to host"):
        if marker in text:
            return marker.lower()
    return text[:200]
