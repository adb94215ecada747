"""The actions on a grant application, declared once for the pages and the API.

Each ``GrantAction`` names its form, the service it calls, the role it needs, when it is
possible (from the application's state table, ``vejud.pool.states``) and its messages.
``vejud.pool.views`` serves each as a page (one generic view) and ``vejud.api.routers.pool``
as an API operation (one factory); the application page's panel and the API's ``actions``
ask ``pool.selectors.grant_actions``, which reads the same ``possible``.

The target is an application, not the case (its state is the application's): the generic
case actions of ``vejud.actions`` do not cover that yet. Applying for a grant on the case is
a case action (``GRANT_APPLY``): the apply page (``views.apply``, which swaps the guideline
of the chosen category in by htmx) and ``POST /cases/{reference}/grants``. It is possible
for the case's applicants (an applicant role, not by breaking the glass); whether the case
takes applications now (under assessment or in a course) and the rest stay the service's
answer (422), as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.access.casework import Actor
from vejud.access.rules import Capability, Part
from vejud.accounts.models import User
from vejud.actions.declare import CaseAction, any_status, declare
from vejud.cases.models import Case
from vejud.courses.models import PlanAction
from vejud.pool.forms import (
    FIELD_ALIASES,
    AnswerForm,
    ApplicationForm,
    AttachmentForm,
    DecisionForm,
    PaymentForm,
    ReleaseForm,
    WithdrawForm,
)
from vejud.pool.models import Application, BudgetYear, Category
from vejud.pool.selectors import budget_availability
from vejud.pool.services import (
    application_answer,
    application_decide,
    application_submit,
    application_withdraw,
    attachment_add,
    cap_check,
    grant_release,
    guideline_in_force,
    payment_register,
)
from vejud.pool.states import may_answer, may_attach, may_decide, may_pay, may_withdraw


def _versioned(application: Application) -> dict[str, Any]:
    return {"version": application.version}


@dataclass(frozen=True)
class GrantAction:
    """One action on an application: a page (form) and an API operation (body)."""

    name: str  # the key in grant_actions / the API's "actions"
    url_name: str
    slug: str  # the page's path after the application's
    capability: Capability
    form: type[forms.Form]
    possible: Callable[[Application], bool]
    service: Callable[..., Any]  # called with actor=, application= and the data
    from_form: Callable[[Mapping[str, Any]], dict[str, Any]]  # form data -> service kwargs
    title: str | Promise
    submit: str | Promise
    success: str | Promise
    anchor: str
    alternatives: tuple[Capability, ...] = ()
    applicant: bool = False  # breaking the glass gives no right to it
    initial: Callable[[Application], dict[str, Any]] = field(default=lambda application: {})
    multipart: bool = False
    prefix: str = ""  # the form's prefix (the name by default)

    def make_form(self, application: Application, data: Any = None, files: Any = None) -> Any:
        return self.form(
            data, files, initial=self.initial(application), prefix=self.prefix or self.name
        )

    def run(self, user: User, application: Application, data: Mapping[str, Any]) -> Any:
        return self.service(actor=user, application=application, **data)


def _upload(data: Mapping[str, Any]) -> dict[str, Any]:
    upload = data["file"]
    return {"kind": data["kind"], "filename": upload.name or "", "data": upload.read()}


DECIDE = GrantAction(
    name="decide",
    url_name="decide",
    slug="afgoer/",
    capability=Capability.DECIDE_GRANTS,
    form=DecisionForm,
    possible=may_decide,
    service=application_decide,
    from_form=lambda d: {
        "outcome": d["outcome"],
        "reason": d["reason"],
        "amount_ore": d["amount"],
        "expected_version": d["version"],
    },
    title=_("Decide on the application"),
    submit=_("Record the decision"),
    success=_("The decision is recorded. The applying unit sees it on the application."),
    anchor="decision",
    initial=_versioned,
)
ANSWER = GrantAction(
    name="answer",
    url_name="answer",
    slug="svar/",
    capability=Capability.APPLY_GRANTS,
    applicant=True,
    form=AnswerForm,
    possible=may_answer,
    service=application_answer,
    from_form=lambda d: {"answer": d["answer"], "expected_version": d["version"]},
    title=_("Answer the National Exit Contact Point"),
    submit=_("Send the answer"),
    success=_("The answer is sent; the application awaits decision again."),
    anchor="history",
    initial=_versioned,
)
WITHDRAW = GrantAction(
    name="withdraw",
    url_name="withdraw",
    slug="traek-tilbage/",
    capability=Capability.APPLY_GRANTS,
    applicant=True,
    form=WithdrawForm,
    possible=may_withdraw,
    service=application_withdraw,
    from_form=lambda d: {"reason": d["reason"], "expected_version": d["version"]},
    title=_("Withdraw the application"),
    submit=_("Withdraw"),
    success=_("The application is withdrawn."),
    anchor="history",
    initial=_versioned,
)
ATTACH = GrantAction(
    name="attach",
    url_name="attachment_add",
    slug="bilag/",
    capability=Capability.APPLY_GRANTS,
    alternatives=(Capability.MANAGE_POOL,),  # the national point attaches invoices it pays
    applicant=True,
    form=AttachmentForm,
    possible=may_attach,
    service=attachment_add,
    from_form=_upload,
    title=_("Attach a document"),
    submit=_("Attach"),
    success=_("The document is attached."),
    anchor="documents",
    multipart=True,
    prefix="attachment",
)
PAY = GrantAction(
    name="pay",
    url_name="payment",
    slug="betaling/",
    capability=Capability.MANAGE_POOL,
    form=PaymentForm,
    possible=may_pay,
    service=payment_register,
    from_form=lambda d: {
        "paid_on": d["paid_on"],
        "amount_ore": d["amount"],
        "invoice_reference": d["invoice_reference"],
    },
    title=_("Register a payment"),
    submit=_("Register the payment"),
    success=_("The payment is registered."),
    anchor="payments",
    initial=lambda application: {"paid_on": timezone.localdate()},
    prefix="payment",
)
RELEASE = GrantAction(
    name="release",
    url_name="release",
    slug="frigiv/",
    capability=Capability.MANAGE_POOL,
    form=ReleaseForm,
    possible=may_pay,
    service=grant_release,
    from_form=lambda d: {"reason": d["reason"], "amount_ore": d["amount"]},
    title=_("Release unused money"),
    submit=_("Release"),
    success=_("The money is released to the budget."),
    anchor="payments",
)

GRANT_ACTIONS: tuple[GrantAction, ...] = (DECIDE, ANSWER, WITHDRAW, ATTACH, PAY, RELEASE)
BY_NAME: dict[str, GrantAction] = {a.name: a for a in GRANT_ACTIONS}


# --- Applying on the case (a case action) -----------------------------------------------------


APPLIED = _(
    "The application is sent to the National Exit Contact Point. "
    "Attach the quote or other documentation below."
)


def guideline_context(case: Case, category: str) -> dict[str, Any]:
    """Return what the apply page shows about ``category``: its guideline and what is left."""
    if category not in Category.values:
        return {"case": case, "category": "", "guideline": None}
    year = timezone.localdate().year
    guideline = guideline_in_force(category)
    used = None
    if guideline is not None:
        used = cap_check(case=case, category=category, amount_ore=0, year=year)
    budget_year = BudgetYear.objects.filter(year=year).first()
    frame_available = None
    if budget_year is not None:
        frame_available = next(
            (row[3] for row in budget_availability(budget_year) if row[0] == category), None
        )
    return {
        "case": case,
        "category": category,
        "category_label": Category(category).label,
        "guideline": guideline,
        "person_year_ore": used.person_year_before_ore if used else None,
        "year": year,
        "budget_year": budget_year,
        "frame_available_ore": frame_available,
    }


def apply_form_kwargs(case: Case, category: str = "") -> dict[str, Any]:
    """The apply form's arguments: the plan's actions, the category chosen (its guideline
    panel comes by htmx from the page), today as the period."""
    today = timezone.localdate()
    return {
        "actions": PlanAction.objects.filter(case=case).order_by("deadline", "id"),
        "initial": {"category": category, "period_from": today, "period_to": today},
        "guideline_url": reverse("pool:apply", kwargs={"reference": case.reference}),
    }


def _applied(request: Any, access: CaseAccess, application: Application) -> HttpResponse:
    """To the new application, which asks for its documentation."""
    messages.success(request, str(APPLIED))
    return redirect(
        "pool:application", reference=access.case.reference, application_id=application.pk
    )


GRANT_APPLY = CaseAction(
    name="grant_apply",
    namespace="pool",
    url_name="apply",
    slug="puljen/ny/",  # served by views.apply (the pool's URLs are not under the case's)
    title=_("Apply for a grant"),
    form=ApplicationForm,
    form_kwargs=lambda case, target: apply_form_kwargs(case),
    data_of=lambda form: form.service_kwargs(),
    service=application_submit,
    when=any_status(Actor.APPLICANT),
    capability=Capability.APPLY_GRANTS,
    part=Part.GRANTS,
    template="pool/apply.html",
    context=lambda access, user, target: guideline_context(access.case, ""),
    error_fields=FIELD_ALIASES,
    success=APPLIED,
    after=_applied,
    log_as=Part.GRANTS.value,
)
CASE_ACTIONS = declare(GRANT_APPLY)
