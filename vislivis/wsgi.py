"""WSGI entry point: HTTP API and pages are served by gunicorn sync workers in production.

Django's handler with the camera push's plain case answered ahead of the middleware chain
(``vislivis.lean_wsgi`` says which requests and what it does for them).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vislivis.settings.local")

from vislivis.lean_wsgi import get_lean_wsgi_application  # noqa: E402 - settings first

application = get_lean_wsgi_application()
