"""VisitorsFlow settings: a Django setting of the same name wins, else the environment, else the default.

Read at call time (not import time) so tests can override them with pytest-django's ``settings``.
"""

from __future__ import annotations

from django.conf import settings

from vislivis.environment import Env

# ``NAME=`` (an empty line of .env, compose's ``${NAME:-}``) is the default, as in the settings.
env = Env()

DEFAULTS: dict[str, tuple[type, object]] = {
    # Derived watch folders are <root>/<tenant id>/<ssid>; None = <BASE_DIR>/var/visitorsflow.
    "VISITORSFLOW_ROOT": (str, None),
    # A file is read only once its size and mtime have not changed for this long (seconds).
    "VISITORSFLOW_SETTLE_SECONDS": (float, 2.0),
    # Files larger than this are rejected to failed/ (a counter file is a few KB).
    "VISITORSFLOW_MAX_FILE_BYTES": (int, 10 * 1024 * 1024),
    # Watcher: poll instead of inotify (network shares), seconds between ticks and full scans.
    "VISITORSFLOW_WATCH_POLLING": (bool, False),
    "VISITORSFLOW_WATCH_TICK_SECONDS": (float, 1.0),
    "VISITORSFLOW_FULL_SCAN_SECONDS": (float, 30.0),
    "VISITORSFLOW_SILENCE_CHECK_SECONDS": (float, 15.0),
    # Longest gap between repeated silence alerts (the back-off doubles up to this).
    "VISITORSFLOW_SILENCE_BACKOFF_MAX_MINUTES": (int, 60),
    # Export: HTTP timeout, retries per run, first back-off, alert after this many failures in a row.
    "VISITORSFLOW_EXPORT_TIMEOUT_SECONDS": (float, 10.0),
    "VISITORSFLOW_EXPORT_MAX_RETRIES": (int, 3),
    "VISITORSFLOW_EXPORT_RETRY_BASE_SECONDS": (float, 10.0),
    "VISITORSFLOW_EXPORT_ALERT_AFTER": (int, 3),
    # A queued export that finds a successful one younger than this skips (backlog after downtime).
    "VISITORSFLOW_EXPORT_MIN_GAP_SECONDS": (float, 60.0),
    "VISITORSFLOW_EXPORT_INTERVAL_SECONDS": (float, 300.0),
    # The demo's own stand-in for the official API (visitorsflow/demo_api.py): served only when
    # true (settings/local.py turns it on), and the URL the demo site exports to.
    "VISITORSFLOW_DEMO_API": (bool, False),
    "VISITORSFLOW_DEMO_EXPORT_URL": (str, "http://127.0.0.1:5000/demo/visitorsflow/official-api"),
    # Telegram: longest FloodWait we wait out through a retry (longer ones fail the alert).
    "VISITORSFLOW_TELEGRAM_MAX_FLOOD_WAIT": (int, 3600),
}


def get(name: str):
    """The value of one VISITORSFLOW_* setting."""
    if hasattr(settings, name):
        return getattr(settings, name)
    cast, default = DEFAULTS[name]
    if name == "VISITORSFLOW_ROOT":
        return env.get_value(name, cast=str, default="") or str(settings.BASE_DIR / "var" / "visitorsflow")
    return env.get_value(name, cast=cast, default=default)
