"""The consent actions on a case: record the person's consent, record its withdrawal.

Consent is recorded while a decision or a referral still lies ahead in the case state table
(``vejud.cases.states``: they need it); a withdrawal can be recorded whenever it comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from vejud.access.cases import CaseAccess
from vejud.accounts.models import User
from vejud.actions.declare import CaseAction, Target, any_status, declare, leading_to
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import Actor
from vejud.intake.forms import ConsentForm, ConsentWithdrawForm
from vejud.intake.models import Consent, ConsentAgency
from vejud.intake.services import consent_record, consent_withdraw


def _find_consent(case: Case, pk: int) -> Consent:
    return get_object_or_404(Consent, pk=pk, case=case)


def _in_force(case: Case, consent: Consent | None) -> bool:
    """The consent is not withdrawn (without one: the case has one not withdrawn)."""
    if consent is not None:
        return consent.withdrawn_on is None
    return Consent.objects.filter(case=case, withdrawn_on__isnull=True).exists()


def _consent(access: CaseAccess, user: User, target: Any) -> Mapping[str, Any]:
    return {"consent": target}


CONSENT = CaseAction(
    name="consent",
    namespace="intake",
    url_name="consent_new",
    slug="samtykke/",
    title=_("Record consent"),
    form=ConsentForm,
    service=consent_record,
    when=leading_to(
        lambda t: t.actor == Actor.UNIT_DECIDER or t.target == CaseStatus.REFERRED,
        Actor.CASEWORKER,
    ),
    success=_("The consent is recorded."),
    template="intake/consent_form.html",
    # Every agency by default, the national contact point included: a refusal is referred
    # to it, which needs its part of the consent (the person may still leave any out).
    form_kwargs=lambda case, target: {"initial": {"agencies": list(ConsentAgency.values)}},
)
CONSENT_WITHDRAW = CaseAction(
    name="consent_withdraw",
    namespace="intake",
    url_name="consent_withdraw",
    slug="samtykke/<int:consent_id>/tilbagekald/",
    title=_("Withdraw consent"),
    form=ConsentWithdrawForm,
    service=consent_withdraw,
    when=any_status(Actor.CASEWORKER),
    condition=_in_force,
    target=Target("consent_id", _find_consent, "consent"),
    success=_("The withdrawal is recorded."),
    template="intake/consent_withdraw.html",
    context=_consent,
)

ACTIONS = declare(CONSENT, CONSENT_WITHDRAW)
