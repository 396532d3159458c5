"""Django admin for configuration: regions and agencies (system administrator only).

Personal data and staff accounts are not here: persons go through the services, staff
accounts through the security administrator's pages.
"""

from django.contrib import admin

from onestop.audit.admin import AuditedAdmin
from onestop.identity.models import Agency, Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "name_en")


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    # The region is picked from a list by its name in the current language, its code as a
    # hint (``Region.picker_label``); a province's few hundred regions fit one list.
    autocomplete_fields = ("parent",)
