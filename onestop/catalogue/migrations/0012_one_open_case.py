"""One open case at a time where a second would be a duplicate (``x-one-open-case``):
retirement and transfer per applicant, employer registration per company, enrolment per
employer and employee (see seed.publish_form_rule)."""

from django.db import migrations

from onestop.catalogue.seed import publish_form_rule


def forwards(apps, schema_editor):
    publish_form_rule(
        apps.get_model("catalogue", "ServiceItem"),
        ["SX-SI-001", "SX-SI-002", "SX-SI-006", "SX-SI-007"],
        "x-one-open-case",
        "one open case at a time (x-one-open-case)",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0011_kinship_proof_from_civil_affairs")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
