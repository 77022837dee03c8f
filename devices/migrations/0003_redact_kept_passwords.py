"""Redact the passwords kept in documents received before redaction existed (``devices.redaction``).

Documents are kept for a retention period (30 days by default) and shown in the console, so
the ones already stored would show Wi-Fi passwords until purged. Reads the bodies in chunks and
writes back only those that change; reversing it cannot bring a secret back (nothing to do).
"""

from django.db import migrations


def redact_kept_documents(apps, schema_editor):
    from devices.redaction import redact_secrets

    ReceivedDocument = apps.get_model("devices", "ReceivedDocument")
    changed = []
    for pk, body in ReceivedDocument.objects.values_list("pk", "body").iterator(chunk_size=500):
        body = bytes(body)
        redacted = redact_secrets(body)
        if redacted != body:
            changed.append(ReceivedDocument(pk=pk, body=redacted))
        if len(changed) >= 500:
            ReceivedDocument.objects.bulk_update(changed, ["body"])
            changed = []
    if changed:
        ReceivedDocument.objects.bulk_update(changed, ["body"])


class Migration(migrations.Migration):
    dependencies = [("devices", "0002_fewer_write_indexes")]

    operations = [migrations.RunPython(redact_kept_documents, migrations.RunPython.noop)]
