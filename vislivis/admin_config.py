"""``django.contrib.admin`` with the operators' site as the default site (``admin.site``).

Everything Django and third-party apps autodiscover lands on ``admin.site``; making that site
superuser-only is what keeps their unscoped admins away from brand admins (see
``vislivis.console``). Kept apart from ``vislivis.console`` because INSTALLED_APPS imports this
module before the models are ready.
"""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "vislivis.console.OperatorAdminSite"

    def ready(self) -> None:
        super().ready()
        from vislivis.console_labels import translate_labels

        translate_labels()  # every model is loaded by now; vislivis.console_labels says why
