"""Visitation: the assessment stage's three instruments and the programmes' criteria.

Each instrument is versioned per case and signed by its assessor; once signed a
row cannot change (a database trigger refuses it). A correction is a new version
that points at the one it supersedes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from vejud.accounts.fields import CreatedRecord, user_field
from vejud.audit.guard import guarded, signed_immutable
from vejud.cases.fields import case_field
from vejud.core.catalogue import CatalogueEntry
from vejud.core.constraints import end_not_before_start, in_range
from vejud.core.periods import covers
from vejud.organisations.models import Unit


class Programme(models.Model):
    """An exit programme with its own target-group criteria (national, DfK, municipal)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(
        Unit, blank=True, related_name="programmes_run", verbose_name=_("units that use it")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class CriteriaVersion(models.Model):
    """The target-group criteria of a programme in force for a period (they widen over time)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="criteria_versions"
    )
    label = models.CharField(_("version"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    attachments = models.JSONField(
        _("degrees of attachment in the target group"),
        default=list,
        blank=True,
        help_text=_("Codes from the person's degree of attachment."),
    )
    environments = models.JSONField(
        _("types of environment in the target group"),
        default=list,
        blank=True,
        help_text=_("Codes: biker, gang, other."),
    )
    questions = models.JSONField(
        _("further criteria"),
        default=list,
        blank=True,
        help_text=_('A list of {"code": ..., "text_da": ..., "text_en": ...} yes/no criteria.'),
    )

    class Meta:
        ordering = ["programme", "-valid_from"]
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        constraints = [
            models.UniqueConstraint(fields=["programme", "label"], name="criteria_label_unique"),
            models.UniqueConstraint(
                fields=["programme", "valid_from"], name="criteria_start_unique"
            ),
            end_not_before_start("valid_to", "valid_from", name="criteria_period_valid"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(max_age__gte=models.F("min_age")),
                name="criteria_age_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} – {self.label}"

    def in_force_on(self, day: date) -> bool:
        return covers(self.valid_from, self.valid_to, day)


class FactorKind(models.TextChoices):
    PUSH = "push", _("Push factor")
    PULL = "pull", _("Pull factor")


class MotivationFactor(CatalogueEntry):
    """A push factor (away from the group) or pull factor (towards a life outside)."""

    kind = models.CharField(_("kind"), max_length=10, choices=FactorKind.choices)
    is_fear = models.BooleanField(
        _("fear-based"),
        default=False,
        help_text=_("A motivation carried only by fear-based factors is flagged."),
    )

    class Meta:
        ordering = ["kind", "sort_order", "code"]
        verbose_name = _("motivation factor")
        verbose_name_plural = _("motivation factors")


class InstrumentBase(CreatedRecord):
    """What every instrument version has: its version number, author and signature.

    Subclasses add ``case`` and ``supersedes`` (a correction points at the version it replaces).
    """

    version = models.PositiveSmallIntegerField(default=1)
    objects: ClassVar[models.Manager[Any]]
    case_id: int
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    signed_by = user_field(null=True, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["case", "-version"]

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


def _supersedes() -> models.OneToOneField:
    """A correction's link to the version of the same instrument that it replaces."""
    return models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )


def _instrument_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["case", "version"], name=f"{prefix}_version_unique"),
        models.UniqueConstraint(
            fields=["case"], condition=Q(signed_at__isnull=True), name=f"{prefix}_one_draft"
        ),
        models.CheckConstraint(
            condition=Q(signed_at__isnull=True, signed_by__isnull=True)
            | Q(signed_at__isnull=False, signed_by__isnull=False),
            name=f"{prefix}_signature_complete",
        ),
    ]


@guarded
@signed_immutable
class TargetGroupAssessment(InstrumentBase):
    """Målgruppe: is the person within the programme's target group (criteria version in force)?"""

    kind: ClassVar[str] = "target_group"  # the instrument's name in URLs and the API

    case = case_field("target_group_assessments")
    supersedes = _supersedes()
    criteria_version = models.ForeignKey(
        CriteriaVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("criteria version"),
    )
    answers = models.JSONField(_("answers per criterion"), default=dict, blank=True)
    within_target_group = models.BooleanField(_("within the target group"), null=True, blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True)

    class Meta(InstrumentBase.Meta):
        verbose_name = _("target-group assessment")
        verbose_name_plural = _("target-group assessments")
        constraints = _instrument_constraints("targetgroup")

    def __str__(self) -> str:
        return f"Target group v{self.version} for case {self.case_id}"


# The 1-5 motivation scale with anchors for 1, 3 and 5: the assessment's overall level and a
# review's level now. The sources name what the judgement weighs (push and pull, the person's
# own explanation, inner or outer motivation, fear that cannot carry alone), not the levels;
# the anchors are written from those.
MOTIVATION_LEVELS: list[tuple[int, Any]] = [
    (1, _("1 – Very low: the wish to leave comes from others, or from fear alone")),
    (2, "2"),
    (3, _("3 – Mixed: wants out, but ties to the group and doubts still pull")),
    (4, "4"),
    (5, _("5 – Very high: an own, lasting wish to leave that the person explains and acts on")),
]


class MotivationKind(models.TextChoices):
    INNER = "inner", _("Mainly inner motivation")
    OUTER = "outer", _("Mainly outer motivation")
    BOTH = "both", _("Both inner and outer")


@guarded
@signed_immutable
class MotivationAssessment(InstrumentBase):
    """Motivation: an overall judgement of (I) push and pull factors, (II) the person's own
    explanation, (III) the help they wish for, (IV) whether fear carries the motivation."""

    kind: ClassVar[str] = "motivation"  # the instrument's name in URLs and the API

    case = case_field("motivation_assessments")
    supersedes = _supersedes()
    push_factors = models.JSONField(_("push factors"), default=list, blank=True)
    pull_factors = models.JSONField(_("pull factors"), default=list, blank=True)
    factors_note = models.TextField(_("about the factors"), blank=True)
    own_explanation = models.TextField(_("the person's own explanation"), blank=True)
    help_wishes = models.JSONField(_("help wished for"), default=list, blank=True)
    help_note = models.TextField(_("about the help wished for"), blank=True)
    fear_borne = models.BooleanField(_("the motivation is borne by fear"), default=False)
    fear_note = models.TextField(_("about fear"), blank=True)
    fear_only = models.BooleanField(_("fear is the only factor"), default=False, editable=False)
    motivation_kind = models.CharField(
        _("inner or outer motivation"), max_length=10, choices=MotivationKind.choices, blank=True
    )
    parole_only_motive = models.BooleanField(
        _("parole is the only visible motive"),
        default=False,
        help_text=_(
            "Custody applicants: Penal Code § 81 a makes parole depend on an exit programme."
        ),
    )
    level = models.PositiveSmallIntegerField(
        _("overall motivation level (1-5)"), null=True, blank=True
    )
    reasoning = models.TextField(_("reasoning"), blank=True)

    class Meta(InstrumentBase.Meta):
        verbose_name = _("motivation assessment")
        verbose_name_plural = _("motivation assessments")
        constraints = [
            *_instrument_constraints("motivation"),
            in_range("level", 1, 5, name="motivation_level_range", optional=True),
        ]

    def __str__(self) -> str:
        return f"Motivation v{self.version} for case {self.case_id}"


class Degree(models.IntegerChoices):
    NOT_AT_ALL = 1, _("Not at all")
    SMALL = 2, _("To a small degree")
    SOME = 3, _("To some degree")
    HIGH = 4, _("To a high degree")


def _criterion(label: StrPromise) -> models.PositiveSmallIntegerField:
    """One suitability criterion's rating: a degree, empty while the assessment is a draft."""
    return models.PositiveSmallIntegerField(label, choices=Degree.choices, null=True, blank=True)


class SuitabilityJudgement(models.TextChoices):
    SUITABLE = "suitable", _("Suitable")
    PARTLY = "partly", _("Partly suitable")
    NOT_SUITABLE = "not_suitable", _("Not suitable enough")


@guarded
@signed_immutable
class SuitabilityAssessment(InstrumentBase):
    """Egnethed: the four criteria, each rated with reasoning, and an overall judgement."""

    kind: ClassVar[str] = "suitability"  # the instrument's name in URLs and the API

    case = case_field("suitability_assessments")
    supersedes = _supersedes()
    leaving_clarity = _criterion(
        _("I. Clarity about what leaving the environment will mean in practice")
    )
    leaving_clarity_reasoning = models.TextField(_("reasoning (I)"), blank=True)
    lifestyle_clarity = _criterion(
        _("II. Clarity about what changing lifestyle will mean in practice")
    )
    lifestyle_clarity_reasoning = models.TextField(_("reasoning (II)"), blank=True)
    steps_taken = _criterion(_("III. Plans, actions and steps already taken to leave"))
    steps_taken_reasoning = models.TextField(_("reasoning (III)"), blank=True)
    will_and_ability = _criterion(
        _("IV. Will and ability to make and carry out exit steps with the authorities")
    )
    will_and_ability_reasoning = models.TextField(_("reasoning (IV)"), blank=True)
    judgement = models.CharField(
        _("overall judgement"), max_length=20, choices=SuitabilityJudgement.choices, blank=True
    )
    reasoning = models.TextField(_("overall reasoning"), blank=True)

    CRITERIA = ("leaving_clarity", "lifestyle_clarity", "steps_taken", "will_and_ability")

    class Meta(InstrumentBase.Meta):
        verbose_name = _("suitability assessment")
        verbose_name_plural = _("suitability assessments")
        constraints = [
            *_instrument_constraints("suitability"),
            *[
                in_range(c, 1, 4, name=f"suitability_{c}_range", optional=True)
                for c in ("leaving_clarity", "lifestyle_clarity", "steps_taken", "will_and_ability")
            ],
        ]

    def __str__(self) -> str:
        return f"Suitability v{self.version} for case {self.case_id}"
