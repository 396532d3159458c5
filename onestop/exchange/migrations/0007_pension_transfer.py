"""Other provinces' pension systems as gateway parties, and the transfer resource they use."""

from django.db import migrations, models


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.exchange.seed import seed

    seed(apps.get_model("exchange", "Resource"))


class Migration(migrations.Migration):
    dependencies = [("exchange", "0006_pension_statement")]

    operations = [
        migrations.AlterField(
            model_name="consumer",
            name="kind",
            field=models.CharField(
                choices=[
                    ("registry", "registry of another department"),
                    ("third_party", "third party (bank, employer...)"),
                    ("province", "another province's pension system"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
