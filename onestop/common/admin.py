"""Admin helpers shared by contexts that keep versioned configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onestop.common.templatetags.one_language import in_its_languages


def _yes_no(value: Any) -> str:
    if value is None:
        return "—"
    return str(_("yes") if value else _("no"))


def _list_column(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """A change-list column that shows ``field`` in one language: a yes/no for a boolean
    (Django's icon reads "True"/"False" in every language), a code as a code, a text that
    someone recorded with the language it is in (``lang``)."""
    name = field.name

    def column(obj: Any) -> Any:
        value = getattr(obj, name)
        if isinstance(field, models.BooleanField):
            return _yes_no(value)
        if value in (None, ""):
            return "—"
        if name == "code" or isinstance(field, models.SlugField):
            return format_html('<code lang="zxx">{}</code>', value)
        return in_its_languages(str(value))

    column.short_description = field.verbose_name  # type: ignore[attr-defined]
    column.admin_order_field = name  # type: ignore[attr-defined]
    column.__name__ = name
    return column


class OneLanguageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin whose change lists show one language at a time: booleans as yes/no, codes
    as codes, recorded texts with their language, choices by their labels (Django's own)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """A picker of a model that names its options for staff (``picker_label``: a region's
        name in the current language, then its code as a hint) shows them so."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(db_field.related_model, "picker_label"):
            field.label_from_instance = lambda obj: obj.picker_label  # type: ignore[method-assign]
        return field

    def get_list_display(self, request: HttpRequest) -> Any:
        shown: list[Any] = []
        for entry in super().get_list_display(request):
            field = _model_field(self.model, entry) if isinstance(entry, str) else None
            plain = isinstance(field, models.BooleanField | models.CharField | models.TextField)
            if field is not None and plain and not field.choices:
                shown.append(_list_column(field))
            else:
                shown.append(entry)
        return shown


def _model_field(model: Any, name: str) -> models.Field[Any, Any] | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


class VersionedAdmin(OneLanguageAdmin):
    """Existing versions are read-only; "add" (optionally ``?copy=<id>``) publishes a new one."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        source = request.GET.get("copy", "")
        if source.isdigit():
            row = self.model.objects.filter(pk=int(source)).first()
            if row is not None:
                initial.update(
                    {
                        k: v
                        for k, v in model_to_dict(row).items()
                        if k not in {"id", "version", "note"}
                    }
                )
        return initial
