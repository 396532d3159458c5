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


#: The rules' sources (D10-D13, docs/unemployment-rules.md) by their Chinese names.
_LAWS = {
    "D10": "《失业保险条例》",
    "D11": "《社会保险法》",
    "D12": "人社部令第8号",
}
_ARTICLE = re.compile(r"\b(D1[0-2]) art\. (\d+)")


@register.filter
def unemployment_source(source: str) -> str:
    """A benefit line's legal source in the current language ("D10 art. 17; D11 art. 46"
    -> "《失业保险条例》第17条；《社会保险法》第46条")."""
    text = str(source or "")
    if not _zh():
        return text
    text = text.replace("D13 MOHRSS [2017] 71", "人社部发〔2017〕71号")
    text = _ARTICLE.sub(lambda m: f"{_LAWS[m.group(1)]}第{m.group(2)}条", text)
    return text.replace("; ", "；")


_FORMULAS_ZH = {
    "INVOLUNTARY": "非因本人意愿",
    "VOLUNTARY": "本人意愿",
    "TO BE DETERMINED": "待认定",
    "months >= 12 AND involuntary AND registered": "缴费满12个月 且 非因本人意愿 且 已失业登记",
}
_DURATION = re.compile(r"^(\d+) months: >=120 -> 24; >=60 -> 18; >=12 -> 12$")
_MIN = re.compile(r"^min\((.*)\)$")


@register.filter
def unemployment_formula(formula: str) -> str:
    """A benefit line's formula in the current language; arithmetic stays as written."""
    text = str(formula or "")
    if not _zh():
        return "to be determined" if text == "TO BE DETERMINED" else text
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
