""".env copied from .env.example works as it is: empty values mean "the default" (issue 15).

An operator copies ``.env.example`` to ``.env`` and sets only the secrets it names. Its empty
lines (``TELEGRAM_API_ID=``, ``STATIC_ROOT=``, ``MEDIA_ROOT=``...) must not crash the settings or
override the image's paths. The settings are loaded in a fresh interpreter with exactly those
values in the environment (real variables win over ``.env``, so this is what ``.env`` gives).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from vislivis import embedded_db
from vislivis.environment import Env

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / ".env.example"
ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*)=(.*)$", re.MULTILINE)
SECRETS = {
    "SECRET_KEY": "x" * 50,
    "POSTGRES_PASSWORD": "pg-secret",
    "MQTT_PASSWORD": "mqtt-secret",
}
PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "TELEGRAM_API_ID": settings.TELEGRAM_API_ID,
    "STATIC_ROOT": str(settings.STATIC_ROOT),
    "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "HOST": settings.DATABASES["default"]["HOST"],
    "DEBUG": settings.DEBUG,
}))
"""


def example_values() -> dict[str, str]:
    return dict(ASSIGNMENT.findall(EXAMPLE.read_text()))


def load_settings(module: str, values: dict[str, str]) -> dict:
    # Only the .env values and what Python needs: nothing of the test run's own environment.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **values}
    env["DJANGO_SETTINGS_MODULE"] = module
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_variable_is_set_once_in_env_example():
    names = [name for name, _ in ASSIGNMENT.findall(EXAMPLE.read_text())]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_local_settings_load_with_env_example_as_it_is():
    loaded = load_settings("vislivis.settings.local", example_values())
    assert loaded["TELEGRAM_API_ID"] == 0
    assert loaded["STATIC_ROOT"] == str(ROOT / "var" / "staticfiles")
    assert loaded["MEDIA_ROOT"] == str(ROOT / "var" / "media")
    assert loaded["CSRF_TRUSTED_ORIGINS"] == []
    # DATABASE_URL= : the embedded PostgreSQL of `make run`, through its socket in var/postgres.
    assert loaded["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["HOST"] == str(embedded_db.socket_dir())
    # CELERY_TASK_ALWAYS_EAGER= with the memory broker: the default (inline), not False.
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True


def test_production_settings_load_with_env_example_and_the_compose_environment():
    """What an app container sees: .env (env_file) overlaid with compose's ``environment``."""
    values = {**example_values(), **SECRETS}
    values.update(
        {
            "DATABASE_URL": "postgres://vislivis:pg-secret@postgres:5432/vislivis",
            "REDIS_URL": "redis://redis:6379/0",
            "CELERY_BROKER_URL": "redis://redis:6379/1",
            "MQTT_URL": "mqtt://vislivis:mqtt-secret@mosquitto:1883",
            "MEDIA_ROOT": "/app/var/media",
            "TELEGRAM_API_ID": "",  # compose: ${TELEGRAM_API_ID:-}
            "TELEGRAM_API_HASH": "",
        }
    )
    loaded = load_settings("vislivis.settings.production", values)
    assert loaded["TELEGRAM_API_ID"] == 0
    assert loaded["STATIC_ROOT"] == str(ROOT / "var" / "staticfiles")  # the image's /app/var/staticfiles
    assert loaded["MEDIA_ROOT"] == "/app/var/media"
    assert loaded["DEBUG"] is False
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False


def fake_env(values: dict[str, str]) -> Env:
    class Scoped(Env):
        ENVIRON = values

    return Scoped()


def test_empty_value_is_the_default_and_a_required_empty_value_is_missing():
    env = fake_env({"N": "", "M": "7", "L": "", "P": ""})
    assert env.int("N", default=0) == 0
    assert env.int("M", default=0) == 7
    assert env.list("L", default=["a"]) == ["a"]
    assert env.bool("P", default=True) is True
    with pytest.raises(ImproperlyConfigured, match="N environment variable"):
        env.int("N")


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=-(2**40), max_value=2**40), st.integers())
def test_a_set_value_still_wins_over_the_default(value, default):
    assert fake_env({"N": str(value)}).int("N", default=default) == value
    assert fake_env({"N": ""}).int("N", default=default) == default
