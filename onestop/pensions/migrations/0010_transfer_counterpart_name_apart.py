"""Each language apart: a transfer's counterpart (a province or region name), kept as one text "中文 English" before, is split into
``counterpart_name`` and ``counterpart_name_en``. A text in one language is left as it is."""

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
    model = apps.get_model("pensions", "Transfer")
    for pk, text in model.objects.filter(counterpart_name_en="").values_list("pk", "counterpart_name").iterator():
        zh, en = _split(text or "")
        if zh and en:
            model.objects.filter(pk=pk).update(counterpart_name=zh, counterpart_name_en=en)


class Migration(migrations.Migration):
    dependencies = [("pensions", "0009_transfer_counterpart_name_en")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
