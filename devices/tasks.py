"""Celery entry points of the devices app (thin wrappers around services)."""

from __future__ import annotations

from celery import shared_task
from celery.schedules import crontab

from vislivis.celery import app

PURGE_SCHEDULE_NAME = "devices.purge_documents"


@shared_task(name="devices.purge_documents", acks_late=True, time_limit=600, soft_time_limit=570)
def purge_documents() -> int:
    """Delete received camera documents past ``DEVICE_DOCUMENT_RETENTION_DAYS``; safe to run twice."""
    from devices.services import purge_documents as purge

    return purge()


# Daily at 03:17 UTC; registered here so the shared settings need no entry (beat imports this module).
app.add_periodic_task(crontab(hour=3, minute=17), purge_documents.s(), name=PURGE_SCHEDULE_NAME)
