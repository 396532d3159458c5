"""Journal codes as read (``onestop.audit.labels``), each with its code beside it for the
search form: ``{{ entry.action|journal_code:"action" }}``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from onestop.audit import labels

register = template.Library()

_LABELS = {
    "action": labels.action_label,
    "target": labels.target_label,
    "role": labels.role_label,
    "channel": labels.channel_label,
}


@register.filter
def journal_label(code: str, kind: str) -> str:
    """The label of a journal ``code`` of ``kind`` (action, target, role, channel)."""
    return _LABELS[kind](str(code or ""))


@register.filter
def journal_code(code: str, kind: str) -> SafeString:
    """The label, then the code itself marked as a code (``lang="zxx"``: no language), which
    is what the search form takes; the code alone when it has no label."""
    code = str(code or "")
    if not code:
        return SafeString("")
    label = _LABELS[kind](code)
    if not label:
        return format_html('<code lang="zxx">{}</code>', code)
    return format_html('{} <code class="muted" lang="zxx">{}</code>', label, code)
