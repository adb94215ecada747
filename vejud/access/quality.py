"""Who sees case reviews: the national contact point every review and learning point; a local
unit's staff the reviews of their own units once sent to them, and the learning points drawn
from those. Anyone else gets 404 for a review (as for one that does not exist); the analyst
and the mentor get no review page at all."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse

from vejud.access.gate import AuthenticatedRequest, Policy, View
from vejud.access.rules import Capability, has_capability, scope_for
from vejud.accounts.models import User
from vejud.quality.models import CaseReview, LearningPoint, ReviewStatus

SENT = (ReviewStatus.RELEASED, ReviewStatus.ANSWERED)


def conducts_reviews(user: User) -> bool:
    return has_capability(user, Capability.CONDUCT_REVIEWS)


def reviews_visible(user: User) -> QuerySet[CaseReview]:
    """The reviews ``user`` sees: all for the contact point; their units' sent ones for a unit."""
    if conducts_reviews(user):
        return CaseReview.objects.all()
    if has_capability(user, Capability.ANSWER_REVIEWS):
        return CaseReview.objects.filter(unit_id__in=scope_for(user).unit_ids, status__in=SENT)
    return CaseReview.objects.none()


def learning_points_visible(user: User) -> QuerySet[LearningPoint]:
    """The learning points of the reviews ``user`` sees (a unit: of its sent reviews)."""
    return LearningPoint.objects.filter(review__in=reviews_visible(user))


def review_gate(capability: Capability, *alternatives: Capability) -> Callable[[View], View]:
    """Open the review named by ``review_id``: 403 for a role with none of the capabilities,
    404 for a review the user does not see. The view is called as ``view(request, review)``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: AuthenticatedRequest, review_id: int, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not any(has_capability(request.user, c) for c in (capability, *alternatives)):
                raise PermissionDenied
            found = (
                reviews_visible(request.user)
                .select_related("case", "unit", "round")
                .filter(pk=review_id)
                .first()
            )
            if found is None:
                raise Http404
            return view(request, found, *args, **kwargs)

        wrapper.vejud_policy = Policy(  # type: ignore[attr-defined]
            "quality_review", capability=capability, alternatives=alternatives
        )
        return wrapper

    return decorator


def may_answer(user: User, review: CaseReview) -> bool:
    """A unit's staff answer a review sent to their unit, once."""
    return (
        has_capability(user, Capability.ANSWER_REVIEWS)
        and review.unit_id in scope_for(user).unit_ids
        and review.status == ReviewStatus.RELEASED
    )
