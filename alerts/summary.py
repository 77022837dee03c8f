"""The daily summary of a brand: yesterday's visitors per store against the usual, worst first.

"Usual" is the median of the same weekday in the previous four weeks (a single odd week moves
it little). Footfall per business day comes from ``analytics.StoreDay``, cameras where the
store has camera days, else the sender's. Sent once per brand and local day at the brand's
``BrandAlertSettings.summary_time``, claimed with a conditional UPDATE of ``last_summary_day``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import dateformat, translation
from django.utils.translation import gettext as _

from alerts.models import AlertRule, BrandAlertSettings, Condition, Kind, Notification
from analytics.models import StoreDay
from stores.models import Store, Tenant

USUAL_WEEKS = 4
WORST = 3


@dataclass(frozen=True)
class StoreLine:
    store: Store
    visitors: int | None
    usual: float | None

    @property
    def change(self) -> float | None:
        if self.visitors is None or not self.usual:
            return None
        return (self.visitors - self.usual) / self.usual


def store_lines(tenant: Tenant, day: date) -> list[StoreLine]:
    """Yesterday and the usual of every store of the brand (one query)."""
    stores = list(Store.objects.filter(tenant=tenant).order_by("name"))
    days = [day - timedelta(weeks=k) for k in range(USUAL_WEEKS + 1)]
    rows = StoreDay.objects.filter(store__in=stores, business_date__in=days).values_list(
        "store_id", "source", "business_date", "footfall"
    )
    counts: dict[tuple[int, str], dict[date, int]] = {}
    for store_id, source, business_date, footfall in rows:
        counts.setdefault((store_id, source), {})[business_date] = footfall
    lines = []
    for store in stores:
        source = StoreDay.Source.CAMERA if (store.pk, StoreDay.Source.CAMERA) in counts else StoreDay.Source.SENDER
        by_day = counts.get((store.pk, source), {})
        past = [by_day[d] for d in days[1:] if d in by_day]
        lines.append(StoreLine(store, by_day.get(day), statistics.median(past) if past else None))
    return lines


def percent(change: float) -> str:
    return f"{change:+.0%}"


def render(tenant: Tenant, day: date) -> tuple[str, str]:
    """(subject, text) of the brand's summary of ``day``, in the brand's language."""
    lines = store_lines(tenant, day)
    problems = Condition.objects.filter(store__tenant=tenant, active=True).exclude(kind=Kind.DAILY_SUMMARY).count()
    with translation.override(tenant.language):
        weekday = dateformat.format(day, "l")
        subject = _("[VISLIVIS] Daily summary of %(brand)s for %(day)s") % {
            "brand": tenant.name,
            "day": day.isoformat(),
        }
        total = sum(line.visitors for line in lines if line.visitors is not None)
        usual = sum(line.usual for line in lines if line.usual is not None and line.visitors is not None)
        text = [
            _("Daily summary of %(brand)s for %(weekday)s %(day)s.")
            % {"brand": tenant.name, "weekday": weekday, "day": day.isoformat()}
        ]
        if usual:
            text.append(
                _("Visitors: %(total)s (usual for a %(weekday)s: %(usual)s, %(change)s).")
                % {
                    "total": total,
                    "weekday": weekday,
                    "usual": round(usual),
                    "change": percent((total - usual) / usual),
                }
            )
        else:
            text.append(_("Visitors: %(total)s (no history to compare with yet).") % {"total": total})
        ranked = sorted((line for line in lines if line.change is not None), key=lambda line: line.change)
        worst = [line for line in ranked if line.change < 0][:WORST]
        if worst:
            text.append(_("Furthest below their usual:"))
            text.extend(
                "- "
                + _("%(store)s: %(visitors)s (usual %(usual)s, %(change)s)")
                % {
                    "store": line.store.name,
                    "visitors": line.visitors,
                    "usual": round(line.usual),
                    "change": percent(line.change),
                }
                for line in worst
            )
        missing = [line.store.name for line in lines if line.visitors is None]
        if missing:
            text.append(_("No data: %(stores)s") % {"stores": ", ".join(missing)})
        text.append(_("Open problems: %(count)s") % {"count": problems})
        return str(subject), "\n".join(str(line) for line in text)


def summary_rules(tenant_id: int):
    return AlertRule.objects.filter(tenant_id=tenant_id, enabled=True, kinds__contains=[Kind.DAILY_SUMMARY]).order_by(
        "pk"
    )


@transaction.atomic
def _claim_and_write(row: BrandAlertSettings, today: date) -> list[Notification]:
    """Claim the brand's summary of ``today`` and write its messages, or nothing if taken."""
    from alerts.checks import enqueue

    claimed = (
        BrandAlertSettings.objects.filter(pk=row.pk)
        .filter(Q(last_summary_day__isnull=True) | Q(last_summary_day__lt=today))
        .update(last_summary_day=today)
    )
    if not claimed:
        return []
    tenant = Tenant.objects.get(pk=row.tenant_id)
    subject, text = render(tenant, today - timedelta(days=1))
    batch = [
        Notification.objects.create(
            tenant=tenant,
            rule=rule,
            kind=Kind.DAILY_SUMMARY,
            phase=Notification.Phase.SUMMARY,
            channel=rule.channel,
            recipient=rule.recipient,
            subject=subject[:300],
            text=text,
        )
        for rule in summary_rules(row.tenant_id)
    ]
    enqueue(batch)
    return batch


def send_due(now: datetime) -> list[Notification]:
    """The summaries whose local time has come today and that no checker claimed yet."""
    created: list[Notification] = []
    tenant_ids = set(
        AlertRule.objects.filter(enabled=True, kinds__contains=[Kind.DAILY_SUMMARY]).values_list("tenant_id", flat=True)
    )
    for tenant_id in sorted(tenant_ids):
        row, _created = BrandAlertSettings.objects.get_or_create(tenant_id=tenant_id)
        if not row.summary_enabled:
            continue
        local = now.astimezone(ZoneInfo(row.timezone))
        today = local.date()
        if local.time() < row.summary_time or row.last_summary_day == today:
            continue
        created.extend(_claim_and_write(row, today))
    return created
