"""``manage.py check --deploy --fail-level WARNING`` is clean with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# tests/conftest.py sets it for Playwright; a deployment must not (async.E001).
UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "vislivis.settings.production",
    "SECRET_KEY": "x7Gq2-production-test-key-0123456789-abcdefghijklmnopqrstuv",
    "ALLOWED_HOSTS": "vislivis.example.com",
    "DATABASE_URL": os.environ["DATABASE_URL"],  # the suite's server (the check does not write)
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != UNSAFE} | PRODUCTION_ENV | env
    full_env = {k: v for k, v in full_env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_refuses_to_start_without_a_real_secret():
    result = manage("check", SECRET_KEY="short")
    assert result.returncode == 1
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_refuses_to_start_without_a_database_url():
    """No silent fallback to the embedded server of `make run` (not even installed there)."""
    result = manage("check", DATABASE_URL="")
    assert result.returncode == 1
    assert "DATABASE_URL must name the PostgreSQL server in production" in result.stderr


def test_refuses_an_in_memory_broker():
    result = manage("check", CELERY_BROKER_URL="memory://")
    assert result.returncode == 1
    assert "CELERY_BROKER_URL must name a real broker" in result.stderr


def test_production_values():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.DATABASES['default']['CONN_MAX_AGE'], "
        "s.CELERY_TASK_ALWAYS_EAGER, s.MIDDLEWARE[0], s.LOGGING['handlers']['console']['formatter'])"
    )
    full_env = {k: v for k, v in os.environ.items() if k != UNSAFE} | PRODUCTION_ENV
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == (
        "False True True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') 60 False "
        "vislivis.health.HealthCheckMiddleware json"
    )
