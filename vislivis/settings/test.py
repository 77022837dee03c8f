"""Fast, isolated settings for the test suite (DATABASE_URL picks SQLite or PostgreSQL)."""

import os
import tempfile
from pathlib import Path

from vislivis.settings.base import *  # noqa: F403

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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, like the embedded default: in-memory shared-cache SQLite has table locks that
    # ignore the busy timeout and would fail concurrent-writer tests for the wrong reason.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"vislivis-test-{os.getpid()}.sqlite3")}  # noqa: F405
    # Durability is irrelevant for a throw-away test database; fsyncs would dominate the run.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA synchronous=OFF;"  # noqa: F405

# The suite's rig, camera and export servers listen on loopback; production refuses it
# (vislivis/outbound.py). Tests of the refusal override this with [].
OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1"]
