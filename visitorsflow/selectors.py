"""Reads for the store's VisitorsFlow page: what the watcher took, what it stored, what was exported."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from stores.models import Store
from visitorsflow.models import ExportAttempt, IngestedFile, InOut, PersonEvent, Site

FILES_SHOWN = 6
PROBLEM_FILES_SHOWN = 5  # partial and failed files stay listed after newer good ones
EXPORTS_SHOWN = 8


def _files(site: Site) -> list[IngestedFile]:
    """The latest files, and the latest partial or failed ones even when good files followed them."""
    latest = list(IngestedFile.objects.filter(site=site)[:FILES_SHOWN])
    problems = IngestedFile.objects.filter(site=site).exclude(outcome=IngestedFile.Outcome.PROCESSED)
    seen = {file.pk for file in latest}
    extra = [file for file in problems[:PROBLEM_FILES_SHOWN] if file.pk not in seen]
    return sorted([*latest, *extra], key=lambda file: (file.created_at, file.pk), reverse=True)


def activity(store: Store, now: datetime, days: int = 7) -> list[dict[str, Any]]:
    """Per site of the store: the latest files (with partial/failed reasons), the last ``days``
    local days of events, and the latest export attempts with the values they sent."""
    tz = ZoneInfo(store.timezone)
    first_day = now.astimezone(tz).date() - timedelta(days=days - 1)
    start = datetime(first_day.year, first_day.month, first_day.day, tzinfo=tz)
    out = []
    for site in Site.objects.filter(store=store).order_by("ssid"):
        daily = (
            PersonEvent.objects.filter(site=site, time__gte=start, time__lte=now)
            .annotate(day=TruncDate("time", tzinfo=tz))
            .values("day")
            .annotate(
                entered=Count("id", filter=Q(in_out=InOut.ENTERED)),
                left=Count("id", filter=Q(in_out=InOut.LEFT)),
                passed=Count("id", filter=Q(in_out=InOut.PASSED)),
            )
            .order_by("-day")
        )
        exports = []
        for attempt in ExportAttempt.objects.filter(site=site)[:EXPORTS_SHOWN]:
            values = {row.get("TagType"): row.get("TagValue") for row in attempt.payload or [] if isinstance(row, dict)}
            exports.append({"attempt": attempt, "values": values})
        out.append(
            {
                "ssid": site.ssid,
                "watch_dir": site.watch_dir,
                "export_url": site.export_url,
                "files": _files(site),
                "file_counts": dict(
                    IngestedFile.objects.filter(site=site).values_list("outcome").annotate(n=Count("id"))
                ),
                "daily": list(daily),
                "exports": exports,
                "sent": ExportAttempt.objects.filter(site=site, status=ExportAttempt.Status.SENT).count(),
            }
        )
    return out
