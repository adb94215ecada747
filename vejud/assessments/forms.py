"""Forms for the three instruments, built from the reference data (criteria, factors, offers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vejud.assessments.models import (
    MOTIVATION_LEVELS,
    CriteriaVersion,
    Degree,
    FactorKind,
    MotivationFactor,
    MotivationKind,
    SuitabilityAssessment,
    SuitabilityJudgement,
)
from vejud.core.forms import DateInput, DkfdsForm, RadioChoiceField, TextBox
from vejud.offers.models import OfferType
from vejud.people.models import Attachment, GangGroup, Person

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
AUTO_LABELS = {
    "age": _("Age within the programme's limits"),
    "attachment": _("Degree of attachment within the target group"),
    "environment": _("Type of environment within the target group"),
}


def _checkboxes(
    label: Any, choices: list[tuple[str, str]], required: bool = False
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-checkbox"}),
    )


def _radios(label: Any, choices: Any, required: bool = False) -> forms.ChoiceField:
    return RadioChoiceField(label=label, choices=choices, required=required)


class TargetGroupForm(DkfdsForm):
    """One yes/no answer with a note per criterion of the chosen criteria version."""

    reasoning = forms.CharField(label=_("Reasoning"), required=False, widget=TextBox(4))

    def __init__(
        self, *args: Any, version: CriteriaVersion, auto: dict[str, dict[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        english = (get_language() or "da").startswith("en")
        self.criteria: list[tuple[str, str]] = [(code, str(AUTO_LABELS[code])) for code in auto]
        self.criteria += [
            (q["code"], q["text_en"] if english else q["text_da"]) for q in version.questions
        ]
        for code, text in self.criteria:
            self.fields[f"met_{code}"] = _radios(text, YES_NO)
            hint = auto.get(code, {}).get("note")
            if hint:
                self.fields[f"met_{code}"].help_text = _("From the case: %(hint)s") % {"hint": hint}
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note on: %(criterion)s") % {"criterion": text},
                required=False,
                max_length=1000,
            )
        self.order_fields(
            [*(n for c, _t in self.criteria for n in (f"met_{c}", f"note_{c}")), "reasoning"]
        )

    def answers(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            code: {
                "met": {"yes": True, "no": False}.get(data.get(f"met_{code}") or ""),
                "note": data.get(f"note_{code}", ""),
            }
            for code, _text in self.criteria
        }

    def criterion_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"met_{c}"], self[f"note_{c}"]) for c, _t in self.criteria]


class MotivationForm(DkfdsForm):
    """Motivation (I)-(IV), inner/outer, parole-only flag and the overall level."""

    push_factors = _checkboxes(_("I. Push factors (away from the group)"), [])
    pull_factors = _checkboxes(_("I. Pull factors (towards a life outside)"), [])
    factors_note = forms.CharField(label=_("About the factors"), required=False, widget=TextBox(3))
    own_explanation = forms.CharField(
        label=_("II. The person's own explanation of why they want out"),
        required=False,
        widget=TextBox(4),
    )
    help_wishes = _checkboxes(_("III. The help the person wishes for"), [])
    help_note = forms.CharField(
        label=_("About the help wished for"),
        required=False,
        widget=TextBox(2),
    )
    fear_borne = forms.BooleanField(label=_("IV. The motivation is borne by fear"), required=False)
    fear_note = forms.CharField(label=_("About fear"), required=False, widget=TextBox(2))
    motivation_kind = _radios(_("Inner or outer motivation"), MotivationKind.choices)
    parole_only_motive = forms.BooleanField(
        label=_("Parole is the only visible motive (Penal Code § 81 a)"), required=False
    )
    level = _radios(
        _("Overall motivation level"), [(str(i), label) for i, label in MOTIVATION_LEVELS]
    )
    reasoning = forms.CharField(
        label=_("Reasoning for the overall judgement"),
        required=False,
        widget=TextBox(4),
    )

    def __init__(self, *args: Any, custody: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        factors = list(MotivationFactor.objects.all())
        push = [(f.code, f.name) for f in factors if f.kind == FactorKind.PUSH]
        pull = [(f.code, f.name) for f in factors if f.kind == FactorKind.PULL]
        offers = [(o.code, o.name) for o in OfferType.objects.filter(is_active=True)]
        for name, choices in (
            ("push_factors", push),
            ("pull_factors", pull),
            ("help_wishes", offers),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if not custody:
            del self.fields["parole_only_motive"]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["level"] = int(data["level"]) if data.get("level") else None
        data.setdefault("parole_only_motive", False)
        return data


class SuitabilityForm(DkfdsForm):
    """Suitability (I)-(IV), each rated with reasoning, and the overall judgement."""

    judgement = _radios(_("Overall judgement"), SuitabilityJudgement.choices)
    reasoning = forms.CharField(label=_("Overall reasoning"), required=False, widget=TextBox(4))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in SuitabilityAssessment.CRITERIA:
            field = SuitabilityAssessment._meta.get_field(criterion)
            self.fields[criterion] = _radios(
                getattr(field, "verbose_name", criterion),
                [(str(v), str(label)) for v, label in Degree.choices],
            )
            reasoning = SuitabilityAssessment._meta.get_field(f"{criterion}_reasoning")
            self.fields[f"{criterion}_reasoning"] = forms.CharField(
                label=str(getattr(reasoning, "verbose_name", "")).capitalize(),
                required=False,
                # Added after the mixin styled the fields: the design system's class here.
                widget=TextBox(3, attrs={"class": "form-input"}),
            )
        self.order_fields(
            [
                *(n for c in SuitabilityAssessment.CRITERIA for n in (c, f"{c}_reasoning")),
                "judgement",
                "reasoning",
            ]
        )

    def criterion_rows(self) -> list[tuple[Any, Any]]:
        return [(self[c], self[f"{c}_reasoning"]) for c in SuitabilityAssessment.CRITERIA]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for criterion in SuitabilityAssessment.CRITERIA:
            data[criterion] = int(data[criterion]) if data.get(criterion) else None
        return data


class CorrectionForm(DkfdsForm):
    reason = forms.CharField(label=_("Why is the signed assessment corrected?"), widget=TextBox(3))


def initial_from(instrument: Any, kind: str) -> dict[str, Any]:
    """Return form initial data from a saved instrument version."""
    if instrument is None:
        return {}
    if kind == "target_group":
        initial: dict[str, Any] = {"reasoning": instrument.reasoning}
        for code, answer in (instrument.answers or {}).items():
            met = answer.get("met")
            initial[f"met_{code}"] = "yes" if met is True else "no" if met is False else ""
            initial[f"note_{code}"] = answer.get("note", "")
        return initial
    initial = {f.name: getattr(instrument, f.name) for f in instrument._meta.concrete_fields}
    for key in ("level", *SuitabilityAssessment.CRITERIA):
        if initial.get(key) is not None:
            initial[key] = str(initial[key])
    return initial


class GangAffiliationForm(DkfdsForm):
    """The person's gang affiliation, entered from the case (the target-group assessment
    evaluates the group's kind and the degree of attachment)."""

    gang_group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=GangGroup.objects.none(),
        required=False,
        empty_label=_("No group known"),
        help_text=_("From the reference list of biker groups and gangs."),
    )
    gang_role = forms.CharField(label=_("Role in the group"), required=False, max_length=120)
    gang_since = forms.DateField(label=_("In the group since"), required=False, widget=DateInput)
    attachment = _radios(_("Degree of attachment"), [("", _("Not known")), *Attachment.choices])

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "gang_group": person.gang_group_id,
                "gang_role": person.gang_role,
                "gang_since": person.gang_since,
                "attachment": person.attachment,
            },
        )
        super().__init__(*args, **kwargs)
        field = self.fields["gang_group"]
        assert isinstance(field, forms.ModelChoiceField)
        # The active groups, and the person's own even if it has left the list.
        field.queryset = GangGroup.objects.filter(
            models.Q(is_active=True) | models.Q(pk=person.gang_group_id)
        )
