"""The console speaks the brand's language down to every model and field name (issue 18).

Django derives most of the names the console shows from the code: a model's ``verbose_name``
from its class name (``ReceivedDocument`` → "received document"), a field's from its attribute
(``received_at`` → "received at"). Those derived names are plain strings that never pass
through gettext, and spelling each out as ``verbose_name=_("received at")`` would be a
migration for every model and field (Django records explicit names in migrations).

So ``translate_labels()`` (run once from ``OperatorAdminConfig.ready``) wraps, for every model
of the project's own apps, the app, model and field names and the help texts in
``gettext_lazy`` at run time: migrations see the same English text, the console sees the active
language. ``LABELS`` below is where ``makemessages`` finds these texts; the test
``tests/security/test_console_translations.py`` fails when a model or field shown in the
console has no entry in a catalog, so a new one cannot ship untranslated.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models import Field, Model
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop


def project_apps() -> Iterator[AppConfig]:
    """The apps whose code lives in this repository (not Django's or a third party's)."""
    base = Path(settings.BASE_DIR).resolve()
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(base) and "site-packages" not in path.parts:
            yield app


def project_models() -> Iterator[type[Model]]:
    for app in project_apps():
        yield from app.get_models()


def shown_fields(model: type[Model]) -> Iterator[Field]:
    """The model's own fields a form or list can show (not reverse relations)."""
    for field in model._meta.get_fields():
        if field.concrete or (field.many_to_many and not field.auto_created):
            yield field


def model_texts(model: type[Model]) -> Iterator[str]:
    """Every name and help text of ``model`` the console may show, in English (whatever language
    the calling thread has active: a request's language stays active after it)."""
    opts = model._meta
    with translation.override(None):
        texts = [str(opts.verbose_name), str(opts.verbose_name_plural)]
        for field in shown_fields(model):
            texts.append(str(field.verbose_name))
            if field.help_text:
                texts.append(str(field.help_text))
    yield from texts


def _lazy(text):
    """``text`` (a string, or a lazy one such as Django's derived plural) through gettext, lazily."""
    if not text:
        return text
    with translation.override(None):  # the English the code says, whatever language is active
        english = str(text)
    return gettext_lazy(english)


def translate_labels() -> None:
    """Wrap the project's app, model and field names and help texts in ``gettext_lazy``."""
    for app in project_apps():
        app.verbose_name = _lazy(app.verbose_name)
        for model in app.get_models():
            opts = model._meta
            opts.verbose_name = _lazy(opts.verbose_name)
            opts.verbose_name_plural = _lazy(opts.verbose_name_plural)
            for field in shown_fields(model):
                # ``verbose_name`` only: migrations read ``_verbose_name`` (what the code said).
                field.verbose_name = _lazy(field.verbose_name)
                field.help_text = _lazy(field.help_text)


# The derived names and the help texts, per model, for makemessages (see the module docstring).
# Regenerate the list with: manage.py shell -c "from vislivis.console_labels import print_labels; print_labels()"
LABELS = (
    # alerts.AlertRule
    gettext_noop("alert rule"),
    gettext_noop("alert rules"),
    gettext_noop("ID"),
    gettext_noop("tenant"),
    gettext_noop("name"),
    gettext_noop("channel"),
    gettext_noop("recipient"),
    gettext_noop("E-mail address, or Telegram username, phone number or chat id."),
    gettext_noop("alert kinds"),
    gettext_noop("enabled"),
    gettext_noop("created at"),
    gettext_noop("stores"),
    gettext_noop("None chosen: every store."),
    # alerts.BrandAlertSettings
    gettext_noop("alert settings"),
    gettext_noop("send a daily summary"),
    gettext_noop("summary time"),
    gettext_noop("Local time of the brand."),
    gettext_noop("time zone"),
    gettext_noop("last summary day"),
    # alerts.Condition
    gettext_noop("watched problem"),
    gettext_noop("watched problems"),
    gettext_noop("store"),
    gettext_noop("kind"),
    gettext_noop("subject"),
    gettext_noop("Device id, VisitorsFlow site or count source."),
    gettext_noop("label"),
    gettext_noop("active"),
    gettext_noop("since"),
    gettext_noop("detail"),
    gettext_noop("alerts sent"),
    gettext_noop("next alert at"),
    gettext_noop("updated at"),
    # alerts.Notification
    gettext_noop("alert message"),
    gettext_noop("alert messages"),
    gettext_noop("rule"),
    gettext_noop("condition"),
    gettext_noop("phase"),
    gettext_noop("text"),
    gettext_noop("status"),
    gettext_noop("locked until"),
    gettext_noop("attempts"),
    gettext_noop("error"),
    gettext_noop("sent at"),
    # analytics.HourlyCustomers
    gettext_noop("hourly customers"),
    gettext_noop("camera id"),
    gettext_noop("hour"),
    gettext_noop("entered"),
    gettext_noop("exited"),
    gettext_noop("customers inside"),
    gettext_noop("male count"),
    gettext_noop("female count"),
    gettext_noop("age 18 30"),
    gettext_noop("age 30 50"),
    gettext_noop("age 50 plus"),
    # analytics.HourlyQueue
    gettext_noop("hourly queue"),
    gettext_noop("hourly queues"),
    gettext_noop("cashier"),
    gettext_noop("total customers"),
    gettext_noop("wait time"),
    # analytics.HourlyZoneHeatmap
    gettext_noop("hourly zone heatmap"),
    gettext_noop("hourly zone heatmaps"),
    gettext_noop("zone"),
    gettext_noop("visitor count"),
    gettext_noop("intensity"),
    # analytics.SenderClock
    gettext_noop("sender clock"),
    gettext_noop("sender clocks"),
    gettext_noop("samples"),
    # analytics.StoreDay
    gettext_noop("store day"),
    gettext_noop("store days"),
    gettext_noop("source"),
    gettext_noop("business date"),
    gettext_noop("footfall"),
    gettext_noop("occupancy peak"),
    gettext_noop("before midnight footfall"),
    gettext_noop("before midnight peak"),
    gettext_noop("after midnight footfall"),
    gettext_noop("after midnight peak"),
    gettext_noop("starts at"),
    gettext_noop("ends at"),
    # devices.DemographicCount
    gettext_noop("demographic count"),
    gettext_noop("demographic counts"),
    gettext_noop("device"),
    gettext_noop("period start"),
    gettext_noop("UTC start of the interval."),
    gettext_noop("interval"),
    gettext_noop("Length of the interval in minutes."),
    gettext_noop("values"),
    gettext_noop("The kind's measures: {column: count}."),
    gettext_noop("transmit time"),
    gettext_noop("received at"),
    gettext_noop("seconds"),
    # devices.Device
    gettext_noop("devices"),
    gettext_noop("DeviceId"),
    gettext_noop("site id"),
    gettext_noop("site name"),
    gettext_noop("mac address"),
    gettext_noop("ip address"),
    gettext_noop("connection type"),
    gettext_noop("ip address method"),
    gettext_noop("host name"),
    gettext_noop("timezone hours"),
    gettext_noop("UTC offset the camera reports."),
    gettext_noop("dst"),
    gettext_noop("hw platform"),
    gettext_noop("serial number"),
    gettext_noop("device type"),
    gettext_noop("sw release"),
    gettext_noop("interface version"),
    gettext_noop("division id"),
    gettext_noop("external id"),
    gettext_noop("timezone name"),
    gettext_noop("http port"),
    gettext_noop("https port"),
    gettext_noop("Wi-Fi SSID"),
    gettext_noop("properties transmit time"),
    gettext_noop("last document kind"),
    gettext_noop("first seen"),
    gettext_noop("last seen"),
    gettext_noop("last data at"),
    gettext_noop("Receive time of the last accepted data document (Metrics, RTMetrics)."),
    gettext_noop("last refused at"),
    gettext_noop("Receive time of the last refused data document."),
    gettext_noop("last refusal reason"),
    gettext_noop("last refused document"),
    # devices.HourlyDemographics
    gettext_noop("hourly demographics"),
    gettext_noop("UTC start of the hour."),
    gettext_noop("male"),
    gettext_noop("female"),
    gettext_noop("unknown gender"),
    gettext_noop("age under 10"),
    gettext_noop("age 10 16"),
    gettext_noop("age 17 30"),
    gettext_noop("age 31 45"),
    gettext_noop("age 46 60"),
    gettext_noop("age over 60"),
    gettext_noop("unknown age"),
    gettext_noop("work card"),
    gettext_noop("People wearing a staff work card."),
    # devices.HourlyFootfall
    gettext_noop("hourly footfall"),
    gettext_noop("object type"),
    gettext_noop("enters"),
    gettext_noop("exits"),
    gettext_noop("passings"),
    gettext_noop("returns"),
    # devices.MinuteCount
    gettext_noop("minute count"),
    gettext_noop("minute counts"),
    # devices.ReceivedDocument
    gettext_noop("received document"),
    gettext_noop("received documents"),
    gettext_noop("device key"),
    gettext_noop("Root element: Metrics, RTMetrics or Diags."),
    gettext_noop("body"),
    gettext_noop("body encoding"),
    gettext_noop("size"),
    gettext_noop("Bytes as received."),
    gettext_noop("content type"),
    gettext_noop("remote addr"),
    gettext_noop("outcome"),
    gettext_noop("records"),
    gettext_noop("Count records in the document."),
    gettext_noop("applied"),
    gettext_noop("Records that were new or superseded older ones."),
    gettext_noop("applied at"),
    gettext_noop("When the applier applied it."),
    gettext_noop("replayed at"),
    # pantilt.CaptureSession
    gettext_noop("capture session"),
    gettext_noop("capture sessions"),
    gettext_noop("rig"),
    gettext_noop("requested by"),
    gettext_noop("request"),
    gettext_noop("The validated request body, as posted."),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("folder"),
    gettext_noop("Relative to MEDIA_ROOT."),
    gettext_noop("frames"),
    gettext_noop("Per camera: received, saved, dropped."),
    gettext_noop("rig states"),
    gettext_noop("manifest"),
    # pantilt.CommandLog
    gettext_noop("command log"),
    gettext_noop("command logs"),
    gettext_noop("session"),
    gettext_noop("index"),
    gettext_noop("Position in the request's list."),
    gettext_noop("command"),
    gettext_noop("transport"),
    gettext_noop("sent, acknowledged, unacknowledged, ok, error."),
    gettext_noop("response"),
    # pantilt.Rig
    gettext_noop("rigs"),
    gettext_noop("device id"),
    gettext_noop("api url"),
    gettext_noop("Entity commands are POSTed here when set; else MQTT. Internal addresses are refused by default."),
    gettext_noop("mqtt prefix"),
    gettext_noop("pan min"),
    gettext_noop("Degrees × 100."),
    gettext_noop("pan max"),
    gettext_noop("tilt min"),
    gettext_noop("tilt max"),
    gettext_noop("zoom min"),
    gettext_noop("zoom max"),
    gettext_noop("position tolerance"),
    gettext_noop("Degrees × 100 (pan, tilt)."),
    gettext_noop("zoom tolerance"),
    gettext_noop("settle seconds"),
    gettext_noop("Still and on target this long before recording."),
    gettext_noop("move timeout seconds"),
    gettext_noop("Fail the session if not settled by then."),
    # pantilt.RigCamera
    gettext_noop("rig camera"),
    gettext_noop("rig cameras"),
    gettext_noop("ws url"),
    # sales.HourlySales
    gettext_noop("hourly sales"),
    gettext_noop("till"),
    gettext_noop("transactions"),
    gettext_noop("revenue"),
    gettext_noop("items"),
    gettext_noop("currency"),
    # stores.Camera
    gettext_noop("camera"),
    gettext_noop("cameras"),
    gettext_noop("type"),
    gettext_noop("rtsp url"),
    gettext_noop("snapshot"),
    # stores.Cashier
    gettext_noop("cashiers"),
    # stores.Membership
    gettext_noop("membership"),
    gettext_noop("memberships"),
    gettext_noop("user"),
    gettext_noop("role"),
    # stores.Store
    gettext_noop("code"),
    gettext_noop("Sender payloads name a store by this code."),
    gettext_noop("timezone"),
    gettext_noop("ingest key"),
    gettext_noop("inactivity timeout minutes"),
    gettext_noop("A device or store AI is offline when not heard from for this long."),
    gettext_noop("As reported by the store's setup sender."),
    gettext_noop("opening hour"),
    gettext_noop("Local hour at which occupancy resets."),
    gettext_noop("subtract staff"),
    gettext_noop("Subtract people wearing a staff work card (counted by the cameras) from footfall everywhere."),
    gettext_noop("ISO 4217 code of the till revenue the store reports."),
    # stores.StoreHeartbeat
    gettext_noop("store heartbeat"),
    gettext_noop("store heartbeats"),
    gettext_noop("count"),
    gettext_noop("payload"),
    # stores.Tenant
    gettext_noop("tenants"),
    gettext_noop("language"),
    gettext_noop("The brand's console, alerts and summaries speak this language."),
    # stores.Zone
    gettext_noop("zones"),
    # visitorsflow.Alert
    gettext_noop("alert"),
    gettext_noop("alerts"),
    gettext_noop("site"),
    gettext_noop("sent"),
    gettext_noop("delivered to"),
    gettext_noop("Recipients already reached."),
    gettext_noop("send error"),
    # visitorsflow.ExportAttempt
    gettext_noop("export attempt"),
    gettext_noop("export attempts"),
    gettext_noop("http status"),
    gettext_noop("duration ms"),
    gettext_noop("retry"),
    gettext_noop("0 = first try of this run."),
    gettext_noop("note"),
    # visitorsflow.IngestedFile
    gettext_noop("ingested file"),
    gettext_noop("ingested files"),
    gettext_noop("sha256"),
    gettext_noop("events"),
    gettext_noop("Events in the file."),
    gettext_noop("new events"),
    gettext_noop("Events not already stored (duplicates count once)."),
    gettext_noop("rejected records"),
    gettext_noop("Items of the file that were not valid events."),
    gettext_noop("rejects"),
    gettext_noop("The first bad items as {index, reason}; the full list is in <name>.rejects.json beside the file."),
    gettext_noop("moved to"),
    # visitorsflow.PersonEvent
    gettext_noop("person event"),
    gettext_noop("person events"),
    gettext_noop("person id"),
    gettext_noop("in out"),
    gettext_noop("time"),
    gettext_noop("UTC; the file holds site-local time."),
    gettext_noop("frame number"),
    gettext_noop("file"),
    # visitorsflow.Site
    gettext_noop("sites"),
    gettext_noop("ssid"),
    gettext_noop("The official API's site id, e.g. SS-007."),
    gettext_noop("watch dir"),
    gettext_noop(
        "Folder the counter writes its JSON files into. Set by an operator only; empty = derived: <VISITORSFLOW_ROOT>/<tenant id>/<ssid>."  # noqa: E501
    ),
    gettext_noop("tag count"),
    gettext_noop("tag accu in"),
    gettext_noop("tag accu out"),
    gettext_noop("export url"),
    gettext_noop("Official API; empty = no export. Internal addresses are refused unless an operator allows them."),
    gettext_noop("silence minutes"),
    gettext_noop("Alert when no file arrives for this long."),
    gettext_noop("telegram recipients"),
    gettext_noop("Usernames, phone numbers or chat ids, one per line or comma separated."),
    gettext_noop("When the last valid file was committed."),
    gettext_noop("silence alerts sent"),
    gettext_noop("0 = not silent."),
    gettext_noop("next silence alert at"),
    gettext_noop("export lock until"),
    gettext_noop("export failures"),
    gettext_noop("Consecutive failed export attempts."),
    # visitorsflow.TelegramSession
    gettext_noop("telegram session"),
    gettext_noop("telegram sessions"),
    gettext_noop("phone"),
    gettext_noop("Telethon StringSession: a login credential, keep it secret."),
)


def print_labels() -> None:
    """Print ``LABELS`` as it should read for the current models (to paste above)."""
    seen: set[str] = set()
    for model in sorted(project_models(), key=lambda model: model._meta.label):
        new = [text for text in dict.fromkeys(model_texts(model)) if text not in seen]
        seen.update(new)
        if new:
            print(f"    # {model._meta.label}")
            for text in new:
                print(f"    gettext_noop({text!r}),")
