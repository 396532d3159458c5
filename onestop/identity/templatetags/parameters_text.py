"""Parameter references shown as people read them (``onestop.identity.references``)."""

from __future__ import annotations

from django import template

from onestop.identity.references import labelled

register = template.Library()


@register.filter
def parameters_ref(text: object) -> str:
    """``text`` with each parameter reference in it replaced by its label."""
    return labelled(text)
