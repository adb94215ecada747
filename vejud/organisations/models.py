"""Organisations: the bodies that run exit work, shipped as correctable reference data."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agency(models.TextChoices):
    """The agency a staff member comes from."""

    POLICE = "police", _("Police")
    MUNICIPALITY = "municipality", _("Municipality")
    KRIMINALFORSORGEN = "kriminalforsorgen", _("Prison and Probation Service")
    NATIONAL = "national", _("National Exit Contact Point")


class PoliceDistrict(models.Model):
    """Politikreds: one of the 12 police districts, each with one local exit unit."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("police district")
        verbose_name_plural = _("police districts")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """Kommune: routes an inquiry to its police district's local exit unit."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    police_district = models.ForeignKey(
        PoliceDistrict,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("police district"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    NATIONAL = "national", _("National Exit Contact Point")
    LOCAL = "local", _("Local exit unit")
    DFK = "dfk", _("Prison and Probation Service (directorate)")
    INSTITUTION = "institution", _("Prison or remand institution")
    MUNICIPAL_PROGRAMME = "municipal_programme", _("Municipal exit programme")


class InstitutionType(models.TextChoices):
    STATE_PRISON_CLOSED = "closed_prison", _("State prison (closed)")
    STATE_PRISON_OPEN = "open_prison", _("State prison (open)")
    REMAND = "remand", _("Remand prison")
    OTHER = "other", _("Other institution")


class Unit(models.Model):
    """An organisational unit whose members work on cases: a case's responsible unit."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    police_district = models.OneToOneField(
        PoliceDistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exit_unit",
        verbose_name=_("police district"),
        help_text=_("Only for local exit units: the district the unit covers."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("municipality"),
        help_text=_("Only for municipal programmes."),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    institution_type = models.CharField(
        _("institution type"), max_length=30, choices=InstitutionType.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="local", police_district__isnull=False)
                | (~Q(kind="local") & Q(police_district__isnull=True)),
                name="unit_local_has_district",
            ),
            models.CheckConstraint(
                condition=Q(kind="institution", institution_type__gt="")
                | (~Q(kind="institution") & Q(institution_type="")),
                name="unit_institution_has_type",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="national"), name="unit_one_national"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.kind == UnitKind.NATIONAL

    @property
    def is_custody(self) -> bool:
        """Return True for units that handle persons deprived of liberty."""
        return self.kind in {UnitKind.DFK, UnitKind.INSTITUTION}
