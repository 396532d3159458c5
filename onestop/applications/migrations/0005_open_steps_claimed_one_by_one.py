"""Open staff steps get their own rows, each claimed on its own (a joint review's departments
work side by side); the case-wide claim moves to the step it was on."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

FINAL = {"approved", "rejected", "not_accepted", "withdrawn"}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    application_model = apps.get_model("applications", "Application")
    step_model = apps.get_model("applications", "OpenStep")
    now = timezone.now()
    rows = []
    for case in application_model.objects.exclude(status__in=FINAL).iterator():
        staff = [r for r in case.ready if r[1] != "applicant"]
        for name, lane, task_id, title in staff:
            rows.append(
                step_model(
                    application_id=case.pk,
                    task_id=task_id,
                    name=name,
                    lane=lane,
                    title=(title or name)[:200],
                    # A case-wide claim on a single step stays its holder's; with parallel
                    # steps nobody can tell which one it meant, so they open unclaimed.
                    assignee_id=case.assignee_id if len(staff) == 1 else None,
                    opened_at=now,
                )
            )
    step_model.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_licences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("task_id", models.CharField(max_length=64)),
                ("name", models.CharField(max_length=64)),
                ("lane", models.CharField(max_length=32)),
                ("title", models.CharField(blank=True, max_length=200)),
                ("opened_at", models.DateTimeField()),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="open_steps",
                        to="applications.application",
                    ),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="held_steps",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "open step",
                "verbose_name_plural": "open steps",
                "ordering": ["application", "pk"],
                "indexes": [models.Index(fields=["lane"], name="open_step_lane")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("application", "task_id"), name="open_step_once"
                    ),
                    models.UniqueConstraint(
                        fields=("application", "name"), name="open_step_name_once"
                    ),
                ],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(model_name="application", name="assignee"),
    ]
