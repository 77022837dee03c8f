"""Alert messages in the brand's language (``Tenant.language``), times in the store's zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import gettext as _

from alerts.models import Condition, Kind, Notification


def local_stamp(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def problem_text(condition: Condition) -> str:
    """The problem in one sentence (gettext: call inside ``translation.override``)."""
    store = condition.store
    values = {
        "store": store.name,
        "subject": condition.label or condition.subject,
        "since": local_stamp(condition.since, store.timezone),
    }
    detail = condition.detail or {}
    if condition.kind == Kind.DEVICE_SILENT:
        return _("%(store)s: device %(subject)s has sent nothing since %(since)s.") % values
    if condition.kind == Kind.DEVICE_REFUSING:
        values["reason"] = detail.get("reason") or "?"
        return _("%(store)s: device %(subject)s sends data that is refused (%(reason)s), since %(since)s.") % values
    if condition.kind == Kind.STORE_AI_DOWN:
        return _("%(store)s: the store AI has sent no heartbeat since %(since)s.") % values
    if condition.kind == Kind.ANOMALY:
        values |= {
            "hours": detail.get("hours", 0),
            "counted": detail.get("counted", 0),
            "expected": detail.get("expected", 0),
        }
        return (
            _(
                "%(store)s: %(subject)s counted %(counted)s visitors in the last %(hours)s open hours where "
                "about %(expected)s are usual (since %(since)s). Is the lens covered or the camera moved?"
            )
            % values
        )
    if condition.kind == Kind.VISITORSFLOW_SILENCE:
        return _("%(store)s: VisitorsFlow site %(subject)s has delivered no file since %(since)s.") % values
    return f"{store.name}: {condition.kind} {values['subject']}"


def render(condition: Condition, phase: str, language: str) -> tuple[str, str]:
    """(subject, text) of one step of a condition's alerts, in ``language``."""
    with translation.override(language):
        kind = Kind(condition.kind).label
        store = condition.store.name
        problem = problem_text(condition)
        if phase == Notification.Phase.RECOVERY:
            subject = _("[VISLIVIS] Resolved: %(kind)s, %(store)s") % {"kind": kind, "store": store}
            text = _("Resolved: %(problem)s") % {"problem": problem}
        elif phase == Notification.Phase.REMINDER:
            subject = _("[VISLIVIS] Still: %(kind)s, %(store)s") % {"kind": kind, "store": store}
            text = _("Still unresolved: %(problem)s") % {"problem": problem}
        else:
            subject = _("[VISLIVIS] %(kind)s, %(store)s") % {"kind": kind, "store": store}
            text = problem
        return str(subject), str(text)
