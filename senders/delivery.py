"""Store-and-forward: write to the spool, then send everything waiting, oldest first.

Oldest first matters: customers records overwrite the fields they carry, so an hour's
correction must never be overtaken by the stale record it corrects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from senders import client as c
from senders.feeds import FEED_BY_ENDPOINT
from senders.report import AUTH, REJECTED, UNREACHABLE, Report, plural
from senders.spool import Entry, Spool

CORRUPT = "corrupt"


@dataclass(frozen=True)
class Request:
    """One POST the user asked for (one object or one batch)."""

    feed: str
    endpoint: str
    body: str
    records: int
    unit: str = "record"


@dataclass
class FlushResult:
    outcomes: dict[int, tuple[str, c.Outcome | None, str]]
    records: dict[int, int] = field(default_factory=dict)
    stopped: str | None = None  # c.UNREACHABLE or c.AUTH when the flush stopped early
    stop_message: str = ""


class Courier:
    """Sends for one panel URL and one account through the spool."""

    def __init__(self, client: c.PanelClient, spool: Spool, report: Report) -> None:
        self.client = client
        self.spool = spool
        self.report = report
        self.url = client.base_url
        self.account = client.credentials.account

    def deliver(self, requests: list[Request]) -> None:
        """Spool the new requests, flush everything for this account, report each new one."""
        ids = [
            self.spool.add(
                url=self.url,
                account=self.account,
                feed=r.feed,
                endpoint=r.endpoint,
                records=r.records,
                body=r.body,
            )
            for r in requests
        ]
        result = self.flush(announce_earlier=set(ids))
        for entry_id, request in zip(ids, requests):
            self._report_new(entry_id, request, result)
        self.summary()

    def _report_new(self, entry_id: int, request: Request, result: FlushResult) -> None:
        label, what = request.feed, plural(request.records, request.unit)
        kind, outcome, message = result.outcomes.get(entry_id, (None, None, ""))
        if kind == c.SENT and outcome is not None:
            verb = "created" if outcome.created else "updated"
            self.report.sent += request.records
            self.report.info(f"{label}: sent {what} ({outcome.status} {verb})")
        elif kind in (c.REJECTED, CORRUPT):
            self.report.rejected += request.records
            self.report.problem(
                f"{label}: {what} NOT accepted: {message} (kept aside as spool entry {entry_id})", REJECTED
            )
        elif kind == c.AUTH or (kind is None and result.stopped == c.AUTH):
            # Wrong credentials are the operator's to fix; storing would only hide the problem.
            self.spool.delete(entry_id)
            self.report.problem(f"{label}: {what} NOT sent: {result.stop_message} (not spooled)", AUTH)
        else:
            self.report.spooled += request.records
            reason = result.stop_message or message or "an earlier request is still waiting"
            self.report.problem(f"{label}: {what} spooled: {reason}; will resend on the next run", UNREACHABLE)

    def flush(self, *, announce_earlier: set[int] | None = None, only_if_due: bool = False) -> FlushResult:
        """Send what is waiting for this account, oldest first; stop at the first "not now"."""
        result = FlushResult(outcomes={})
        if only_if_due and not self.spool.is_due(self.account):
            result.stopped = c.UNREACHABLE
            result.stop_message = "in back-off after failed attempts (see spool status); not tried now"
            self._report_earlier(result, set())
            return result
        with self.spool.flush_lock():
            for entry in self.spool.pending(self.account):
                if not self.spool.exists(entry.id):
                    continue
                damage = entry_damage(entry)
                if damage:
                    self.spool.move_aside(entry.id, f"damaged: {damage}")
                    result.outcomes[entry.id] = (CORRUPT, None, f"damaged spool entry ({damage})")
                    continue
                result.records[entry.id] = entry.records
                outcome = self.client.post(entry.endpoint, entry.body)
                result.outcomes[entry.id] = (outcome.kind, outcome, outcome.message)
                if outcome.kind == c.SENT:
                    self.spool.delete(entry.id)
                elif outcome.kind == c.REJECTED:
                    self.spool.move_aside(entry.id, outcome.message)
                elif outcome.kind == c.AUTH:
                    result.stopped, result.stop_message = c.AUTH, outcome.message
                    break
                else:
                    self.spool.note_attempt(entry.id, outcome.message)
                    delay = self.spool.record_failure(self.account)
                    result.stopped = c.UNREACHABLE
                    result.stop_message = f"{outcome.message}; next automatic try in {delay / 60:g} min"
                    break
            if result.stopped is None:
                self.spool.record_success(self.account)
        self._report_earlier(result, announce_earlier or set())
        return result

    def _report_earlier(self, result: FlushResult, new_ids: set[int]) -> None:
        earlier = {i: r for i, r in result.outcomes.items() if i not in new_ids}
        sent = [i for i, r in earlier.items() if r[0] == c.SENT]
        if sent:
            records = sum(result.records.get(i, 0) for i in sent)
            self.report.sent += records
            self.report.info(f"spool: sent {plural(len(sent), 'earlier request')} ({plural(records, 'record')})")
        for entry_id, (kind, _outcome, message) in earlier.items():
            if kind in (c.REJECTED, CORRUPT):
                self.report.problem(f"spool: entry {entry_id} moved aside: {message}", REJECTED)
        if result.stopped == c.AUTH and not new_ids:
            self.report.problem(f"spool: NOT flushed: {result.stop_message}", AUTH)
        elif result.stopped == c.UNREACHABLE and not new_ids:
            self.report.problem(f"spool: still waiting: {result.stop_message}", UNREACHABLE)

    def summary(self) -> None:
        waiting = self.spool.count(self.account)
        r = self.report
        line = f"summary: {r.sent} sent, {r.spooled} spooled, {r.rejected} rejected"
        r.info(line + (f"; {plural(waiting, 'request')} waiting in {self.spool.path}" if waiting else ""))


def entry_damage(entry: Entry) -> str:
    """Why a spooled entry cannot be sent as it is ('' when it is fine)."""
    feed = FEED_BY_ENDPOINT.get(entry.endpoint)
    if feed is None:
        return f"unknown endpoint {entry.endpoint!r}"
    try:
        body = json.loads(entry.body)
    except (ValueError, TypeError) as exc:
        return f"not JSON: {exc}"
    errors = feed.errors(body)
    if errors:
        return c.describe_errors(errors)
    return ""
