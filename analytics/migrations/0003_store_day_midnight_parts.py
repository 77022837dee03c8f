"""StoreDay keeps the parts of each business day before and after local midnight.

Rows written before this migration lack them (NULL would read as "no counts"), so existing rows
are recomputed from the hourly rows. Only where rows exist: a new database has none, and the
code it calls is this release's (its schema is this migration's).
"""

from django.db import migrations, models


def recompute_existing_days(apps, schema_editor) -> None:
    if apps.get_model("analytics", "StoreDay").objects.exists():
        from analytics import storedays

        storedays.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_store_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="storeday",
            name="after_midnight_footfall",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="storeday",
            name="after_midnight_peak",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="storeday",
            name="before_midnight_footfall",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="storeday",
            name="before_midnight_peak",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(recompute_existing_days, migrations.RunPython.noop),
    ]
