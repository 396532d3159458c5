"""SX-EMP-001 (unemployment registration, decided at once) and SX-SI-009 (unemployment
benefit, a case worker's review of the assessment) are filed through the platform:
unemployment_registration.bpmn and unemployment_benefit.bpmn (see seed.publish_processes)."""

from django.db import migrations

from onestop.catalogue.seed import publish_processes


def forwards(apps, schema_editor):
    publish_processes(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-EMP-001", "SX-SI-009"],
        "unemployment registration and benefit through the platform",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0013_flexible_enrolment_through_the_platform")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
