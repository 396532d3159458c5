"""SX-SI-004 (personal record and proof of insurance) is filed through the platform: its
process decides at once and delivers the signed proof (see seed.publish_processes)."""

from django.db import migrations

from onestop.catalogue.seed import publish_processes


def forwards(apps, schema_editor):
    publish_processes(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-SI-004"],
        "proof of insurance decided at once (proof_of_insurance.bpmn)",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0006_kinship_proof_needed_at_review")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
