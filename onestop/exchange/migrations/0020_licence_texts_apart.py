"""Each language apart: an e-licence's title and issuer, kept as one text "中文 English"
before, are split into ``title``/``title_en`` and ``issuer``/``issuer_en``."""

from __future__ import annotations

import re

from django.db import migrations

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\U00020000-\U0003134f]")


def _split(text: str) -> tuple[str, str]:
    """Chinese up to the last Chinese character (and the closing quotation marks after it),
    then English; a frozen copy of the splitter of the time."""
    last = None
    for match in _CJK.finditer(text):
        last = match
    if last is None:
        return "", text.strip()
    end = last.end()
    while end < len(text) and text[end] in "”’":
        end += 1
    return text[:end].strip(), text[end:].strip()


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("exchange", "ELicence")
    rows = model.objects.values_list("pk", "title", "title_en", "issuer", "issuer_en")
    for pk, title, title_en, issuer, issuer_en in rows.iterator():
        changes = {}
        for field, text, english in (("title", title, title_en), ("issuer", issuer, issuer_en)):
            zh, en = _split(text or "")
            if zh and en and not english:
                changes[field], changes[f"{field}_en"] = zh, en
        if changes:
            model.objects.filter(pk=pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0019_licence_title_issuer_en")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
