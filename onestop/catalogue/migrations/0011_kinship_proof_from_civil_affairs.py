"""The funeral grant's kinship proof is supplied by civil affairs, which confirms the family
from its own registrations at its step of the joint review (``obtained_at``): the guide said
the platform obtains it, so the case page no longer asks the survivors for it. A database
seeded before this gets version n+1 of SX-SI-008 (a new install has it from seed.py)."""

from django.db import migrations
from django.forms.models import model_to_dict

CODE = "SX-SI-008"
KINSHIP = "亲属关系证明"
OBTAINED_AT = "civil_affairs_review"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    item_model = apps.get_model("catalogue", "ServiceItem")
    latest = item_model.objects.filter(code=CODE).order_by("-version").first()
    if latest is None:
        return
    materials = [dict(m) for m in latest.materials]
    changed = False
    for material in materials:
        if material.get("name") == KINSHIP and material.get("obtained_at") != OBTAINED_AT:
            material.pop("needed_at", None)
            material["obtained_at"] = OBTAINED_AT
            material["replaceable_by"] = material.get("replaceable_by") or "shared_data"
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
        note="亲属关系证明由民政部门在联审时核实提供 Kinship proof confirmed by civil affairs",
        created_by="migration",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0010_contribution_correction_through_the_platform")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
