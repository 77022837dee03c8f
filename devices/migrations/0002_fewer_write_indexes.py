"""Drop indexes every camera push paid for and no query needs (each duplicated the lead of another).

The foreign keys keep their constraints: only their single-column indexes go, with
``DROP INDEX`` (Django's AlterField would drop and re-add each constraint, re-checking every
row of the largest tables).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0001_initial"),
        ("stores", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="receiveddocument",
            name="device_document_replay",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hourlyfootfall",
                    name="device",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="hourly",
                        to="devices.device",
                    ),
                ),
                migrations.AlterField(
                    model_name="hourlyfootfall",
                    name="store",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="device_hourly_footfall",
                        to="stores.store",
                    ),
                ),
                migrations.AlterField(
                    model_name="minutecount",
                    name="device",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="counts",
                        to="devices.device",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [
                        'DROP INDEX IF EXISTS "devices_hourlyfootfall_device_id_18a6bcf6"',
                        'DROP INDEX IF EXISTS "devices_hourlyfootfall_store_id_08555d9a"',
                        'DROP INDEX IF EXISTS "devices_minutecount_device_id_ffef192d"',
                    ],
                    reverse_sql=[
                        'CREATE INDEX "devices_hourlyfootfall_device_id_18a6bcf6" ON "devices_hourlyfootfall" ("device_id")',
                        'CREATE INDEX "devices_hourlyfootfall_store_id_08555d9a" ON "devices_hourlyfootfall" ("store_id")',
                        'CREATE INDEX "devices_minutecount_device_id_ffef192d" ON "devices_minutecount" ("device_id")',
                    ],
                ),
            ],
        ),
        migrations.AlterField(
            model_name="receiveddocument",
            name="device_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddIndex(
            model_name="receiveddocument",
            index=models.Index(fields=["device_key", "received_at"], name="device_document_by_key"),
        ),
    ]
