"""Staff accounts: e-mail login, memberships with a role per unit, sessions, API tokens."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from vejud.accounts.fields import user_field
from vejud.core.constraints import end_not_before_start
from vejud.core.crypto import EncryptedTextField
from vejud.core.fields import status_field
from vejud.core.periods import ValidPeriod, ValidPeriodQuerySet
from vejud.organisations.fields import unit_field
from vejud.organisations.models import Agency


class Role(models.TextChoices):
    """A user's role in one unit; need-to-know follows from it (see cases.permissions)."""

    NATIONAL_ADVISER = "national_adviser", _("National adviser")
    NATIONAL_DECISION_MAKER = "national_decision_maker", _("National decision-maker")
    NATIONAL_HEAD = "national_head", _("National head")
    UNIT_MEMBER = "unit_member", _("Unit member")
    UNIT_COORDINATOR = "unit_coordinator", _("Unit coordinator")
    CUSTODY_STAFF = "custody_staff", _("Custody staff")
    MENTOR = "mentor", _("Mentor")
    ANALYST = "analyst", _("Analyst")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")
    AUDITOR = "auditor", _("Auditor")


NATIONAL_ROLES = frozenset(
    {Role.NATIONAL_ADVISER, Role.NATIONAL_DECISION_MAKER, Role.NATIONAL_HEAD}
)
UNIT_ROLES = frozenset({Role.UNIT_MEMBER, Role.UNIT_COORDINATOR})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


# django-otp is untyped: the stubs cannot name the second factors' reverse managers.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A staff user; logs in with e-mail, password and TOTP."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Only system administrators get the admin site."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="da"
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Raised by database triggers whenever the user's memberships or second-factor devices
    # change (vejud.accounts.generation); a session's cached scope and verification hold only
    # while it is unchanged. Never lowered: a stale save cannot bring an old value back.
    access_generation = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(ValidPeriodQuerySet["Membership"]):
    def active(self, on: date | None = None) -> ValidPeriodQuerySet[Membership]:
        """Return memberships valid on ``on`` (default: today in Copenhagen)."""
        return self.in_force(on)


class RoleInUnit(ValidPeriod):
    """A role in a unit as a representative of an agency, for a period: what a membership
    gives and a role grant asks for. Abstract; the user and the unit are the subclass's."""

    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    agency = models.CharField(_("agency"), max_length=30, choices=Agency.choices)

    class Meta:
        abstract = True


class Membership(RoleInUnit):
    """A user's role in a unit, for a period, as a representative of an agency."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    unit = unit_field(related_name="memberships", verbose_name=_("unit"))

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["unit__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role", "valid_from"], name="membership_unique"
            ),
            end_not_before_start("valid_to", "valid_from", name="membership_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


class RoleGrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RoleGrant(RoleInUnit):
    """A request for a case-access role, approved by a second person (four eyes).

    Requested and approved by the national contact point's head or a system administrator;
    the approver is never the requester nor the user who gets the role. An approval creates
    the membership, and every approved grant waits in the auditor's queue until reviewed.
    """

    user = user_field(related_name="role_grants", verbose_name=_("user"))
    unit = unit_field(related_name="role_grants", verbose_name=_("unit"))
    reason = models.TextField(_("reason"))
    status = status_field(RoleGrantStatus.PENDING, max_length=10)
    requested_by = user_field()
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = user_field(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="grant"
    )
    reviewed_by = user_field(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            end_not_before_start("valid_to", "valid_from", name="role_grant_period_valid"),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("requested_by")),
                name="role_grant_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("user")), name="role_grant_not_self"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(membership__isnull=False),
                name="role_grant_approved_has_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"Role grant {self.pk}: {self.get_role_display()} for {self.user_id}"


class UserSession(models.Model):
    """A login session, so a user can see and end their other sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} session {self.created_at:%Y-%m-%d %H:%M}"


class HashedToken(models.Model):
    """A row found by a secret token of which only the SHA-256 is stored (``token_hash``);
    the token itself is shown once. Abstract."""

    token_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True

    @staticmethod
    def hash_token(raw: str) -> str:
        """Return the stored form of a raw token."""
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(HashedToken):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    PREFIX = "vejud_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    hint = models.CharField(_("starts with"), max_length=16)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"


# Second factors --------------------------------------------------------------------------
# django-otp's TOTPDevice and StaticToken keep the TOTP secret and the recovery codes in
# plain text. These devices are the same to django-otp (``Device`` subclasses: persistent
# ids, throttling, the verification flow) but keep the secrets only as Fernet ciphertext
# under ``VEJUD_FIELD_KEYS`` (``EncryptedTextField``), so ``vejud rotate-keys`` rotates them
# with every other encrypted field.


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238): django-otp's TOTPDevice with the key encrypted."""

    key = EncryptedTextField(_("secret key"), default=default_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    # django-otp's own TOTP logic, reading the decrypted key.
    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """The user's one-time recovery codes (django-otp's StaticDevice, codes encrypted)."""

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        """Accept an unused code once (compared in constant time after decryption)."""
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        given = str(token).strip().encode()
        match = next(
            (code for code in self.codes.all() if hmac.compare_digest(code.code.encode(), given)),
            None,
        )
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    """One unused recovery code, encrypted; deleted when used."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code = EncryptedTextField(_("code"))

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"Recovery code {self.pk} of device {self.device_id}"


# Single sign-on ------------------------------------------------------------------------------


class ProviderSubject(Device):
    """A subject of an OpenID Connect provider (issuer + ``sub``), linked to a user or not yet.

    The first login of an unknown subject records it here with no user: it gives no access
    until an administrator links it to a user in the admin. A linked subject is also the
    django-otp device of a provider login whose ``acr``/``amr`` the provider's configuration
    accepts as a second factor: the session then holds its persistent id, as it holds the
    authenticator's after a TOTP code, so unlinking it ends that verification.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="provider_subjects",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject (sub)"), max_length=255)
    claimed_email = models.CharField(_("e-mail given by the provider"), max_length=254, blank=True)
    claimed_name = models.CharField(_("name given by the provider"), max_length=200, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = _("single sign-on subject")
        verbose_name_plural = _("single sign-on subjects")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="provider_subject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.subject}"

    def verify_token(self, token: Any) -> bool:
        """Never accepts a typed code: a provider login verifies only through the callback."""
        return False


class ProviderEvent(models.Model):
    """Something an OpenID Connect provider did or vejud refused, kept for the audit trail.

    ``refused``: a provider login vejud refused (the reason only: never a token, code or
    secret). ``logout``: a back-channel logout token accepted; its ``jti`` is kept so the same
    token cannot be replayed (unique per issuer).
    """

    class Kind(models.TextChoices):
        REFUSED = "refused", _("Login refused")
        LOGOUT = "logout", _("Back-channel logout")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    provider = models.CharField(_("provider"), max_length=64)
    issuer = models.CharField(_("issuer"), max_length=300, blank=True)
    subject = models.CharField(_("subject (sub)"), max_length=255, blank=True)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    jti = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("single sign-on event")
        verbose_name_plural = _("single sign-on events")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "jti"], condition=Q(kind="logout"), name="provider_event_jti_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.kind} {self.reason}"


class Invitation(HashedToken):
    """A single-use, expiring link that lets a person link their provider login to ``user``.

    Only the SHA-256 of the link's token is stored; the link is shown once, to the
    administrator who made it. Opening it and signing in at a provider links the provider's
    subject to the user (``vejud.accounts.invitations``).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user")
    )
    created_by = user_field(verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    subject = models.ForeignKey(
        ProviderSubject,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked subject"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("single sign-on invitation")
        verbose_name_plural = _("single sign-on invitations")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
