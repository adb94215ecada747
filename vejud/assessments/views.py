"""Instrument pages: fill in a draft and see the history. Signing and correcting are declared
case actions (``vejud.assessments.actions``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.assessments.forms import (
    CorrectionForm,
    MotivationForm,
    SuitabilityForm,
    TargetGroupForm,
    initial_from,
)
from vejud.assessments.models import CriteriaVersion, MotivationFactor
from vejud.assessments.services import (
    INSTRUMENT_LABELS,
    INSTRUMENTS,
    criteria_evaluate,
    criteria_in_force,
    motivation_save,
    programme_for_case,
    suitability_save,
    target_group_save,
)
from vejud.cases.models import Case, Track
from vejud.offers.models import OfferType


def _model(kind: str) -> Any:
    try:
        return INSTRUMENTS[kind]
    except KeyError as exc:
        raise Http404 from exc


def _criteria_version(case: Case, draft: Any, requested: str | None) -> CriteriaVersion:
    programme = programme_for_case(case)
    if programme is None:
        raise Http404
    if requested:
        return get_object_or_404(CriteriaVersion, pk=requested, programme=programme)
    if draft is not None:
        return draft.criteria_version
    version = criteria_in_force(programme, on=case.opened_on) or criteria_in_force(programme)
    if version is None:
        raise Http404
    return version


def _build_form(kind: str, case: Case, data: Any, draft: Any, request: AuthenticatedRequest) -> Any:
    initial = initial_from(draft, kind)
    if kind == "target_group":
        version = _criteria_version(
            case, draft, request.GET.get("criteria") or (data or {}).get("criteria_version")
        )
        auto = criteria_evaluate(case, version, on=case.opened_on)
        if not initial:
            initial = {f"met_{c}": "yes" if a["met"] else "no" for c, a in auto.items()}
        return TargetGroupForm(data, initial=initial, version=version, auto=auto)
    if kind == "motivation":
        return MotivationForm(data, initial=initial, custody=case.track == Track.CUSTODY)
    return SuitabilityForm(data, initial=initial)


def _save(kind: str, request: AuthenticatedRequest, case: Case, form: Any) -> Any:
    if kind == "target_group":
        return target_group_save(
            actor=request.user,
            case=case,
            criteria_version=form.version,
            answers=form.answers(),
            reasoning=form.cleaned_data["reasoning"],
        )
    if kind == "motivation":
        return motivation_save(actor=request.user, case=case, **form.service_kwargs())
    return suitability_save(actor=request.user, case=case, **form.service_kwargs())


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def instrument_edit(request: AuthenticatedRequest, access: CaseAccess, kind: str) -> HttpResponse:
    """Show the latest version; fill in and save the draft."""
    case = access.case
    versions = list(
        _model(kind)
        .objects.filter(case=case)
        .select_related("signed_by", "created_by")
        .order_by("-version")
    )
    draft = next((v for v in versions if v.signed_at is None), None)
    log_case_access(user=request.user, access=access, part=f"assessment_{kind}", request=request)
    form = None
    if not versions or draft is not None:
        form = _build_form(kind, case, request.POST or None, draft, request)
        if request.method == "POST" and form.is_valid() and _saved(kind, request, case, form):
            messages.success(request, _("The draft is saved."))
            return redirect("assessments:edit", reference=case.reference, kind=kind)
    elif request.method == "POST":
        messages.error(request, _("This assessment is signed. Make a correction to change it."))
    context = _edit_context(kind, case, form, versions, draft)
    return render(request, f"assessments/{kind}.html", context)


def _saved(kind: str, request: AuthenticatedRequest, case: Case, form: Any) -> bool:
    """Save the draft through the service; False with the error on the form."""
    try:
        _save(kind, request, case, form)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


def _edit_context(
    kind: str, case: Case, form: Any, versions: list[Any], draft: Any
) -> dict[str, Any]:
    """The instrument page: its versions, the draft's form and the names its display needs."""
    motivation = kind == "motivation"
    context: dict[str, Any] = {
        "case": case,
        "kind": kind,
        "label": INSTRUMENT_LABELS[kind],
        "form": form,
        "latest": versions[0] if versions else None,
        "draft": draft,
        "versions": versions,
        "correction_form": CorrectionForm(),
        "instrument_display": f"assessments/_{kind}_display.html",
        "factor_names": {f.code: f.name for f in MotivationFactor.objects.all()}
        if motivation
        else {},
        "offer_names": {o.code: o.name for o in OfferType.objects.all()} if motivation else {},
    }
    if kind == "target_group" and form is not None:
        programme = programme_for_case(case)
        context["criteria_versions"] = list(programme.criteria_versions.all()) if programme else []
    return context
