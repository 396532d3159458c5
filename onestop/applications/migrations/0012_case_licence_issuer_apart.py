"""Each language apart: the issuer of an e-licence a case used, kept in the case as one
text "中文 English" before, is split into ``issuer`` and ``issuer_en``."""

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
    model = apps.get_model("applications", "Application")
    # The licences are encrypted: read here, case by case.
    for case in model.objects.only("pk", "licences").iterator():
        changed = False
        rows = []
        for row in case.licences or []:
            issuer = row.get("issuer") if isinstance(row, dict) else None
            if isinstance(issuer, str) and not row.get("issuer_en"):
                zh, en = _split(issuer)
                if zh and en:
                    row = {**row, "issuer": zh, "issuer_en": en}
                    changed = True
            rows.append(row)
        if changed:
            model.objects.filter(pk=case.pk).update(licences=rows)


class Migration(migrations.Migration):
    dependencies = [("applications", "0011_platform_notes_in_each_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
