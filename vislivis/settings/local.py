"""The embedded default: a laptop or a demo, nothing external needed."""

from vislivis.settings.base import *  # noqa: F403
from vislivis.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# A fixed development key keeps sessions across restarts; production refuses to start without one.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
# Store PCs on the LAN post to the panel's address (the seed's --url http://192.168.1.100:5000).
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
# The demo's simulated rig and cameras, and its stand-in for VisitorsFlow's official API
# (the demo site exports to this panel itself), listen on loopback; production allows nothing internal
# unless listed (vislivis/outbound.py). Comma-separated CIDRs, addresses or host names.
OUTBOUND_ALLOWED_NETWORKS = env.list("OUTBOUND_ALLOWED_NETWORKS", default=[]) or ["127.0.0.0/8", "::1"]
# The demo serves its own stand-in for the official API (visitorsflow/demo_api.py) at
# /demo/visitorsflow/official-api; production and the test settings do not.
VISITORSFLOW_DEMO_API = env.bool("VISITORSFLOW_DEMO_API", default=True)
# Alert e-mails of the demo print on the console unless an SMTP server is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")


def _not_an_http_access_line(record) -> bool:
    """Daphne's runserver writes its own "HTTP GET /x 200" line; the request middleware
    (vislivis.logging) already wrote one with the request id. Kept: WebSocket lines, and the
    static files, which runserver serves before any middleware (so theirs is the only line)."""
    if "%(method)s" not in str(record.msg):
        return True
    details = record.args if isinstance(record.args, dict) else {}
    return str(details.get("path", "")).startswith("/" + STATIC_URL.lstrip("/"))  # noqa: F405


# One line per request in `make run` (issue 18): the middleware's access line is the one kept
# (it carries the request id, as in production). Dropped: Daphne's HTTP access lines (but for
# static files, which only Daphne sees), Django's DEBUG console handler (it printed each
# django.* record a second time, unformatted), and django.request's "Not Found: /x" warnings,
# which repeat the middleware's 4xx lines (5xx tracebacks still print).
LOGGING = {
    **LOGGING,  # noqa: F405
    "filters": {**LOGGING["filters"], "no_http_access": {"()": lambda: _not_an_http_access_line}},  # noqa: F405
    "loggers": {
        **LOGGING["loggers"],  # noqa: F405
        "django": {"handlers": [], "propagate": True},  # the root handler only
        "django.channels.server": {"filters": ["no_http_access"]},
        "django.request": {"level": "ERROR"},
    },
}
