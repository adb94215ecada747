"""Forms for the exit course: agreement, plan, offers, mentor, meetings, closure and reopening.

The forms check shape only; the services decide what is allowed (and their
``ValidationError`` is shown on the form).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vejud.accounts.models import User
from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField, TextBox, VersionForm
from vejud.courses.models import (
    ActionStatus,
    ClosureReason,
    LifeArea,
    MeetingForm,
    OfferStatus,
    OwnerAgency,
    Party,
)
from vejud.offers.models import OfferType


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of user shown by full name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class AgreementForm(DkfdsForm):
    parties = forms.MultipleChoiceField(
        label=_("Parties"),
        choices=Party.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
        help_text=_(
            "The person, the police and the municipality; Kriminalforsorgen where relevant."
        ),
    )
    starts_on = forms.DateField(label=_("Course starts"), widget=DateInput)
    expected_months = forms.IntegerField(
        label=_("Expected duration (months)"),
        min_value=1,
        max_value=36,
        help_text=_("Typically 6-12 months."),
    )
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput)
    terms = forms.CharField(
        label=_("What the parties agree"),
        required=False,
        widget=TextBox(rows=6),
    )


class GoalForm(DkfdsForm):
    # No life area is preselected: the caseworker chooses one.
    life_area = forms.ChoiceField(
        label=_("Life area"),
        choices=[("", _("Choose a life area")), *LifeArea.choices],
        error_messages={"required": _("Choose a life area.")},
    )
    goal = forms.CharField(label=_("Goal"), widget=TextBox(rows=2))


class GoalRemoveForm(DkfdsForm):
    note = forms.CharField(label=_("Why is the goal removed?"), required=False, max_length=500)


class ActionForm(DkfdsForm):
    description = forms.CharField(label=_("Action"), widget=TextBox(rows=2))
    owner_agency = forms.ChoiceField(label=_("Owner agency"), choices=OwnerAgency.choices)
    owner = PersonChoiceField(label=_("Named person"), queryset=User.objects.none(), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class ActionUpdateForm(DkfdsForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=TextBox(rows=2))
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)


class OfferForm(DkfdsForm):
    offer_type = forms.ModelChoiceField(
        label=_("Offer"), queryset=OfferType.objects.filter(is_active=True)
    )
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DateInput)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=OfferStatus.choices)


class OfferUpdateForm(DkfdsForm):
    status = forms.ChoiceField(label=_("Status"), choices=OfferStatus.choices)
    result = forms.CharField(label=_("Result"), required=False, widget=TextBox(rows=2))
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DateInput)


class MentorAssignForm(DkfdsForm):
    mentor = PersonChoiceField(label=_("Mentor"), queryset=User.objects.none())
    starts_on = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty to start today. The previous mentor's period ends then."),
    )

    def __init__(self, *args: Any, mentors: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors  # type: ignore[attr-defined]


class MeetingLogForm(DkfdsForm):
    met_on = forms.DateField(label=_("Date"), widget=DateInput)
    form = RadioChoiceField(label=_("Form"), choices=MeetingForm.choices)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60
    )
    note = forms.CharField(label=_("Short note"), required=False, widget=TextBox(rows=3))
    needs_attention = forms.BooleanField(
        label=_("Needs the unit's attention"),
        required=False,
        help_text=_("The unit's coordinator gets a task."),
    )


class ResolveForm(DkfdsForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CloseForm(VersionForm):
    reason = RadioChoiceField(label=_("Why does the course end?"), choices=ClosureReason.choices)
    summary = forms.CharField(label=_("Closing summary"), widget=TextBox(rows=6))


class ReopenForm(DkfdsForm):
    note = forms.CharField(
        label=_("Why a new attempt?"),
        required=False,
        widget=TextBox(rows=3),
    )
