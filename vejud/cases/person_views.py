"""The person page: a candidate's visible cases and, for managers, their access lists.

It lists cases, so it lives with them, above ``vejud.people`` (the person records).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from vejud.access.cases import break_glass_case_ids, cases_visible_to
from vejud.access.gate import AuthenticatedRequest, requires
from vejud.access.people import manages_person, may_export_person
from vejud.access.rules import Capability
from vejud.accounts.models import User
from vejud.audit.services import log_access
from vejud.cases.models import Case
from vejud.people.forms import AccessRuleForm
from vejud.people.models import Person
from vejud.people.services import person_access_rule_add


def _visible_person(user: User, public_id: UUID) -> tuple[Person, list[Case]]:
    """Return the person and their cases the user may see; 404 unless at least one.

    A user whose access the person's lists bar sees no case, so gets 404 like anyone
    else outside scope (issue 11, hole 9).
    """
    person = (
        Person.objects.filter(public_id=public_id)
        .only("pk", "public_id", "first_name", "last_name", "birth_date")
        .first()
    )
    if person is None:
        raise Http404
    cases = list(
        cases_visible_to(user)
        .filter(person_id=person.pk)
        .select_related("responsible_unit", "institution")
        .order_by("-opened_on", "-pk")
    )
    if not cases:  # none visible: missing, not yours and barred all read "does not exist"
        raise Http404
    return person, cases


def _person_page(
    request: AuthenticatedRequest,
    person: Person,
    cases: list[Case],
    *,
    rule_form: AccessRuleForm | None = None,
) -> HttpResponse:
    """Log the view of the person and render their page."""
    via_glass = break_glass_case_ids(request.user, cases)
    log_access(
        user=request.user,
        part="person",
        person_id=person.pk,
        request=request,
        break_glass=len(via_glass) == len(cases),
    )
    can_manage = manages_person(request.user, person)
    rules = person.access_rules.select_related("user").order_by("kind", "valid_from", "pk")
    context: dict[str, Any] = {
        "person": person,
        "cases": cases,
        "can_manage": can_manage,
        "rules": list(rules) if can_manage else [],
        "rule_form": (rule_form or AccessRuleForm()) if can_manage else None,
        "today": timezone.localdate(),
        "can_export": may_export_person(request.user, person),
    }
    return render(request, "people/detail.html", context)


@requires(Capability.VIEW_CASES)
@never_cache
@require_GET
def detail(request: AuthenticatedRequest, public_id: UUID) -> HttpResponse:
    """Show a person with all their cases the user may see (each view is logged)."""
    person, cases = _visible_person(request.user, public_id)
    return _person_page(request, person, cases)


@requires(Capability.MANAGE_PERSON_ACCESS)
@never_cache
@require_POST
def access_rule_add(request: AuthenticatedRequest, public_id: UUID) -> HttpResponse:
    """Add a user to the person's exclusion or restriction list."""
    person, cases = _visible_person(request.user, public_id)
    form = AccessRuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            person_access_rule_add(
                actor=request.user,
                person=person,
                kind=data["kind"],
                user=data["email"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                message=data["message"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The access rule was added."))
            return redirect(reverse("people:detail", kwargs={"public_id": person.public_id}))
    return _person_page(request, person, cases, rule_form=form)
