"""The funeral grant's death certificate comes from civil affairs' death registrations: a
database seeded before this knew no licence type for it, so it gets version n+1 of the item
(a new install already has it from seed.py)."""

from django.db import migrations
from django.forms.models import model_to_dict

CODE = "SX-SI-008"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    item_model = apps.get_model("catalogue", "ServiceItem")
    latest = item_model.objects.filter(code=CODE).order_by("-version").first()
    if latest is None:
        return
    materials = [dict(m) for m in latest.materials]
    changed = False
    for material in materials:
        if material.get("name") == "死亡证明" and not material.get("licence_type"):
            material["licence_type"] = "death_certificate"
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
        note="死亡证明由民政死亡登记共享 Death certificate shared by civil affairs",
        created_by="migration",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_step_limits")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
