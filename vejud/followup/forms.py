"""Forms for follow-up: the review (four changes, motivation, risk events) and resolving a warning."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.assessments.models import MOTIVATION_LEVELS
from vejud.core.forms import DateInput, DkfdsForm, RadioTypedChoiceField, TextBox
from vejud.followup.models import CHANGES, Progress, Review, RiskKind

RISK_ROWS = 3
EVIDENCE_FIELDS = {
    "crime_stopped": "crime_evidence",
    "environment_left": "environment_evidence",
    "lifestyle_changed": "lifestyle_evidence",
    "custody_behaviour": "custody_evidence",
}
MOTIVATION_CHOICES = MOTIVATION_LEVELS  # the scale with its anchors


def _rating(change: str) -> forms.TypedChoiceField:
    return RadioTypedChoiceField(
        label=getattr(Review._meta.get_field(change), "verbose_name", change),
        choices=Progress.choices,
        coerce=int,
    )


def _evidence(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=_("What shows it: events, statements, observations."),
        widget=TextBox(2),
    )


class ReviewForm(DkfdsForm):
    """Opfølgning: one review of the four exit changes; change 4 only for a custody case."""

    reviewed_on = forms.DateField(
        label=_("Review date"), widget=DateInput, initial=timezone.localdate
    )
    crime_stopped = _rating("crime_stopped")
    crime_evidence = _evidence(_("Evidence (1)"))
    environment_left = _rating("environment_left")
    environment_evidence = _evidence(_("Evidence (2)"))
    lifestyle_changed = _rating("lifestyle_changed")
    lifestyle_evidence = _evidence(_("Evidence (3)"))
    custody_behaviour = _rating("custody_behaviour")
    custody_evidence = _evidence(_("Evidence (4)"))
    motivation_level = RadioTypedChoiceField(
        label=_("Motivation level now"), choices=MOTIVATION_CHOICES, coerce=int
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TextBox(3))

    def __init__(self, data: Any = None, *args: Any, custody: bool, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.custody = custody
        self.risks = RiskEventFormSet(data, prefix="risk")
        if not custody:
            del self.fields["custody_behaviour"]
            del self.fields["custody_evidence"]

    def is_valid(self) -> bool:
        """Validate the review and its risk rows (both, so every error shows at once)."""
        return super().is_valid() & self.risks.is_valid()

    def changes(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Return (rating, evidence) bound fields for each change rated on this case."""
        return [(self[c], self[EVIDENCE_FIELDS[c]]) for c in CHANGES if c in self.fields]

    def service_kwargs(self) -> dict[str, Any]:
        """Return the cleaned data (risk rows too) as keyword arguments for ``review_record``."""
        data = self.cleaned_data
        rated = [c for c in CHANGES if c in self.fields]
        return {
            "reviewed_on": data["reviewed_on"],
            **{c: data[c] for c in rated},
            "evidence": {c: data[EVIDENCE_FIELDS[c]] for c in rated},
            "motivation_level": data["motivation_level"],
            "note": data["note"],
            "risk_events": risk_events(self.risks),
        }


class RiskEventForm(DkfdsForm):
    """One risk event since the last review; a row left empty is skipped."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "–"), *RiskKind.choices], required=False
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput, required=False)
    note = forms.CharField(label=_("What happened"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(name) for name in ("kind", "occurred_on", "note")):
            if not data.get("kind"):
                self.add_error("kind", _("Choose the kind of risk event."))
            if not data.get("occurred_on"):
                self.add_error("occurred_on", _("Give the date of the risk event."))
            elif data["occurred_on"] > timezone.localdate():
                self.add_error("occurred_on", _("The date cannot be in the future."))
        return data


RiskEventFormSet = forms.formset_factory(
    RiskEventForm, extra=RISK_ROWS, max_num=RISK_ROWS, validate_max=True
)


def risk_events(formset: forms.BaseFormSet[RiskEventForm]) -> list[dict[str, Any]]:
    """Return the filled-in risk events of a valid formset."""
    return [
        {
            "kind": f.cleaned_data["kind"],
            "occurred_on": f.cleaned_data["occurred_on"],
            "note": f.cleaned_data.get("note", ""),
        }
        for f in formset.forms
        if f.cleaned_data.get("kind")
    ]


class WarningResolveForm(DkfdsForm):
    note = forms.CharField(
        label=_("What was done"),
        max_length=2000,
        widget=TextBox(2),
        error_messages={"required": _("Say what was done about the warning.")},
    )
