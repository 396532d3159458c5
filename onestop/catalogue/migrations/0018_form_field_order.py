"""Every form lists its fields in their declared order (``x-order``): PostgreSQL's jsonb sorts
the keys of ``properties``, so a form without question groups showed its fields in another
order there than on SQLite. Each stored version lacking the list gets it in place, from the
seed's declared order (a field the seed does not know follows in the stored order): the list
writes down the order the version was published with, it changes no question."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.catalogue.seed import ITEMS

    declared = {
        item["code"]: item["form_schema"]["x-order"]
        for item in ITEMS
        if "x-order" in item.get("form_schema", {})
    }
    model = apps.get_model("catalogue", "ServiceItem")
    for item in model.objects.all().order_by("pk"):
        schema = item.form_schema or {}
        properties = schema.get("properties")
        if not isinstance(properties, dict) or "x-order" in schema:
            continue
        known = [f for f in declared.get(item.code, []) if f in properties]
        order = known + [f for f in properties if f not in known]
        model.objects.filter(pk=item.pk).update(form_schema={**schema, "x-order": order})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0017_survivor_relation_labels")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
