"""The system administrator keeps the resource catalogue, registers consumers and approves
grants in the admin; every change is journaled."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onestop.audit.admin import AuditedAdmin
from onestop.exchange.models import Consumer, Grant, Purpose, Resource


@admin.register(Purpose)
class PurposeAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin):
    list_display = ("code", "name", "provider", "needs_consent")
    search_fields = ("code", "name", "name_en")


@admin.register(Consumer)
class ConsumerAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "kind", "algorithm", "active")
    list_filter = ("kind", "active")


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = (
        "consumer",
        "resource",
        "purpose_label",
        "approved_by",
        "valid_until",
        "revoked_at",
    )
    readonly_fields = ("approved_by", "approved_at")

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_label(self, obj: Grant) -> str:
        purpose = Purpose.objects.filter(code=obj.purpose).first()
        return str(purpose) if purpose else format_html('<code lang="zxx">{}</code>', obj.purpose)

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "purpose":  # a code from the purposes, shown with its labels
            from django import forms

            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=[(p.code, str(p)) for p in Purpose.objects.all()],
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        obj.approved_by, obj.approved_at = request.user.get_username(), timezone.now()
        super().save_model(request, obj, form, change)
