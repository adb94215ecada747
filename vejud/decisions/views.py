"""Process pages: plain transitions, the unit's decision, referral, information requests,
the final decision and the decision letters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.cases.services import StaleCaseError, case_transition
from vejud.cases.states import IllegalTransitionError
from vejud.decisions.forms import (
    FinalDecisionForm,
    InformationAnswerForm,
    InformationRequestForm,
    ReferralForm,
    TransitionForm,
    UnitDecisionForm,
)
from vejud.decisions.letters import letter_filename, letter_pdf
from vejud.decisions.models import Decision, InformationRequest
from vejud.decisions.selectors import process_overview
from vejud.decisions.services import (
    decision_requirements,
    final_decision_record,
    information_request_answer,
    information_request_create,
    referral_create,
    unit_decision_record,
)

PROCESS_ERRORS = (StaleCaseError, IllegalTransitionError)


def _action_page(
    request: AuthenticatedRequest,
    access: CaseAccess,
    *,
    form: Any,
    action: str,
    title: str,
    template: str,
    run: Any,
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show an action's form; on a valid POST run the service and go back to the case."""
    case = access.case
    overview = process_overview(access, request.user)
    if request.method == "GET":
        log_case_access(
            user=request.user,
            access=access,
            part=f"process_{action}",
            request=request,
        )
    if not overview.actions.get(action):
        messages.error(request, _("This action is not possible on the case right now."))
        return redirect(case)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except PROCESS_ERRORS as exc:
            messages.error(request, str(exc))
            return redirect(case)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return redirect(case)
    context = {"case": case, "form": form, "title": title, "overview": overview, **(extra or {})}
    return render(request, template, context)


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def unit_decision(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """The unit's decision: admit or refuse with grounds."""
    case = access.case
    form = UnitDecisionForm(request.POST or None, initial={"version": case.version})
    return _action_page(
        request,
        access,
        form=form,
        action="decide",
        title=_("The unit's decision"),
        template="decisions/unit_decision.html",
        run=lambda d: unit_decision_record(
            actor=request.user,
            case=case,
            outcome=d["outcome"],
            grounds=d["grounds"],
            reasoning=d["reasoning"],
            expected_version=d["version"],
        ),
        success=_("The decision is recorded. The letter can be printed from the case."),
        extra={"admit_missing": decision_requirements(case, "admit", [])},
    )


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def referral_new(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Put the refusal before the National Exit Contact Point."""
    case = access.case
    form = ReferralForm(request.POST or None, initial={"version": case.version})
    return _action_page(
        request,
        access,
        form=form,
        action="refer",
        title=_("Refer for final decision"),
        template="decisions/action_form.html",
        run=lambda d: referral_create(
            actor=request.user,
            case=case,
            requested_by_person=d["requested_by_person"],
            note=d["note"],
            expected_version=d["version"],
        ),
        success=_("The case is referred to the National Exit Contact Point."),
    )


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def final_decision(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """The National Exit Contact Point's final decision (access is logged by the case gate)."""
    case = access.case
    form = FinalDecisionForm(request.POST or None, initial={"version": case.version})
    return _action_page(
        request,
        access,
        form=form,
        action="final_decide",
        title=_("Final decision"),
        template="decisions/action_form.html",
        run=lambda d: final_decision_record(
            actor=request.user,
            case=case,
            outcome=d["outcome"],
            reasoning=d["reasoning"],
            expected_version=d["version"],
        ),
        success=_("The final decision is recorded."),
    )


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def information_request_new(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Ask the unit for more information before the final decision."""
    case = access.case
    form = InformationRequestForm(request.POST or None, initial={"version": case.version})
    return _action_page(
        request,
        access,
        form=form,
        action="ask_information",
        title=_("Ask the unit for information"),
        template="decisions/action_form.html",
        run=lambda d: information_request_create(
            actor=request.user, case=case, question=d["question"]
        ),
        success=_("The question is sent to the unit."),
    )


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def information_answer_view(
    request: AuthenticatedRequest, access: CaseAccess, request_id: int
) -> HttpResponse:
    """The unit answers a request for information."""
    case = access.case
    info = get_object_or_404(InformationRequest, pk=request_id, referral__case=case)
    form = InformationAnswerForm(request.POST or None, initial={"version": case.version})
    return _action_page(
        request,
        access,
        form=form,
        action="answer_information",
        title=_("Answer the contact point"),
        template="decisions/action_form.html",
        run=lambda d: information_request_answer(
            actor=request.user, request=info, answer=d["answer"]
        ),
        success=_("The answer is sent to the National Exit Contact Point."),
        extra={"question": info},
    )


@case_view(part=Part.JOURNAL)
@require_http_methods(["POST"])
def transition(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Make a plain transition (start assessment, withdrawn, dropped, close)."""
    case = access.case
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete. Reload the page and try again."))
        return redirect(case)
    try:
        case_transition(
            actor=request.user,
            case=case,
            target=form.cleaned_data["target"],
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except (*PROCESS_ERRORS, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(request, _("The case is updated."))
    return redirect(case)


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET"])
def letter(request: AuthenticatedRequest, access: CaseAccess, decision_id: int) -> HttpResponse:
    """Download a decision letter as PDF (the download is logged)."""
    case = access.case
    decision = get_object_or_404(
        Decision.objects.select_related("case__person", "case__responsible_unit"),
        pk=decision_id,
        case=case,
    )
    log_case_access(
        user=request.user,
        access=access,
        part="decision_letter",
        request=request,
    )
    response = HttpResponse(letter_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter_filename(decision)}"'
    response["Cache-Control"] = "no-store"
    return response
