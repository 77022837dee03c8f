"""The feeds of seed 000 and the till feed (issue 19): the endpoint each posts to, how its payload is checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from senders import validation as v


@dataclass(frozen=True)
class Feed:
    name: str
    endpoint: str
    default_payload: str  # the seed's file name, read when -j is not given
    errors: Callable[[Any], v.Errors]
    hourly: bool = True  # hourly records get the current UTC hour when they carry none


def _records(check: Callable[[Any], v.Errors]) -> Callable[[Any], v.Errors]:
    return lambda body: v.batch_errors(body, check)


FEEDS: dict[str, Feed] = {
    "customers": Feed("customers", "/api/analytics/customers", "payload.json", _records(v.customers_errors)),
    "age-gender": Feed(
        "age-gender", "/api/analytics/customers", "payload_age_gender.json", _records(v.customers_errors)
    ),
    "heatmap": Feed("heatmap", "/api/analytics/heatmaps", "payload_heatmap.json", _records(v.heatmap_errors)),
    "queue": Feed("queue", "/api/analytics/queues", "payload_queue.json", _records(v.queue_errors)),
    "sales": Feed("sales", "/api/analytics/sales", "payload_sales.json", _records(v.sales_errors)),
    "setup": Feed("setup", "/api/settings/setup", "payload_setup.json", v.setup_errors, hourly=False),
}
FEED_BY_ENDPOINT = {feed.endpoint: feed for feed in FEEDS.values()}
HEARTBEAT_ENDPOINT = "/api/health/heartbeat"


def prepare(feed: Feed, body: Any, *, store: str | None, now: datetime | None = None) -> Any:
    """Add what the panel would otherwise guess at receipt: the store and the current hour.

    Stamping the hour here matters for the spool: a record sent at 14:05 but delivered at 17:10
    must still land in the 14:00 hour, and a resend must hit the same row (no double counts).
    """
    records = body if isinstance(body, list) else [body]
    for record in records:
        if not isinstance(record, dict):
            continue
        if store and "store" not in record:
            record["store"] = store
        if feed.hourly and "timestamp" not in record:
            record["timestamp"] = v.format_hour(v.utc_hour(now))
    return body


def record_count(body: Any) -> int:
    return len(body) if isinstance(body, list) else 1
