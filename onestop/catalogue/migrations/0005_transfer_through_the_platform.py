"""The transfer-in item (SX-SI-007) is now filed through the platform: a database seeded
before this gets version n+1 of the item with its BPMN process and form (a new install has
them from seed.py)."""

from django.db import migrations
from django.forms.models import model_to_dict

CODE = "SX-SI-007"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.catalogue.seed import TRANSFER_FORM

    item_model = apps.get_model("catalogue", "ServiceItem")
    latest = item_model.objects.filter(code=CODE).order_by("-version").first()
    if latest is None or latest.process:
        return
    values = {
        k: v
        for k, v in model_to_dict(latest).items()
        if k not in {"id", "version", "note", "process", "form_schema", "created_by"}
    }
    item_model.objects.create(
        **values,
        process="transfer.bpmn",
        form_schema=TRANSFER_FORM,
        version=latest.version + 1,
        note="网上办理：联系函经数据共享通道发送 Filed online; contact letter through the exchange",
        created_by="migration",
    )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_death_certificate_from_civil_affairs")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
