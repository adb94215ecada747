"""Admin pages for staff accounts: users with their memberships, MFA resets, lockouts.

Nothing here shows case content. Secrets are never shown: passwords are changed
through Django's password form (hashed with argon2), and a lost authenticator
is handled by deleting the device so the user enrols again at the next login.
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vejud.access.rules import role_needs_four_eyes
from vejud.access.units import role_unit_problem
from vejud.accounts.invitations import invitation_create
from vejud.accounts.models import (
    AuthenticatorDevice,
    Invitation,
    Membership,
    ProviderEvent,
    ProviderSubject,
    RecoveryCodeDevice,
    User,
)
from vejud.accounts.sso import subject_link
from vejud.organisations.admin_site import VejudInline, VejudModelAdmin


def _clean_email(form: forms.ModelForm[User]) -> str:
    email = form.cleaned_data["email"].strip().lower()
    taken = User.objects.filter(email__iexact=email).exclude(pk=form.instance.pk)
    if taken.exists():
        raise ValidationError(_("A user with this e-mail address already exists."))
    return email


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")

    def clean_email(self) -> str:
        return _clean_email(self)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language", "is_active")

    def clean_email(self) -> str:
        return _clean_email(self)


class MembershipForm(forms.ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ("unit", "role", "agency", "valid_from", "valid_to")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        unit, role = cleaned.get("unit"), cleaned.get("role")
        self._refuse_case_access_change(role)
        if unit is None or not role:
            return cleaned
        problem = role_unit_problem(role, unit)
        if problem is not None:
            raise ValidationError(problem, code="role_unit")
        return cleaned

    def _refuse_case_access_change(self, role: str | None) -> None:
        """Case-access roles come only through a four-eyes role grant (issue 11, hole 1).

        The admin may end such a membership (``valid to``) but not make, widen or move one.
        """
        original = Membership.objects.filter(pk=self.instance.pk).first()
        if original is not None and role_needs_four_eyes(original.role):
            kept = ("unit", "role", "agency", "valid_from")
            if any(self.cleaned_data.get(f) != getattr(original, f) for f in kept) or (
                self.cleaned_data.get("valid_to") is None and original.valid_to is not None
            ):
                raise ValidationError(
                    _("A role that gives case access or grants it can only be ended here."),
                    code="case_role",
                )
            return
        if role and role_needs_four_eyes(role):
            raise ValidationError(
                _(
                    "Roles that give case access or grant it are granted with four eyes under "
                    "“Role grants” (/konto/rolletildelinger/), not in the admin."
                ),
                code="case_role",
            )


class MembershipInline(VejudInline, admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ("unit",)
    verbose_name_plural = _("memberships (end one by setting “valid to”)")


@admin.register(User)
class UserAdmin(VejudModelAdmin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        (_("Access"), {"fields": ("is_active",)}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "is_active", "last_login")
    list_filter = ("is_active", "memberships__role", "memberships__unit__kind")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()
    actions = ("make_invitation",)

    @admin.action(description=_("Make a single sign-on invitation link"))
    def make_invitation(self, request: Any, queryset: Any) -> None:
        """One single-use link per selected user, each shown once here (only its hash is kept)."""
        for user in queryset:
            _invitation, raw = invitation_create(actor=request.user, user=user)
            link = request.build_absolute_uri(reverse("accounts:invitation", args=[raw]))
            days = settings.VEJUD_OIDC_INVITATION_DAYS
            self.message_user(
                request,
                _(
                    "Invitation for %(user)s (valid %(days)s days, works once, shown only now): %(link)s"
                )
                % {"user": user.email, "days": days, "link": link},
                messages.SUCCESS,
            )


class DeviceAdmin(VejudModelAdmin):
    """An enrolled second factor: viewable and deletable (forces re-enrolment), never editable."""

    allow_add = False
    allow_change = False
    allow_delete = True
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")


@admin.register(AuthenticatorDevice)
class TOTPDeviceAdmin(DeviceAdmin):
    pass


@admin.register(RecoveryCodeDevice)
class RecoveryCodesAdmin(DeviceAdmin):
    pass


@admin.register(AccessAttempt)
class LoginLockoutAdmin(VejudModelAdmin):
    """Failed logins recorded by django-axes; deleting a row lifts the lockout."""

    allow_add = False
    allow_change = False
    allow_delete = True
    list_display = ("username", "ip_address", "failures_since_start", "attempt_time")
    search_fields = ("username", "ip_address")
    fields = ("username", "ip_address", "user_agent", "failures_since_start", "attempt_time")


@admin.register(ProviderSubject)
class ProviderSubjectAdmin(VejudModelAdmin):
    """Subjects of the single sign-on providers: link an unlinked one to a user, or unlink.

    A subject is recorded at its first login (never added here). Linking gives the login
    exactly the user's memberships; deleting the subject ends its logins.
    """

    allow_add = False
    allow_change = True
    allow_delete = True
    list_display = ("subject", "name", "claimed_email", "user", "last_login_at")
    list_filter = ("name", "confirmed")
    list_select_related = ("user",)
    search_fields = ("subject", "claimed_email", "claimed_name", "user__email")
    autocomplete_fields = ("user",)
    fields = (
        "name",
        "issuer",
        "subject",
        "claimed_email",
        "claimed_name",
        "user",
        "first_seen_at",
        "last_login_at",
    )
    readonly_fields = (
        "name",
        "issuer",
        "subject",
        "claimed_email",
        "claimed_name",
        "first_seen_at",
        "last_login_at",
    )

    def save_model(self, request: Any, obj: ProviderSubject, form: Any, change: bool) -> None:
        subject_link(actor=request.user, subject=obj, user=obj.user)


@admin.register(Invitation)
class InvitationAdmin(VejudModelAdmin):
    """Single sign-on invitation links: made from the user list (action), never shown again
    (only their hash is kept); deleting an unused one withdraws it (audited)."""

    allow_add = False
    allow_change = False
    allow_delete = True
    list_display = ("user", "created_by", "created_at", "expires_at", "used_at", "subject")
    list_filter = ("used_at",)
    list_select_related = ("user", "created_by", "subject")
    search_fields = ("user__email", "user__full_name")
    fields = ("user", "created_by", "created_at", "expires_at", "used_at", "subject")


@admin.register(ProviderEvent)
class ProviderEventAdmin(VejudModelAdmin):
    """Refused provider logins and accepted back-channel logouts (also in the audit trail)."""

    allow_add = False
    allow_change = False
    allow_delete = False
    list_display = ("at", "kind", "provider", "reason", "subject")
    list_filter = ("kind", "provider", "reason")
    search_fields = ("subject",)
    fields = ("at", "kind", "provider", "issuer", "subject", "reason")
