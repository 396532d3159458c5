"""Read-only admin fields in one language (``templates/admin/includes/fieldset.html``):
a boolean as yes/no, a recorded text with the language it is in, JSON as a code."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from onestop.common.templatetags.one_language import in_its_languages

register = template.Library()


def _model_field(readonly: Any) -> models.Field[Any, Any] | None:
    name = readonly.field.get("name")
    model = getattr(readonly.model_admin, "model", None)
    if not isinstance(name, str) or model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


@register.filter
def readonly_contents(readonly: Any) -> Any:
    """The field's contents; a boolean as yes/no (Django's icon reads "True"/"False")."""
    field = _model_field(readonly)
    if isinstance(field, models.BooleanField):
        value = getattr(readonly.form.instance, field.name, None)
        return "—" if value is None else gettext("yes") if value else gettext("no")
    plain = isinstance(field, models.CharField | models.TextField) and not field.choices
    value = getattr(readonly.form.instance, field.name, None) if field is not None else None
    if plain and isinstance(value, str) and value:
        return in_its_languages(value)
    return readonly.contents()


@register.filter
def readonly_lang(readonly: Any) -> SafeString:
    """`` lang="zxx"`` for JSON (a code); recorded texts mark their own parts
    (``readonly_contents``), and values the platform labels itself need nothing."""
    field = _model_field(readonly)
    if field is None or field.choices or isinstance(field, models.BooleanField):
        return SafeString("")
    if isinstance(field, models.JSONField):
        return SafeString(' lang="zxx"')
    return SafeString("")
