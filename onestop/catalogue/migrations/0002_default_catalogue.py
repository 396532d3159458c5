"""The default catalogue (see seed.py)."""

from django.db import migrations

from onestop.catalogue.seed import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("catalogue", "ServiceItem"), apps.get_model("catalogue", "Bundle"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
