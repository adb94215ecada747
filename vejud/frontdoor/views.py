"""The public pages (no login) and the units' pages for the inquiries sent through them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from vejud.access.frontdoor import public_inquiries_visible, public_inquiry_gate
from vejud.access.gate import AuthenticatedRequest, public, requires
from vejud.access.rules import Capability
from vejud.accounts.models import User
from vejud.audit.services import log_access
from vejud.cases.models import Case
from vejud.cases.services import OpenCaseError
from vejud.core.attempt import submitted
from vejud.core.clientip import client_ip
from vejud.core.errors import ConflictError
from vejud.core.forms import service_error
from vejud.frontdoor.forms import CloseForm, PublicInquiryForm, PublicTextForm, TooFast
from vejud.frontdoor.models import PublicInquiry, PublicText, SubmissionStatus, TextKey
from vejud.frontdoor.pages import RECEIPT_COOKIE, render_start
from vejud.frontdoor.services import (
    public_inquiry_close,
    public_inquiry_convert,
    public_inquiry_submit,
    public_text_update,
)
from vejud.frontdoor.texts import sections
from vejud.intake.forms import InquiryForm
from vejud.intake.services import PossibleDuplicateError

QUEUE_SHOWN = 100
PERSON_FIELDS = ("first_name", "last_name", "birth_date", "cpr", "phone", "confirm_new_person")
ROUTE_FIELDS = ("municipality", "in_custody", "institution", "note")


def _address(group: str, request: HttpRequest) -> str:
    return client_ip(request) or "unknown"


@public
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """About exit and how to ask for help (also served at / to those not signed in)."""
    return render_start(request)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """The secure inquiry form. It works without JavaScript; its answer reveals nothing sent."""
    form = PublicInquiryForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "sections": _form_sections()}
    if request.method != "POST":
        return render(request, "frontdoor/contact.html", context)
    refused = _refusal(request, form, context)
    if refused is not None:
        return refused
    fields = {k: v for k, v in form.cleaned_data.items() if k not in {"website", "started"}}
    try:
        inquiry = public_inquiry_submit(**fields)
    except ValidationError as exc:
        form.add_error(None, exc)
        form.restart()
        return render(request, "frontdoor/contact.html", context, status=400)
    return _receipt_redirect(inquiry.code)


def _refusal(
    request: HttpRequest, form: PublicInquiryForm, context: dict[str, Any]
) -> HttpResponse | None:
    """The answer to a submission not taken: over the address's limit (429, calm), a robot (as
    if sent), sent too fast or invalid (400, the form again); None when it may be taken."""
    if is_ratelimited(
        request,
        group="frontdoor.contact",
        key=_address,
        rate=settings.VEJUD_PUBLIC_INQUIRY_RATE,
        method="POST",
        increment=True,
    ):
        return render(request, "frontdoor/limited.html", status=429)
    if form.is_robot:
        return _receipt_redirect(None)  # as if sent; nothing is kept
    try:
        form.check_fill_time()
    except TooFast:
        context["too_fast"] = True
    if context.get("too_fast") or not form.is_valid():
        form.restart()
        return render(request, "frontdoor/contact.html", context, status=400)
    return None


def _form_sections() -> list[Any]:
    return [s for s in sections() if s.key in {TextKey.FORM, TextKey.PROTECTION}]


def _receipt_redirect(code: str | None) -> HttpResponse:
    response = redirect("frontdoor:receipt")
    if code:
        response.set_signed_cookie(
            RECEIPT_COOKIE,
            code,
            salt=RECEIPT_COOKIE,
            max_age=15 * 60,
            httponly=True,
            samesite="Strict",
            secure=not settings.DEBUG,
        )
    return response


@public
@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The neutral receipt: a short code, and nothing of what was sent or where it went."""
    code = request.get_signed_cookie(RECEIPT_COOKIE, default=None, salt=RECEIPT_COOKIE)
    response = render(request, "frontdoor/receipt.html", {"code": code})
    response.delete_cookie(RECEIPT_COOKIE, samesite="Strict")
    return response


@requires(Capability.HANDLE_PUBLIC_INQUIRIES)
@never_cache
@require_GET
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """The inquiries sent through the public form to one's units: open ones first by due date."""
    show_all = request.GET.get("vis") == "alle"
    rows = public_inquiries_visible(request.user).select_related("unit", "institution")
    if not show_all:
        rows = rows.filter(status=SubmissionStatus.NEW)
    rows = rows.order_by("status", "respond_by", "id").only(
        "code",
        "status",
        "respond_by",
        "received_at",
        "whereabouts",
        "sender",
        "unit__name",
        "institution__name",
    )
    context = {
        "rows": rows[:QUEUE_SHOWN],
        "shown": QUEUE_SHOWN,
        "show_all": show_all,
        "today": timezone.localdate(),
    }
    return render(request, "frontdoor/queue.html", context)


@public_inquiry_gate(Capability.HANDLE_PUBLIC_INQUIRIES)
@never_cache
@require_GET
def detail(request: AuthenticatedRequest, inquiry: PublicInquiry) -> HttpResponse:
    """What was sent (logged as a view of it), with the two ways to answer it."""
    log_access(user=request.user, part="public_inquiry", request=request, reason=inquiry.code)
    return render(request, "frontdoor/detail.html", {"inquiry": inquiry, "close_form": CloseForm()})


@public_inquiry_gate(Capability.HANDLE_PUBLIC_INQUIRIES)
@require_POST
def close(request: AuthenticatedRequest, inquiry: PublicInquiry) -> HttpResponse:
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            public_inquiry_close(
                actor=request.user, inquiry=inquiry, reason=form.cleaned_data["reason"]
            )
        except ConflictError:
            raise
        except ValidationError as exc:
            service_error(form, exc, {"reason_required": ("reason",)})
        else:
            messages.success(request, _("The inquiry is closed, and what was sent is deleted."))
            return redirect("frontdoor:queue")
    context = {"inquiry": inquiry, "close_form": form}
    return render(request, "frontdoor/detail.html", context, status=400)


@public_inquiry_gate(Capability.HANDLE_PUBLIC_INQUIRIES)
@require_http_methods(["GET", "POST"])
def convert(request: AuthenticatedRequest, inquiry: PublicInquiry) -> HttpResponse:
    """Register the inquiry on a person: the intake form, filled in from what was sent."""
    if inquiry.status != SubmissionStatus.NEW:
        raise ConflictError(_("The inquiry has been answered already. Reload the page."))
    initial = {
        "first_name": inquiry.called,
        "phone": inquiry.phone,
        "municipality": inquiry.municipality_id,
        "in_custody": inquiry.whereabouts == "custody",
        "institution": inquiry.institution_id,
        "note": inquiry.message,
        "source": "public_form",
        "channel": "web_form",
    }
    form = InquiryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        case, status = _convert(request.user, inquiry, form)
        if case is not None:
            messages.success(
                request, _("The inquiry is registered as %(ref)s.") % {"ref": case.reference}
            )
            return redirect("frontdoor:queue")
    context = {"inquiry": inquiry, "form": form}
    return render(request, "frontdoor/convert.html", context, status=status)


def _convert(user: User, inquiry: PublicInquiry, form: InquiryForm) -> tuple[Case | None, int]:
    """Register the inquiry from the valid form: the case, or None and the status to answer
    with (the refusal on the form)."""
    if not form.is_valid():
        return None, 400
    fields = {name: form.cleaned_data[name] for name in (*PERSON_FIELDS, *ROUTE_FIELDS)}
    try:
        return public_inquiry_convert(actor=user, inquiry=inquiry, **fields), 200
    except PossibleDuplicateError as exc:
        form.add_error(None, exc.message)
        return None, 400
    except OpenCaseError as exc:
        form.add_error(None, exc.text)
        return None, 409
    except ConflictError:
        raise
    except ValidationError as exc:
        form.add_error(None, exc)
        return None, 400


@requires(Capability.EDIT_PUBLIC_TEXTS)
@never_cache
@require_GET
def texts(request: AuthenticatedRequest) -> HttpResponse:
    """The public pages' texts in each language, as shown now, with their versions."""
    edited = {
        (t.key, t.language): t
        for t in PublicText.objects.select_related("changed_by").prefetch_related(
            "versions__changed_by"
        )
    }
    languages = settings.LANGUAGES
    rows = [
        {
            "key": key.value,
            "label": key.label,
            "languages": [
                {"code": code, "name": name, "text": edited.get((key.value, code))}
                for code, name in languages
            ],
        }
        for key in TextKey
    ]
    return render(request, "frontdoor/texts.html", {"rows": rows})


@requires(Capability.EDIT_PUBLIC_TEXTS)
@require_http_methods(["GET", "POST"])
def text_edit(request: AuthenticatedRequest, key: str, language: str) -> HttpResponse:
    if key not in TextKey.values or language not in dict(settings.LANGUAGES):
        return render(request, "404.html", status=404)
    current = next(s for s in sections(language) if s.key == key)
    form = PublicTextForm(
        request.POST or None, initial={"title": current.title, "body": current.body}
    )
    done = submitted(
        request,
        form,
        lambda: public_text_update(
            actor=request.user, key=key, language=language, **form.cleaned_data
        ),
        _("The text is changed on the public pages."),
        lambda text: reverse("frontdoor:texts"),
    )
    if done is not None:
        return done
    context = {
        "form": form,
        "key": key,
        "label": TextKey(key).label,
        "language": dict(settings.LANGUAGES)[language],
    }
    return render(request, "frontdoor/text_edit.html", context, status=400 if form.errors else 200)
