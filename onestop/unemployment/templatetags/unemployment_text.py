"""A YYYYMM period as read (``2026-11``), a dash for none."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import get_language, gettext

from onestop.contributions.periods import month_of

register = template.Library()


@register.filter
def period(value: int | None) -> str:
    return str(month_of(int(value))) if value else "—"


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


@register.filter
def unemployment_source(source: str) -> str:
    """A benefit line's legal source in the current language ("D10 art. 17; D11 art. 46"
    -> "《失业保险条例》第17条；《社会保险法》第46条", or "Unemployment Insurance Regulations
    art. 17; Social Insurance Law art. 46"); the rules' keys (D10...) are never shown."""
    from onestop.rules.sources import source_shown

    return source_shown(str(source or ""), zh=_zh())


_FORMULAS_ZH = {
    "INVOLUNTARY": "非因本人意愿",
    "VOLUNTARY": "本人意愿",
    "TO BE DETERMINED": "待认定",
    "months >= 12 AND involuntary AND registered": "缴费满12个月 且 非因本人意愿 且 已失业登记",
}
_FORMULAS_EN = {
    "INVOLUNTARY": "not of the person's own will",
    "VOLUNTARY": "of the person's own will",
    "TO BE DETERMINED": "to be determined",
    "months >= 12 AND involuntary AND registered": (
        "12 months or more contributed, AND not of the person's own will, AND registered"
    ),
}
_DURATION = re.compile(r"^(\d+) months: >=120 -> 24; >=60 -> 18; >=12 -> 12$")
_MIN = re.compile(r"^min\((.*)\)$")


@register.filter
def unemployment_formula(formula: str) -> str:
    """A benefit line's formula in the current language; arithmetic stays as written."""
    text = str(formula or "")
    if not _zh():
        return _FORMULAS_EN.get(text, text)
    if text in _FORMULAS_ZH:
        return _FORMULAS_ZH[text]
    if found := _DURATION.match(text):
        return f"{found.group(1)}个月：≥120→24；≥60→18；≥12→12"
    if found := _MIN.match(text):
        return f"取较小值（{found.group(1)}）"
    return text


@register.filter
def unemployment_value(value: str) -> str:
    """A benefit line's value: yes/no translated, a "zh / en" pair in one language."""
    text = str(value or "")
    if text in ("yes", "no"):
        return gettext(text)
    zh, sep, en = text.partition(" / ")
    if sep:
        return zh if _zh() else en
    return text


@register.filter
def delivery(status: str) -> str:
    """A batch's delivery to the medical insurance department, as read."""
    from onestop.exchange.models import OutboundStatus

    if not status:
        return gettext("not sent")
    return str(dict(OutboundStatus.choices).get(status, status))


@register.filter
def bank_account(value: str) -> str:
    """A bank account masked to its last four digits (a dash for none)."""
    from onestop.identity.masking import mask_bank_account

    return mask_bank_account(value) if value else "—"
