"""SX-SI-001 (employer insurance registration) is filed through the platform:
employer_registration.bpmn asks the enterprise registry, then a case worker decides (see
seed.publish_processes)."""

from django.db import migrations

from onestop.catalogue.seed import publish_processes


def forwards(apps, schema_editor):
    publish_processes(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-SI-001"],
        "employer registration through the platform (employer_registration.bpmn)",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0008_enrolment_through_the_platform")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
