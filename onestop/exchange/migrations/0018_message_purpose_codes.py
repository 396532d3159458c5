"""The platform's own lookups log why by a purpose code (``labels.PURPOSES``, ``case:``)
rather than a text in two languages ("养老金领取资格比对 pension entitlement check") or in
Chinese alone ("办理 退休申请"): each reader reads it in their language. The rows logged
before are given their code; a consumer's purpose was a code already."""

from django.db import migrations

OLD = {
    "核验证明 verify a certificate": "verify_certificate",
    "核验证明文件 verify a certificate file": "verify_certificate_file",
    "养老金领取资格比对 pension entitlement check": "pension_entitlement_check",
    "遗属待遇申领核实死亡 confirming a death for survivors' benefits": "survivors_death_check",
    "确定户籍所在地 household-registration place (D6)": "household_registration_place",
    "失业保险基金代缴基本医疗保险费 medical insurance paid by the unemployment fund": (
        "unemployment_medical_contribution"
    ),
    "失业保险金领取资格比对 unemployment benefit entitlement check": (
        "unemployment_entitlement_check"
    ),
    "数据质量核查 data-quality check": "data_quality_check",
    "职工参保登记 employee enrolment": "employee_enrolment",
    "单位参保登记 employer registration": "employer_registration",
    "灵活就业人员参保登记 flexible-employment enrolment": "flexible_enrolment",
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    message = apps.get_model("exchange", "Message")
    outbox = apps.get_model("exchange", "OutboundMessage")
    for old, code in OLD.items():
        message.objects.filter(purpose=old).update(purpose=code)
        outbox.objects.filter(purpose=old).update(purpose=code)
    items = apps.get_model("catalogue", "ServiceItem")
    for name, code in set(items.objects.values_list("name", "code")):
        message.objects.filter(purpose=f"办理 {name}").update(purpose=f"case:{code}")


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0017_message_party_codes"),
        ("catalogue", "0018_form_field_order"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
