"""The instrument actions on a case: save a draft, sign it, start a correction of a signed
version.

Signing and correcting work on the case's instrument of one kind (the URL's ``<kind>``:
target group, motivation, suitability): signing on its draft, a correction on its newest
signed version, so there must be one (else 409, not possible now). Both are possible while
the case is being assessed: in the statuses the state table leads from to a decision (not
the course's closing), for the case's caseworkers.

Saving a draft is one action per instrument (its form and body are its own), the POST of the
instrument's page (``views.instrument_edit`` shows it) and ``PUT .../<kind>/draft``. It is
possible for the case's caseworkers; whether the case and the instrument take a draft now
(the case being assessed, no signed version without a correction started) stays the
service's answer: a form error on the page, 422 from the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.access.casework import may_work_on
from vejud.access.rules import Part
from vejud.accounts.models import User
from vejud.actions.declare import CaseAction, Target, any_status, declare, leading_to, moving
from vejud.assessments import services
from vejud.assessments.forms import (
    CorrectionForm,
    GangAffiliationForm,
    MotivationForm,
    SuitabilityForm,
    TargetGroupForm,
    initial_from,
)
from vejud.assessments.models import CriteriaVersion, MotivationFactor
from vejud.assessments.services import INSTRUMENTS, instrument_correct, instrument_sign
from vejud.cases.models import Case, CaseStatus, Track
from vejud.cases.states import DECISION_TARGETS, Actor
from vejud.offers.models import OfferType

ASSESSING = frozenset(
    (status, Actor.CASEWORKER)
    for status, _actor in moving(
        lambda t: (t.source, t.target) in DECISION_TARGETS and t.target != CaseStatus.CLOSED
    )
)


def _versions(case: Case, kind: str) -> Any:
    try:
        return INSTRUMENTS[kind].objects.filter(case=case)
    except KeyError as exc:
        raise Http404 from exc


def _draft(case: Case, kind: str) -> Any:
    return _versions(case, kind).filter(signed_at__isnull=True).first()


def _newest_signed(case: Case, kind: str) -> Any:
    return _versions(case, kind).filter(signed_at__isnull=False).order_by("-version").first()


def _back(success: Any) -> Any:
    """After a success: the instrument's page, saying what was done."""

    def after(request: Any, access: CaseAccess, instrument: Any) -> HttpResponse:
        messages.success(request, str(success))
        return redirect("assessments:edit", reference=access.case.reference, kind=instrument.kind)

    return after


class SignForm(forms.Form):
    """Signing asks nothing: the button is the signature."""


# Each action's page: URL name, the slug after vurdering/<kind>/, title, success message.
PAGES = {
    "sign": ("underskriv", _("Sign the assessment"), _("The assessment is signed.")),
    "correct": (
        "ret",
        _("Correct the assessment"),
        _("A new version is started. Change it and sign it."),
    ),
}


def _instrument(
    url_name: str, form: type[forms.Form], service: Any, find: Callable[[Case, str], Any]
) -> CaseAction:
    slug, title, success = PAGES[url_name]
    return CaseAction(
        name=f"assessment_{url_name}",
        namespace="assessments",
        url_name=url_name,
        slug=f"vurdering/<str:kind>/{slug}/",
        title=title,
        form=form,
        service=service,
        target=Target("kind", find, "instrument"),
        when=ASSESSING,
        methods=("POST",),
        condition=lambda case, instrument: instrument is not None,
        form_kwargs=lambda case, instrument: {},
        success=success,
        after=_back(success),
    )


ASSESSMENT_SIGN = _instrument("sign", SignForm, instrument_sign, _draft)
ASSESSMENT_CORRECT = _instrument("correct", CorrectionForm, instrument_correct, _newest_signed)

# The person's gang affiliation, entered and changed from an open case (the target-group
# assessment reads it: "From the case: ...").
GANG_AFFILIATION = CaseAction(
    name="gang_affiliation",
    namespace="assessments",
    url_name="gang_affiliation",
    slug="bandetilknytning/",
    title=_("Gang affiliation"),
    submit=_("Save the gang affiliation"),
    form=GangAffiliationForm,
    form_kwargs=lambda case, target: {"person": case.person},
    service=services.gang_affiliation_set,
    when=leading_to(lambda t: True, Actor.CASEWORKER),
    part=Part.GANG,
    success=_("The gang affiliation is saved."),
    log_as="gang_affiliation",
)

ACTIONS = declare(ASSESSMENT_SIGN, ASSESSMENT_CORRECT, GANG_AFFILIATION)


# --- Drafts --------------------------------------------------------------------------------


def criteria_version(case: Case, draft: Any, requested: Any = None) -> CriteriaVersion:
    """The criteria version of a target-group form: the one asked for (of the case's
    programme), else the draft's, else the one in force when the inquiry came (or today)."""
    programme = services.programme_for_case(case)
    if programme is None:
        raise Http404
    if requested:
        return get_object_or_404(CriteriaVersion, pk=requested, programme=programme)
    if draft is not None:
        return draft.criteria_version
    in_force = services.criteria_in_force
    version = in_force(programme, on=case.opened_on) or in_force(programme)
    if version is None:
        raise Http404
    return version


class TargetGroupDraftForm(TargetGroupForm):
    """The target-group form of the case's draft, on the criteria version asked for (the
    page's ``?criteria=``, the posted ``criteria_version``); a new draft starts from the
    answers the system evaluates from the case."""

    def __init__(self, data: Any = None, *, case: Case, requested: Any = None) -> None:
        draft = _draft(case, "target_group")
        chosen = requested or (data or {}).get("criteria_version")
        version = criteria_version(case, draft, chosen)
        auto = services.criteria_evaluate(case, version, on=case.opened_on)
        initial = initial_from(draft, "target_group") or {
            f"met_{code}": "yes" if answer["met"] else "no" for code, answer in auto.items()
        }
        super().__init__(data, initial=initial, version=version, auto=auto)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "criteria_version": self.version,
            "answers": self.answers(),
            "reasoning": self.cleaned_data["reasoning"],
        }


# Each instrument's draft form and its arguments besides the data (the case's draft).
DRAFT_FORMS: dict[str, tuple[type[forms.Form], Callable[[Case], dict[str, Any]]]] = {
    "target_group": (TargetGroupDraftForm, lambda case: {"case": case}),
    "motivation": (
        MotivationForm,
        lambda case: {
            "initial": initial_from(_draft(case, "motivation"), "motivation"),
            "custody": case.track == Track.CUSTODY,
        },
    ),
    "suitability": (
        SuitabilityForm,
        lambda case: {"initial": initial_from(_draft(case, "suitability"), "suitability")},
    ),
}
DRAFT_SERVICES: dict[str, Callable[..., Any]] = {
    "target_group": services.target_group_save,
    "motivation": services.motivation_save,
    "suitability": services.suitability_save,
}


def draft_form(kind: str, case: Case, requested: str | None = None) -> forms.Form:
    """The instrument's draft form as its page shows it (``requested``: the criteria version
    asked for, for the target group)."""
    if kind == "target_group":
        return TargetGroupDraftForm(case=case, requested=requested)
    form, form_kwargs = DRAFT_FORMS[kind]
    return form(**form_kwargs(case))


def instrument_context(kind: str, access: CaseAccess, user: User) -> dict[str, Any]:
    """The instrument's page besides its form: its versions, the draft, whether a draft can
    be filled in (none yet, or one in progress), whether ``user`` works on the case (the
    forms are theirs: not the mentor's, never by breaking the glass) and the names its
    display needs."""
    case = access.case
    versions = list(
        INSTRUMENTS[kind]
        .objects.filter(case=case)
        .select_related("signed_by", "created_by")
        .order_by("-version")
    )
    draft = next((v for v in versions if v.signed_at is None), None)
    motivation = kind == "motivation"
    context: dict[str, Any] = {
        "case": case,
        "kind": kind,
        "label": services.INSTRUMENT_LABELS[kind],
        "latest": versions[0] if versions else None,
        "draft": draft,
        "versions": versions,
        "editable": not versions or draft is not None,
        "works": may_work_on(user, access),
        "correction_form": CorrectionForm(),
        "instrument_display": f"assessments/_{kind}_display.html",
        "factor_names": {f.code: f.name for f in MotivationFactor.objects.all()}
        if motivation
        else {},
        "offer_names": {o.code: o.name for o in OfferType.objects.all()} if motivation else {},
    }
    if kind == "target_group" and context["editable"]:
        programme = services.programme_for_case(case)
        context["criteria_versions"] = list(programme.criteria_versions.all()) if programme else []
    return context


def _draft_action(kind: str) -> CaseAction:
    form, form_kwargs = DRAFT_FORMS[kind]
    return CaseAction(
        name=f"{kind}_draft",
        namespace="assessments",
        url_name="edit",
        slug="vurdering/<str:kind>/",
        url_kwargs=(("kind", kind),),
        title=_("Save draft"),
        form=form,
        form_kwargs=lambda case, target: form_kwargs(case),
        data_of=lambda form: form.service_kwargs(),
        service=DRAFT_SERVICES[kind],
        when=any_status(Actor.CASEWORKER),
        methods=("POST",),
        template=f"assessments/{kind}.html",
        context=lambda access, user, target: instrument_context(kind, access, user),
        error_fields=DRAFT_ERRORS,
        success=_("The draft is saved."),
        after=_back(_("The draft is saved.")),
    )


# The services' refusals of a draft are said above the form (as the page always did).
DRAFT_ERRORS: dict[str, tuple[str, ...]] = {"judgement": ()}
TARGET_GROUP_DRAFT = _draft_action("target_group")
MOTIVATION_DRAFT = _draft_action("motivation")
SUITABILITY_DRAFT = _draft_action("suitability")
# Served by the instrument's page (its POST), by kind.
DRAFTS = {
    action.url_kwargs[0][1]: action
    for action in declare(TARGET_GROUP_DRAFT, MOTIVATION_DRAFT, SUITABILITY_DRAFT)
}
