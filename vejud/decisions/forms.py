"""Forms for decisions, referral, information requests and plain transitions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DkfdsForm, RadioChoiceField, TextBox, VersionForm
from vejud.decisions.models import RefusalGround


class UnitDecisionForm(VersionForm):
    outcome = RadioChoiceField(
        label=_("Decision"),
        choices=[("admit", _("Admit to an exit course")), ("refuse", _("Refuse"))],
    )
    grounds = forms.MultipleChoiceField(
        label=_("Grounds for a refusal"),
        choices=RefusalGround.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
    )
    reasoning = forms.CharField(label=_("Reasoning"), widget=TextBox(rows=5))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "refuse" and not data.get("grounds"):
            self.add_error("grounds", _("Give at least one ground for the refusal."))
        if data.get("outcome") == "admit" and data.get("grounds"):
            self.add_error("grounds", _("An admission has no grounds for refusal."))
        return data


class ReferralForm(VersionForm):
    requested_by_person = forms.BooleanField(
        label=_("The person asked for the referral"), required=False, initial=True
    )
    note = forms.CharField(
        label=_("Note to the National Exit Contact Point"),
        required=False,
        widget=TextBox(rows=4),
    )


class FinalDecisionForm(VersionForm):
    outcome = RadioChoiceField(
        label=_("Final decision"),
        choices=[
            ("uphold", _("Uphold the refusal")),
            ("overturn", _("Admit and return the case to the unit")),
        ],
    )
    reasoning = forms.CharField(label=_("Reasoning"), widget=TextBox(rows=5))


class InformationRequestForm(DkfdsForm):
    question = forms.CharField(label=_("What do you need to know?"), widget=TextBox(rows=4))


class InformationAnswerForm(DkfdsForm):
    answer = forms.CharField(label=_("Answer"), widget=TextBox(rows=4))


class TransitionForm(VersionForm):
    target = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=TextBox(rows=2))
