"""SX-SI-008's relation options read in the reader's language (配偶/子女/父母, spouse/child/
parent) rather than as their stored codes: version n+1 of the item with the seed's labels on
that field (a database whose latest version already labels it is left alone)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.catalogue.seed import _NOT_CARRIED, ITEMS

    model = apps.get_model("catalogue", "ServiceItem")
    item = next(i for i in ITEMS if i["code"] == "SX-SI-008")
    latest = model.objects.filter(code="SX-SI-008").order_by("-version").first()
    if latest is None:
        return
    schema = latest.form_schema or {}
    relation = schema.get("properties", {}).get("relation")
    if relation is None or "x-enum-labels" in relation:
        return
    wanted = item["form_schema"]["properties"]["relation"]
    values = {f.name: getattr(latest, f.name) for f in latest._meta.fields if f.name not in _NOT_CARRIED}
    values["form_schema"] = {
        **schema,
        "properties": {
            **schema["properties"],
            "relation": {**relation, "x-enum-labels": wanted["x-enum-labels"], "title": wanted["title"]},
        },
    }
    model.objects.create(
        **values,
        version=latest.version + 1,
        created_by="system",
        note="relation options in the reader's language",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0016_unemployment_benefit_contest")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
