from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.exchange.seed import seed

    seed(apps.get_model("exchange", "Resource"))


class Migration(migrations.Migration):
    dependencies = [("exchange", "0003_gateway")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
