"""Production: PostgreSQL, Redis, Mosquitto; refuses to start with insecure defaults.

HTTP (API and pages) is served by gunicorn sync workers through ``vislivis.wsgi``; only
``/ws/`` goes to the ASGI server (``vislivis.asgi``). TLS ends at the proxy in front, which
sets ``X-Forwarded-Proto``. See ``docs/operations.md``.
"""

from django.core.exceptions import ImproperlyConfigured

from vislivis.settings.base import *  # noqa: F403
from vislivis.settings.base import LOGGING, MIDDLEWARE, REDIS_URL, env, env_secret

DEBUG = False
SECRET_KEY = env_secret("SECRET_KEY") or ""
if len(SECRET_KEY) < 32 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set to at least 32 random characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")
# The embedded server is for `make run` only (its wheel is not in the production requirements).
if not env.str("DATABASE_URL", default=""):
    raise ImproperlyConfigured("DATABASE_URL must name the PostgreSQL server in production.")
# Throttle counters, the Basic-auth cache and the Channels layer must be shared by every process.
if not REDIS_URL:
    raise ImproperlyConfigured("REDIS_URL must be set in production (cache, throttles, Channels layer).")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if not CELERY_BROKER_URL or CELERY_BROKER_URL.startswith("memory://"):
    raise ImproperlyConfigured("CELERY_BROKER_URL must name a real broker in production (e.g. redis://redis:6379/1).")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False

# HTTPS behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Health checks come from load balancers by IP over plain HTTP: answer them before the host and
# HTTPS checks (vislivis.health.HealthCheckMiddleware).
MIDDLEWARE = ["vislivis.health.HealthCheckMiddleware", *MIDDLEWARE]
READYZ_CHECKS = env.list("READYZ_CHECKS", default=["database", "redis", "broker", "mqtt"])

# Static files: hashed names, pre-compressed, served by WhiteNoise with far-future caching.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 31536000

# Persistent connections: a new PostgreSQL connection per request cost 5x here.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405

# One JSON object per line on stdout; the container runtime collects it. Uncaught exceptions
# and warnings become records too (vislivis.logging.configure): a traceback is one line.
LOGGING_CONFIG = "vislivis.logging.configure"
LOGGING = {
    **LOGGING,
    "formatters": {**LOGGING["formatters"], "json": {"()": "vislivis.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
}

# The demo's stand-in for VisitorsFlow's official API is never served in production (visitorsflow/demo_api.py).
VISITORSFLOW_DEMO_API = False
