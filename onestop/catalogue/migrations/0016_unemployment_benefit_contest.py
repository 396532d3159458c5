"""SX-SI-009's form lets the person contest how the employer says the employment ended, with
an optional material for the evidence: version n+1 of the item with the seed's form and
materials (a database whose latest version already has the field is left alone)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.catalogue.seed import _NOT_CARRIED, ITEMS

    model = apps.get_model("catalogue", "ServiceItem")
    item = next(i for i in ITEMS if i["code"] == "SX-SI-009")
    latest = model.objects.filter(code="SX-SI-009").order_by("-version").first()
    if latest is None or "contest_separation" in (latest.form_schema or {}).get("properties", {}):
        return
    values = {f.name: getattr(latest, f.name) for f in latest._meta.fields if f.name not in _NOT_CARRIED}
    values["form_schema"] = item["form_schema"]
    values["materials"] = item["materials"]
    model.objects.create(
        **values,
        version=latest.version + 1,
        created_by="system",
        note="contest how the employment ended",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0015_field_labels")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
