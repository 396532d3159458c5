"""Materials name the steps that need them (``needed_at``): the funeral grant's kinship proof
is needed when civil affairs confirms the family and when the benefits are decided. A
database seeded before this gets version n+1 of SX-SI-008 (a new install has it from
seed.py)."""

from django.db import migrations, models
from django.forms.models import model_to_dict

CODE = "SX-SI-008"
KINSHIP = "亲属关系证明"
#: As it stood then (0011 has civil affairs supply it instead).
KINSHIP_NEEDED_AT = ["civil_affairs_review", "decide"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    item_model = apps.get_model("catalogue", "ServiceItem")
    latest = item_model.objects.filter(code=CODE).order_by("-version").first()
    if latest is None:
        return
    materials = [dict(m) for m in latest.materials]
    changed = False
    for material in materials:
        # A catalogue seeded with civil affairs supplying it (0011, seed.py) is left as is.
        if (
            material.get("name") == KINSHIP
            and not material.get("needed_at")
            and not material.get("obtained_at")
        ):
            material["needed_at"] = list(KINSHIP_NEEDED_AT)
            changed = True
    if not changed:
        return
    values = {
        k: v
        for k, v in model_to_dict(latest).items()
        if k not in {"id", "version", "note", "materials", "created_by"}
    }
    item_model.objects.create(
        **values,
        materials=materials,
        version=latest.version + 1,
        note="亲属关系证明在民政核实和待遇决定时必备 Kinship proof needed at review",
        created_by="migration",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_transfer_through_the_platform")]

    operations = [
        migrations.AlterField(
            model_name="serviceitem",
            name="materials",
            field=models.JSONField(
                default=list,
                help_text='[{"name", "name_en", "required", "copies", "replaceable_by": "" | '
                '"shared_data" | "elicence", "licence_type", "needed_at": [task id, ...]}]',
                verbose_name="materials",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
