"""Fast, isolated settings for the test suite, on DATABASE_URL or a throwaway embedded PostgreSQL."""

import os
import tempfile

from vislivis import embedded_db
from vislivis.settings.base import *  # noqa: F403
from vislivis.settings.base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
# PBKDF2 is the production hasher; MD5 keeps a suite that creates hundreds of users fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="vislivis-test-media-")
ALLOWED_HOSTS = ["*"]
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if not env.str("DATABASE_URL", default=""):
    # No server named: a throwaway embedded PostgreSQL for this run, started by the first process
    # that loads these settings (the pytest controller). The exported URL reaches the xdist
    # workers (pytest-django gives each its own test database on it) and the suite's subprocesses.
    os.environ["DATABASE_URL"] = embedded_db.start_throwaway()
    DATABASES["default"].update(env.db("DATABASE_URL"))  # noqa: F405 - keeps base's OPTIONS (the URL has none)

# The suite's rig, camera and export servers listen on loopback; production refuses it
# (vislivis/outbound.py). Tests of the refusal override this with [].
OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1"]
DEVICES_APPLY_INLINE = True  # a push is applied in its request, through the applier (devices.conf.apply_inline)
# The seed's camera samples are from 2022: keep their minutes (the retention rule is tested with
# its own setting in tests/devices/test_applier.py).
DEVICE_MINUTE_RETENTION_DAYS = 36500
