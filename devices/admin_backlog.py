"""The console's view of the camera backlog: how many documents wait for the applier, how old the
oldest one is, on the received documents' list and the console's index.

Counted through the received documents' admin queryset, so the tenant scoping is the one every
list of the console has (``stores.admin_scoping``): a brand admin counts only their brand's
stores' documents, a platform operator every brand's (the figure ``/readyz`` gives). Every text
is translated here, in Python, so ``tests/console`` can check each one in every catalog.
"""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from devices.freshness import apply_lag_warn_seconds, backlog_of, is_lagging
from stores.admin_scoping import is_operator
from stores.local_time import stamp

MINUTE, HOUR, DAY = 60, 3600, 86400


def age_text(seconds: float) -> str:
    """``42 s``, ``3 min 12 s``, ``2 h 5 min``, ``3 d 4 h``: as precise as an operator needs."""
    whole = int(seconds)
    if whole < MINUTE:
        return gettext("%(seconds)d s") % {"seconds": whole}
    if whole < HOUR:
        return gettext("%(minutes)d min %(seconds)d s") % {"minutes": whole // MINUTE, "seconds": whole % MINUTE}
    if whole < DAY:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": whole // HOUR, "minutes": whole % HOUR // MINUTE}
    return gettext("%(days)d d %(hours)d h") % {"days": whole // DAY, "hours": whole % DAY // HOUR}


def backlog_panel(request: HttpRequest, documents_admin: ModelAdmin) -> dict:
    """What the panel shows (``templates/admin/devices/camera_backlog.html``) for this user."""
    scoped = backlog_of(documents_admin.get_queryset(request))
    waiting, now = scoped.backlog, timezone.now()
    if waiting.pending and scoped.oldest is not None:
        summary = ngettext(
            "%(count)d document waits; the oldest arrived %(age)s ago (%(time)s).",
            "%(count)d documents wait; the oldest arrived %(age)s ago (%(time)s).",
            waiting.pending,
        ) % {
            "count": waiting.pending,
            "age": age_text(waiting.lag_seconds(now)),
            "time": stamp(scoped.oldest, scoped.oldest.received_at),
        }
    else:
        summary = gettext("None: every camera document received so far is applied.")
    lagging = is_lagging(waiting, now)
    changelist = reverse("admin:devices_receiveddocument_changelist", current_app=documents_admin.admin_site.name)
    return {
        "title": gettext("Camera documents waiting to be applied"),
        "summary": summary,
        "scope": gettext("Every brand's stores.") if is_operator(request) else gettext("Your brand's stores."),
        "pending": waiting.pending,
        "lag_seconds": round(waiting.lag_seconds(now), 1),
        "lagging": lagging,
        "warning": gettext(
            "More than %(seconds)s s behind: check that the appliers run (docs/operations.md, "
            "“Scaling out the camera ingest”)."
        )
        % {"seconds": f"{apply_lag_warn_seconds():g}"}
        if lagging
        else "",
        "link": gettext("Show them"),
        "url": f"{changelist}?outcome__exact=pending",
    }
