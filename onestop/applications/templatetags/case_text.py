"""Filters that show a case's stored codes as labels in the current language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from onestop.applications import labels

register = template.Library()


@register.filter
def step_title(title: str) -> str:
    return labels.step_title(title)


@register.filter
def lane_label(lane: str) -> str:
    return str(labels.LANES.get(lane, lane))


@register.filter
def task_label(task: str) -> str:
    return labels.task_label(task)


@register.filter
def action_label(action: str) -> str:
    return str(labels.ACTIONS.get(action, action))


@register.filter
def item_name(code: str) -> str:
    """A service item's name in the current language, from its code."""
    from onestop.catalogue import selectors as catalogue

    return catalogue.item_name(code=code)


@register.filter
def licence_source(source: str) -> str:
    """Where an e-licence came from: the platform's library, the gateway or a department's
    event (the stored text names the resource or the department's system)."""
    if source == "platform":
        return gettext("the platform's licence library")
    if source.endswith(" via gateway"):
        return gettext("obtained through the data-sharing gateway")
    if source.endswith(" event"):
        return gettext("reported by the issuing department")
    return source


@register.filter
def step_note(step: Any) -> str:
    """A timeline line's note: the channel's label for a filing, else the note as written."""
    if step.action == "submitted" and step.note:
        from onestop.applications.models import Channel

        return str(dict(Channel.choices).get(step.note, step.note))
    return str(step.note)
