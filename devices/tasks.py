"""Celery entry points of the devices app (thin wrappers around services)."""

from __future__ import annotations

from celery import shared_task

# Its beat entry lives with all the others in CELERY_BEAT_SCHEDULE (vislivis/settings/base.py).
PURGE_SCHEDULE_NAME = "devices-purge-documents"


@shared_task(name="devices.purge_documents", acks_late=True, time_limit=600, soft_time_limit=570)
def purge_documents() -> dict:
    """Daily retention: next months' partitions created, months past retention dropped (documents
    after ``DEVICE_DOCUMENT_RETENTION_DAYS``, minute counts after ``DEVICE_MINUTE_RETENTION_DAYS``);
    safe to run twice. The name stays from when it deleted documents row by row."""
    from devices.retention import purge

    return purge()
