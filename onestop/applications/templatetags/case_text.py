"""Filters that show a case's stored codes as labels in the current language."""

from __future__ import annotations

import re
from typing import Any

from django import template

from onestop.applications import labels

register = template.Library()


@register.filter
def step_title(title: str) -> str:
    return labels.step_title(title)


@register.filter
def lane_label(lane: str) -> str:
    return str(labels.LANES.get(lane, lane))


@register.filter
def task_label(task: str, process: str = "") -> str:
    return labels.task_label(task, process)


@register.filter
def action_label(action: str) -> str:
    return str(labels.ACTIONS.get(action, action))


@register.filter
def item_name(code: str) -> str:
    """A service item's name in the current language, from its code."""
    from onestop.catalogue import selectors as catalogue

    return catalogue.item_name(code=code)


@register.filter
def ids_masked(text: Any) -> str:
    """Free text (an internal comment) with every resident ID written in it masked."""
    from onestop.identity.masking import mask_resident_ids_in

    return mask_resident_ids_in(str(text))


@register.filter
def licence_source(source: str) -> str:
    """Where an e-licence came from, as read (``exchange``'s labels)."""
    from onestop.exchange.templatetags.certificate_text import licence_source as shown

    return shown(source)


@register.filter
def step_note(step: Any) -> str:
    """A timeline line's note: the channel's label for a filing, else the note as written."""
    if step.action == "submitted" and step.note:
        from onestop.applications.models import Channel

        return str(dict(Channel.choices).get(step.note, step.note))
    from onestop.common.templatetags.one_language import pick
    from onestop.identity.masking import mask_resident_ids_in

    note = note_in_language(step)
    escalated = ESCALATED_TO.match(note) if step.action == "escalated" else None
    if escalated:
        # "→ 610100 西安市: reason", as stored: the level by its name in this language.
        from onestop.identity.selectors import region_by_code

        region = region_by_code(escalated.group(1))
        name = pick(region, "name") if region is not None else escalated.group(2)
        return mask_resident_ids_in(f"→ {name}: {escalated.group(3)}")
    return mask_resident_ids_in(note)


def note_in_language(step: Any) -> str:
    """A timeline note in the reader's language: the platform's own note (kept in each
    language, ``note`` / ``note_en``) in theirs; a person's as written."""
    from onestop.common.errors import pick_message

    english = str(getattr(step, "note_en", "") or "")
    return pick_message(str(step.note), english) if english else str(step.note)


#: An escalation's stored note: the level's code and Chinese name, then the reason.
ESCALATED_TO = re.compile(r"→ (\d{6}) ([^:]*): (.*)", re.S)


def _zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "zh-hans").startswith("zh")


@register.filter
def award_source(source: str, line: str = "") -> str:
    """An award line's legal source in the current language (``line``: the line's English
    name, for a figure the rules take as given)."""
    from onestop.pensions.calculators import award_source_shown

    return award_source_shown(str(source or ""), zh=_zh(), line=str(line or ""))


@register.filter
def award_value(value: str) -> str:
    """An award line's value in the current language (see ``award_value_shown``)."""
    from onestop.pensions.calculators import award_value_shown

    return award_value_shown(str(value if value is not None else ""), zh=_zh())


@register.filter
def award_formula(formula: str, line: str = "") -> str:
    """An award line's formula in the current language (see ``award_formula_shown``)."""
    from onestop.pensions.calculators import award_formula_shown

    return award_formula_shown(str(formula or ""), zh=_zh(), line=str(line or ""))
