"""Forms for registering an inquiry and recording consent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField, TextBox
from vejud.intake.models import (
    ConsentAgency,
    ConsentMethod,
    ConsentTopic,
    InquiryChannel,
    InquirySource,
)
from vejud.organisations.models import Municipality, Unit, UnitKind


class InquiryForm(DkfdsForm):
    """Henvendelse: who is it, where did it come from, where does it go."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    cpr = forms.CharField(
        label=_("CPR number"),
        max_length=11,
        required=False,
        help_text=_("ddmmyy-ssss. Finds an earlier registration of the same person."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=DateInput,
        help_text=_("Needed when no CPR number is given."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    source = forms.ChoiceField(label=_("Source of the inquiry"), choices=InquirySource.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=InquiryChannel.choices)
    received_on = forms.DateField(label=_("Received"), widget=DateInput, initial=timezone.localdate)
    in_custody = forms.BooleanField(
        label=_("The person is deprived of liberty (custody or serving a sentence)"), required=False
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.select_related("police_district"),
        required=False,
        help_text=_("Routes the inquiry to the local exit unit of the police district."),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Unit.objects.filter(kind=UnitKind.INSTITUTION, is_active=True),
        required=False,
        help_text=_("For persons deprived of liberty."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TextBox(rows=3))
    confirm_new_person = forms.BooleanField(
        label=_("This is a different person than the one(s) already registered"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("in_custody"):
            if not data.get("institution"):
                self.add_error("institution", _("Choose the institution where the person is held."))
        elif not data.get("municipality"):
            self.add_error("municipality", _("Choose the person's municipality."))
        if not data.get("cpr") and not data.get("birth_date"):
            self.add_error("birth_date", _("Give the date of birth or the CPR number."))
        return data


class ConsentForm(DkfdsForm):
    """Samtykkeerklæring."""

    given_on = forms.DateField(label=_("Given on"), widget=DateInput, initial=timezone.localdate)
    method = RadioChoiceField(label=_("How the consent was given"), choices=ConsentMethod.choices)
    agencies = forms.MultipleChoiceField(
        label=_("Agencies that may share information"),
        choices=ConsentAgency.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
    )
    topics = forms.MultipleChoiceField(
        label=_("Information that may be shared"),
        choices=ConsentTopic.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
    )
    valid_until = forms.DateField(
        label=_("Valid until (optional)"), widget=DateInput, required=False
    )


class ConsentWithdrawForm(DkfdsForm):
    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"), widget=DateInput, initial=timezone.localdate
    )
    note = forms.CharField(label=_("Note"), widget=TextBox(rows=2))
