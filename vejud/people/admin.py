"""Admin pages for people data: only the reference list of groups, never a person."""

from __future__ import annotations

from django.contrib import admin

from vejud.organisations.admin_site import VejudModelAdmin
from vejud.people.models import GangGroup


@admin.register(GangGroup)
class GangGroupAdmin(VejudModelAdmin):
    list_display = ("name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
