"""Seed the national book rates (D5) and the demo province's parameters (see seed.py)."""

from django.db import migrations

from onestop.parameters.seed import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("parameters", "BookRate"),
         apps.get_model("parameters", "ProvinceParameters"))


def backwards(apps, schema_editor):
    for name in ("ProvinceParameters", "BookRate"):
        apps.get_model("parameters", name).objects.all()._raw_delete(
            schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("parameters", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
