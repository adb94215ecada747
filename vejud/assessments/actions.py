"""The instrument actions on a case: sign the draft, start a correction of a signed version.

Each works on the case's instrument of one kind (the URL's ``<kind>``: target group,
motivation, suitability): signing on its draft, a correction on its newest signed version,
so there must be one (else 409, not possible now). Both are possible while the case is being
assessed: in the statuses the state table leads from to a decision (not the course's
closing), for the case's caseworkers. Saving a draft stays on the instrument's page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.actions.declare import CaseAction, Target, declare, moving
from vejud.assessments.forms import CorrectionForm
from vejud.assessments.services import INSTRUMENTS, instrument_correct, instrument_sign
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import DECISION_TARGETS, Actor

ASSESSING = frozenset(
    (status, Actor.CASEWORKER)
    for status, _actor in moving(
        lambda t: (t.source, t.target) in DECISION_TARGETS and t.target != CaseStatus.CLOSED
    )
)


def _versions(case: Case, kind: str) -> Any:
    try:
        return INSTRUMENTS[kind].objects.filter(case=case)
    except KeyError as exc:
        raise Http404 from exc


def _draft(case: Case, kind: str) -> Any:
    return _versions(case, kind).filter(signed_at__isnull=True).first()


def _newest_signed(case: Case, kind: str) -> Any:
    return _versions(case, kind).filter(signed_at__isnull=False).order_by("-version").first()


def _back(success: Any) -> Any:
    """After a success: the instrument's page, saying what was done."""

    def after(request: Any, access: CaseAccess, instrument: Any) -> HttpResponse:
        messages.success(request, str(success))
        return redirect("assessments:edit", reference=access.case.reference, kind=instrument.kind)

    return after


class SignForm(forms.Form):
    """Signing asks nothing: the button is the signature."""


# Each action's page: URL name, the slug after vurdering/<kind>/, title, success message.
PAGES = {
    "sign": ("underskriv", _("Sign the assessment"), _("The assessment is signed.")),
    "correct": (
        "ret",
        _("Correct the assessment"),
        _("A new version is started. Change it and sign it."),
    ),
}


def _instrument(
    url_name: str, form: type[forms.Form], service: Any, find: Callable[[Case, str], Any]
) -> CaseAction:
    slug, title, success = PAGES[url_name]
    return CaseAction(
        name=f"assessment_{url_name}",
        namespace="assessments",
        url_name=url_name,
        slug=f"vurdering/<str:kind>/{slug}/",
        title=title,
        form=form,
        service=service,
        target=Target("kind", find, "instrument"),
        when=ASSESSING,
        passes_case=False,
        methods=("POST",),
        condition=lambda case, instrument: instrument is not None,
        form_kwargs=lambda case, instrument: {},
        success=success,
        after=_back(success),
    )


ASSESSMENT_SIGN = _instrument("sign", SignForm, instrument_sign, _draft)
ASSESSMENT_CORRECT = _instrument("correct", CorrectionForm, instrument_correct, _newest_signed)

ACTIONS = declare(ASSESSMENT_SIGN, ASSESSMENT_CORRECT)
