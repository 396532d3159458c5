"""A declaration's reply as people read it: the insurance and the field a refusal names in
the reader's language, and "the whole declaration" for a refusal of no one line (line 0),
instead of the codes the JSON reply carries (``services.RowError``, ``Insurance``)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, gettext_lazy

from onestop.contributions.models import Insurance

register = template.Library()

#: The fields a declaration's refusal names (``RowError.field``).
FIELDS = {
    "row": gettext_lazy("row"),
    "resident_id": gettext_lazy("resident ID"),
    "wage": gettext_lazy("wage"),
    "rows": gettext_lazy("rows"),
    "period": gettext_lazy("month"),
    "employer": gettext_lazy("employer"),
    "kind": gettext_lazy("declaration type"),
    "file": gettext_lazy("file"),
}


@register.filter
def insurance_label(code: object) -> str:
    """``pension`` → 基本养老保险 / the label of its ``Insurance`` choice; unknown: as is."""
    try:
        return str(Insurance(str(code)).label)
    except ValueError:
        return str(code)


@register.filter
def field_label(code: object) -> str:
    """The field a refusal names, translated; unknown: as is."""
    return str(FIELDS.get(str(code), code))


@register.filter
def line_label(line: object) -> str:
    """A refusal's line number, or "whole declaration" for line 0."""
    return gettext("whole declaration") if str(line) == "0" else str(line)
