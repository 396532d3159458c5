"""The system administrator edits the catalogue; an item change publishes a new version."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onestop.audit.admin import AuditedAdmin
from onestop.catalogue.models import Bundle, ServiceItem
from onestop.catalogue.services import FIELDS, item_publish
from onestop.common.admin import VersionedAdmin


@admin.register(ServiceItem)
class ServiceItemAdmin(VersionedAdmin):
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {k: v for k, v in form.cleaned_data.items() if k in FIELDS}
        saved = item_publish(actor=request.user, code=obj.code, values=values, note=obj.note)
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False


@admin.register(Bundle)
class BundleAdmin(AuditedAdmin):
    list_display = ("code", "name", "item_codes")
