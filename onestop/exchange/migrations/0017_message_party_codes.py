"""The platform's own lookups are logged by a party code (``labels.PARTIES``, ``hrss.case:``,
``province:``) rather than a name in two languages ("人社待遇资格认证 HRSS entitlement
check"): each reader reads who asked in their language alone. The rows logged before are
given their code; a consumer's or registry's name stays as logged."""

import re

from django.db import migrations

OLD = {
    "人社待遇资格认证 HRSS entitlement check": "hrss.entitlement",
    "人社遗属待遇 HRSS survivors' benefits": "hrss.survivors",
    "人社养老保险关系转移 HRSS pension transfers": "hrss.transfers",
    "人社失业保险待遇 HRSS unemployment benefit check": "hrss.unemployment_check",
    "公开核验 public verification": "public_verification",
}
CASE = re.compile(r"^人社经办 HRSS \((?P<item>[A-Za-z0-9-]+)\)$")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.common.divisions import PROVINCES

    message = apps.get_model("exchange", "Message")
    for old, code in OLD.items():
        message.objects.filter(party=old).update(party=code)
    for province, (zh, en) in PROVINCES.items():
        message.objects.filter(party=f"{zh} {en}").update(party=f"province:{province}")
    cases = message.objects.filter(party__startswith="人社经办 HRSS (")
    for party in cases.values_list("party", flat=True).distinct():
        found = CASE.match(party)
        if found is not None:
            message.objects.filter(party=party).update(party=f"hrss.case:{found['item']}")


class Migration(migrations.Migration):
    dependencies = [("exchange", "0016_consumer_name_en")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
