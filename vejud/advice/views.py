"""Advice pages under /raadgivning/: the unit's requests and form, the national queue, the
thread (with the advisers' internal notes on their side only) and the attached parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vejud.access.advice import (
    advice_access,
    advice_view,
    adviser_view,
    advisers,
    asker_view,
    gives_advice,
    log_advice_access,
    may_ask_about,
    on_unit_side,
)
from vejud.access.cases import get_case_for
from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability
from vejud.advice import selectors, services
from vejud.advice.forms import (
    AccessForm,
    AnswerForm,
    AssignForm,
    CloseForm,
    MessageForm,
    NoteForm,
    RequestForm,
)
from vejud.advice.models import AdviceRequest, AdviceStatus
from vejud.advice.states import possible
from vejud.cases.models import Case
from vejud.core.attempt import attempt, submitted


def _detail_url(advice: AdviceRequest) -> str:
    return reverse("advice:detail", kwargs={"advice_id": advice.pk})


@requires(Capability.ASK_ADVICE)
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The requests of the user's side: their own, or their unit's for a coordinator."""
    rows = [(advice, False) for advice in selectors.my_requests(request.user)]
    return render(request, "advice/mine.html", {"rows": rows})


@requires(Capability.GIVE_ADVICE)
@require_GET
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """The national queue (open requests, oldest first; or one status) and the median times."""
    status = request.GET.get("status", "")
    status = status if status in AdviceStatus.values else ""
    requests = list(selectors.queue(request.user, status=status or None))
    now = timezone.now()
    rows = [(r, selectors.overdue(r, now)) for r in requests]
    context = {"rows": rows, "status": status, "statuses": AdviceStatus.choices}
    return render(request, "advice/queue.html", {**context, **selectors.figures(request.user)})


def _case_named(request: AuthenticatedRequest) -> Case | None:
    reference = request.GET.get("case", "")
    if not reference:
        return None
    case = get_case_for(request.user, reference).case
    if not may_ask_about(request.user, case):
        raise Http404
    return case


@requires(Capability.ASK_ADVICE)
@never_cache
@require_http_methods(["GET", "POST"])
def new(request: AuthenticatedRequest) -> HttpResponse:
    """Ask the national contact point: a general question, or about the case named by ``case``."""
    case = _case_named(request)
    form = RequestForm(request.POST or None, actor=request.user, case=case)
    done = submitted(
        request,
        form,
        lambda: services.advice_request_create(actor=request.user, case=case, **form.cleaned_data),
        _("Your request is with the national contact point."),
        _detail_url,
        {"cpr_in_general_question": ("question",)},
    )
    return done or render(request, "advice/new.html", {"form": form, "case": case})


def _forms(request: AuthenticatedRequest, advice: AdviceRequest) -> dict[str, Any]:
    """The forms the user's side may use on the request now."""
    status = advice.status
    forms: dict[str, Any] = {}
    if possible("close", status):
        forms["close_form"] = CloseForm(initial={"confirm": True})
    if gives_advice(request.user):
        if possible("note", status):
            forms.update(note_form=NoteForm(), answer_form=AnswerForm(), message_form=MessageForm())
            forms["assign_form"] = AssignForm(
                advisers=advisers(), initial={"adviser": advice.assigned_to_id}
            )
        return forms
    if possible("unit_writes", status):
        forms["message_form"] = MessageForm()
    if advice.case_id and possible("change_access", status):
        forms["access_form"] = AccessForm()
    return forms


@advice_view
@require_GET
def detail(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """The request and its thread; the advisers also see their internal notes."""
    adviser = gives_advice(request.user)
    log_advice_access(user=request.user, request=advice, part="request", http_request=request)
    context = {
        "advice": advice,
        "thread": selectors.thread(advice),
        "notes": selectors.internal_notes(advice) if adviser else None,
        "adviser": adviser,
        "unit_side": on_unit_side(request.user, advice),
        "access": advice_access(request.user, advice) if adviser else None,
        "journal_count": advice.journal_entries.count() if advice.case_id else 0,
        **_forms(request, advice),
    }
    return render(request, "advice/detail.html", context)


@adviser_view
@require_GET
def case_parts(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """The attached parts of the request's case, during the access period only (else 404)."""
    access = advice_access(request.user, advice)
    if access is None:
        raise Http404
    log_advice_access(
        user=request.user, request=advice, part="attached_parts", http_request=request
    )
    return render(
        request, "advice/case_parts.html", {"advice": advice, **selectors.attached(access)}
    )


def _post(
    request: AuthenticatedRequest,
    advice: AdviceRequest,
    form: Any,
    action: Callable[..., Any],
    done: str,
) -> HttpResponse:
    """Run one service with a posted form's data and go back to the request's page."""
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(advice))
    attempt(request, lambda: action(actor=request.user, request=advice, **form.cleaned_data), done)
    return redirect(_detail_url(advice))


@advice_view
@require_POST
def message(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """Add a message to the thread (the unit's follow-up, or an adviser's question)."""
    return _post(
        request,
        advice,
        MessageForm(request.POST),
        services.advice_message_add,
        _("The message is sent."),
    )


@adviser_view
@require_POST
def answer(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """Answer the request (filed on the case and in the unit's list)."""
    return _post(
        request, advice, AnswerForm(request.POST), services.advice_answer, _("The answer is sent.")
    )


@adviser_view
@require_POST
def note(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """Add an internal note between advisers."""
    return _post(
        request, advice, NoteForm(request.POST), services.advice_note_add, _("The note is saved.")
    )


@adviser_view
@require_POST
def assign(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """Assign or reassign the request to an adviser."""
    form = AssignForm(request.POST, advisers=advisers())
    return _post(request, advice, form, services.advice_assign, _("The request is assigned."))


@asker_view
@require_POST
def access(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """The unit shortens, ends or (consenting) extends the advisers' access to the case."""
    return _post(
        request,
        advice,
        AccessForm(request.POST),
        services.advice_access_days_set,
        _("The advisers' access is changed."),
    )


def _close(*, actor: Any, request: AdviceRequest, confirm: bool) -> None:
    services.advice_close(actor=actor, request=request)


@advice_view
@require_POST
def close(request: AuthenticatedRequest, advice: AdviceRequest) -> HttpResponse:
    """Close the request: the advisers' access to the case ends with it."""
    return _post(request, advice, CloseForm(request.POST), _close, _("The request is closed."))
