"""Forms for transfers (request, answer) and good release (release date, plan, transfer)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.cases.models import Track
from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField
from vejud.intake.selectors import ConsentMissingError
from vejud.organisations.models import Unit, UnitKind
from vejud.transfers.models import ReleasePlan

# The units a case can be handed to (an institution is named with the custody track).
RECEIVING_KINDS = (UnitKind.LOCAL, UnitKind.MUNICIPAL_PROGRAMME, UnitKind.DFK, UnitKind.NATIONAL)
CONSENT_HINT = _("Record a consent that covers the receiving agency, then try again.")


def _note(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}), **kwargs
    )


class HandoverForm(DkfdsForm):
    """A form that hands the case over: a refusal for want of consent says how to go on."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        if isinstance(error, ConsentMissingError):
            super().add_error(None, str(CONSENT_HINT))


class TransferRequestForm(HandoverForm):
    """Overdragelse: the sender names the receiver and writes the hand-over note."""

    to_unit = forms.ModelChoiceField(
        label=_("Receiving unit"),
        queryset=Unit.objects.filter(is_active=True, kind__in=RECEIVING_KINDS).order_by(
            "kind", "name"
        ),
    )
    to_track = RadioChoiceField(
        label=_("Track after the transfer"), choices=Track.choices, initial=Track.LIBERTY
    )
    to_institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Unit.objects.filter(is_active=True, kind=UnitKind.INSTITUTION).order_by("name"),
        required=False,
        help_text=_("Only for the custody track: where the person is held."),
    )
    handover_note = _note(
        _("Hand-over note"),
        help_text=_(
            "The receiver sees only this note before accepting. Write what they need to decide."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("to_track") == Track.CUSTODY and not data.get("to_institution"):
            self.add_error("to_institution", _("Choose the institution for the custody track."))
        if data.get("to_track") == Track.LIBERTY and data.get("to_institution"):
            self.add_error("to_institution", _("Only the custody track has an institution."))
        return data


class TransferCancelForm(DkfdsForm):
    """Withdraw the pending transfer request (nothing to fill in)."""


class TransferAnswerForm(DkfdsForm):
    """The receiver accepts or declines one incoming transfer (declining needs a note)."""

    transfer = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(label=_("Note to the sender"), required=False, max_length=4000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not data.get("note", "").strip():
            self.add_error("note", _("Say why the transfer is declined."))
        return data


class ReleaseDateForm(DkfdsForm):
    release_on = forms.DateField(
        label=_("Expected release date"),
        widget=DateInput,
        required=False,
        help_text=_("Leave empty to remove the date."),
    )


def _check(name: str) -> forms.BooleanField:
    return forms.BooleanField(
        label=getattr(ReleasePlan._meta.get_field(name), "verbose_name", name), required=False
    )


class ReleasePlanForm(DkfdsForm):
    """God løsladelse: the checklist, the receiving local unit and a note."""

    housing = _check("housing")
    income = _check("income")
    treatment = _check("treatment")
    mentor_from_day_one = _check("mentor_from_day_one")
    unit_informed = _check("unit_informed")
    receiving_unit = forms.ModelChoiceField(
        label=_("Receiving local unit"),
        queryset=Unit.objects.filter(is_active=True, kind=UnitKind.LOCAL).order_by("name"),
        required=False,
        help_text=_("The exit unit of the district the person is released to."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def checklist(self) -> dict[str, bool]:
        return {name: self.cleaned_data[name] for name in ReleasePlan.CHECKLIST}

    def service_kwargs(self) -> dict[str, Any]:
        """The plan service's arguments: the checklist, the receiving unit and the note."""
        data = self.cleaned_data
        return {
            "checklist": self.checklist(),
            "receiving_unit": data["receiving_unit"],
            "note": data["note"],
        }


class ReleaseTransferForm(HandoverForm):
    handover_note = _note(
        _("Hand-over note to the receiving unit"),
        help_text=_("The receiver sees only this note before accepting."),
    )
