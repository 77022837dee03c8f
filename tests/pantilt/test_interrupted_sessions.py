"""Sessions whose process died are failed by the beat sweeper, never left hanging."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from pantilt.models import CaptureSession, SessionStatus
from pantilt.services import fail_interrupted_sessions
from pantilt.tasks import fail_interrupted_sessions as sweep_task
from tests.pantilt.factories import RigFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rig(tenant_a):
    return RigFactory(tenant=tenant_a, move_timeout_seconds=30)


def session(rig, status, started_minutes_ago=None, created_minutes_ago=0):
    now = timezone.now()
    item = CaptureSession.objects.create(tenant=rig.tenant, rig=rig, request={"requests": []}, status=status)
    CaptureSession.objects.filter(pk=item.pk).update(
        created_at=now - timedelta(minutes=created_minutes_ago),
        started_at=None if started_minutes_ago is None else now - timedelta(minutes=started_minutes_ago),
    )
    return item


def test_sessions_past_every_bound_are_failed(rig, settings):
    settings.PANTILT_MAX_DURATION_SECONDS = 600
    settings.PANTILT_STALE_GRACE_SECONDS = 900
    # Bound: 30 s move + 600 s recording + 900 s saving = 25.5 minutes.
    stuck = session(rig, SessionStatus.RECORDING, started_minutes_ago=26)
    running = session(rig, SessionStatus.RECORDING, started_minutes_ago=20)
    saving_stuck = session(rig, SessionStatus.SAVING, started_minutes_ago=90)
    lost = session(rig, SessionStatus.QUEUED, created_minutes_ago=61)
    waiting = session(rig, SessionStatus.QUEUED, created_minutes_ago=5)
    done = session(rig, SessionStatus.DONE, started_minutes_ago=500)

    assert sorted(fail_interrupted_sessions()) == sorted([stuck.pk, saving_stuck.pk, lost.pk])
    statuses = dict(CaptureSession.objects.values_list("pk", "status"))
    assert statuses == {
        stuck.pk: "failed",
        running.pk: "recording",
        saving_stuck.pk: "failed",
        lost.pk: "failed",
        waiting.pk: "queued",
        done.pk: "done",
    }
    stuck.refresh_from_db()
    assert stuck.error.startswith("Interrupted: the process running this session stopped (no progress for 26 minutes)")
    assert stuck.finished_at is not None


def test_sweep_is_safe_to_run_twice(rig):
    session(rig, SessionStatus.MOVING, started_minutes_ago=300)
    assert len(sweep_task.delay().get()) == 1
    assert sweep_task.delay().get() == []


def test_beat_runs_the_sweeper():
    from vislivis.celery import app

    assert app.conf.beat_schedule["pantilt-fail-interrupted"]["task"] == "pantilt.fail_interrupted_sessions"
