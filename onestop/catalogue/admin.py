"""The system administrator edits the catalogue; an item change publishes a new version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from onestop.audit.admin import AuditedAdmin
from onestop.catalogue.models import Bundle, ServiceItem
from onestop.catalogue.services import (
    FIELDS,
    form_ordered,
    form_problems,
    item_publish,
    materials_problems,
)
from onestop.common.admin import VersionedAdmin


class ServiceItemForm(forms.ModelForm):  # type: ignore[type-arg]
    """The administrator's entry, checked as publishing checks it (materials, form)."""

    class Meta:
        model = ServiceItem
        fields = ["code", *FIELDS, "note"]  # the version is numbered by publishing

    def clean_materials(self) -> Any:
        value = self.cleaned_data.get("materials")
        problems = materials_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value

    def clean_form_schema(self) -> Any:
        value = form_ordered(self.cleaned_data.get("form_schema"))
        problems = form_problems(value)
        if problems:
            raise forms.ValidationError(problems)
        return value


@admin.register(ServiceItem)
class ServiceItemAdmin(VersionedAdmin):
    form = ServiceItemForm
    list_display = (
        "code",
        "version",
        "name",
        "level",
        "legal_limit_days",
        "promised_limit_days",
        "visits_required",
        "published",
        "created_at",
    )
    list_filter = ("level", "kind", "published")
    search_fields = ("code", "name", "name_en")
    # The version is numbered by publishing (n+1), never typed in.
    exclude = ("version",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {k: v for k, v in form.cleaned_data.items() if k in FIELDS}
        saved = item_publish(actor=request.user, code=obj.code, values=values, note=obj.note)
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False


@admin.register(Bundle)
class BundleAdmin(AuditedAdmin):
    list_display = ("code", "name", "item_codes")
