"""The decision form of a subject-access export: give or withhold each candidate part."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DkfdsForm, TextBox
from vejud.privacy.collect import Candidate
from vejud.privacy.models import HoldKind


def _name(candidate: Candidate) -> str:
    return candidate.key.replace(".", "_").replace(":", "_")


class ExportForm(forms.Form):
    """A "withhold" box and a reason for each candidate; a reason is required where withheld."""

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for candidate in candidates:
            name = _name(candidate)
            self.fields[f"withhold_{name}"] = forms.BooleanField(
                label=_("Withhold"),
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-checkbox"}),
            )
            self.fields[f"reason_{name}"] = forms.CharField(
                label=_("Reason"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"class": "form-input"}),
            )

    def rows(self) -> list[tuple[Candidate, forms.BoundField, forms.BoundField]]:
        """Return each candidate with its two fields, for the template."""
        return [
            (c, self[f"withhold_{_name(c)}"], self[f"reason_{_name(c)}"]) for c in self.candidates
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for candidate in self.candidates:
            name = _name(candidate)
            if data.get(f"withhold_{name}") and not data.get(f"reason_{name}", "").strip():
                self.add_error(f"reason_{name}", _("Give the reason for withholding this part."))
        return data

    def withheld(self) -> dict[str, str]:
        """Return the withheld parts as key -> reason."""
        data = self.cleaned_data
        return {
            c.key: data[f"reason_{_name(c)}"].strip()
            for c in self.candidates
            if data.get(f"withhold_{_name(c)}")
        }


class HoldForm(DkfdsForm):
    """Set a hold on a person's anonymisation."""

    kind = forms.ChoiceField(label=_("Kind of hold"), choices=HoldKind.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=TextBox(rows=3))


class LiftForm(DkfdsForm):
    """Lift a hold."""

    reason = forms.CharField(label=_("Reason for lifting"), max_length=2000)
