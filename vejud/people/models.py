"""People: exit candidates, their protected data, and per-person access rules."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.core.constraints import end_not_before_start
from vejud.core.crypto import EncryptedTextField
from vejud.core.periods import ValidPeriod, ValidPeriodQuerySet


class GroupKind(models.TextChoices):
    BIKER = "biker", _("Biker group")
    GANG = "gang", _("Gang")
    OTHER = "other", _("Other criminal group")


class GangGroup(models.Model):
    """A group from the reference list of biker groups and gangs."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=GroupKind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class Attachment(models.TextChoices):
    """Degree of attachment (tilknytningsgrad) to the group."""

    PERIPHERAL = "peripheral", _("Peripheral")
    ASSOCIATE = "associate", _("Associate / sympathiser")
    MEMBER = "member", _("Member")
    CORE = "core", _("Core member / leadership")


@guarded
class Person(models.Model):
    """An exit candidate (exitkandidat). A person may have several cases over the years."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    cpr = EncryptedTextField(_("CPR number"), blank=True)
    cpr_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    gang_group = models.ForeignKey(
        GangGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="persons",
        verbose_name=_("group"),
    )
    gang_role = models.CharField(_("role in the group"), max_length=120, blank=True)
    gang_since = models.DateField(_("in the group since"), null=True, blank=True)
    attachment = models.CharField(
        _("degree of attachment"), max_length=20, choices=Attachment.choices, blank=True
    )
    threat_notes = EncryptedTextField(_("threats against the person"), blank=True)
    name_search = models.CharField(max_length=210, editable=False, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["birth_date", "name_search"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @staticmethod
    def normalise_name(first_name: str, last_name: str) -> str:
        """Return the lower-case form used for name search and duplicate checks."""
        return " ".join(f"{first_name} {last_name}".lower().split())


class AddressProtectionStatus(models.TextChoices):
    """CPR-register protection (CPR Act § 6(6)(2): 'without fixed abode')."""

    NONE = "none", _("Not requested")
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    LIFTED = "lifted", _("Lifted")


def _cpr_protection() -> models.CharField:
    """The CPR-register protection of an address (the one kept, and one reported)."""
    return models.CharField(
        _("CPR-register protection"),
        max_length=20,
        choices=AddressProtectionStatus.choices,
        default=AddressProtectionStatus.NONE,
    )


@guarded
class ProtectedAddress(models.Model):
    """A relocated person's new address: life-critical, shown only to named custodians."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="protected_address"
    )
    address = EncryptedTextField(_("protected address"))
    cpr_protection = _cpr_protection()
    protection_requested_on = models.DateField(_("protection requested"), null=True, blank=True)
    protection_confirmed_on = models.DateField(_("protection confirmed"), null=True, blank=True)
    protection_lifted_on = models.DateField(_("protection lifted"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("protected address")
        verbose_name_plural = _("protected addresses")
        constraints = [
            models.CheckConstraint(
                condition=Q(protection_confirmed_on__isnull=True)
                | Q(protection_requested_on__isnull=False),
                name="address_confirmed_after_requested",
            ),
        ]

    def __str__(self) -> str:
        # Never the address itself: this string can reach logs and admin pages.
        return f"Protected address of person {self.person_id}"


@guarded
class AddressCustodian(models.Model):
    """A user named on a case as allowed to see the person's protected address."""

    address = models.ForeignKey(
        ProtectedAddress, on_delete=models.CASCADE, related_name="custodians"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="address_custodies"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="address_custodians"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "user"], name="custodian_unique"),
        ]

    def __str__(self) -> str:
        return f"Custodian {self.user_id} of address {self.address_id}"


@guarded
class ProtectedAddressReport(models.Model):
    """An address a non-custodian registered while one already existed: for the custodians.

    The registering user gets the same answer as if none existed (issue 11, hole 6); the
    custodians see the report on the protected-address page and decide what to do with it.
    """

    address = models.ForeignKey(ProtectedAddress, on_delete=models.CASCADE, related_name="reports")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="address_reports")
    reported_by = user_field(related_name="address_reports")
    reported_address = EncryptedTextField(_("reported address"))
    cpr_protection = _cpr_protection()
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reported protected address")
        verbose_name_plural = _("reported protected addresses")

    def __str__(self) -> str:
        # Never the address itself: this string can reach logs and admin pages.
        return f"Address report {self.pk} on person address {self.address_id}"


class AccessRuleKind(models.TextChoices):
    EXCLUSION = "exclusion", _("Exclusion: the named user is barred")
    RESTRICTION = "restriction", _("Restriction: only the named users are allowed")


@guarded
class PersonAccessRule(ValidPeriod):
    """One line of a person's exclusion list or restriction list."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_rules")
    kind = models.CharField(_("kind"), max_length=20, choices=AccessRuleKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="person_access_rules",
        verbose_name=_("user"),
    )
    # For those who keep the list; never shown to the barred user, who sees "not found".
    message = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ValidPeriodQuerySet["PersonAccessRule"].as_manager()

    class Meta:
        verbose_name = _("access rule")
        verbose_name_plural = _("access rules")
        indexes = [models.Index(fields=["person", "kind"]), models.Index(fields=["user", "kind"])]
        constraints = [
            end_not_before_start("valid_to", "valid_from", name="access_rule_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – person {self.person_id} – user {self.user_id}"
