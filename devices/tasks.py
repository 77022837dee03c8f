"""Celery entry points of the devices app (thin wrappers around services)."""

from __future__ import annotations

from celery import shared_task

# Its beat entry lives with all the others in CELERY_BEAT_SCHEDULE (vislivis/settings/base.py).
PURGE_SCHEDULE_NAME = "devices-purge-documents"


@shared_task(name="devices.purge_documents", acks_late=True, time_limit=600, soft_time_limit=570)
def purge_documents() -> int:
    """Delete received camera documents past ``DEVICE_DOCUMENT_RETENTION_DAYS``; safe to run twice."""
    from devices.services import purge_documents as purge

    return purge()
