"""The admin app configuration that installs vejud's admin site as ``admin.site``.

Kept apart from ``admin_site`` because app configurations are imported before
the models are ready.
"""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class VejudAdminConfig(AdminConfig):
    default_site = "vejud.organisations.admin_site.VejudAdminSite"
