"""URL configuration: one include per app; the API lives under /api/v1/."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from vejud.api.api import api

# The process pages share the case prefix; they come first so "ny-henvendelse/" is not a reference.
CASE_PROCESS = ("intake", "assessments", "decisions", "followup", "casedocs", "outcomes")
# The apps with a section of their own: the section's prefix and the app.
SECTIONS = {
    "opgaver/": "worklist",
    "statistik/": "statistics",
    "eksport/": "exports",
    "kvalitet/": "quality",
    "uddannelse/": "training",
    "raadgivning/": "advice",
}

urlpatterns = [
    path("", include("vejud.portal.urls")),
    path("", include("vejud.frontdoor.urls")),  # public: /exit/, /kontakt/; units' pages
    path("konto/", include("vejud.accounts.urls")),
    *(path("sager/", include(f"vejud.{app}.urls")) for app in CASE_PROCESS),
    path("", include("vejud.transfers.urls")),  # "sager/<ref>/..." and the receiver's page
    path("sager/", include("vejud.courses.urls")),
    path("", include("vejud.pool.urls")),  # "puljen/..." and "sager/<ref>/puljen/..."
    path("sager/", include("vejud.cases.urls")),
    *(path(prefix, include(f"vejud.{app}.urls")) for prefix, app in SECTIONS.items()),
    path("personer/", include("vejud.cases.person_urls")),
    path("personer/", include("vejud.privacy.urls")),
    path("revision/", include("vejud.auditor.urls")),
    # Public: the login page's language switch is used before signing in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

if settings.VEJUD_BENCH_ADMIN:
    # bench/run's comparison: the admin changelist over the cases table (never by default).
    from vejud.cases.bench_admin import bench_admin_site

    urlpatterns.append(path("bench-admin/", bench_admin_site.urls))

handler400 = "vejud.core.refusals.bad_request"
handler404 = "vejud.portal.views.page_not_found"
handler500 = "vejud.core.outage.server_error"  # 503 with Retry-After during a database outage
