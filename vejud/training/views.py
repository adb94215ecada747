"""Training pages under /uddannelse/: the catalogue, a session (register, cancel, accept an
offer), my training, the attendance list, coverage, the certificate and the .ics file.

Each view is thin: gate → one selector or service → page or redirect. The gates are in
``vejud.access.gate`` and ``vejud.access.training`` (wrong role 403; a registration or
attendance list not the user's 404), and the services check again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.rules import Capability, has_capability
from vejud.access.training import (
    coverage_reach,
    may_manage_catalogue,
    may_take_attendance,
    registration_view,
    registrations_visible_to,
    teacher_view,
)
from vejud.core.attempt import attempt, submitted
from vejud.core.paging import positive_int
from vejud.training.documents import (
    certificate_filename,
    certificate_pdf,
    ics_filename,
    registration_ics,
)
from vejud.training.forms import (
    CheckInForm,
    CourseForm,
    RegisterForm,
    SessionForm,
    SessionStatusForm,
)
from vejud.training.models import Completion, Registration, RegistrationStatus, Session
from vejud.training.selectors import (
    attendance_sheet,
    catalogue,
    coverage,
    own_registration,
    requirements_of,
    session_detail,
    waiting_position,
)
from vejud.training.services import (
    accept_offer,
    cancel,
    check_in,
    course_create,
    register,
    session_create,
    session_set_status,
)


def _session_url(session_id: int) -> str:
    return reverse("training:session", kwargs={"session_id": session_id})


@requires(Capability.TAKE_TRAINING)
@never_cache
@require_GET
def catalogue_view(request: AuthenticatedRequest) -> HttpResponse:
    """The courses and theme days, each with its coming sessions and free seats."""
    context = {
        "entries": catalogue(),
        "can_see_coverage": has_capability(request.user, Capability.VIEW_TRAINING_COVERAGE),
        "manages": may_manage_catalogue(request.user),
    }
    return render(request, "training/catalogue.html", context)


@requires(Capability.TAKE_TRAINING)
@never_cache
@require_GET
def session_view(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """One session: days, place, seats, the user's own registration and the registrations
    the user may see (own, their unit's, or all)."""
    session = session_detail(session_id)
    mine = own_registration(request.user, session)
    registrations = (
        registrations_visible_to(request.user)
        .filter(session=session)
        .select_related("user", "unit")
        .order_by("status", "created_at", "pk")
    )
    context = {
        "session": session,
        "mine": mine,
        "position": waiting_position(mine) if mine else None,
        "registrations": registrations,
        "form": RegisterForm(actor=request.user),
        "takes_attendance": may_take_attendance(request.user, session),
        "status_form": SessionStatusForm() if may_manage_catalogue(request.user) else None,
    }
    return render(request, "training/session.html", context)


@requires(Capability.TAKE_TRAINING)
@never_cache
@require_POST
def session_register(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """Register oneself or one of one's staff; a full session puts them on the waiting list."""
    session = get_object_or_404(Session, pk=session_id)
    form = RegisterForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose someone you may register."))
        return redirect(_session_url(session.pk))
    participant = form.cleaned_data.get("participant")
    attempt(
        request,
        lambda: register(actor=request.user, session=session, participant=participant),
        _registered_message,
    )
    return redirect(_session_url(session.pk))


def _registered_message(registration: Registration) -> str:
    name = registration.user.full_name
    if registration.status == RegistrationStatus.WAITING:
        return _("The session is full: %(name)s is on the waiting list.") % {"name": name}
    return _("%(name)s is registered.") % {"name": name}


def _cancel_confirmation(request: AuthenticatedRequest, registration: Registration) -> HttpResponse:
    session = registration.session
    what = _(
        "The registration of %(name)s for %(course)s (%(place)s) is cancelled. "
        "A seat that frees up passes to the next on the waiting list."
    ) % {
        "name": registration.user.full_name,
        "course": session.course.title,
        "place": session.place,
    }
    context = {
        "title": _("Cancel the registration"),
        "consequence": what,
        "confirm_label": _("Yes, cancel the registration"),
        "back_url": _session_url(session.pk),
    }
    return render(request, "confirm.html", context)


def _registration_step(
    request: AuthenticatedRequest,
    registration: Registration,
    service: Callable[..., Any],
    success: str,
) -> HttpResponse:
    """Run ``service`` on the registration as the user, then back to the session's page."""
    attempt(request, lambda: service(actor=request.user, registration=registration), success)
    return redirect(_session_url(registration.session_id))


@registration_view()
@never_cache
@require_http_methods(["GET", "POST"])
def registration_cancel(request: AuthenticatedRequest, registration: Registration) -> HttpResponse:
    """Cancel a registration, a place on the waiting list or an offer; GET asks first."""
    if request.method == "GET":
        return _cancel_confirmation(request, registration)
    return _registration_step(request, registration, cancel, _("The registration is cancelled."))


@registration_view()
@never_cache
@require_POST
def registration_accept(request: AuthenticatedRequest, registration: Registration) -> HttpResponse:
    """Accept an offered seat before the offer expires."""
    accepted = _("You accepted the seat: the registration is confirmed.")
    return _registration_step(request, registration, accept_offer, accepted)


@registration_view()
@never_cache
@require_GET
def registration_calendar(
    request: AuthenticatedRequest, registration: Registration
) -> HttpResponse:
    """The session's days as an iCalendar file."""
    response = HttpResponse(
        registration_ics(registration, host=request.get_host()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, ics_filename(registration))
    return response


@registration_view()
@never_cache
@require_GET
def certificate(request: AuthenticatedRequest, registration: Registration) -> HttpResponse:
    """The completion certificate of a completed registration (404 before completion)."""
    completions = Completion.objects.select_related("course", "user", "registration__session")
    completion = get_object_or_404(completions, registration=registration)
    response = HttpResponse(certificate_pdf(completion), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, certificate_filename(completion)
    )
    return response


@requires(Capability.TAKE_TRAINING)
@never_cache
@require_GET
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The user's registrations, completions and what their roles require of them."""
    context = {
        "registrations": Registration.objects.filter(user=request.user)
        .select_related("session__course")
        .prefetch_related("session__days", "completion")
        .order_by("-created_at", "-pk"),
        "completions": Completion.objects.filter(user=request.user).select_related("course"),
        "requirements": requirements_of(request.user),
    }
    return render(request, "training/mine.html", context)


@teacher_view
@never_cache
@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedRequest, session: Session) -> HttpResponse:
    """The attendance list per day (printable); POST checks a participant in."""
    if request.method == "POST":
        _check_in(request, session, CheckInForm(request.POST))
        return redirect(reverse("training:attendance", kwargs={"session_id": session.pk}))
    return render(request, "training/attendance.html", {"sheet": attendance_sheet(session)})


def _check_in(request: AuthenticatedRequest, session: Session, form: CheckInForm) -> None:
    if not form.is_valid():
        messages.error(request, _("Choose a participant and a day."))
        return
    registration = Registration.objects.filter(
        pk=form.cleaned_data["registration"], session=session
    ).first()
    day = session.days.filter(pk=form.cleaned_data["day"]).first()
    if registration is None or day is None:
        messages.error(request, _("Choose a participant and a day."))
        return
    attempt(
        request,
        lambda: check_in(actor=request.user, registration=registration, day=day),
        lambda attendance: _("%(name)s is checked in.") % {"name": registration.user.full_name},
    )


@requires(Capability.VIEW_TRAINING_COVERAGE)
@never_cache
@require_GET
def coverage_view(request: AuthenticatedRequest) -> HttpResponse:
    """Who is trained, per course and per agency, district and unit; whose training expired
    or is missing for their role (by name for coordinators and the national contact point)."""
    reach = coverage_reach(request.user)
    return render(request, "training/coverage.html", {"reach": reach, "courses": coverage(reach)})


# --- The catalogue and sessions, run by the national contact point ---------------------------


def _form_page(request: AuthenticatedRequest, form: Any, title: str, submit: str) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "submit": submit,
        "action_url": request.path,
        "cancel_url": reverse("training:catalogue"),
    }
    return render(request, "training/form_page.html", context)


@requires(Capability.MANAGE_TRAINING)
@never_cache
@require_http_methods(["GET", "POST"])
def course_new(request: AuthenticatedRequest) -> HttpResponse:
    """Add a course or theme day to the catalogue."""
    form = CourseForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda: course_create(actor=request.user, **form.cleaned_data),
        lambda course: _("%(title)s is in the catalogue.") % {"title": course},
        lambda course: f"{reverse('training:catalogue')}#course-{course.code}",
    )
    return done or _form_page(
        request, form, _("New course or theme day"), _("Add to the catalogue")
    )


@requires(Capability.MANAGE_TRAINING)
@never_cache
@require_http_methods(["GET", "POST"])
def session_new(request: AuthenticatedRequest) -> HttpResponse:
    """Plan a session of a course: days, place, capacity, quotas, deadline, teachers."""
    initial = (
        {"course": request.GET.get("course", "")} if positive_int(request.GET.get("course")) else {}
    )
    form = SessionForm(request.POST or None, initial=initial)
    done = submitted(
        request,
        form,
        lambda: session_create(actor=request.user, **form.cleaned_data),
        _("The session is planned."),
        lambda session: _session_url(session.pk),
        {"quota": ("quotas",)},
    )
    return done or _form_page(request, form, _("New session"), _("Plan the session"))


@requires(Capability.MANAGE_TRAINING)
@never_cache
@require_POST
def session_status(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """Change a session's status (cancelling cancels every registration)."""
    session = get_object_or_404(Session, pk=session_id)
    form = SessionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(_session_url(session.pk))
    status = form.cleaned_data["status"]
    attempt(
        request,
        lambda: session_set_status(actor=request.user, session=session, status=status),
        lambda changed: (
            _("The session is now %(status)s.") % {"status": changed.get_status_display()}
        ),
    )
    return redirect(_session_url(session.pk))
