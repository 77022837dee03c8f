"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vislivis.settings.local")

app = Celery("vislivis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Celery's own setup would redirect stdout/stderr to a logger one ``write`` at a time (a
    traceback became ~1,300 JSON lines); with a receiver here Celery leaves logging to Django's
    ``LOGGING`` (JSON in production, tracebacks in one field: vislivis/logging.py)."""
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
