from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project layer: what spans the apps (the ``demo`` command loads every app's demo data)."""

    name = "vislivis"
    verbose_name = "VISLIVIS"
