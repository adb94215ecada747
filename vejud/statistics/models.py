"""Pre-aggregated counters for the national overview, kept by database triggers.

The counters are derived data: counts by unit, track and status, events by month,
and the number of open early warnings. No row names a person or a case. Triggers
on the source tables (``vejud.statistics.triggers``) change them in the same
statement as the data, so they are consistent with it at every commit, whichever
code path wrote the data (services, the admin, a bulk COPY). ``counters_rebuild``
recomputes them from the data and ``counters_check`` compares.

They are not ``@guarded``: the audit guard protects person and case data, and
these tables hold neither (``OwnExit`` at the end is a record of its own, written by a
service, and guarded). Every write to them in normal operation happens
inside the audited transaction that changed the case; a counter changed by hand
is found by ``vejud statistics --check`` and repaired by ``--rebuild``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.accounts.fields import user_field
from vejud.audit.guard import guarded
from vejud.core.constraints import in_range
from vejud.organisations.fields import unit_field
from vejud.people.models import GroupKind


class MonthEvent(models.TextChoices):
    OPENED = "opened", "opened"  # Case.opened_on: an inquiry became a case
    ADMITTED = "admitted", "admitted"  # Case.course_started_on: the exit course started
    ENDED = "ended", "ended"  # Case.closed_on: closed, refused, withdrawn or dropped


class CaseCount(models.Model):
    """How many cases have this responsible unit, track and status."""

    unit = unit_field()
    track = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "track", "status"], name="casecount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.track}/{self.status}: {self.n}"


class MonthCount(models.Model):
    """How many cases of a track had an event (opened, admitted, ended) in a month."""

    month = models.DateField()  # the first day of the month
    track = models.CharField(max_length=20)
    event = models.CharField(max_length=10, choices=MonthEvent.choices)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "track", "event"], name="monthcount_key"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}/{self.track}/{self.event}: {self.n}"


class Tally(models.Model):
    """A single named count (``open_early_warnings``)."""

    name = models.CharField(max_length=40, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.n}"


OPEN_EARLY_WARNINGS = "open_early_warnings"


class ReleasedTable(models.Model):
    """A table as released (vejud.statistics.disclosure): the true counts behind it and the
    period they cover, kept so that no later release can be subtracted from it to reveal a
    count of 1-4 persons. Counts only: no person, no case."""

    key = models.CharField(max_length=60)
    period_start = models.DateField()
    period_end = models.DateField()
    counts = models.JSONField()  # {figure: n}
    digest = models.CharField(max_length=64)  # SHA-256 of the counts: each state kept once
    released_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["key", "period_start", "period_end"], name="released_table_key")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "period_start", "period_end", "digest"], name="released_table_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.period_start}..{self.period_end}"


class OwnExitSource(models.TextChoices):
    POLICE = "police", _("The police's own information")
    MUNICIPALITY = "municipality", _("The municipality")
    PRISON = "prison", _("Prison and Probation Service")
    NETWORK = "network", _("Family or network")
    PERSON = "person", _("The person")
    OTHER = "other", _("Other")


@guarded
class OwnExit(models.Model):
    """An exit on one's own (without the exit programme): counted, never a person.

    Deliberately no name, no CPR, no free text: the year, the police district, the kind of
    group and how it became known are all the statistics need, and a free text invites the
    personal data this record must not hold."""

    year = models.PositiveSmallIntegerField(_("year"))
    police_district = models.ForeignKey(
        "organisations.PoliceDistrict",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("police district"),
    )
    group_kind = models.CharField(_("kind of group"), max_length=10, choices=GroupKind.choices)
    known_from = models.CharField(
        _("how it became known"), max_length=20, choices=OwnExitSource.choices
    )
    unit = unit_field(verbose_name=_("unit"))
    recorded_by = user_field()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("exit on own hand")
        verbose_name_plural = _("exits on own hand")
        constraints = [
            in_range("year", 2000, 2199, name="ownexit_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.police_district_id} {self.group_kind}"


class Grain(models.TextChoices):
    YEAR = "y", _("Year")
    QUARTER = "q", _("Quarter")


class DashboardCount(models.Model):
    """One figure of the harmonisation dashboard for a period, unit and track, kept up to date in
    the transaction of the change (``vejud.statistics.figures``).

    ``n`` counts events (persons, in every figure the dashboard shows as a count) and ``total``
    sums a value over them (days, a score, øre) for averages. A row names no person and no case;
    the table's size depends on units, figures and periods, never on the number of cases.
    """

    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()  # the first day of the year or quarter
    unit = unit_field()
    track = models.CharField(max_length=20, blank=True)
    figure = models.CharField(max_length=24)
    detail = models.CharField(max_length=48, blank=True)
    n = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "unit", "track", "figure", "detail"],
                name="dashboardcount_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain}{self.period}/{self.unit_id}/{self.track}/{self.figure}/{self.detail}"
