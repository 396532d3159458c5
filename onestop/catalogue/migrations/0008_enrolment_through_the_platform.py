"""SX-SI-002 (employee enrolment) is filed through the platform: enrolment.bpmn checks the
employee with the household register and enrols at once (see seed.publish_processes)."""

from django.db import migrations

from onestop.catalogue.seed import publish_processes


def forwards(apps, schema_editor):
    publish_processes(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-SI-002"],
        "employee enrolment through the platform (enrolment.bpmn)",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0007_proof_of_insurance_decided_at_once")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
