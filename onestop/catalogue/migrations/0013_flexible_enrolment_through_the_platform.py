"""SX-SI-005 (flexible-employment enrolment) is filed through the platform:
flexible_enrolment.bpmn, decided at once by its service task, approval registering the
individual payer (see seed.publish_processes)."""

from django.db import migrations

from onestop.catalogue.seed import publish_processes


def forwards(apps, schema_editor):
    publish_processes(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-SI-005"],
        "flexible-employment enrolment through the platform (flexible_enrolment.bpmn)",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0012_one_open_case")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
