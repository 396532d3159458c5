"""SX-SI-003 (contribution record correction) is filed through the platform:
contribution_correction.bpmn, a case worker's review, approval posting the supplementary
declarations (see seed.publish_processes)."""

from django.db import migrations

from onestop.catalogue.seed import publish_processes


def forwards(apps, schema_editor):
    publish_processes(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-SI-003"],
        "contribution correction through the platform (contribution_correction.bpmn)",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0009_employer_registration_through_the_platform")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
