"""The Django admin: for system administrators only, and never with case content.

Only model admins built on ``VejudModelAdmin`` are admitted to the site; the
admin classes third-party apps register (django-otp, axes, django-tasks, auth
groups) are ignored, so a new dependency cannot put its tables, or case data
carried in them, in front of an administrator unnoticed. Every change made in
the admin is written to the audit trail as well as to Django's admin log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from vejud.access.adminsite import admin_view_on_site
from vejud.access.gate import AuthenticatedRequest, Policy
from vejud.access.rules import Capability, has_capability
from vejud.audit.services import audit_record, audited

logger = logging.getLogger(__name__)

V = TypeVar("V", bound=Callable[..., Any])

ADMIN_POLICY = Policy("capability", capability=Capability.ADMINISTER)


def user_may_administer(request: HttpRequest) -> bool:
    """Return True for an active user with a system-administrator role who passed MFA."""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return False
    is_verified = getattr(user, "is_verified", None)
    if not (callable(is_verified) and is_verified()):
        return False
    return has_capability(user, Capability.ADMINISTER)


class VejudAdminSite(admin.AdminSite):
    site_header = _("vejud administration")
    site_title = _("vejud administration")
    index_title = _("Users, units and reference data")
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        return user_may_administer(request)

    def register(
        self,
        model_or_iterable: ModelBase | Iterable[ModelBase],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        """Register only vejud's own model admins (see the module docstring)."""
        if admin_class is None or not issubclass(admin_class, VejudModelAdmin):
            logger.debug("Admin registration ignored: %r (%r)", model_or_iterable, admin_class)
            return
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view: V, cacheable: bool = False) -> V:
        """Answer 403 to a signed-in user who may not administer (not a login loop)."""
        inner = super().admin_view(view, cacheable)

        def gate(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return cast(V, update_wrapper(gate, inner))

    @method_decorator(never_cache)
    @login_not_required
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Send everyone to vejud's own login (password and TOTP); the admin has none."""
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("admin:index", current_app=self.name)
        return redirect_to_login(target)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if isinstance(pattern, URLPattern) and pattern.name == "view_on_site":
                urls[index] = path(
                    "r/<int:content_type_id>/<path:object_id>/",
                    self.admin_view(admin_view_on_site),
                    name="view_on_site",
                )
        _declare_policy(urls)
        return urls


VejudAdminSite.login.vejud_policy = Policy("public")  # type: ignore[attr-defined]


def _declare_policy(patterns: Sequence[URLPattern | URLResolver]) -> None:
    """Declare the admin's gate on every admin route, for the authorisation-matrix test."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _declare_policy(pattern.url_patterns)
            continue
        callback = pattern.callback
        if getattr(callback, "vejud_policy", None) is None:
            target = getattr(callback, "__func__", callback)
            target.vejud_policy = ADMIN_POLICY  # type: ignore[union-attr]


def _audit(request: HttpRequest, action: str, obj: models.Model, message: Any) -> None:
    with audited():
        audit_record(
            actor=cast(AuthenticatedRequest, request).user,
            action=f"admin.{action}",
            obj=obj,
            changes={"object": str(obj), "message": message},
        )


class VejudAdminMixin:
    """Permissions from the site's gate (roles, not Django model permissions)."""

    admin_site: admin.AdminSite
    allow_add = True
    allow_change = True
    allow_delete = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.allow_add and self.admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_change and self.admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.allow_delete and self.admin_site.has_permission(request)


class VejudModelAdmin(VejudAdminMixin, admin.ModelAdmin):
    """Base of every admin page: gated by role and MFA, every change audited."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        _audit(request, "add", obj, message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        _audit(request, "change", obj, message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            _audit(request, "delete", obj, "")
        return entries


class VejudInline(VejudAdminMixin):
    """Inline forms under the same gate (mix in before TabularInline/StackedInline)."""
