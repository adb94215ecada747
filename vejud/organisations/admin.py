"""Admin pages for organisations: reference data an administrator corrects, never deletes."""

from __future__ import annotations

from django.contrib import admin

from vejud.organisations.admin_site import VejudModelAdmin
from vejud.organisations.models import Municipality, PoliceDistrict, Unit


@admin.register(PoliceDistrict)
class PoliceDistrictAdmin(VejudModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Municipality)
class MunicipalityAdmin(VejudModelAdmin):
    list_display = ("name", "police_district")
    list_filter = ("police_district",)
    list_select_related = ("police_district",)
    search_fields = ("name",)


@admin.register(Unit)
class UnitAdmin(VejudModelAdmin):
    list_display = ("name", "code", "kind", "police_district", "institution_type", "is_active")
    list_filter = ("kind", "institution_type", "is_active")
    list_select_related = ("police_district",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "municipality")
    fields = (
        "name",
        "code",
        "kind",
        "police_district",
        "municipality",
        "parent",
        "institution_type",
        "is_active",
    )
