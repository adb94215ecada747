"""Forms for the central pool: applications, decisions, payments, releases, attachments,
budgets and guidelines.

Amounts are typed in kroner the Danish way ("12.345,50") and cleaned to integer øre by
``KronerField``; no float is ever involved. The forms check shape only: the services
decide what is allowed, and their ``ValidationError`` is shown on the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField, TextBox
from vejud.courses.models import PlanAction
from vejud.pool.models import (
    ApplicationStatus,
    AttachmentKind,
    Category,
    DecisionOutcome,
    EntryKind,
)
from vejud.pool.money import input_kroner, parse_kroner

AMOUNT_HINT = _("In kroner, e.g. 12.345,50.")


class KronerField(forms.Field):
    """An amount typed in kroner, cleaned to integer øre (None when left empty)."""

    widget = forms.TextInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "maxlength": "20", "autocomplete": "off"})
        return attrs

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return parse_kroner(str(value))

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return input_kroner(value)
        return value


class VersionedForm(DkfdsForm):
    """Carries the application version the user saw, so a concurrent change is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PlanActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = str(obj.description)
        return text if len(text) <= 80 else f"{text[:79]}…"


def _choices(options: Iterable[tuple[str, Any]], empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *options]


GUIDELINE_TARGET = "guideline-panel"  # the apply page's guideline panel
# Service error codes that belong to a differently named form field.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "amount_type": ("amount",),
    "amount_positive": ("amount",),
    "amount_too_large": ("amount",),
    "amount_partial": ("amount",),
    "over_approved": ("amount",),
    "over_unpaid": ("amount",),
    "cap_positive": ("cap_per_grant",),
    "caps": ("cap_per_person_year",),
    "period": ("period_to", "valid_to"),
    "action": ("plan_action",),
    "no_budget_year": ("period_from",),
    "overlap": ("valid_from",),
    "description": ("description",),
    "empty": ("file",),
    "too_large": ("file",),
    "file_type": ("file",),
    "source": ("from_category",),
    "target": ("to_category",),
    "same": ("to_category",),
    "frame_committed": ("from_category",),
    "unframed": ("amount",),
    "below_committed": ("amount",),
    "no_guideline": ("category",),
}


class ApplicationForm(DkfdsForm):
    category = forms.ChoiceField(
        label=_("Category"), choices=_choices(Category.choices, _("Choose a category"))
    )
    amount = KronerField(label=_("Amount applied for"), help_text=AMOUNT_HINT)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=4000,
        widget=TextBox(4),
        help_text=_("What the grant pays for and how it supports the exit."),
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    period_from = forms.DateField(label=_("Period from"), widget=DateInput)
    period_to = forms.DateField(label=_("Period to"), widget=DateInput)
    plan_action = PlanActionChoiceField(
        label=_("Exit-plan action"),
        queryset=PlanAction.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    over_cap_reason = forms.CharField(
        label=_("Reason for exceeding the cap"),
        required=False,
        max_length=4000,
        widget=TextBox(3),
        help_text=_(
            "Needed only when the amount is above the guideline's cap per grant or per "
            "person per year; the application is then flagged for the decision-maker."
        ),
    )

    def __init__(
        self, *args: Any, actions: QuerySet[PlanAction], guideline_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan_action"].queryset = actions  # type: ignore[attr-defined]
        if guideline_url:  # choosing a category fetches its guideline panel (htmx)
            self.fields["category"].widget.attrs.update(
                {
                    "hx-get": guideline_url,
                    "hx-trigger": "change",
                    "hx-target": f"#{GUIDELINE_TARGET}",
                    "hx-swap": "outerHTML",
                }
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "amount_ore": data["amount"],
            "purpose": data["purpose"],
            "supplier": data["supplier"],
            "period_from": data["period_from"],
            "period_to": data["period_to"],
            "plan_action": data["plan_action"],
            "over_cap_reason": data["over_cap_reason"],
        }


class DecisionForm(VersionedForm):
    outcome = RadioChoiceField(label=_("Decision"), choices=DecisionOutcome.choices)
    amount = KronerField(
        label=_("Approved amount"),
        required=False,
        help_text=_("Only for a partial approval. In kroner, e.g. 12.345,50."),
    )
    reason = forms.CharField(
        label=_("Reason or question"),
        required=False,
        max_length=4000,
        widget=TextBox(4),
        help_text=_(
            "Required for a partial approval or a refusal; when asking for more "
            "information, write the question."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == DecisionOutcome.APPROVE_PARTLY and data.get("amount") is None:
            self.add_error("amount", _("Give the approved amount."))
        return data


class AnswerForm(VersionedForm):
    answer = forms.CharField(label=_("Answer"), max_length=4000, widget=TextBox(4))


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why is the application withdrawn?"),
        max_length=2000,
        widget=TextBox(2),
    )


class PaymentForm(DkfdsForm):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)
    amount = KronerField(label=_("Amount paid"), help_text=AMOUNT_HINT)
    invoice_reference = forms.CharField(label=_("Invoice reference"), max_length=100)


class ReleaseForm(DkfdsForm):
    amount = KronerField(
        label=_("Amount to release"),
        required=False,
        help_text=_("Leave empty to release everything not paid. In kroner, e.g. 12.345,50."),
    )
    reason = forms.CharField(
        label=_("Why is the money released?"),
        max_length=2000,
        widget=TextBox(2),
    )


class AttachmentForm(DkfdsForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF document or a PNG or JPEG image."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES
        if upload.size > limit:  # refused before the file is read into memory
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
                code="too_large",
            )
        return upload


class BudgetYearForm(DkfdsForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2199)
    amount = KronerField(label=_("First allocation"), help_text=AMOUNT_HINT)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, help_text=_("E.g. the appropriation.")
    )


class BudgetEntryForm(DkfdsForm):
    kind = RadioChoiceField(label=_("Change"), choices=EntryKind.choices)
    amount = KronerField(label=_("Amount"), help_text=AMOUNT_HINT)
    from_category = forms.ChoiceField(
        label=_("From"),
        required=False,
        choices=_choices(Category.choices, _("The year's budget outside the frames")),
        help_text=_("For a reallocation or a reduction."),
    )
    to_category = forms.ChoiceField(
        label=_("To"),
        required=False,
        choices=_choices(Category.choices, _("The year's budget outside the frames")),
        help_text=_("For an allocation or a reallocation."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=TextBox(2))


class GuidelineForm(DkfdsForm):
    category = forms.ChoiceField(
        label=_("Category"), choices=_choices(Category.choices, _("Choose a category"))
    )
    description = forms.CharField(
        label=_("What the pool pays for"),
        max_length=8000,
        widget=TextBox(5),
    )
    cap_per_grant = KronerField(label=_("Cap per grant"), help_text=AMOUNT_HINT)
    cap_per_person_year = KronerField(label=_("Cap per person per year"), help_text=AMOUNT_HINT)
    required_documentation = forms.CharField(
        label=_("Required documentation"),
        max_length=4000,
        widget=TextBox(3),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty for a guideline in force until the next one."),
    )


class ApplicationFilterForm(DkfdsForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_choices(ApplicationStatus.choices, _("All"))
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_choices(Category.choices, _("All"))
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _choices(  # type: ignore[attr-defined]
            ((str(y), str(y)) for y in years), _("All")
        )
