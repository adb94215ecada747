"""Caseworker pages: caseload, case page, journal, protected address and break the glass.

Every view is wrapped by one gate decorator from ``vejud.access.gate``; reads go
through ``cases_visible_to``/``get_case_for`` and writes through the services.
Every view of a person's data writes an access-log record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from vejud.access.cases import (
    AccessRuleDenied,
    CaseAccess,
    access_entries,
    cases_visible_to,
    log_case_access,
)
from vejud.access.casework import Actor, may_work_on
from vejud.access.gate import AuthenticatedRequest, case_view, requires
from vejud.access.rules import Capability, Part, has_capability
from vejud.access.units import caseload_units, has_units
from vejud.accounts.decorators import reauth_required
from vejud.accounts.models import User
from vejud.audit.services import log_access_many
from vejud.cases import services
from vejud.cases.badges import status_badge_class
from vejud.cases.forms import (
    BreakGlassForm,
    CaseloadFilterForm,
    CustodianAddForm,
    JournalCorrectForm,
    JournalNoteForm,
    ProtectedAddressForm,
    ReasonForm,
    RevealNamesForm,
)
from vejud.cases.models import (
    Case,
    CaseStatus,
    JournalEntry,
    Track,
)
from vejud.cases.selectors import caseload_filter, caseload_search, mentor_assignments
from vejud.core.dates import age_on
from vejud.core.htmx import is_htmx
from vejud.core.paging import keyset_page, positive_int
from vejud.core.rows import PrintedRow
from vejud.people.models import ProtectedAddress
from vejud.people.services import (
    address_custodian_add,
    protected_address_set,
    user_is_address_custodian,
)

RESULTS_TARGET = "caseload-results"


@dataclass(frozen=True)
class CaseRow(PrintedRow):
    """One caseload row with its texts worked out in Python: the template only prints them.

    The caseload is the hottest page; looking up model attributes, translating labels and
    reversing URLs row by row in the template cost more than the query that reads the rows.
    """

    pk: int
    reference: str
    url: str
    status_label: str
    badge: str
    track_label: str
    unit: str
    institution: str
    opened_on: str


def caseload_rows(cases: Iterable[Case]) -> list[CaseRow]:
    """Return the rows of ``cases`` (with their unit and institution selected)."""
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    tracks = {value: str(label) for value, label in Track.choices}
    head, _placeholder, tail = reverse("cases:detail", kwargs={"reference": "~"}).rpartition("~")
    dates: dict[date, str] = {}
    rows = []
    for case in cases:
        opened = dates.get(case.opened_on)
        if opened is None:
            opened = dates[case.opened_on] = date_format(case.opened_on, "SHORT_DATE_FORMAT")
        rows.append(
            CaseRow(
                pk=case.pk,
                reference=case.reference,
                url=f"{head}{quote(case.reference, safe='')}{tail}",
                status_label=statuses[case.status],
                badge=status_badge_class(case.status),
                track_label=tracks[case.track],
                unit=case.responsible_unit.name,
                institution=case.institution.name if case.institution is not None else "",
                opened_on=opened,
            )
        )
    return rows


# Caseload -------------------------------------------------------------------


@dataclass(frozen=True)
class SelectFilter:
    """One select of the caseload's filter form, ready to print (see ``filter_selects``)."""

    name: str
    id: str
    label: str
    options: list[tuple[str, str, bool]]  # (value, label, selected)
    error: str


def filter_selects(form: CaseloadFilterForm, *, with_unit: bool) -> list[SelectFilter]:
    """The status, track and unit selects of the filter form as plain values.

    The markup is what ``components/field.html`` and Django's Select widget print (label,
    error message, ``aria-invalid`` and ``aria-describedby`` on an invalid choice), but
    printed by the caseload template directly: rendering each option through the widget
    templates cost as much as the rest of the page.
    """
    names = ["status", "track", *(["unit"] if with_unit else [])]
    return [_select_filter(form, name) for name in names]


def _select_filter(form: CaseloadFilterForm, name: str) -> SelectFilter:
    field = form.fields[name]
    current = str(form.data.get(name, "")) if form.is_bound else ""
    errors = form.errors.get(name, ()) if form.is_bound else ()
    return SelectFilter(
        name=name,
        id=form[name].auto_id,
        label=str(field.label),
        options=[
            (str(value), str(label), str(value) == current)
            for value, label in _select_choices(field)
        ],
        error=" ".join(str(e) for e in errors),
    )


def _select_choices(field: forms.Field) -> list[tuple[Any, Any]]:
    if isinstance(field, forms.ModelChoiceField):
        assert field.queryset is not None  # CaseloadFilterForm sets the units
        return [("", field.empty_label or ""), *field.queryset.values_list("pk", "name")]
    return list(field.choices)  # type: ignore[attr-defined]


# What the caseload's rows, the name search's access log and the break-the-glass check read of
# a case and its units (the cases' and both units' every column were read and converted).
CASELOAD_COLUMNS = (
    "id", "reference", "person_id", "status", "track", "opened_on",
    "responsible_unit_id", "responsible_unit__name", "institution_id", "institution__name",
)  # fmt: skip


def _filtered_cases(
    user: User, form: CaseloadFilterForm
) -> tuple[QuerySet[Case], tuple[str, str] | None]:
    """Return the user's visible cases narrowed by the form, and the search it asks for."""
    cases = (
        cases_visible_to(user)
        .select_related("responsible_unit", "institution")
        .only(*CASELOAD_COLUMNS)
    )
    if not form.is_bound:
        return cases, None
    form.is_valid()  # an invalid field is reported and ignored; the valid ones still filter
    data = form.cleaned_data
    search = form.search_kind() if "q" in data else None
    cases = caseload_filter(
        cases, status=data.get("status"), track=data.get("track"), unit=data.get("unit")
    )
    return caseload_search(cases, search), search


@requires(Capability.VIEW_CASES)
@never_cache
@require_GET
def caseload(request: AuthenticatedRequest) -> HttpResponse:
    """List the user's visible cases with filters, search and keyset pagination."""
    form = CaseloadFilterForm(request.GET or None, units=caseload_units(request.user))
    cases, search = _filtered_cases(request.user, form)
    size = settings.VEJUD_CASELOAD_PAGE_SIZE
    rows, first_url, next_url = keyset_page(request, cases, size)
    name_search = bool(search and search[0] == "name")
    if name_search and rows:
        # A name search tells the user who is a candidate, so each person found is logged.
        entries = access_entries(request.user, rows)
        log_access_many(user=request.user, part="name_search", entries=entries, request=request)
    context = {
        "form": form,
        "cases": caseload_rows(rows),
        "next_url": next_url,
        "first_url": first_url,
        "filter_selects": filter_selects(form, with_unit=has_units(request.user)),
        "case_ids": " ".join(str(case.pk) for case in rows),
        "name_search": name_search,
    }
    template = "cases/caseload.html"
    if is_htmx(request) and request.htmx.target == RESULTS_TARGET:  # type: ignore[attr-defined]
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@requires(Capability.VIEW_CASES)
@never_cache
@require_POST
def reveal_names(request: AuthenticatedRequest) -> HttpResponse:
    """Show the names of the cases on the caseload page; one access-log record per person."""
    form = RevealNamesForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Invalid list of cases."))
    cases = _named_cases(request.user, form.cleaned_data["ids"])
    if cases:
        log_access_many(
            user=request.user,
            part=Part.IDENTITY.value,
            entries=access_entries(request.user, cases),
            request=request,
        )
    template = "cases/reveal_names.html"
    if is_htmx(request):
        template += "#names"
    return render(request, template, {"cases": cases})


def _named_cases(user: User, ids: list[int]) -> list[Case]:
    """Return the user's visible cases among ``ids`` with what their names need, newest first."""
    return list(
        cases_visible_to(user)
        .filter(pk__in=ids)
        .select_related("person")
        .only(
            "pk",
            "reference",
            "responsible_unit_id",
            "track",
            "institution_id",
            "person_id",
            "person__first_name",
            "person__last_name",
        )
        .order_by("-pk")
    )


# The case page ----------------------------------------------------------------


def _format_cpr(cpr: str) -> str:
    return f"{cpr[:6]}-{cpr[6:]}" if len(cpr) == 10 else cpr


JOURNAL_PAGE_SIZE = 20
# What the journal shows of a note, its author and its correction (the author's whole user row
# and the correction's text were read and built into instances for nothing).
JOURNAL_COLUMNS = (
    "id", "case_id", "author_id", "created_at", "text", "corrects_id",
    "author__full_name", "corrected_by__id", "corrected_by__corrects_id",
)  # fmt: skip


def _journal(access: CaseAccess, before: int | None = None) -> tuple[list[JournalEntry], bool]:
    """Return one page of the journal, newest first, and whether older notes follow.

    A page is ``JOURNAL_PAGE_SIZE`` notes after the note ``before`` (keyset on
    written-at and id), so a case with a long history costs the same as a new one.
    Each entry knows its correction, wherever that is (one query).
    """
    entries = (
        access.case.journal_entries.select_related("author", "corrected_by")
        .only(*JOURNAL_COLUMNS)
        .order_by("-created_at", "-pk")
    )
    if before is not None:
        anchor = access.case.journal_entries.filter(pk=before).values_list("created_at").first()
        if anchor is not None:
            entries = entries.filter(
                Q(created_at__lt=anchor[0]) | Q(created_at=anchor[0], pk__lt=before)
            )
    page = list(entries[: JOURNAL_PAGE_SIZE + 1])
    for entry in page:
        entry.correction = getattr(entry, "corrected_by", None)  # type: ignore[attr-defined]
    return page[:JOURNAL_PAGE_SIZE], len(page) > JOURNAL_PAGE_SIZE


def _journal_context(
    request: AuthenticatedRequest, access: CaseAccess, **extra: Any
) -> dict[str, Any]:
    before = positive_int(request.GET.get("notes_before")) if request.method == "GET" else None
    entries, has_older = _journal(access, before)
    path = access.case.get_absolute_url()
    _note_texts(access.case, entries)
    context: dict[str, Any] = {
        "access": access,
        "case": access.case,
        "entries": entries,
        "journal_older_url": f"{path}?notes_before={entries[-1].pk}#journal" if has_older else "",
        "journal_newest_url": f"{path}#journal" if before else "",
        "can_write_journal": may_work_on(request.user, access),
        "note_form": JournalNoteForm(),
    }
    context.update(extra)
    return context


def _note_texts(case: Case, entries: list[JournalEntry]) -> None:
    """Give each note its heading, time and correction link and label, worked out once here:
    reversing, translating with a number and formatting a date note by note in the template
    cost more than the rest of the case page's journal."""
    head, _placeholder, tail = reverse(
        "cases:journal_correct", kwargs={"reference": case.reference, "entry_id": 1}
    ).rpartition("/1/")
    note, correct = _("Note %(number)s"), _("Correct note %(number)s")
    for entry in entries:
        number = {"number": entry.pk}
        entry.correct_url = f"{head}/{entry.pk}/{tail}"  # type: ignore[attr-defined]
        entry.heading = note % number  # type: ignore[attr-defined]
        entry.correct_label = correct % number  # type: ignore[attr-defined]
        entry.written = date_format(  # type: ignore[attr-defined]
            timezone.localtime(entry.created_at), "SHORT_DATETIME_FORMAT"
        )


def _case_page(
    request: AuthenticatedRequest,
    access: CaseAccess,
    *,
    reveal_cpr: bool = False,
    reveal_threats: bool = False,
    note_form: JournalNoteForm | None = None,
) -> HttpResponse:
    """Log the view of the case and render the case page with what ``access`` allows.

    One transaction: the access-log row commits with the page's reads, never on its own.
    """
    with transaction.atomic():
        log_case_access(user=request.user, access=access, part="case", request=request)
        context: dict[str, Any] = {
            "access": access,
            "case": access.case,
            **_person_context(access, reveal_cpr=reveal_cpr, reveal_threats=reveal_threats),
            **_case_links_context(request.user, access),
        }
        if context["show_journal"]:
            context.update(_journal_context(request, access))
            if note_form is not None:
                context["note_form"] = note_form
        return render(request, "cases/detail.html", context)


def _person_context(
    access: CaseAccess, *, reveal_cpr: bool, reveal_threats: bool
) -> dict[str, Any]:
    """What the case page shows of the person: each part only as far as ``access`` allows."""
    person = access.case.person
    show_cpr = access.can_see(Part.CPR) and bool(person.cpr)
    return {
        "person": person,
        "age": age_on(person.birth_date, timezone.localdate()),
        "show_identity": access.can_see(Part.IDENTITY),
        "show_cpr": show_cpr,
        "cpr_masked": f"{person.cpr[:6]}-xxxx" if show_cpr else "",
        "cpr": _format_cpr(person.cpr) if reveal_cpr else "",
        "show_gang": access.can_see(Part.GANG),
        "show_threats": access.can_see(Part.THREATS),
        "threats": person.threat_notes if reveal_threats else None,
        "show_journal": access.can_see(Part.JOURNAL),
    }


# What the case page shows of the person's other cases ("Other attempts").
EARLIER_CASE_COLUMNS = (
    "id", "reference", "status", "opened_on", "closed_on",
    "responsible_unit_id", "responsible_unit__name",
)  # fmt: skip


def _case_links_context(user: User, access: CaseAccess) -> dict[str, Any]:
    """The case page's earlier cases, mentors, protected-address links and break-the-glass."""
    case = access.case
    is_custodian = access.can_see(Part.PROTECTED_ADDRESS) and user_is_address_custodian(
        user=user, person_id=case.person_id
    )
    mentors = mentor_assignments(case)
    today = timezone.localdate()
    return {
        "can_view_person": has_capability(user, Capability.VIEW_CASES),
        "earlier_cases": list(
            cases_visible_to(user)
            .filter(person_id=case.person_id)
            .exclude(pk=case.pk)
            .select_related("responsible_unit")
            .only(*EARLIER_CASE_COLUMNS)
            .order_by("-opened_on", "-pk")
        ),
        "mentors": mentors,
        "current_mentor": next((a.mentor for a in mentors if a.active_on(today)), None),
        "is_custodian": is_custodian,
        "can_register_address": access.can_see(Part.PROTECTED_ADDRESS)
        and not is_custodian
        and has_capability(user, Capability.MANAGE_PERSON_ACCESS)
        and may_work_on(user, access),
    }


@case_view(part=Part.SUMMARY)
@never_cache
@require_GET
def detail(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Show the case page (each view is logged)."""
    return _case_page(request, access)


@case_view(part=Part.CPR)
@never_cache
@require_POST
def reveal_cpr(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Show the full CPR number (logged)."""
    cpr = _format_cpr(access.case.person.cpr)
    return _reveal(request, access, Part.CPR, {"show_cpr": True, "cpr": cpr})


@case_view(part=Part.THREATS)
@never_cache
@require_POST
def reveal_threats(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Show the threats against the person (logged)."""
    threats = access.case.person.threat_notes
    return _reveal(request, access, Part.THREATS, {"threats": threats})


def _reveal(
    request: AuthenticatedRequest,
    access: CaseAccess,
    part: Part,
    shown: dict[str, Any],
) -> HttpResponse:
    """Log the view of ``part`` (the CPR number or the threats); htmx gets the page's fragment
    for it with ``shown``, a plain request the whole case page with the part revealed."""
    log_case_access(user=request.user, access=access, part=part.value, request=request)
    if is_htmx(request):
        fragment = {Part.CPR: "cpr", Part.THREATS: "threats"}[part]
        return render(request, f"cases/detail.html#{fragment}", {"case": access.case, **shown})
    return _case_page(
        request, access, reveal_cpr=part == Part.CPR, reveal_threats=part == Part.THREATS
    )


# The journal ------------------------------------------------------------------


# Writing the journal is casework: its staff, never by breaking the glass (403 with the reason).
@case_view(part=Part.JOURNAL, actors=(Actor.CASEWORKER,))
@never_cache
@require_POST
def journal_add(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Add a note to the journal; htmx gets the refreshed journal back."""
    form = JournalNoteForm(request.POST)
    if form.is_valid():
        try:
            services.journal_add(
                actor=request.user, case=access.case, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error("text", exc.messages)
        else:
            if is_htmx(request):
                return render(
                    request,
                    "cases/detail.html#journal",
                    _journal_context(request, access, journal_message=_("The note was added.")),
                )
            messages.success(request, _("The note was added."))
            return redirect(f"{access.case.get_absolute_url()}#journal")
    if is_htmx(request):
        return render(
            request, "cases/detail.html#journal", _journal_context(request, access, note_form=form)
        )
    return _case_page(request, access, note_form=form)


@case_view(part=Part.JOURNAL, actors=(Actor.CASEWORKER,))
@never_cache
@require_http_methods(["GET", "POST"])
def journal_correct(
    request: AuthenticatedRequest, access: CaseAccess, entry_id: int
) -> HttpResponse:
    """Correct a journal note with a new entry; the original stays and links to it."""
    entry = get_object_or_404(
        JournalEntry.objects.select_related("author"), pk=entry_id, case=access.case
    )
    form = JournalCorrectForm(
        request.POST or None, initial={"text": entry.text}, prefix=f"correct-{entry.pk}"
    )
    if request.method == "POST" and form.is_valid() and _correct_entry(request, entry, form):
        if is_htmx(request):
            response = render(
                request,
                "cases/detail.html#journal",
                _journal_context(request, access, journal_message=_("The note was corrected.")),
            )
            return reswap(retarget(response, "#journal"), "outerHTML")
        messages.success(request, _("The note was corrected."))
        return redirect(f"{access.case.get_absolute_url()}#entry-{entry.pk}")
    context = {"case": access.case, "entry": entry, "form": form}
    if is_htmx(request):
        return render(request, "cases/journal_correct.html#correct_form", context)
    return render(request, "cases/journal_correct.html", context)


def _correct_entry(
    request: AuthenticatedRequest, entry: JournalEntry, form: JournalCorrectForm
) -> bool:
    """Correct ``entry`` through the service; return False with the error on the form."""
    try:
        services.journal_correct(
            actor=request.user,
            entry=entry,
            text=form.cleaned_data["text"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return False
    return True


# The protected address -----------------------------------------------------------


def _custodians_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 404 unless the user is a named custodian: others must not learn it exists."""

    @wraps(view)
    def wrapper(
        request: AuthenticatedRequest, access: CaseAccess, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if not user_is_address_custodian(user=request.user, person_id=access.case.person_id):
            raise Http404
        return view(request, access, *args, **kwargs)

    return wrapper


def _custodian_page(
    *methods: str, actors: Iterable[str] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page of the protected address for its custodians: 404 to anyone else, only after
    a fresh reauthentication, never cached, and only the HTTP ``methods`` given. A page that
    changes the address names who makes the change (``actors``: 403 to a custodian who reads
    the case by breaking the glass)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        view = reauth_required(never_cache(require_http_methods(list(methods))(view)))
        return case_view(part=Part.PROTECTED_ADDRESS, actors=actors)(_custodians_only(view))

    return decorate


def _address_form(record: ProtectedAddress) -> ProtectedAddressForm:
    return ProtectedAddressForm(
        initial={
            "address": record.address,
            "cpr_protection": record.cpr_protection,
            "requested_on": record.protection_requested_on,
            "confirmed_on": record.protection_confirmed_on,
            "lifted_on": record.protection_lifted_on,
        }
    )


@_custodian_page("GET", "POST")
def protected_address(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Show the protected address to a custodian after a written reason (logged with it)."""
    form = ReasonForm(request.POST or None)
    context: dict[str, Any] = {"case": access.case, "access": access, "form": form}
    if request.method == "POST" and form.is_valid():
        record = ProtectedAddress.objects.get(person_id=access.case.person_id)
        log_case_access(
            user=request.user,
            access=access,
            part=Part.PROTECTED_ADDRESS.value,
            request=request,
            reason=form.cleaned_data["reason"],
        )
        context.update(
            {
                "record": record,
                "custodians": list(record.custodians.select_related("user").order_by("added_at")),
                "reports": list(
                    record.reports.select_related("reported_by", "case").order_by("-reported_at")
                ),
                "edit_form": _address_form(record),
                "custodian_form": CustodianAddForm(),
            }
        )
    return render(request, "cases/protected_address.html", context)


# The protected-address form pages, by URL name: (heading, submit button).
ADDRESS_FORM_PAGES = {
    "cases:protected_address_edit": (
        gettext_lazy("Change the protected address"),
        gettext_lazy("Save"),
    ),
    "cases:protected_address_new": (
        gettext_lazy("Register a protected address"),
        gettext_lazy("Register"),
    ),
    "cases:custodian_add": (gettext_lazy("Add a custodian"), gettext_lazy("Add custodian")),
}


def _address_form_page(
    request: AuthenticatedRequest, access: CaseAccess, form: forms.Form, action: str
) -> HttpResponse:
    """Render the form page of ``action`` (an ``ADDRESS_FORM_PAGES`` URL name) with ``form``."""
    heading, submit = ADDRESS_FORM_PAGES[action]
    context = {
        "case": access.case,
        "form": form,
        "heading": heading,
        "action": action,
        "submit_label": submit,
    }
    return render(request, "cases/protected_address_form.html", context)


def _save_address(
    request: AuthenticatedRequest, access: CaseAccess, form: ProtectedAddressForm
) -> bool:
    """Record the address through the service; return False with the error on the form."""
    data = form.cleaned_data
    try:
        protected_address_set(
            actor=request.user,
            person=access.case.person,
            case=access.case,
            address=data["address"],
            cpr_protection=data["cpr_protection"],
            requested_on=data["requested_on"],
            confirmed_on=data["confirmed_on"],
            lifted_on=data["lifted_on"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return False
    except PermissionDenied:
        form.add_error(
            None,
            _("The address cannot be recorded on this case. Contact the national contact point."),
        )
        return False
    return True


@_custodian_page("POST", actors=(Actor.CASEWORKER,))
def protected_address_edit(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Change the protected address and its CPR-register protection (custodians only)."""
    form = ProtectedAddressForm(request.POST)
    if form.is_valid() and _save_address(request, access, form):
        messages.success(request, _("The protected address was saved."))
        return redirect(access.case)
    return _address_form_page(request, access, form, "cases:protected_address_edit")


@case_view(
    part=Part.PROTECTED_ADDRESS,
    capability=Capability.MANAGE_PERSON_ACCESS,
    actors=(Actor.CASEWORKER,),
)
@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
def protected_address_new(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Register a protected address for the case's person; the user becomes its custodian."""
    if user_is_address_custodian(user=request.user, person_id=access.case.person_id):
        return redirect("cases:protected_address", reference=access.case.reference)
    form = ProtectedAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_address(request, access, form):
        # The same answer whether or not the person already had an address (hole 6).
        messages.success(request, _("The protected address was recorded."))
        return redirect(access.case)
    return _address_form_page(request, access, form, "cases:protected_address_new")


@_custodian_page("POST", actors=(Actor.CASEWORKER,))
def custodian_add(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Name another user as custodian of the protected address."""
    form = CustodianAddForm(request.POST)
    if form.is_valid():
        try:
            address_custodian_add(
                actor=request.user,
                case=access.case,
                user=form.cleaned_data["email"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, AccessRuleDenied):
            form.add_error("email", _("The user cannot see this case."))
        else:
            messages.success(request, _("The custodian was added."))
            return redirect(access.case)
    return _address_form_page(request, access, form, "cases:custodian_add")


# Break the glass ----------------------------------------------------------------

BREAK_GLASS_FIELD = {
    "not_found": "reference",
    "in_scope": "reference",
    "reason_too_short": "reason",
}


@requires(Capability.BREAK_GLASS)
@reauth_required
@never_cache
@require_http_methods(["GET", "POST"])
def break_glass(request: AuthenticatedRequest) -> HttpResponse:
    """Open a case outside the user's scope for a limited time on a written reason."""
    initial = {"reference": request.GET.get("reference", "")[:20]}
    form = BreakGlassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.break_glass_open(
                actor=request.user,
                reference=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(BREAK_GLASS_FIELD.get(str(exc.code)), exc.messages)
        else:
            messages.warning(
                request,
                _("Break the glass: you have access to %(reference)s until %(time)s. It is logged.")
                % {
                    "reference": grant.case.reference,
                    "time": time_format(timezone.localtime(grant.expires_at), "TIME_FORMAT"),
                },
            )
            return redirect(grant.case)
    context = {"form": form, "minutes": settings.VEJUD_BREAK_GLASS_MINUTES}
    return render(request, "cases/break_glass.html", context)
