"""The outcome after the course, declared once for the page and the API.

Possible for the case's caseworkers once the case has ended; the service refuses a case
whose course did not end by completion or interruption, a point that has not come (422) and
a point recorded already (409).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vejud.actions.declare import CaseAction, declare, ended
from vejud.cases.states import Actor
from vejud.outcomes.forms import OutcomeForm
from vejud.outcomes.services import due_points, outcome_record

OUTCOME_RECORD = CaseAction(
    name="outcome_record",
    namespace="outcomes",
    url_name="outcome_new",
    slug="udfald/ny/",
    title=_("Record the outcome after the course"),
    form=OutcomeForm,
    form_kwargs=lambda case, target: {"points": due_points(case)},
    service=outcome_record,
    when=ended(Actor.CASEWORKER),
    success=_("The outcome is saved."),
    error_fields={"recorded": ("months",)},
)

ACTIONS = declare(OUTCOME_RECORD)
