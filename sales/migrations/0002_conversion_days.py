"""The brand comparison's day rollup (``sales.rollup``), filled from the hourly rows already
stored (the code it calls is this release's; its schema is this migration's)."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


def fill_from_hourly_rows(apps, schema_editor) -> None:
    if apps.get_model("stores", "Store").objects.exists():
        from sales import rollup

        rollup.rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_sender_clock"),
        ("devices", "0006_camera_demographics"),
        ("sales", "0001_initial"),
        ("stores", "0002_brand_language_staff_currency"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConversionDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(choices=[("sender", "Sender"), ("camera", "Camera")], max_length=6)),
                ("day", models.DateField(help_text="The store's local calendar day.")),
                ("visitors", models.BigIntegerField(blank=True, null=True)),
                ("transactions", models.BigIntegerField(blank=True, null=True)),
                ("revenue", models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True)),
                ("items", models.BigIntegerField(blank=True, null=True)),
                ("matched_visitors", models.BigIntegerField(default=0)),
                ("matched_transactions", models.BigIntegerField(default=0)),
                ("matched_revenue", models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ("hours_matched", models.IntegerField(default=0)),
                (
                    "hour_visitors",
                    django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(null=True), size=24),
                ),
                (
                    "hour_transactions",
                    django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(null=True), size=24),
                ),
                (
                    "hour_matched_visitors",
                    django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(null=True), size=24),
                ),
                (
                    "hour_matched_transactions",
                    django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(null=True), size=24),
                ),
                (
                    "hour_matched",
                    django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(null=True), size=24),
                ),
                (
                    "hour_mask",
                    models.IntegerField(default=0, help_text="Bit n: local hour n has visitors or transactions."),
                ),
                ("updated_at", models.DateTimeField()),
                (
                    "store",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversion_days",
                        to="stores.store",
                    ),
                ),
            ],
            options={
                "ordering": ["-day", "store", "source"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "source", "day"),
                        include=(
                            "visitors",
                            "transactions",
                            "revenue",
                            "matched_visitors",
                            "matched_transactions",
                            "matched_revenue",
                            "hours_matched",
                            "hour_mask",
                        ),
                        name="conversion_day_key",
                    )
                ],
            },
        ),
        migrations.RunPython(fill_from_hourly_rows, migrations.RunPython.noop),
    ]
