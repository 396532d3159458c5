"""The household registration also gives the address's division code (户籍地行政区划代码):
the pension transfer rules need the household-registration place, which the resident ID's
address code (the place of first registration) need not be."""

from django.db import migrations

CODE = "public_security.household"
FIELDS = ["name", "address", "region_code", "household_head", "certificate_no"]
BEFORE = ["name", "address", "household_head", "certificate_no"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("exchange", "Resource").objects.filter(code=CODE).update(fields=FIELDS)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("exchange", "Resource").objects.filter(code=CODE).update(fields=BEFORE)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0007_pension_transfer")]

    operations = [migrations.RunPython(forwards, backwards)]
