"""The Django admin over the cases table: what ``bench/run`` compares the caseload with.

Mounted at ``/bench-admin/`` only when ``VEJUD_BENCH_ADMIN=1`` is set at startup,
never by default. It is the admin a team would reach for (a changelist with one
filter, Django's own counting and OFFSET paging), for system administrators only
like the real admin, and it shows only columns that name no person: reference,
status, track, unit and the date opened.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from vejud.cases.models import Case
from vejud.organisations.admin_site import VejudAdminSite, VejudModelAdmin

BENCH_COLUMNS = ("reference", "status", "track", "responsible_unit", "opened_on")


class BenchAdminSite(VejudAdminSite):
    site_header = gettext_lazy("vejud benchmark: the Django admin over the cases table")
    site_title = gettext_lazy("vejud benchmark admin")
    index_title = gettext_lazy("Cases (non-personal columns only)")


class BenchCaseAdmin(VejudModelAdmin):
    list_display = BENCH_COLUMNS
    list_filter = ("status",)
    # Django's default here is select_related() of every foreign key, the person too: its
    # encrypted fields would be loaded and decrypted for nothing. Only the unit is shown.
    list_select_related = ("responsible_unit",)
    fields = BENCH_COLUMNS
    allow_add = False
    allow_change = False


bench_admin_site = BenchAdminSite(name="bench_admin")
bench_admin_site.register(Case, BenchCaseAdmin)
