"""Seed Shaanxi 2026 (illustrative, like the other years; see seed.py)."""

from django.db import migrations

from onestop.parameters.seed import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("parameters", "BookRate"),
         apps.get_model("parameters", "ProvinceParameters"))


class Migration(migrations.Migration):
    dependencies = [("parameters", "0002_seed_shaanxi_and_book_rates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
