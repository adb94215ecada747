"""Who sees case reviews: the national contact point every review and learning point; a local
unit's staff the reviews of their own units once sent to them, and the learning points drawn
from those. Anyone else gets 404 for a review (as for one that does not exist); the analyst
and the mentor get no review page at all.

A review names its case and carries its content (the case's status, the checklist filled in
from the case's data, findings, learning points), so the person's exclusion and restriction
lists bar it as they bar the case page, with the case's own rule (``barred_persons``,
``check_person_rules``): a barred user gets the 404 of a review that does not exist, on the
review page and on every write to it (record, learning point, send, answer); the review is
left out of their lists (the unit's reviews, a round's reviews and its counts, the task list)
and its learning points out of the learning points. So a unit member excluded from a person
never sees nor answers the review of that person's case; the rest of the unit answers it.

The draw skips the cases whose person's lists bar the reviewer who draws the round
(``cases_drawable``: the cases the reviewer sees): a national reviewer not named on a
restriction list never has that case sampled, so its checklist is never filled in from data
they may not read. Another national reviewer the lists bar does not see a review drawn by a
colleague (nor count it in the round), as they do not see the case.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from vejud.access.cases import barred_persons, cases_visible_to, check_person_rules
from vejud.access.gate import View, object_view
from vejud.access.rules import Capability, has_capability, scope_for
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.quality.models import CaseReview, LearningPoint, ReviewRound, ReviewStatus

SENT = (ReviewStatus.RELEASED, ReviewStatus.ANSWERED)


def conducts_reviews(user: User) -> bool:
    return has_capability(user, Capability.CONDUCT_REVIEWS)


def reviews_visible(user: User) -> QuerySet[CaseReview]:
    """The reviews ``user`` sees: all for the contact point; their units' sent ones for a unit;
    never one whose person's lists bar the user."""
    if conducts_reviews(user):
        reviews = CaseReview.objects.all()
    elif has_capability(user, Capability.ANSWER_REVIEWS):
        reviews = CaseReview.objects.filter(unit_id__in=scope_for(user).unit_ids, status__in=SENT)
    else:
        return CaseReview.objects.none()
    return reviews.exclude(barred_persons(user.pk, timezone.localdate(), "case__person_id"))


def learning_points_visible(user: User) -> QuerySet[LearningPoint]:
    """The learning points of the reviews ``user`` sees (a unit: of its sent reviews)."""
    return LearningPoint.objects.filter(review__in=reviews_visible(user))


def rounds_visible(user: User) -> QuerySet[ReviewRound]:
    """The review rounds, for those who conduct reviews, with ``n`` reviews and ``answered``
    counted of the reviews ``user`` sees."""
    if not conducts_reviews(user):
        return ReviewRound.objects.none()
    seen = Q(reviews__in=reviews_visible(user).values("pk"))
    answered = seen & Q(reviews__status=ReviewStatus.ANSWERED)
    return ReviewRound.objects.annotate(
        n=Count("reviews", filter=seen), answered=Count("reviews", filter=answered)
    )


def cases_drawable(user: User) -> QuerySet[Case]:
    """The cases a round drawn by ``user`` may sample: the cases they see, so never one whose
    person's lists bar them (its review would prefill the checklist from its data)."""
    if not conducts_reviews(user):
        return Case.objects.none()
    return cases_visible_to(user)


def check_review(user: User, review: CaseReview) -> None:
    """Raise AccessRuleDenied (a 404) if the person's lists of the review's case bar ``user``:
    the services' check before any write to a review."""
    check_person_rules(user_id=user.pk, person_id=review.case.person_id)


def review_for(user: User, review_id: int) -> CaseReview:
    """Fetch a review ``user`` sees, or 404 (missing and not theirs alike)."""
    reviews = reviews_visible(user).select_related("case", "unit", "round")
    return get_object_or_404(reviews, pk=review_id)


def review_gate(capability: Capability, *alternatives: Capability) -> Callable[[View], View]:
    """Open the review named by ``review_id``: 403 for a role with none of the capabilities,
    404 for a review the user does not see. The view is called as ``view(request, review)``."""
    return object_view(capability, "review_id", review_for, "quality_review", alternatives)


def may_answer(user: User, review: CaseReview) -> bool:
    """A unit's staff answer a review sent to their unit, once (the lists are checked where the
    review is opened: ``review_gate``, ``check_review``)."""
    return (
        has_capability(user, Capability.ANSWER_REVIEWS)
        and review.unit_id in scope_for(user).unit_ids
        and review.status == ReviewStatus.RELEASED
    )
