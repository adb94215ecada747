"""Forms for the caseworker pages: caseload filters, journal, break the glass, protected address."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vejud.accounts.forms import ActiveUserField
from vejud.cases.models import CaseStatus, Track
from vejud.core.forms import DateInput, DkfdsForm, TextBox
from vejud.organisations.models import Unit
from vejud.people.models import AddressProtectionStatus

REFERENCE_PREFIX = re.compile(r"^(EX-?)?[0-9]{1,4}(-[0-9]{0,5})?$|^EX-?$")
MAX_REVEAL = 100


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class CaseloadFilterForm(DkfdsForm):
    """GET filters on the caseload; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("A reference (EX-2026-00042) or a name. Name searches are logged."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("All")) + list(CaseStatus.choices)
    )
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=_blank(_("All")) + list(Track.choices)
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=Unit.objects.none(), empty_label=_("All")
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units

    def search_kind(self) -> tuple[str, str] | None:
        """Return ("reference", prefix) or ("name", normalised) for the search, or None."""
        raw = " ".join(str(self.cleaned_data.get("q") or "").split())
        if not raw:
            return None
        upper = raw.upper().replace(" ", "")
        if REFERENCE_PREFIX.match(upper):
            digits = upper.removeprefix("EX").removeprefix("-")
            return ("reference", f"EX-{digits}" if digits else "EX-")
        return ("name", raw.lower())


class RevealNamesForm(forms.Form):
    """The case ids of the rows on the page whose names the user asks to see."""

    ids = forms.CharField(max_length=MAX_REVEAL * 21)

    def clean_ids(self) -> list[int]:
        raw = str(self.cleaned_data["ids"]).replace(",", " ").split()
        if (
            not raw
            or len(raw) > MAX_REVEAL
            or not all(part.isascii() and part.isdigit() for part in raw)
        ):
            raise forms.ValidationError(_("Invalid list of cases."), code="invalid")
        return sorted({int(part) for part in raw})


class JournalNoteForm(DkfdsForm):
    prefix = "note"
    text = forms.CharField(label=_("New note"), max_length=20000, widget=TextBox(rows=4))


class JournalCorrectForm(DkfdsForm):
    text = forms.CharField(label=_("Corrected text"), max_length=20000, widget=TextBox(rows=4))
    reason = forms.CharField(
        label=_("Why is the note corrected?"),
        max_length=500,
        help_text=_("Required. The original note stays on the case."),
    )


class BreakGlassForm(DkfdsForm):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        help_text=_("For example EX-2026-00042."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=15,
        max_length=2000,
        help_text=_("At least 15 characters. The auditor reads it."),
        widget=TextBox(rows=4),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that I need this access for my work and that it is logged and reviewed.")
    )

    def clean_reference(self) -> str:
        return str(self.cleaned_data["reference"]).strip().upper()


class ReasonForm(DkfdsForm):
    """A written reason before protected data is shown."""

    reason = forms.CharField(
        label=_("Why do you need to see the protected address?"),
        max_length=1000,
        help_text=_("Required. Your reason is logged with the view."),
        widget=TextBox(rows=3),
    )


class ProtectedAddressForm(DkfdsForm):
    prefix = "address"
    address = forms.CharField(label=_("Protected address"), max_length=500, widget=TextBox(rows=3))
    cpr_protection = forms.ChoiceField(
        label=_("CPR-register protection"), choices=AddressProtectionStatus.choices
    )
    requested_on = forms.DateField(
        label=_("Protection requested"), required=False, widget=DateInput()
    )
    confirmed_on = forms.DateField(
        label=_("Protection confirmed"), required=False, widget=DateInput()
    )
    lifted_on = forms.DateField(label=_("Protection lifted"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason for the change"), max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status = data.get("cpr_protection")
        requested, confirmed, lifted = (
            data.get("requested_on"),
            data.get("confirmed_on"),
            data.get("lifted_on"),
        )
        if confirmed and not requested:
            self.add_error("requested_on", _("Give the date protection was requested."))
        if requested and confirmed and confirmed < requested:
            self.add_error("confirmed_on", _("Confirmed before it was requested."))
        if lifted and requested and lifted < requested:
            self.add_error("lifted_on", _("Lifted before it was requested."))
        if status == AddressProtectionStatus.REQUESTED and not requested:
            self.add_error("requested_on", _("Give the date protection was requested."))
        if status == AddressProtectionStatus.CONFIRMED and not confirmed:
            self.add_error("confirmed_on", _("Give the date protection was confirmed."))
        if status == AddressProtectionStatus.LIFTED and not lifted:
            self.add_error("lifted_on", _("Give the date protection was lifted."))
        return data


class CustodianAddForm(DkfdsForm):
    prefix = "custodian"
    email = ActiveUserField(label=_("E-mail of the new custodian"))
    reason = forms.CharField(label=_("Reason"), max_length=1000)
