"""Celery is configured for no lost and no doubled work."""

from __future__ import annotations

from django.conf import settings

from pantilt import conf as pantilt_conf
from vislivis.beat import SingleBeatScheduler, lock_redis_url
from vislivis.celery import app


def test_late_ack_and_redelivery_settings():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS is True
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]


def test_visibility_timeout_outlasts_the_longest_task_and_capture_session():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT == 900
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT == 870
    assert pantilt_conf.max_duration_seconds() < settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert visibility == 7200
    assert visibility > settings.CELERY_TASK_TIME_LIMIT
    app.loader.import_default_modules()
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        assert (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) < visibility, name
        assert task.acks_late, name


def test_beat_uses_the_single_beat_scheduler():
    assert settings.CELERY_BEAT_SCHEDULER == "vislivis.beat:SingleBeatScheduler"
    assert issubclass(SingleBeatScheduler, __import__("celery.beat").beat.PersistentScheduler)
    assert lock_redis_url("redis://r:6379/1", "") == "redis://r:6379/1"
    assert lock_redis_url("memory://", "redis://c:6379/0") == "redis://c:6379/0"
    assert lock_redis_url("memory://", "") is None
