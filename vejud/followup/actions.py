"""The follow-up actions on a case (declared once for the page and the API).

Resolving an early warning is possible for the case's caseworkers in every status (a
warning stays on the case until someone records what was done); the service refuses a
warning already resolved.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from vejud.actions.declare import CaseAction, Target, any_status, declare
from vejud.cases.models import Case
from vejud.cases.states import Actor
from vejud.followup.forms import WarningResolveForm
from vejud.followup.models import EarlyWarning
from vejud.followup.services import warning_resolve


def _find_warning(case: Case, pk: int) -> EarlyWarning:
    warning = get_object_or_404(EarlyWarning, pk=pk, case=case)
    warning.case = case
    return warning


WARNING_RESOLVE = CaseAction(
    name="warning_resolve",
    namespace="followup",
    url_name="warning_resolve",
    slug="opfoelgning/advarsler/<int:warning_id>/loes/",
    title=_("Mark as resolved"),
    form=WarningResolveForm,
    service=warning_resolve,
    when=any_status(Actor.CASEWORKER),
    target=Target("warning_id", _find_warning, "warning"),
    passes_case=False,
    methods=("POST",),
    success=_("The warning is resolved."),
)

ACTIONS = declare(WARNING_RESOLVE)
