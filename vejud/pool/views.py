"""Pages of the central pool: the national overview and year-end reports, the applications
list, budgets and guidelines, and the case pages (apply, decide, pay, release, documents).

Each view is thin: gate → form → one service call → redirect. The gate decides the role
(403) and the case (404); the services check the rest and their ``PermissionDenied`` is a
403. Every page that shows a case's grants logs the access (part "grants").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.decorators import csp_update
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from vejud.access.cases import CaseAccess, access_entries, log_case_access
from vejud.access.casework import acts_nationally, acts_nationally_on, may_apply_for_grants
from vejud.access.gate import AuthenticatedRequest, case_view, requires
from vejud.access.rules import Capability, Part, has_capability
from vejud.accounts.models import User
from vejud.actions.pages import action_page
from vejud.audit.services import log_access_many
from vejud.cases.models import Case
from vejud.core.attempt import submitted
from vejud.core.forms import service_error
from vejud.core.htmx import is_htmx
from vejud.core.paging import keyset_page, positive_int
from vejud.core.uploads import download
from vejud.pool.actions import (
    GRANT_ACTIONS,
    GRANT_APPLY,
    GrantAction,
    apply_form_kwargs,
    guideline_context,
)
from vejud.pool.charts import monthly_paid_svg
from vejud.pool.documents import (
    decision_letter_filename,
    decision_letter_pdf,
    year_report_filename,
    year_report_pdf,
)
from vejud.pool.forms import (
    FIELD_ALIASES,
    ApplicationFilterForm,
    BudgetEntryForm,
    BudgetYearForm,
    GuidelineForm,
)
from vejud.pool.models import (
    GRANTED_STATUSES,
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    Attachment,
    BudgetEntry,
    BudgetYear,
    Category,
    Guideline,
)
from vejud.pool.reports import year_report_filename_xlsx, year_report_xlsx
from vejud.pool.selectors import (
    YearOverview,
    applications_for_case,
    applications_visible_to,
    budget_availability,
    get_application_for,
    grant_actions,
    year_overview,
)
from vejud.pool.services import (
    APPLICABLE_STATUSES,
    StaleApplicationError,
    attachment_content,
    budget_entry_add,
    budget_year_create,
    guideline_publish,
)
from vejud.pool.states import (
    IllegalApplicationTransition,
)

PAGE_SIZE = 25
GRANTS = Part.GRANTS.value  # the access log's part for every page showing a case's grants
RESULTS_TARGET = "application-results"
LETTER_STATUSES = GRANTED_STATUSES | {ApplicationStatus.REFUSED}

# Form fields in kroner whose services take øre, by the service's name for them.
IN_ORE = {
    "amount": "amount_ore",
    "cap_per_grant": "cap_per_grant_ore",
    "cap_per_person_year": "cap_per_person_year_ore",
}


def _service_data(data: dict[str, Any]) -> dict[str, Any]:
    """Return a pool form's cleaned data as its service's keyword arguments."""
    return {IN_ORE.get(name, name): value for name, value in data.items()}


def _data(request: AuthenticatedRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _may_apply(request: AuthenticatedRequest, access: CaseAccess) -> bool:
    return may_apply_for_grants(request.user, access)


def _national(request: AuthenticatedRequest, access: CaseAccess, capability: Capability) -> bool:
    return acts_nationally_on(request.user, access, capability)


def _require_applicant_basis(access: CaseAccess) -> None:
    if access.break_glass:
        raise PermissionDenied(_("Breaking the glass gives access to read, not to apply."))


def _application_url(application: Application, anchor: str = "") -> str:
    url = reverse(
        "pool:application",
        kwargs={"reference": application.case.reference, "application_id": application.pk},
    )
    return f"{url}#{anchor}" if anchor else url


def _case_grants_url(case: Case) -> str:
    return reverse("pool:case_grants", kwargs={"reference": case.reference})


def _selected_year(raw: str | None, years: list[int]) -> int | None:
    """Return the year asked for, else this year if it has a budget, else the latest one."""
    asked = positive_int(raw)
    if asked is not None:
        return asked
    today = timezone.localdate().year
    if today in years:
        return today
    return years[0] if years else None


def _all_years() -> list[int]:
    return list(BudgetYear.objects.order_by("-year").values_list("year", flat=True))


# --- The national overview, the chart and the year-end reports ----------------------------


def _case_rows(user: User, budget_year: BudgetYear) -> list[dict[str, Any]]:
    """Return the year's figures per case the user may see (national roles only)."""
    rows = (
        applications_visible_to(user)
        .filter(budget_year=budget_year)
        .values("case_id", "case__reference", "case__person_id")
        .annotate(
            committed=Sum(
                F("approved_ore") - F("released_ore"), filter=Q(status__in=GRANTED_STATUSES)
            ),
            paid=Sum("paid_ore"),
            pending=Sum("amount_ore", filter=Q(status__in=OPEN_APPLICATION_STATUSES)),
            n=Count("id"),
        )
        .order_by("case__reference")
    )
    return [dict(row) for row in rows]


@requires(Capability.VIEW_POOL)
@never_cache
@require_GET
def overview(request: AuthenticatedRequest) -> HttpResponse:
    """Show a year's budget, committed, paid and available, per category, unit and month.

    National roles also see the figures per case (logged); analysts see aggregates only.
    """
    years = _all_years()
    year = _selected_year(request.GET.get("year"), years)
    budget_year = BudgetYear.objects.filter(year=year).first() if year else None
    figures = year_overview(budget_year) if budget_year is not None else None
    show_cases = acts_nationally(request.user, Capability.VIEW_GRANTS)
    context = {
        "years": years,
        "year": year,
        "budget_year": budget_year,
        "figures": figures,
        "months": _month_rows(figures.months) if figures else [],
        "show_cases": show_cases,
        "case_rows": _logged_case_rows(request, budget_year) if show_cases else [],
        "can_manage": has_capability(request.user, Capability.MANAGE_POOL),
    }
    return render(request, "pool/overview.html", context)


def _logged_case_rows(
    request: AuthenticatedRequest, budget_year: BudgetYear | None
) -> list[dict[str, Any]]:
    """The year's figures per case; each person shown is logged (grants)."""
    if budget_year is None:
        return []
    case_rows = _case_rows(request.user, budget_year)
    if case_rows:
        log_access_many(
            user=request.user,
            part=GRANTS,
            entries=[(r["case__person_id"], r["case_id"], False) for r in case_rows],
            request=request,
        )
    return case_rows


def _month_rows(months: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    return [(month, paid) for month, paid in months if paid]


# django-csp types a view as taking the request only, hence the two ignores.
@requires(Capability.VIEW_POOL)  # type: ignore[arg-type]
@never_cache
@require_GET
@csp_update({"style-src": ["'unsafe-inline'"]})  # type: ignore[arg-type]  # pygal's inline <style>
def chart(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """Serve the year's payments per month as an SVG bar chart (aggregates only)."""
    budget_year = get_object_or_404(BudgetYear, year=year)
    svg = monthly_paid_svg(budget_year.year, year_overview(budget_year).months)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


def _report_download(
    year: int,
    render: Callable[[YearOverview], bytes],
    content_type: str,
    filename: Callable[[BudgetYear], str],
) -> HttpResponse:
    """The year-end report of ``year`` as an attachment, rendered by ``render``."""
    budget_year = get_object_or_404(BudgetYear, year=year)
    response = HttpResponse(render(year_overview(budget_year)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename(budget_year)}"'
    return response


@requires(Capability.VIEW_POOL)
@never_cache
@require_GET
def report_xlsx(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """Download the year-end report as a spreadsheet (aggregates only: no case or person)."""
    return _report_download(
        year,
        year_report_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        year_report_filename_xlsx,
    )


@requires(Capability.VIEW_POOL)
@never_cache
@require_GET
def report_pdf(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """Download the year-end report as PDF (aggregates only: no case or person)."""
    return _report_download(year, year_report_pdf, "application/pdf", year_report_filename)


# --- The applications list ----------------------------------------------------------------


@requires(Capability.VIEW_GRANTS)
@never_cache
@require_GET
def applications(request: AuthenticatedRequest) -> HttpResponse:
    """List the applications on the user's cases, with filters and the budget available."""
    form = ApplicationFilterForm(request.GET or None, years=_all_years())
    rows = _filtered_applications(request.user, form)
    page, first_url, next_url = keyset_page(request, rows, PAGE_SIZE)
    if page:  # one entry a person, marked where the user reads the case by breaking the glass
        entries = access_entries(request.user, [a.case for a in page])
        log_access_many(user=request.user, part=GRANTS, entries=entries, request=request)
    this_year = BudgetYear.objects.filter(year=timezone.localdate().year).first()
    context = {
        "form": form,
        "applications": page,
        "next_url": next_url,
        "first_url": first_url,
        "this_year": this_year,
        "availability": budget_availability(this_year) if this_year is not None else [],
    }
    template = "pool/applications.html"
    if is_htmx(request) and request.htmx.target == RESULTS_TARGET:  # type: ignore[attr-defined]
        template = "pool/_application_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


def _filtered_applications(user: User, form: ApplicationFilterForm) -> QuerySet[Application]:
    """Return the applications the user may see, narrowed by the valid fields of ``form``."""
    rows = applications_visible_to(user)
    if not form.is_bound:
        return rows
    form.is_valid()  # an invalid field is reported and ignored; the valid ones still filter
    data = form.cleaned_data
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("year"):
        rows = rows.filter(budget_year__year=data["year"])
    if data.get("category"):
        rows = rows.filter(category=data["category"])
    return rows


# --- Budgets and guidelines ---------------------------------------------------------------


@requires(Capability.MANAGE_POOL)
@never_cache
@require_http_methods(["GET", "POST"])
def budget(request: AuthenticatedRequest) -> HttpResponse:
    """Show the budget years with their frames and entries; open a year or change a budget."""
    posted = request.POST.get("form") if request.method == "POST" else None
    years = list(BudgetYear.objects.prefetch_related("frames").order_by("-year"))
    selected = _selected_year(request.GET.get("year"), [y.year for y in years])
    target = next((y for y in years if y.year == selected), None)
    year_form = BudgetYearForm(
        request.POST if posted == "year" else None,
        prefix="year",
        initial={"year": timezone.localdate().year},
    )
    entry_form = BudgetEntryForm(request.POST if posted == "entry" else None, prefix="entry")
    shown = None
    if posted == "year" and year_form.is_valid():
        shown = _open_year(request, year_form)
    elif posted == "entry" and target is not None and entry_form.is_valid():
        shown = _change_budget(request, entry_form, target)
    if shown is not None:
        return redirect(f"{reverse('pool:budget')}?year={shown}")
    context = {"years": years, "target": target, "year_form": year_form, "entry_form": entry_form}
    return render(request, "pool/budget.html", {**context, **_budget_rows(target)})


def _open_year(request: AuthenticatedRequest, form: BudgetYearForm) -> int | None:
    """Open the budget year through the service; its year, or None with the error on the form."""
    try:
        created = budget_year_create(actor=request.user, **_service_data(form.cleaned_data))
    except ValidationError as exc:
        service_error(form, exc, FIELD_ALIASES)
        return None
    messages.success(request, _("The budget year is opened."))
    return created.year


def _change_budget(
    request: AuthenticatedRequest, form: BudgetEntryForm, target: BudgetYear
) -> int | None:
    """Book the budget entry through the service; the year, or None with the error on the form."""
    try:
        budget_entry_add(actor=request.user, budget_year=target, **_service_data(form.cleaned_data))
    except ValidationError as exc:
        service_error(form, exc, FIELD_ALIASES)
        return None
    messages.success(request, _("The budget is changed."))
    return target.year


def _budget_rows(target: BudgetYear | None) -> dict[str, Any]:
    """The selected year's category frames (with their labels) and entries, oldest first."""
    if target is None:
        return {"frames": [], "entries": []}
    labels = dict(Category.choices)
    entries = BudgetEntry.objects.filter(budget_year=target).select_related("created_by")
    return {
        "frames": [(str(labels.get(f.category, f.category)), f) for f in target.frames.all()],
        "entries": list(entries.order_by("created_at", "id")),
    }


@requires(Capability.VIEW_GRANTS)
@never_cache
@require_GET
def guidelines(request: AuthenticatedRequest) -> HttpResponse:
    """Show the guideline in force per category, and the earlier and coming ones."""
    today = timezone.localdate()
    rows = list(Guideline.objects.order_by("category", "-valid_from", "-id"))
    by_category = []
    for value, label in Category.choices:
        mine = [g for g in rows if g.category == value]
        in_force = next(
            (
                g
                for g in mine
                if g.valid_from <= today and (g.valid_to is None or g.valid_to >= today)
            ),
            None,
        )
        others = [g for g in mine if g is not in_force]
        by_category.append({"value": value, "label": label, "in_force": in_force, "others": others})
    context = {
        "categories": by_category,
        "can_publish": has_capability(request.user, Capability.MANAGE_POOL),
    }
    return render(request, "pool/guidelines.html", context)


GUIDELINE_PAGE = {
    "title": gettext_lazy("Publish a guideline"),
    "submit": gettext_lazy("Publish"),
    "back_label": gettext_lazy("Back to the guidelines"),
}


@requires(Capability.MANAGE_POOL)
@never_cache
@require_http_methods(["GET", "POST"])
def guideline_new(request: AuthenticatedRequest) -> HttpResponse:
    """Publish a guideline; the one in force for the category ends the day before."""
    form = GuidelineForm(
        _data(request),
        initial={"category": request.GET.get("category", ""), "valid_from": timezone.localdate()},
    )
    back = reverse("pool:guidelines")
    done = submitted(
        request,
        form,
        lambda: guideline_publish(actor=request.user, **_service_data(form.cleaned_data)),
        gettext_lazy("The guideline is published."),
        lambda guideline: back,
        FIELD_ALIASES,
    )
    context = {**GUIDELINE_PAGE, "form": form, "cancel_url": back, "back_url": back}
    return done or render(request, "pool/form_page.html", context)


# --- A case's grants ----------------------------------------------------------------------


@case_view(part=Part.GRANTS)
@never_cache
@require_GET
def case_grants(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """List the grant applications on a case with their totals."""
    case = access.case
    log_case_access(user=request.user, request=request, access=access, part=GRANTS)
    rows = list(applications_for_case(access))
    granted = [a for a in rows if a.is_granted]
    context = {
        "case": case,
        "applications": rows,
        "approved_ore": sum(a.committed_ore for a in granted),
        "paid_ore": sum(a.paid_ore for a in granted),
        "pending_ore": sum(a.amount_ore for a in rows if a.is_open),
        "can_apply": _may_apply(request, access) and case.status in APPLICABLE_STATUSES,
    }
    return render(request, "pool/case_grants.html", context)


def _by_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


@case_view(part=Part.GRANTS, capability=Capability.APPLY_GRANTS)
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedRequest, access: CaseAccess) -> HttpResponse:
    """Apply for a grant (the declared action ``grant_apply``); the guideline in force for
    the chosen category is shown alongside, swapped in by htmx when the category changes."""
    case = access.case
    if GRANT_APPLY.possible(request.user, case) and case.status not in APPLICABLE_STATUSES:
        messages.error(
            request,
            _("Grants can be applied for on cases under assessment or in an exit course."),
        )
        return redirect(_case_grants_url(case))
    category = (request.POST if request.method == "POST" else request.GET).get("category", "")
    guideline = guideline_context(case, category)
    if request.method == "GET" and is_htmx(request):
        log_case_access(user=request.user, request=request, access=access, part=GRANTS)
        return _by_htmx(render(request, "pool/_guideline.html", guideline))
    form_kwargs = apply_form_kwargs(case, category)
    return _by_htmx(
        action_page(request, access, GRANT_APPLY, form_kwargs=form_kwargs, context=guideline)
    )


# --- One application ----------------------------------------------------------------------


def _panel(
    request: AuthenticatedRequest, access: CaseAccess, application: Application
) -> dict[str, Any]:
    """Return the action forms the user may use on the application, by action name."""
    may = grant_actions(request.user, access, application)
    return {a.name: a.make_form(application) for a in GRANT_ACTIONS if may[a.name]}


def _budget_context(application: Application) -> dict[str, Any]:
    """Return the year's and the category's available budget (for the decision-maker)."""
    year = application.budget_year
    frame = next((row for row in budget_availability(year) if row[0] == application.category), None)
    return {
        "year_available_ore": year.available_ore,
        "frame_available_ore": frame[3] if frame else None,
    }


def _application_context(
    request: AuthenticatedRequest, access: CaseAccess, application: Application
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "case": access.case,
        "application": application,
        "events": list(application.events.select_related("actor").order_by("at", "id")),
        "attachments": list(
            Attachment.objects.filter(application=application)
            .defer("content")
            .select_related("uploaded_by")
            .order_by("uploaded_at", "id")
        ),
        "payments": list(application.payments.order_by("paid_on", "id")),
        "has_letter": application.status in LETTER_STATUSES,
    }
    if _national(request, access, Capability.DECIDE_GRANTS) and application.is_open:
        context.update(_budget_context(application))
    return context


@case_view(part=Part.GRANTS)
@never_cache
@require_GET
def application_detail(
    request: AuthenticatedRequest, access: CaseAccess, application_id: int
) -> HttpResponse:
    """Show an application: its history, documents, decision and payments, and the actions."""
    application = get_application_for(access, application_id)
    log_case_access(user=request.user, request=request, access=access, part=GRANTS)
    context = _application_context(request, access, application)
    context["panel"] = _panel(request, access, application)
    return render(request, "pool/application.html", context)


def _step(
    request: AuthenticatedRequest, access: CaseAccess, application: Application, action: GrantAction
) -> HttpResponse:
    """Show the action's form; on a valid POST run the service and go back to the application."""
    if not action.possible(application):
        messages.error(request, _("This is not possible on the application now."))
        return redirect(_application_url(application))
    if request.method == "GET":
        log_case_access(user=request.user, request=request, access=access, part=GRANTS)
    form = action.make_form(application, _data(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            action.run(request.user, application, action.from_form(form.cleaned_data))
        except (StaleApplicationError, IllegalApplicationTransition) as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_application_url(application))
        except ValidationError as exc:
            service_error(form, exc, FIELD_ALIASES)
        else:
            messages.success(request, str(action.success))
            return redirect(_application_url(application, action.anchor))
    context = _step_context(request, access, application, action, form)
    return render(request, "pool/application_action.html", context)


def _step_context(
    request: AuthenticatedRequest,
    access: CaseAccess,
    application: Application,
    action: GrantAction,
    form: Any,
) -> dict[str, Any]:
    back = _application_url(application)
    return {
        **_application_context(request, access, application),
        "form": form,
        "action_url": request.path,
        "title": action.title,
        "submit": action.submit,
        "multipart": action.multipart,
        "cancel_url": back,
        "back_url": back,
        "back_label": _("Back to %(reference)s") % {"reference": application.reference},
    }


def step_view(action: GrantAction) -> Callable[..., HttpResponse]:
    """Return the gated page of the application action ``action``."""

    @case_view(part=Part.GRANTS, capability=action.capability, alternatives=action.alternatives)
    @never_cache
    @require_http_methods(["GET", "POST"])
    def view(
        request: AuthenticatedRequest, access: CaseAccess, application_id: int
    ) -> HttpResponse:
        if action.applicant:
            _require_applicant_basis(access)
        application = get_application_for(access, application_id)
        return _step(request, access, application, action)

    view.__name__ = view.__qualname__ = action.url_name
    view.__doc__ = str(action.title)
    return view


@case_view(part=Part.GRANTS)
@never_cache
@require_GET
def attachment_download(
    request: AuthenticatedRequest, access: CaseAccess, application_id: int, attachment_id: int
) -> HttpResponse:
    """Download a document of an application (the download is logged)."""
    application = get_application_for(access, application_id)
    attachment = get_object_or_404(Attachment, pk=attachment_id, application=application)
    log_case_access(user=request.user, request=request, access=access, part=GRANTS)
    return download(
        attachment_content(attachment),
        content_type=attachment.content_type,
        filename=attachment.filename,
    )


@case_view(part=Part.GRANTS)
@never_cache
@require_GET
def letter(request: AuthenticatedRequest, access: CaseAccess, application_id: int) -> HttpResponse:
    """Download the decision letter to the applying unit as PDF (the download is logged)."""
    application = get_application_for(access, application_id)
    if application.status not in LETTER_STATUSES:
        messages.error(request, _("The application has not been decided yet."))
        return redirect(_application_url(application))
    log_case_access(user=request.user, request=request, access=access, part=GRANTS)
    response = HttpResponse(decision_letter_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{decision_letter_filename(application)}"'
    )
    response["Cache-Control"] = "no-store"
    return response
