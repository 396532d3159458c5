"""Purposes become codes with a label in each language (``loan``: 贷款审核 / loan
assessment). Grants and consents written with a free-text purpose get its code: the known
labels map to the seeded codes, any other text becomes a purpose of its own, labelled with
that text, so no grant or consent changes meaning."""

import re

from django.db import migrations, models


def _code_for(text: str, taken: set[str]) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:56] or "purpose"
    code, n = ascii_part, 1
    while code in taken:
        n += 1
        code = f"{ascii_part}_{n}"
    return code


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from onestop.exchange.seed import LEGACY_PURPOSES, seed_purposes

    purpose = apps.get_model("exchange", "Purpose")
    seed_purposes(purpose)
    codes = set(purpose.objects.values_list("code", flat=True))
    mapping = dict(LEGACY_PURPOSES)
    for model in ("Grant", "Consent"):
        rows = apps.get_model("exchange", model).objects
        for text in set(rows.values_list("purpose", flat=True)):
            if text in codes:
                continue
            if text not in mapping:
                mapping[text] = _code_for(text, codes)
                codes.add(mapping[text])
                purpose.objects.create(code=mapping[text], name=text[:120], name_en=text[:160])
            rows.filter(purpose=text).update(purpose=mapping[text])


class Migration(migrations.Migration):
    dependencies = [("exchange", "0008_household_region_code")]

    operations = [
        migrations.CreateModel(
            name="Purpose",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=64, unique=True)),
                ("name", models.CharField(max_length=120)),
                ("name_en", models.CharField(max_length=160)),
            ],
            options={
                "verbose_name": "purpose of data sharing",
                "verbose_name_plural": "purposes of data sharing",
                "ordering": ["code"],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
