"""Reads of a case's assessments for the case page."""

from __future__ import annotations

from vejud.assessments.models import MotivationAssessment
from vejud.cases.models import Case
from vejud.core.request_cache import request_cached


def signed_motivation(case: Case) -> MotivationAssessment | None:
    """Return the newest signed motivation assessment of ``case``, read once a request (the
    course panel shows its help wishes, the follow-up panel compares with its level)."""
    return request_cached(
        ("signed_motivation", case.pk),
        lambda: (
            MotivationAssessment.objects.filter(case=case, signed_at__isnull=False)
            .order_by("-version")
            .first()
        ),
    )
