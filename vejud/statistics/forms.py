from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.access.dashboard import DashboardReach, dashboard_units
from vejud.access.ownexits import own_exit_districts, own_exit_units
from vejud.accounts.models import User
from vejud.cases.models import Track
from vejud.core.forms import DkfdsForm
from vejud.organisations.models import PoliceDistrict, Unit
from vejud.people.models import GroupKind
from vejud.statistics.dashboard import Period, Selection
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


ALL = ""


class DashboardForm(DkfdsForm):
    """The dashboard's period, units and track (GET); only the units in reach are offered."""

    period = forms.ChoiceField(label=_("Period"))
    unit = forms.ChoiceField(label=_("Unit or police district"), required=False)
    track = forms.ChoiceField(
        label=_("Track"),
        required=False,
        choices=[(ALL, _("Both tracks")), *Track.choices],
    )

    def __init__(self, *args: Any, reach: DashboardReach, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reach = reach
        today = timezone.localdate()
        period: Any = self.fields["period"]
        period.choices = [(p.value, p.label) for p in Period.choices(today)]
        units = list(dashboard_units(reach).order_by("name"))
        self.choices_units: dict[str, frozenset[int]] = {
            f"u{u.pk}": frozenset({u.pk}) for u in units
        }
        choices: list[Any] = [
            (ALL, _("All units") if reach.all_units else _("All my units")),
            (_("Units"), [(f"u{u.pk}", u.name) for u in units]),
        ]
        if reach.all_units:
            by_district: dict[int, set[int]] = {}
            for u in units:
                if u.police_district_id is not None:
                    by_district.setdefault(u.police_district_id, set()).add(u.pk)
            districts = PoliceDistrict.objects.filter(pk__in=by_district).order_by("name")
            self.choices_units |= {f"d{d.pk}": frozenset(by_district[d.pk]) for d in districts}
            choices.append((_("Police districts"), [(f"d{d.pk}", d.name) for d in districts]))
        unit: Any = self.fields["unit"]
        unit.choices = choices

    def scope(self) -> Selection:
        """The scope chosen (call after ``is_valid``)."""
        choice = self.cleaned_data.get("unit") or ALL
        if choice == ALL:
            chosen = None if self.reach.all_units else self.reach.own_units
        else:
            chosen = self.choices_units[choice]
        return Selection(chosen=chosen, track=self.cleaned_data.get("track") or "")

    def chosen_period(self) -> Period:
        period = Period.parse(self.cleaned_data["period"])
        assert period is not None  # the choices are periods
        return period
