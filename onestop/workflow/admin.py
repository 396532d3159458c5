"""The system administrator loads a new process version by uploading a BPMN file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onestop.common.admin import VersionedAdmin
from onestop.common.errors import ServiceError
from onestop.workflow.models import ProcessVersion
from onestop.workflow.services import process_version_load


class LoadForm(forms.ModelForm):  # type: ignore[type-arg]
    upload = forms.FileField(label=_("BPMN 2.0 file (.bpmn)"))
    request_user: Any = None  # set by the admin for each request
    loaded: ProcessVersion

    class Meta:
        model = ProcessVersion
        fields = ["name", "note"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        upload = data.get("upload")
        if upload is not None and data.get("name") and data.get("note"):
            xml = upload.read()
            try:
                self.loaded = process_version_load(
                    actor=self.request_user, name=data["name"], xml=xml, note=data["note"]
                )
            except ServiceError as exc:
                raise forms.ValidationError(exc.message()) from exc
        return data


@admin.register(ProcessVersion)
class ProcessVersionAdmin(VersionedAdmin):
    form = LoadForm
    list_display = ("name", "version", "note", "created_by", "created_at", "sha256")
    search_fields = ("name", "note")
    readonly_fields = ("version", "sha256", "user_tasks", "created_by", "created_at")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user  # type: ignore[attr-defined]
        return form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["name", "upload", "note"]
        return [
            "name",
            "version",
            "note",
            "sha256",
            "user_tasks",
            "created_by",
            "created_at",
            "bpmn_xml",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The form's clean() loaded the version through the service (validated, journaled).
        obj.pk, obj.version = form.loaded.pk, form.loaded.version
        obj._state.adding = False
