"""A YYYYMM period as read (``2026-11``), a dash for none."""

from __future__ import annotations

from django import template

from onestop.contributions.periods import month_of

register = template.Library()


@register.filter
def period(value: int | None) -> str:
    return str(month_of(int(value))) if value else "—"
