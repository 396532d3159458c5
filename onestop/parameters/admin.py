"""Administrators publish parameters in the admin; saving always creates a new version."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from onestop.common.admin import VersionedAdmin
from onestop.common.errors import ServiceError
from onestop.parameters.models import BookRate, ProvinceParameters
from onestop.parameters.services import book_rate_publish, province_parameters_publish


@admin.register(ProvinceParameters)
class ProvinceParametersAdmin(VersionedAdmin):
    list_display = (
        "province",
        "year",
        "version",
        "average_wage",
        "benefit_base",
        "pension_employer_rate",
        "divisor_policy",
        "created_at",
        "created_by",
    )
    list_filter = ("province", "year")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        values = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in {"province", "year", "sources", "note"}
        }
        try:
            saved = province_parameters_publish(
                actor=request.user,
                province=obj.province,
                year=obj.year,
                values=values,
                sources=obj.sources,
                note=obj.note,
            )
        except ServiceError as exc:
            messages.error(request, exc.message())
            raise
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False


@admin.register(BookRate)
class BookRateAdmin(VersionedAdmin):
    list_display = ("year", "rate", "provisional", "version", "source", "created_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = book_rate_publish(
            actor=request.user,
            year=obj.year,
            rate=obj.rate,
            provisional=obj.provisional,
            source=obj.source,
        )
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False
