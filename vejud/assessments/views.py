"""Instrument pages: fill in a draft and see the history. Saving a draft, signing and
correcting are declared case actions (``vejud.assessments.actions``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.access.rules import Part
from vejud.actions.pages import action_page
from vejud.assessments.actions import DRAFTS, draft_form, instrument_context


@case_view(part=Part.JOURNAL)
@require_http_methods(["GET", "POST"])
def instrument_edit(request: AuthenticatedRequest, access: CaseAccess, kind: str) -> HttpResponse:
    """Show the latest version and the draft's form (none on a signed version: a correction
    starts a new draft); a POST saves the draft (the declared action of the kind)."""
    if kind not in DRAFTS:
        raise Http404
    case = access.case
    log_case_access(user=request.user, access=access, part=f"assessment_{kind}", request=request)
    context = instrument_context(kind, access, request.user)
    if context["editable"] and request.method == "POST":
        return action_page(request, access, DRAFTS[kind])
    form = None
    if context["editable"] and context["works"]:
        form = draft_form(kind, case, request.GET.get("criteria"))
    elif request.method == "POST":
        messages.error(request, _("This assessment is signed. Make a correction to change it."))
    return render(request, f"assessments/{kind}.html", {**context, "form": form})
