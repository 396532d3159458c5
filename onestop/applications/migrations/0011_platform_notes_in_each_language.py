"""The platform's own timeline notes and a case's recorded refusal were kept as one text,
its Chinese then its English ("中文 English"); they are now kept in each language apart
(``Step.note`` / ``Step.note_en``; the refusal fact as ``{"zh": ..., "en": ...}``). This
splits the ones recorded before. A person's note is left as written."""

from __future__ import annotations

import re

from django.db import migrations

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\U00020000-\U0003134f]")
#: An escalation's note: the level's code and Chinese name, then the reason.
_ESCALATED_TO = re.compile(r"(→ \d{6} [^:]*: )(.*)", re.S)
#: Notes the platform wrote under a person's name (a release by an escalation or a
#: deactivation) before they were kept apart.
_PLATFORM_NOTES = {"提级 escalated", "停用 account deactivated"}


def _split(text: str) -> tuple[str, str]:
    """Chinese up to the last Chinese character (and the closing quotation marks after it),
    then English; ``("", text)`` without one. A frozen copy of the splitter of the time."""
    last = None
    for match in _CJK.finditer(text):
        last = match
    if last is None:
        return "", text.strip()
    end = last.end()
    while end < len(text) and text[end] in "”’":
        end += 1
    return text[:end].strip(), text[end:].strip()


def _apart(note: str, *, escalated: bool) -> tuple[str, str] | None:
    prefix, text = "", note
    found = _ESCALATED_TO.fullmatch(note) if escalated else None
    if found:
        prefix, text = found.group(1), found.group(2)
    zh, en = _split(text)
    if not zh or not en:
        return None
    return prefix + zh, prefix + en


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Step = apps.get_model("applications", "Step")
    # The notes are encrypted: chosen by role and action, read here.
    candidates = Step.objects.filter(role="system") | Step.objects.filter(
        action__in=["released", "escalated"]
    )
    for step in candidates.iterator():
        platform = step.role == "system" or step.note in _PLATFORM_NOTES
        if not platform or not step.note or step.note_en:
            continue
        apart = _apart(step.note, escalated=step.action == "escalated")
        if apart is not None:
            Step.objects.filter(pk=step.pk).update(note=apart[0], note_en=apart[1])
    Application = apps.get_model("applications", "Application")
    for case in Application.objects.only("pk", "facts").iterator():
        refusal = (case.facts or {}).get("refusal")
        if isinstance(refusal, str) and refusal:
            zh, en = _split(refusal)
            case.facts["refusal"] = {"zh": zh or en, "en": en or zh}
            Application.objects.filter(pk=case.pk).update(facts=case.facts)


class Migration(migrations.Migration):
    dependencies = [("applications", "0010_step_note_en")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
