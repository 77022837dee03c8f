"""Reading settings from the environment: an empty value means "not set".

An operator's ``.env`` copied from ``.env.example`` holds lines like ``TELEGRAM_API_ID=`` and
``STATIC_ROOT=``, and compose passes ``${NAME:-}`` as an empty string. django-environ reads an
empty value as the value itself: ``int("")`` raises, and ``STATIC_ROOT=`` overrides the image's
path with the current directory. Here an empty value takes the default, exactly as if the line
were absent, and a required variable that is empty is reported as missing.
"""

from __future__ import annotations

import environ
from django.core.exceptions import ImproperlyConfigured


class Env(environ.Env):
    """``environ.Env`` where ``NAME=`` (empty) is the same as ``NAME`` being absent."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        name = f"{self.prefix}{var}"
        if self.ENVIRON.get(name) == "":
            if default is self.NOTSET:
                raise ImproperlyConfigured(f"Set the {name} environment variable (it is empty)")
            if parse_default and default is not None:
                return self.parse_value(default, cast)
            return default
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)


# psycopg's own default: a statement run this many times on a connection is prepared there too.
PREPARE_THRESHOLD = 5


def database_options(database: dict, prepared_statements: bool) -> dict:
    """``database`` (a ``DATABASES`` entry) with psycopg's prepared statements on or off.

    Django sets ``prepare_threshold`` to None unless its ``OPTIONS`` name one, and psycopg then
    ignores ``execute(..., prepare=True)``. An ``OPTIONS`` from the database URL is kept beside it.
    """
    options = {**database.get("OPTIONS", {}), "prepare_threshold": PREPARE_THRESHOLD if prepared_statements else None}
    return {**database, "OPTIONS": options}
