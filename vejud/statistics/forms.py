from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.access.ownexits import own_exit_districts, own_exit_units
from vejud.accounts.models import User
from vejud.core.forms import DkfdsForm
from vejud.organisations.models import PoliceDistrict, Unit
from vejud.people.models import GroupKind
from vejud.statistics.models import OwnExitSource
from vejud.statistics.ownexits import FIRST_YEAR


class OwnExitForm(DkfdsForm):
    year = forms.IntegerField(
        label=_("Year the person left"), min_value=FIRST_YEAR, help_text=_("E.g. 2026.")
    )
    police_district: forms.ModelChoiceField[PoliceDistrict] = forms.ModelChoiceField(
        label=_("Police district"), queryset=PoliceDistrict.objects.none()
    )
    group_kind = forms.ChoiceField(label=_("Kind of group"), choices=GroupKind.choices)
    known_from = forms.ChoiceField(label=_("How it became known"), choices=OwnExitSource.choices)
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Recorded by the unit"), queryset=Unit.objects.none()
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, rows in (
            ("police_district", own_exit_districts(user)),
            ("unit", own_exit_units(user)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = rows
            if rows.count() == 1:
                field.initial = rows.first()

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not come yet."), code="year")
        return year
