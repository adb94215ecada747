"""The follow-up actions on a case (declared once for the page and the API).

A review is recorded while the exit course runs: where the state table's closing of the
course (ADMITTED → CLOSED) is possible, by the same actors; after saving, the page says
which early warnings the review raised.
Resolving an early warning is possible for the case's caseworkers in every status (a
warning stays on the case until someone records what was done); the service refuses a
warning already resolved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.actions.declare import CaseAction, Target, any_status, declare, moving, of_the_case
from vejud.cases.models import CaseStatus, Track
from vejud.cases.states import Actor
from vejud.followup.forms import ReviewForm, WarningResolveForm
from vejud.followup.models import EarlyWarning, Review
from vejud.followup.services import review_record, warning_resolve

COURSE_RUNNING = moving(lambda t: (t.source, t.target) == (CaseStatus.ADMITTED, CaseStatus.CLOSED))


WARNING_RESOLVE = CaseAction(
    name="warning_resolve",
    namespace="followup",
    url_name="warning_resolve",
    slug="opfoelgning/advarsler/<int:warning_id>/loes/",
    title=_("Mark as resolved"),
    form=WarningResolveForm,
    service=warning_resolve,
    when=any_status(Actor.CASEWORKER),
    target=Target("warning_id", of_the_case(EarlyWarning), "warning"),
    methods=("POST",),
    success=_("The warning is resolved."),
)


def _saved(request: Any, access: CaseAccess, review: Review) -> HttpResponse:
    """Say the review is saved and which early warnings it raised; back to the panel."""
    messages.success(request, gettext("The review is saved."))
    raised = [w.get_reason_display() for w in review.warnings.all()]
    if raised:
        messages.warning(
            request,
            gettext("Early warning raised: %(reasons)s. The coordinator gets a task.")
            % {"reasons": "; ".join(raised)},
        )
    return redirect(f"{access.case.get_absolute_url()}#followup")


REVIEW_RECORD = CaseAction(
    name="review_record",
    namespace="followup",
    url_name="review_new",
    slug="opfoelgning/ny/",
    title=_("Record a review"),
    form=ReviewForm,
    form_kwargs=lambda case, target: {"custody": case.track == Track.CUSTODY},
    data_of=lambda form: form.service_kwargs(),
    service=review_record,
    when=COURSE_RUNNING,
    template="followup/review_form.html",
    success=_("The review is saved."),
    after=_saved,
    log_as="followup_review_form",
)

ACTIONS = declare(REVIEW_RECORD, WARNING_RESOLVE)
