"""Template filters that show one language at a time.

``pick``: the English field of a record that carries both (``name`` / ``name_en``) in English,
the Chinese one otherwise. ``one_language``: the matching half of a text recorded as Chinese
then English in one field ("不收费 Free of charge"). ``choice_label``: the translated label of a
stored code, through the model's choices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\U00020000-\U0003134f]")


def chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


@register.filter
def pick(record: Any, field: str) -> Any:
    """``record.<field>_en`` in English when it is filled, else ``record.<field>``."""
    getter = record.get if isinstance(record, dict) else lambda name, d="": getattr(record, name, d)
    if not chinese():
        english = getter(f"{field}_en", "")
        if english:
            return english
    return getter(field, "")


def split_bilingual(text: str) -> tuple[str, str]:
    """A text recorded as its Chinese, then its English: the two halves. The Chinese half ends
    at the last Chinese character or punctuation, with the closing quotation marks that follow
    it (“…” are general punctuation, shared with English); a text without one is English only."""
    last = None
    for match in _CJK.finditer(text):
        last = match
    if last is None:
        return "", text.strip()
    end = last.end()
    while end < len(text) and text[end] in "”’":
        end += 1
    return text[:end].strip(), text[end:].strip()


@register.filter
def one_language(text: str) -> str:
    """The half of a bilingual text in the current language (the other if it lacks one)."""
    zh, en = split_bilingual(str(text or ""))
    if chinese():
        return zh or en
    return en or zh


@register.filter
def choice_labels(values: Iterable[str], choices: Any) -> str:
    """Stored codes as their translated labels, joined ("online, counter" -> "网上办理、窗口")."""
    labels = dict(choices.choices if hasattr(choices, "choices") else choices)
    shown = [str(labels.get(v, v)) for v in values or []]
    return ("、" if chinese() else ", ").join(shown)


@register.filter
def text_lang(text: str) -> str:
    """The ``lang`` of a free text someone wrote (a citizen's comment): Chinese when it holds a
    Chinese character, else English — so that assistive technology reads it in its own
    language whatever the page's."""
    return "zh-CN" if _CJK.search(str(text or "")) else "en"


@register.filter
def in_its_languages(text: str) -> SafeString:
    """A recorded text marked with the language(s) it is in: a text recorded as Chinese then
    English becomes two parts, each with its ``lang``; any other, one part."""
    text = str(text or "")
    zh, en = split_bilingual(text)
    if zh and en:
        return format_html('<span lang="zh-CN">{}</span> <span lang="en">{}</span>', zh, en)
    return format_html('<span lang="{}">{}</span>', text_lang(text), text)
