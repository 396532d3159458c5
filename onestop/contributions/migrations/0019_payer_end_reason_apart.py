"""Each language apart: an individual payer's end reason the platform wrote, kept as one text "中文 English" before, is split into
``end_reason`` and ``end_reason_en``. A text in one language is left as it is."""

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
    model = apps.get_model("contributions", "IndividualPayer")
    for pk, text in model.objects.filter(end_reason_en="").values_list("pk", "end_reason").iterator():
        zh, en = _split(text or "")
        if zh and en:
            model.objects.filter(pk=pk).update(end_reason=zh, end_reason_en=en)


class Migration(migrations.Migration):
    dependencies = [("contributions", "0018_payer_end_reason_en")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
