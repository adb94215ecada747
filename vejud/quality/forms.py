"""The forms of case reviews: a new round, the checklist, a learning point, the unit's answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField, TextBox
from vejud.quality.models import Answer, CheckItem, Criterion, Theme


class RoundForm(DkfdsForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    start = forms.DateField(label=_("Cases opened from"), widget=DateInput)
    end = forms.DateField(
        label=_("Cases opened until"), widget=DateInput, initial=timezone.localdate
    )
    criterion = forms.ChoiceField(label=_("Choose the cases"), choices=Criterion.choices)
    per_unit = forms.IntegerField(label=_("Cases per unit"), min_value=1, max_value=20, initial=3)


class ChecklistForm(DkfdsForm):
    findings = forms.CharField(
        label=_("Findings"), required=False, max_length=5000, widget=TextBox(rows=4)
    )

    def __init__(self, *args: Any, checklist: dict[str, dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CheckItem:
            entry = checklist.get(item.value, {})
            self.fields[f"{item.value}_answer"] = RadioChoiceField(
                label=item.label, choices=Answer.choices, initial=entry.get("answer") or None
            )
            self.fields[f"{item.value}_note"] = forms.CharField(
                label=_("Note: %(item)s") % {"item": item.label},
                required=False,
                max_length=500,
                initial=entry.get("note", ""),
            )

    def items(self) -> list[tuple[Any, Any]]:
        return [(self[f"{i.value}_answer"], self[f"{i.value}_note"]) for i in CheckItem]

    def checklist(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            item.value: {"answer": data[f"{item.value}_answer"], "note": data[f"{item.value}_note"]}
            for item in CheckItem
        }


class LearningPointForm(DkfdsForm):
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    text = forms.CharField(label=_("Learning point"), max_length=2000, widget=TextBox(rows=3))


class AnswerForm(DkfdsForm):
    answer = forms.CharField(label=_("The unit's answer"), max_length=5000, widget=TextBox(rows=4))
