"""The auditor's pages: search the audit trail and access log, review break-the-glass access."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability
from vejud.accounts.grants import role_grant_review, role_grants_to_review
from vejud.accounts.models import RoleGrant, User
from vejud.auditor import selectors
from vejud.auditor.forms import AccessSearchForm, BreakGlassReviewForm, EventSearchForm
from vejud.cases.models import BreakGlassGrant
from vejud.cases.services import break_glass_review
from vejud.core.attempt import attempt
from vejud.core.paging import positive_int

DATES = {"date_from": "date_from", "date_to": "date_to"}


def _cursor(request: AuthenticatedRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return positive_int(value)


def _query_without_cursors(request: AuthenticatedRequest) -> str:
    query: QueryDict = request.GET.copy()
    for name in ("after", "before"):
        query.pop(name, None)
    return query.urlencode()


def _search_page(
    request: AuthenticatedRequest,
    form: forms.Form,
    template: str,
    search: Callable[..., Any],
    **fields: str,
) -> HttpResponse:
    """Render a search page: ``search`` gets the form's ``fields`` (its keyword: the form
    field) and the page cursors; an invalid form shows its errors and no page."""
    page = None
    if not form.is_bound or form.is_valid():
        # Unbound: the first page of everything (the search's defaults).
        data = form.cleaned_data if form.is_bound else {}
        page = search(
            **{keyword: data[name] for keyword, name in fields.items() if name in data},
            after=_cursor(request, "after"),
            before=_cursor(request, "before"),
            size=selectors.PAGE_SIZE,
        )
    context = {"form": form, "page": page, "query": _query_without_cursors(request)}
    return render(request, template, context)


@requires(Capability.VIEW_AUDIT)
@require_GET
def events(request: AuthenticatedRequest) -> HttpResponse:
    """Search the audit trail by person or case, user, action and time."""
    return _search_page(
        request,
        EventSearchForm(request.GET or None),
        "audit/events.html",
        selectors.audit_events_search,
        **{**DATES, "subject": "subject", "actor_id": "user", "action": "action"},
    )


@requires(Capability.VIEW_AUDIT)
@require_GET
def access(request: AuthenticatedRequest) -> HttpResponse:
    """Search the access log by person or case, user, time, and break-the-glass."""
    return _search_page(
        request,
        AccessSearchForm(request.GET or None),
        "audit/access.html",
        selectors.access_log_search,
        **{
            **DATES,
            "subject": "subject",
            "user_id": "user",
            "break_glass_only": "break_glass_only",
        },
    )


@requires(Capability.REVIEW_BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def break_glass_queue(request: AuthenticatedRequest) -> HttpResponse:
    """List break-the-glass access awaiting review (or reviewed) and record a review."""
    reviewed_tab = request.GET.get("tab") == "reviewed"
    failed: BreakGlassReviewForm | None = None
    failed_grant: BreakGlassGrant | None = None
    if request.method == "POST":
        failed_grant = _posted_grant(request)
        failed = BreakGlassReviewForm(request.POST, grant_id=failed_grant.pk)
        if failed.is_valid():
            _review(request, failed_grant, failed.cleaned_data["note"])
            return redirect("audit:break_glass_queue")
        reviewed_tab = False
    page = selectors.break_glass_grants(
        reviewed=reviewed_tab,
        after=_cursor(request, "after"),
        before=_cursor(request, "before"),
        size=selectors.PAGE_SIZE,
    )
    context = {
        "page": page,
        "rows": _queue_rows(page.rows, request.user, failed, reviewed=reviewed_tab),
        "reviewed_tab": reviewed_tab,
        "failed": failed,
        "failed_grant": failed_grant,
        "query": "tab=reviewed" if reviewed_tab else "",
    }
    return render(request, "audit/break_glass_queue.html", context)


def _posted_grant(request: AuthenticatedRequest) -> BreakGlassGrant:
    """Return the unreviewed grant the POST names; 404 for anything else."""
    grant_id = request.POST.get("grant", "")
    grant = selectors.break_glass_grant_unreviewed(pk) if (pk := positive_int(grant_id)) else None
    if grant is None:
        raise Http404
    return grant


def _review(request: AuthenticatedRequest, grant: BreakGlassGrant, note: str) -> None:
    attempt(
        request,
        lambda: break_glass_review(actor=request.user, grant=grant, note=note),
        _("The access has been marked as reviewed."),
    )


def _queue_rows(
    grants: Iterable[BreakGlassGrant],
    user: User,
    failed: BreakGlassReviewForm | None,
    *,
    reviewed: bool,
) -> list[tuple[BreakGlassGrant, BreakGlassReviewForm | None]]:
    """Pair each grant with its review form (none on the reviewed tab)."""
    if reviewed:
        return [(grant, None) for grant in grants]
    return [(grant, _review_form(grant, user, failed)) for grant in grants]


def _review_form(
    grant: BreakGlassGrant, user: User, failed: BreakGlassReviewForm | None
) -> BreakGlassReviewForm | None:
    """Return the review form for a queued grant; none for the auditor's own access."""
    if grant.user_id == user.pk:
        return None
    if failed is not None and failed.initial.get("grant") == grant.pk:
        return failed
    return BreakGlassReviewForm(grant_id=grant.pk)


@requires(Capability.REVIEW_ROLE_GRANTS)
@require_http_methods(["GET", "POST"])
def role_grants(request: AuthenticatedRequest) -> HttpResponse:
    """The case-access roles granted (four eyes), awaiting the auditor's review."""
    if request.method == "POST":
        grant_id = request.POST.get("grant", "")
        grant = get_object_or_404(RoleGrant, pk=pk) if (pk := positive_int(grant_id)) else None
        if grant is None:
            raise Http404
        try:
            role_grant_review(actor=request.user, grant=grant)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The grant is marked as reviewed."))
        return redirect("audit:role_grants")
    return render(request, "audit/role_grants.html", {"grants": role_grants_to_review()})
