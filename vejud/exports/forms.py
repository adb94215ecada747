from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DkfdsForm
from vejud.exports.models import ExportFormat, ExportKind


class ExportForm(DkfdsForm):
    """What to export and in which format; the selection (period, units, track) comes with
    it from the dashboard and is checked again by the service."""

    kind = forms.ChoiceField(label=_("What to export"), widget=forms.RadioSelect)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.CSV,
        help_text=_("PDF: the dashboard's tables and charts only."),
    )
    all_periods = forms.BooleanField(
        label=_("Case rows: every case, whenever it was opened (not only in the period)"),
        required=False,
    )
    period = forms.CharField(widget=forms.HiddenInput, max_length=20)
    unit = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    track = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args: Any, kinds: list[ExportKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind: Any = self.fields["kind"]
        kind.choices = [(k.value, k.label) for k in kinds]
        kind.initial = ExportKind.DASHBOARD
        if ExportKind.CASE_ROWS not in kinds:
            del self.fields["all_periods"]

    def selection(self) -> dict[str, Any]:
        """The dashboard's selection and the case-row option, as the export keeps them."""
        data = self.cleaned_data
        return {
            "period": data["period"],
            "unit": data.get("unit") or "",
            "track": data.get("track") or "",
            "all_periods": bool(data.get("all_periods")),
        }
