"""Admin classes that journal what administrators change (no models are registered here)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from onestop.audit.services import record
from onestop.common.admin import OneLanguageAdmin


class AuditedAdmin(OneLanguageAdmin):
    """Journals every add, change and delete made through the admin, in its transaction."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = {k: form.initial.get(k) for k in form.changed_data} if change else {}
            super().save_model(request, obj, form, change)
            after = {k: model_to_dict(obj).get(k) for k in form.changed_data}
            record(
                actor=request.user,
                action=f"{obj._meta.label_lower}." + ("changed" if change else "added"),
                target=obj,
                changes={"before": before, "after": after},
            )

    def delete_model(self, request: Any, obj: Any) -> None:
        with transaction.atomic():
            record(
                actor=request.user,
                action=f"{obj._meta.label_lower}.deleted",
                target=obj,
                changes={"before": model_to_dict(obj)},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
