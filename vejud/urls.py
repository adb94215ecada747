"""URL configuration: one include per app; the API lives under /api/v1/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from vejud.api.api import api

urlpatterns = [
    path("", include("vejud.core.urls")),
    path("konto/", include("vejud.accounts.urls")),
    path("sager/", include("vejud.cases.urls")),
    path("personer/", include("vejud.people.urls")),
    path("revision/", include("vejud.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
