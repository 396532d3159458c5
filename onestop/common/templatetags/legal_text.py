"""Legal sources the rules cite by key (``D4 Guobanfa [2019] 13``) in words of the current
language (``onestop.rules.sources``)."""

from __future__ import annotations

from django import template

from onestop.common.templatetags.one_language import chinese
from onestop.rules.sources import source_shown

register = template.Library()


@register.filter
def legal_source(source: object) -> str:
    return source_shown(str(source or ""), zh=chinese())
