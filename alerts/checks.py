"""The alert checker: what is wrong in each store now, and each alert step claimed exactly once.

A problem is a ``Condition`` row per (store, kind, subject). Its steps are claimed with a
conditional UPDATE on ``alerts_sent``, as VisitorsFlow's silence alerts are
(``visitorsflow.alerts``): two checkers holding the same stale row both try, one wins, and
only the winner writes the messages. The first alert goes out at once; reminders follow after
``ALERTS_REPEAT_MINUTES`` × 1, 2, 4, … capped at ``ALERTS_REPEAT_MAX_MINUTES``; when the
problem clears, exactly one recovery message, and only if an alert went out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from alerts import anomalies, sources
from alerts.models import AlertRule, Condition, Kind, Notification
from alerts.selectors import source_label, store_findings
from devices import health
from stores.models import Store

logger = logging.getLogger(__name__)


@dataclass
class Observation:
    """What the checker sees for one (kind, subject) right now."""

    kind: str
    subject: str
    active: bool
    label: str = ""
    since: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def repeat_minutes(alerts_sent: int) -> int:
    """Gap after the n-th alert of a problem: base × 1, 2, 4, … capped."""
    base = max(1, settings.ALERTS_REPEAT_MINUTES)
    return min(base * 2 ** max(0, alerts_sent - 1), settings.ALERTS_REPEAT_MAX_MINUTES)


def observe(store: Store, now: datetime) -> list[Observation]:
    """Every watched (kind, subject) of the store with whether it is a problem now."""
    from visitorsflow.alerts import quiet_since
    from visitorsflow.models import Site

    seen: list[Observation] = []
    for entry in sources.device_states(store, now):
        label = entry.get("name") or entry["device_id"]
        # Silent means no counts: a camera still sending heartbeats has sent no data since then.
        last_seen = datetime.fromisoformat(entry.get("last_data_at") or entry["last_seen"])
        refusal = entry.get("refusal") or {}
        seen.append(
            Observation(Kind.DEVICE_SILENT, entry["device_id"], entry["state"] == health.SILENT, label, last_seen)
        )
        refused_at = datetime.fromisoformat(refusal["received_at"]) if refusal.get("received_at") else now
        seen.append(
            Observation(
                Kind.DEVICE_REFUSING,
                entry["device_id"],
                entry["state"] == health.REFUSING,
                label,
                refused_at,
                {"reason": refusal.get("reason", ""), "document_id": refusal.get("document_id")},
            )
        )
    heartbeat = sources.last_heartbeat(store)
    if heartbeat is not None:  # a store that never had an AI has nothing to lose
        seen.append(Observation(Kind.STORE_AI_DOWN, "", now - heartbeat > store.inactivity_timeout, "", heartbeat))
    for site in Site.objects.filter(store=store, enabled=True).select_related("store"):
        quiet = quiet_since(site)
        silent = now - quiet >= timedelta(minutes=site.silence_minutes)
        seen.append(Observation(Kind.VISITORSFLOW_SILENCE, site.ssid, silent, site.ssid, site.last_data_at or quiet))
    series = sources.count_series(store, now)
    blocked = {f.source: f for f in store_findings(store, now, series) if f.level == anomalies.BLOCKED and f.ongoing}
    for source, label in series:  # every source with data: recoveries too
        finding = blocked.get(source)
        detail = {}
        if finding is not None:
            detail = {"hours": len(finding.hours), "counted": finding.counted, "expected": finding.expected}
        seen.append(
            Observation(
                Kind.ANOMALY,
                source,
                finding is not None,
                source_label(source, label),
                finding.start if finding else None,
                detail,
            )
        )
    return seen


def rules_for(store: Store, kind: str):
    """The store's brand's enabled rules for ``kind`` that cover this store (no stores = all)."""
    return (
        AlertRule.objects.filter(tenant_id=store.tenant_id, enabled=True, kinds__contains=[kind])
        .filter(Q(stores=None) | Q(stores=store))
        .distinct()
        .order_by("pk")
    )


def write_notifications(condition: Condition, phase: str) -> list[Notification]:
    """One message per matching rule of the condition's own brand, delivered after commit."""
    from alerts import texts

    store = condition.store
    subject, text = texts.render(condition, phase, store.tenant.language)
    created = [
        Notification.objects.create(
            tenant_id=store.tenant_id,
            rule=rule,
            condition=condition,
            kind=condition.kind,
            phase=phase,
            channel=rule.channel,
            recipient=rule.recipient,
            subject=subject[:300],
            text=text,
        )
        for rule in rules_for(store, condition.kind)
    ]
    enqueue(created)
    logger.warning("alert %s %s for store %s: %s (%d recipients)", condition.kind, phase, store.pk, text, len(created))
    return created


def enqueue(notifications: list[Notification]) -> None:
    ids = [n.pk for n in notifications]

    def send() -> None:
        from alerts.tasks import deliver

        for pk in ids:
            deliver.delay(pk)

    if ids:
        # robust: a broker or eager-delivery failure is logged; the rows are committed and retried.
        transaction.on_commit(send, robust=True)


def _condition(store: Store, seen: Observation) -> Condition | None:
    condition = Condition.objects.filter(store=store, kind=seen.kind, subject=seen.subject).first()
    if condition is not None or not seen.active:
        return condition
    try:
        with transaction.atomic():
            return Condition.objects.create(store=store, kind=seen.kind, subject=seen.subject, label=seen.label[:200])
    except IntegrityError:  # another checker created it first
        return Condition.objects.get(store=store, kind=seen.kind, subject=seen.subject)


@transaction.atomic
def step(store: Store, seen: Observation, now: datetime) -> list[Notification]:
    """Advance one condition by what was seen; the messages of a step this checker claimed."""
    condition = _condition(store, seen)
    if condition is None:
        return []
    condition.store = store
    if not seen.active:
        claimed = Condition.objects.filter(pk=condition.pk, alerts_sent__gt=0).update(
            alerts_sent=0, next_alert_at=None, active=False
        )
        if not claimed:
            return []
        condition.refresh_from_db()
        return write_notifications(condition, Notification.Phase.RECOVERY)
    sent = condition.alerts_sent
    if sent and condition.next_alert_at and now < condition.next_alert_at:
        return []
    updates: dict[str, Any] = {
        "alerts_sent": sent + 1,
        "next_alert_at": now + timedelta(minutes=repeat_minutes(sent + 1)),
        "active": True,
    }
    if sent == 0:
        updates |= {"since": seen.since or now, "detail": seen.detail, "label": seen.label[:200]}
    if not Condition.objects.filter(pk=condition.pk, alerts_sent=sent).update(**updates):
        return []  # someone else took this step
    condition.refresh_from_db()
    phase = Notification.Phase.PROBLEM if sent == 0 else Notification.Phase.REMINDER
    return write_notifications(condition, phase)


def check_store(store: Store, now: datetime | None = None) -> list[Notification]:
    """Advance every watched problem of the store. Steps that cannot do anything (nothing wrong
    and nothing announced) are skipped on one read of the store's conditions, so a healthy store
    costs its reads and no transaction per subject."""
    now = now or timezone.now()
    known = {
        (kind, subject): (sent, next_at)
        for kind, subject, sent, next_at in Condition.objects.filter(store=store).values_list(
            "kind", "subject", "alerts_sent", "next_alert_at"
        )
    }
    created: list[Notification] = []
    for seen in observe(store, now):
        sent, next_at = known.get((seen.kind, seen.subject), (0, None))
        if not seen.active and sent == 0:
            continue  # nothing wrong, nothing to recover from
        if seen.active and sent and next_at and now < next_at:
            continue  # announced; the next reminder is not due (step() checks again on the row)
        created.extend(step(store, seen, now))
    return created


def check_all(now: datetime | None = None) -> list[Notification]:
    """Every store of every brand (beat task); the daily summaries that are due, too."""
    from alerts import summary

    now = now or timezone.now()
    created: list[Notification] = []
    for store in Store.objects.select_related("tenant").order_by("pk"):
        try:
            created.extend(check_store(store, now))
        except Exception:  # one broken store must not silence every other brand's alerts
            logger.exception("alert check failed for store %s", store.pk)
    created.extend(summary.send_due(now))
    return created
