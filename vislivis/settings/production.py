"""Production: PostgreSQL, Redis, Mosquitto; refuses to start with insecure defaults."""

from django.core.exceptions import ImproperlyConfigured

from vislivis.settings.base import *  # noqa: F403
from vislivis.settings.base import env, env_secret

DEBUG = False
SECRET_KEY = env_secret("SECRET_KEY") or ""
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set to at least 32 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
