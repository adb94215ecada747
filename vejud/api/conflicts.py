"""409 bodies that name earlier cases: only those the caller may see (``cases_visible_to``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vejud.access.cases import cases_visible_to
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.cases.services import OpenCaseError

EARLIER_CASES_LIMIT = 50


def earlier_cases_body(
    user: User, *, detail: str, code: str, cases: QuerySet[Case]
) -> dict[str, Any]:
    """Return ``{"detail", "code", "earlier_cases"}`` listing those of ``cases`` the user may see."""
    visible = (
        cases_visible_to(user)
        .filter(pk__in=cases.values("pk"))
        .select_related("responsible_unit")
        .order_by("-opened_on", "-id")[:EARLIER_CASES_LIMIT]
    )
    return {
        "detail": detail,
        "code": code,
        "earlier_cases": [
            {
                "reference": c.reference,
                "status": c.status,
                "unit": {"code": c.responsible_unit.code, "name": c.responsible_unit.name},
                "opened_on": c.opened_on,
            }
            for c in visible
        ],
    }


def open_case_conflict(user: User, exc: OpenCaseError) -> dict[str, Any]:
    """The 409 body of an OpenCaseError: the open case is listed only if the user may see it."""
    return earlier_cases_body(
        user,
        detail=exc.text,
        code="open_case_exists",
        cases=Case.objects.filter(pk=exc.existing.pk),
    )
