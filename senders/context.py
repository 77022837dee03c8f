"""What every command needs, built once from the settings (and the test hooks)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from senders.client import PanelClient
from senders.config import Settings
from senders.delivery import Courier
from senders.report import REJECTED, Report
from senders.snapshots import FrameGrabber, grab_frame
from senders.spool import Spool


@dataclass
class Context:
    settings: Settings
    report: Report
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    grabber: FrameGrabber = grab_frame
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    max_ticks: int | None = None  # heartbeat loop length; None = until stopped
    _spool: Spool | None = None

    @property
    def spool(self) -> Spool:
        if self._spool is None:
            self._spool = Spool(self.settings.spool_dir, clock=self.clock)
            for notice in self._spool.notices:  # earlier data was moved aside: look at it (exit 5)
                self.report.problem(f"spool: {notice}", REJECTED)
        return self._spool

    def client(self) -> PanelClient:
        s = self.settings
        return PanelClient(s.url, s.credentials, timeout=s.timeout, retries=s.retries, sleep=self.sleep)

    def courier(self, client: PanelClient | None = None) -> Courier:
        return Courier(client or self.client(), self.spool, self.report)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()


def read_json(path: str, stdin: TextIO) -> Any:
    """A payload file (``-`` = stdin); raises ``ValueError`` with a message fit for the user."""
    import json

    try:
        text = stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
