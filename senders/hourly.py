"""``hourly``: the seed's ``run_hourly.sh`` as one command and three requests.

The store AI writes the hour's numbers to a file (or pipes them in); this reads them, checks
every record, and sends customers, all zones and all cashiers as one batch per endpoint — the
panel applies a batch all-or-nothing, so an hour is never half-stored. Input, as one document::

    {"timestamp": "2026-02-16T14:00",
     "customers": {"entered": 12, "exited": 10},
     "heatmaps": {"erkek-giyim": {"visitor_count": 50, "intensity": 40}},
     "queues": [{"cashier_id": "Kasa-1", "total_customers": 10, "wait_time": 35}]}

``customers`` is an object or a list (one per camera); ``heatmaps``/``queues`` a list of the
seed's payloads or a mapping keyed by zone/cashier. Each feed may also come from its own file
(``[hourly] customers = "..."``).
"""

from __future__ import annotations

from typing import Any

from senders import validation as v
from senders.cli import _now, check, to_json
from senders.context import Context, read_json
from senders.delivery import Request
from senders.feeds import FEEDS
from senders.report import USAGE

SECTIONS = {"customers": ("customers", None), "heatmaps": ("heatmap", "zone"), "queues": ("queue", "cashier_id")}


class InputError(ValueError):
    pass


def run(ctx: Context, *, input_path: str | None, timestamp: str | None) -> int:
    conf = ctx.settings.config.get("hourly", {})
    try:
        document = load_input(ctx, conf, input_path)
        hour = _hour(timestamp or document.get("timestamp"), ctx)
        batches = {section: records_of(section, document.get(section)) for section in SECTIONS}
    except InputError as exc:
        ctx.report.problem(f"hourly: error: {exc}", USAGE)
        return USAGE
    requests, problems = [], {}
    for section, records in batches.items():
        if not records:
            continue
        feed = FEEDS[SECTIONS[section][0]]
        for record in records:
            if isinstance(record, dict):
                record.setdefault("timestamp", hour)
                if ctx.settings.store:
                    record.setdefault("store", ctx.settings.store)
        problems.update({f"{section}.{k}": m for k, m in feed.errors(records).items()})
        requests.append(Request(section, feed.endpoint, to_json(records), len(records)))
    if not check(ctx, "hourly", problems):
        return USAGE
    if not requests:
        ctx.report.problem("hourly: the input holds no customers, heatmaps or queues; nothing sent", USAGE)
        return USAGE
    _expected(ctx, conf, batches)
    ctx.report.info(f"hourly: {hour} UTC: " + ", ".join(f"{r.feed} {r.records}" for r in requests))
    ctx.courier().deliver(requests)
    return ctx.report.exit_code


def load_input(ctx: Context, conf: dict[str, Any], input_path: str | None) -> dict[str, Any]:
    path = input_path or conf.get("input")
    document: dict[str, Any] = {}
    if path:
        try:
            data = read_json(str(path), ctx.stdin)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if not isinstance(data, dict):
            raise InputError(f"{path} must hold a JSON object with customers, heatmaps and/or queues")
        unknown = set(data) - set(SECTIONS) - {"timestamp"}
        if unknown:
            raise InputError(f"{path}: unknown keys {', '.join(sorted(unknown))} (use customers, heatmaps, queues)")
        document.update(data)
    for section in SECTIONS:
        if conf.get(section) and not input_path:
            try:
                document[section] = read_json(str(conf[section]), ctx.stdin)
            except ValueError as exc:
                raise InputError(str(exc)) from None
    if not path and not any(conf.get(section) for section in SECTIONS):
        raise InputError("no input: give --input FILE (- for stdin) or [hourly] input = ... in the config")
    return document


def records_of(section: str, value: Any) -> list[Any]:
    """The section as a list of the seed's payloads (a mapping is keyed by zone or cashier)."""
    if value is None:
        return []
    key = SECTIONS[section][1]
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and key is None:
        return [value]
    if isinstance(value, dict):
        records = []
        for name, numbers in value.items():
            if not isinstance(numbers, dict):
                raise InputError(f'{section}.{name} must be an object like {{"visitor_count": 50, ...}}')
            records.append({key: name, **numbers})
        return records
    raise InputError(f"{section} must be an object or a list")


def _hour(value: Any, ctx: Context) -> str:
    if value is None:
        return v.format_hour(v.utc_hour(_now(ctx)))
    try:
        return v.format_hour(v.hour(value))
    except v.FieldError as exc:
        raise InputError(f"timestamp {value!r}: {exc}") from None


def _expected(ctx: Context, conf: dict[str, Any], batches: dict[str, list[Any]]) -> None:
    """Zones and cashiers the config expects but the AI did not report: say so, invent nothing."""
    for section, conf_key, field in (("heatmaps", "zones", "zone"), ("queues", "cashiers", "cashier_id")):
        present = {str(r.get(field)) for r in batches[section] if isinstance(r, dict)}
        missing = [name for name in conf.get(conf_key, []) if str(name) not in present]
        if missing:
            ctx.report.warn(f"hourly: no numbers for {conf_key} {', '.join(map(str, missing))} this hour")
