"""Forms of the advice pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from vejud.access.advice import asker_units
from vejud.accounts.models import User
from vejud.advice.models import Judgement, Topic, Urgency
from vejud.cases.models import Case, JournalEntry
from vejud.core.forms import DkfdsForm, TextBox
from vejud.organisations.models import Unit


class NoteChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.created_at:%d.%m.%Y}: {obj.text[:80]}"


class RequestForm(DkfdsForm):
    """Ask the national contact point: on a case (with chosen parts) or a general question."""

    unit = forms.ModelChoiceField(label=_("On behalf of"), queryset=Unit.objects.none())
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    question = forms.CharField(label=_("Question"), widget=TextBox(6), max_length=10000)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    urgency_reason = forms.CharField(
        label=_("Why it is urgent"), widget=TextBox(2), required=False, max_length=2000
    )
    attach_instruments = forms.BooleanField(
        label=_("Attach the instruments (target group, motivation, suitability)"), required=False
    )
    attach_plan = forms.BooleanField(label=_("Attach the plan"), required=False)
    attach_followup = forms.BooleanField(label=_("Attach the follow-up reviews"), required=False)
    journal_entries = NoteChoice(
        label=_("Attach these journal notes"),
        queryset=JournalEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    access_days = forms.IntegerField(
        label=_("Advisers' access to the attached parts (days)"),
        min_value=1,
        max_value=settings.VEJUD_ADVICE_ACCESS_DAYS,
        initial=settings.VEJUD_ADVICE_ACCESS_DAYS,
    )

    def __init__(self, *args: Any, actor: User, case: Case | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = asker_units(actor)  # type: ignore[attr-defined]
        self.fields["unit"].empty_label = None  # type: ignore[attr-defined]  # most ask for one unit
        if case is None:
            for name in (
                "attach_instruments",
                "attach_plan",
                "attach_followup",
                "journal_entries",
                "access_days",
            ):
                del self.fields[name]
            self.fields["question"].help_text = _(
                "A general question never carries personal data: no names, no CPR numbers. "
                "A question about a person is asked from their case."
            )
        else:
            self.fields["journal_entries"].queryset = JournalEntry.objects.filter(  # type: ignore[attr-defined]
                case=case
            ).order_by("-created_at", "-id")


class MessageForm(DkfdsForm):
    prefix = "message"  # the advisers' page holds three text fields
    text = forms.CharField(label=_("Message"), widget=TextBox(4), max_length=10000)


class NoteForm(DkfdsForm):
    prefix = "note"
    text = forms.CharField(
        label=_("Internal note (advisers only)"), widget=TextBox(3), max_length=10000
    )


class AnswerForm(DkfdsForm):
    prefix = "answer"
    text = forms.CharField(label=_("Answer"), widget=TextBox(6), max_length=20000)
    motivation = forms.ChoiceField(
        label=_("Recommendation on motivation"),
        choices=[("", _("No recommendation")), *Judgement.choices],
        required=False,
    )
    suitability = forms.ChoiceField(
        label=_("Recommendation on suitability"),
        choices=[("", _("No recommendation")), *Judgement.choices],
        required=False,
    )
    reasons = forms.CharField(
        label=_("Reasons for the recommendation"),
        widget=TextBox(3),
        required=False,
        max_length=10000,
    )


class AdviserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class AssignForm(DkfdsForm):
    adviser = AdviserChoice(label=_("Adviser"), queryset=User.objects.none())

    def __init__(self, *args: Any, advisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = advisers  # type: ignore[attr-defined]


class AccessForm(DkfdsForm):
    days = forms.IntegerField(
        label=_("Advisers' access from now (days; 0 ends it now)"),
        min_value=0,
        max_value=settings.VEJUD_ADVICE_ACCESS_DAYS,
    )


class CloseForm(DkfdsForm):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
