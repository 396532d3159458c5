"""Admin helpers shared by contexts that keep versioned configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest


class VersionedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
