"""WSGI entry point: HTTP API and pages are served by gunicorn sync workers in production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vislivis.settings.local")

application = get_wsgi_application()
