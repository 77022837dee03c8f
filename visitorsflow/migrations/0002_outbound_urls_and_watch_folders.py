import django.core.validators
import vislivis.outbound
from pathlib import Path

from django.db import migrations, models


def disable_overlapping_sites(apps, schema_editor):
    """Keep every stored folder as it is (counters keep writing where they write), and disable
    each site whose folder equals, lies inside or contains the folder of an older site: until
    this release a brand admin could point its site at another brand's folder, and the older
    site is the one whose counter was writing there. The operator re-enables a disabled site
    after giving it its own folder (manage.py visitorsflow add-site --watch-dir, or the console).
    """
    Site = apps.get_model("visitorsflow", "Site")
    kept: list[tuple[Path, str]] = []
    for site in Site.objects.order_by("created_at", "pk"):
        try:
            path = Path(site.watch_dir).expanduser().resolve()
        except (OSError, RuntimeError):
            path = Path(site.watch_dir)
        clash = next(
            (ssid for other, ssid in kept if other == path or other in path.parents or path in other.parents), None
        )
        if clash is None:
            kept.append((path, site.ssid))
            continue
        if site.enabled:
            Site.objects.filter(pk=site.pk).update(enabled=False)
            print(f"\n  visitorsflow: site {site.ssid} disabled: its folder {path} overlaps the folder of {clash}")


class Migration(migrations.Migration):
    dependencies = [
        ("visitorsflow", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(disable_overlapping_sites, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="site",
            name="export_url",
            field=models.URLField(
                blank=True,
                help_text="Official API; empty = no export. Internal addresses are refused unless an operator allows them.",
                max_length=500,
                validators=[vislivis.outbound.OutboundURLValidator()],
            ),
        ),
        migrations.AlterField(
            model_name="site",
            name="ssid",
            field=models.CharField(
                help_text="The official API's site id, e.g. SS-007.",
                max_length=64,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}$",
                        "Letters, digits, '_', '.', '-'; starting with a letter or digit.",
                    )
                ],
            ),
        ),
        migrations.AlterField(
            model_name="site",
            name="watch_dir",
            field=models.CharField(
                blank=True,
                help_text="Folder the counter writes its JSON files into. Set by an operator only; empty = derived: <VISITORSFLOW_ROOT>/<tenant id>/<ssid>.",
                max_length=500,
            ),
        ),
    ]
