"""The form of one outcome after the course."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField, TextBox
from vejud.outcomes.models import Answer

ACCOUNT_MAX = 10_000


def _answer(label: Any) -> forms.ChoiceField:
    return RadioChoiceField(label=label, choices=Answer.choices)


class OutcomeForm(DkfdsForm):
    """One point after the course: the register, new charges and, with consent, the account."""

    months = forms.TypedChoiceField(label=_("Point after the course"), coerce=int)
    reregistered = _answer(_("Re-registered in the police's gang register"))
    new_charges = _answer(_("New charges"))
    consented = forms.BooleanField(label=_("The person agreed to be asked"), required=False)
    consented_on = forms.DateField(
        label=_("Date the person agreed"), required=False, widget=DateInput
    )
    account = forms.CharField(
        label=_("The person's own account"),
        required=False,
        max_length=ACCOUNT_MAX,
        help_text=_("Only if the person agreed to be asked."),
        widget=TextBox(4),
    )

    def __init__(self, data: Any = None, *args: Any, points: list[tuple[int, date]], **kwargs: Any):
        super().__init__(data, *args, **kwargs)
        field = self.fields["months"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (
                months,
                _("%(months)s months (due %(date)s)")
                % {"months": months, "date": date_format(due, "SHORT_DATE_FORMAT")},
            )
            for months, due in points
        ]
        if points:
            field.initial = points[0][0]
