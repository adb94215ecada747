"""Intake pages: register an inquiry (consent is recorded and withdrawn by intake/actions.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vejud.access.cases import case_access, cases_visible_to
from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.cases.services import OpenCaseError
from vejud.core.attempt import attempt
from vejud.intake.forms import InquiryForm
from vejud.intake.selectors import possible_person_for, possible_persons_for
from vejud.intake.services import (
    PossibleDuplicateError,
    inquiry_register,
    possible_existing_person_link,
    possible_existing_person_reject,
)

# The form's fields that ``inquiry_register`` takes as they are.
INQUIRY_FIELDS = (
    "source",
    "channel",
    "received_on",
    "municipality",
    "in_custody",
    "institution",
    "note",
    "first_name",
    "last_name",
    "birth_date",
    "cpr",
    "phone",
    "confirm_new_person",
)


@requires(Capability.WRITE_JOURNAL)
@require_http_methods(["GET", "POST"])
def inquiry_new(request: AuthenticatedRequest) -> HttpResponse:
    """Register an inquiry; it is routed to the unit of the person's district (or DfK)."""
    form = InquiryForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "duplicates": None, "open_case": None}
    if request.method == "POST" and form.is_valid():
        case = _register(request.user, form, context)
        if case is not None:
            return _registered(request, case)
    status = context.pop("status", 200)
    return render(request, "intake/inquiry_form.html", context, status=status)


def _register(user: User, form: InquiryForm, context: dict[str, Any]) -> Case | None:
    """Register the inquiry through the service. A refusal goes on the form, and into
    ``context`` what the user may see of the existing cases (and 409 for an open one)."""
    fields = {name: form.cleaned_data[name] for name in INQUIRY_FIELDS}
    try:
        return inquiry_register(actor=user, **fields)
    except PossibleDuplicateError as exc:
        form.add_error(None, exc.message)
        # Earlier attempts are shown only to those allowed to see them.
        context["duplicates"] = _visible_cases(user, person__in=exc.candidates)
    except OpenCaseError as exc:
        # The open case is named only to those allowed to see it.
        form.add_error(None, exc.text)
        context.update(open_case=_visible_cases(user, pk=exc.existing.pk), status=409)
    except ValidationError as exc:
        form.add_error(None, exc)
    return None


def _visible_cases(user: User, **lookup: Any) -> list[Case]:
    """Return the cases matching ``lookup`` that the user may see, newest first."""
    return list(
        cases_visible_to(user)
        .filter(**lookup)
        .select_related("responsible_unit")
        .order_by("-opened_on")
    )


def _registered(request: AuthenticatedRequest, case: Case) -> HttpResponse:
    """Go to the new case if the user may open it, otherwise back to the caseload."""
    if case_access(request.user, case) is not None:
        messages.success(
            request, _("The inquiry is registered as %(ref)s.") % {"ref": case.reference}
        )
        return redirect(case)
    messages.success(
        request,
        _("The inquiry is registered as %(ref)s and routed to %(unit)s.")
        % {"ref": case.reference, "unit": case.responsible_unit.name},
    )
    return redirect("cases:caseload")


@requires(Capability.LINK_INQUIRIES)
@require_GET
def possible_persons(request: AuthenticatedRequest) -> HttpResponse:
    """List inquiries whose person may be one of the unit's: link or reject each."""
    matches = possible_persons_for(request.user)
    return render(request, "intake/possible_persons.html", {"matches": matches})


@requires(Capability.LINK_INQUIRIES)
@require_POST
def possible_person_decide(request: AuthenticatedRequest, match_id: int) -> HttpResponse:
    """Link the inquiry to the existing person (``decision=link``) or reject the match."""
    match = possible_person_for(request.user, match_id)
    link = request.POST.get("decision") == "link"
    service = possible_existing_person_link if link else possible_existing_person_reject
    done = (
        _("The inquiry %(ref)s is linked to the existing person.")
        if link
        else _("The match for %(ref)s is rejected.")
    )
    attempt(
        request,
        lambda: service(actor=request.user, match=match),
        lambda _decided: done % {"ref": match.inquiry.case.reference},
    )
    return redirect("intake:possible_persons")
