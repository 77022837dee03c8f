"""Nothing the console shows ships untranslated: every app, model and field name, help text and
admin column of the brand console has an entry in the Turkish and Traditional Chinese catalogs.

A new model, field or admin column fails here until its English text is in
``vislivis.console_labels.LABELS`` (derived names) or wrapped in gettext (the rest) and
translated in ``locale/*/LC_MESSAGES/django.po``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import trans_real

from vislivis.console import brand_site
from vislivis.console_labels import LABELS, model_texts, project_models

LANGUAGES = ["tr", "zh-hant"]
CONSOLE_MODELS = sorted(
    set(brand_site._registry) | {model for model in admin.site._registry if model in set(project_models())},
    key=lambda model: model._meta.label,
)


def english(text) -> str:
    with translation.override(None):
        return str(text)


def untranslated(texts, language: str) -> list[str]:
    catalog = trans_real.translation(language)._catalog
    return [text for text in texts if text and not catalog.get(text)]


def admin_texts(model_admin) -> list[str]:
    """The admin's own column, field and action descriptions and fieldset titles."""
    texts = []
    for name in [*getattr(model_admin, "list_display", ()), *model_admin.readonly_fields]:
        attr = getattr(model_admin, name, None) if isinstance(name, str) else name
        if description := getattr(attr, "short_description", None):
            texts.append(english(description))
    for action in getattr(model_admin, "actions", None) or ():
        attr = getattr(model_admin, action, None) if isinstance(action, str) else action
        if description := getattr(attr, "short_description", None):
            texts.append(english(description))
    for title, _options in model_admin.fieldsets or ():
        if title:
            texts.append(english(title))
    return texts


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("model", CONSOLE_MODELS, ids=lambda model: model._meta.label)
def test_model_and_app_names_are_translated(model, language):
    texts = [english(model._meta.app_config.verbose_name), *model_texts(model)]
    model_admin = brand_site._registry.get(model) or admin.site._registry[model]
    texts += admin_texts(model_admin)
    for inline in model_admin.inlines:
        texts += [*model_texts(inline.model), *admin_texts(inline(model, brand_site))]
    assert untranslated(dict.fromkeys(texts), language) == []


@pytest.mark.parametrize("model", CONSOLE_MODELS, ids=lambda model: model._meta.label)
def test_every_derived_name_is_where_makemessages_finds_it(model):
    """Derived names exist only at run time: LABELS keeps them in the catalogs' sources."""
    assert [text for text in model_texts(model) if text not in LABELS and text != "ID"] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_site_names_and_the_403_page_are_translated(language):
    texts = [english(brand_site.site_header), english(brand_site.index_title), english(admin.site.site_header)]
    template = (Path(settings.BASE_DIR) / "templates" / "403.html").read_text()
    texts += re.findall(r'{% translate "(.*?)" %}', template)
    texts += [text.replace("{{ name }}", "%(name)s") for text in re.findall(r"%}(.*?){% endblocktranslate", template)]
    assert len(texts) == 9
    assert untranslated(texts, language) == []


@pytest.mark.django_db
def test_translating_the_names_creates_no_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # SystemExit(1) on a change


# Choices whose labels are the same in every language: native language names, the seed's own
# camera type names, protocol and sensor acronyms.
UNTRANSLATED_CHOICES = {
    "stores.Tenant.language",
    "stores.Camera.type",
    "pantilt.RigCamera.kind",
    "pantilt.CommandLog.transport",
    "visitorsflow.Site.language",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("model", CONSOLE_MODELS, ids=lambda model: model._meta.label)
def test_choice_labels_are_translated(model, language):
    labels = [
        english(label)
        for field in model._meta.concrete_fields
        if field.choices and f"{model._meta.label}.{field.name}" not in UNTRANSLATED_CHOICES
        for _value, label in field.flatchoices
    ]
    assert untranslated(dict.fromkeys(labels), language) == []
