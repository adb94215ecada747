"""Case reviews: the draw, the checklist, learning points, sending and answering; who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AccessLog
from vejud.core.errors import ConflictError
from vejud.quality.models import CaseReview, LearningPoint, ReviewStatus
from vejud.quality.services import draw, learning_point_add, review_answer, review_release
from vejud.testing import make_case, verified_client
from vejud.testing.builders import make_case_at
from vejud.testing.quality import make_round, send_review

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _round(world, actor=None, units=None, **overrides):
    fields = {"title": "Round 1", "per_unit": 2, "seed": 7, **overrides}
    return make_round(actor or world.head, units or [world.unit_a, world.unit_b], **fields)


def _done(world, review: CaseReview) -> CaseReview:
    return send_review(world.head, review, findings="Well kept.", note="ok")


@pytest.fixture
def cases(world):
    a = [make_case(world.coordinator_a, world.unit_a) for _ in range(4)]
    b = [make_case(world.coordinator_b, world.unit_b) for _ in range(3)]
    return a, b


def test_a_random_draw_takes_per_unit_and_repeats_with_its_seed(world, cases):
    round_ = _round(world)
    reviews = list(round_.reviews.all())
    assert len(reviews) == 4
    assert {r.unit for r in reviews} == {world.unit_a, world.unit_b}
    again = draw(
        actor=world.head,
        units=[world.unit_a, world.unit_b],
        start=round_.period_start,
        end=round_.period_end,
        criterion="random",
        per_unit=2,
        seed=7,
    )
    assert {c.pk for c in again} == {r.case_id for r in reviews}


def test_the_criterion_long_assessment_takes_the_oldest_in_assessment(world):
    in_assessment = make_case_at(world, "assessment")
    make_case(world.coordinator_a, world.unit_a)
    round_ = _round(world, criterion="long_assessment", units=[world.unit_a], per_unit=5)
    assert [r.case_id for r in round_.reviews.all()] == [in_assessment.pk]


def test_the_checklist_is_prefilled_from_the_case(world):
    case = make_case_at(world, "admitted")
    round_ = _round(world, units=[world.unit_a], per_unit=5)
    review = round_.reviews.get(case=case)
    assert review.checklist["consent"]["answer"] == "yes"
    assert review.checklist["instruments"]["answer"] == "yes"
    assert review.checklist["grounds"]["answer"] == "yes"
    assert review.checklist["followup"]["answer"] == ""


def test_bad_rounds_are_refused(world, cases):
    with pytest.raises(ValidationError):
        _round(world, per_unit=0)
    with pytest.raises(ValidationError):
        _round(world, start=TODAY, end=TODAY - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        _round(world, actor=world.member_a)


def test_a_review_is_sent_only_complete_and_answered_once_by_its_unit(world, cases):
    review = _round(world).reviews.filter(unit=world.unit_a).first()
    with pytest.raises(ValidationError):
        review_release(actor=world.head, review=review)  # the follow-up item is unanswered
    review = _done(world, review)
    assert review.status == ReviewStatus.RELEASED
    with pytest.raises(ConflictError):
        _done(world, review)
    with pytest.raises(PermissionDenied):
        review_answer(actor=world.member_b, review=review, answer="Not ours")
    review_answer(actor=world.coordinator_a, review=review, answer="We will train on consent.")
    with pytest.raises(ConflictError):
        review_answer(actor=world.coordinator_a, review=review, answer="Again")


def test_units_see_their_own_sent_reviews_only_and_the_analyst_none(world, cases):
    round_ = _round(world)
    sent = _done(world, round_.reviews.filter(unit=world.unit_a).first())
    draft = round_.reviews.filter(unit=world.unit_a).exclude(pk=sent.pk).first()
    other = _done(world, round_.reviews.filter(unit=world.unit_b).first())
    page = verified_client(world.member_a).get(reverse("quality:mine")).content.decode()
    assert sent.case.reference in page
    assert draft.case.reference not in page and other.case.reference not in page
    for review, status in ((sent, 200), (draft, 404), (other, 404)):
        url = reverse("quality:review", kwargs={"review_id": review.pk})
        assert verified_client(world.member_a).get(url).status_code == status
    assert (
        verified_client(world.head)
        .get(reverse("quality:review", kwargs={"review_id": draft.pk}))
        .status_code
        == 200
    )
    for role in ("analyst", "mentor", "custody", "sysadmin"):
        client = verified_client(getattr(world, role))
        assert client.get(reverse("quality:rounds")).status_code == 403
        assert (
            client.get(reverse("quality:review", kwargs={"review_id": sent.pk})).status_code == 403
        )


def test_opening_a_review_is_logged_as_access_to_the_case(world, cases):
    review = _round(world).reviews.first()
    verified_client(world.head).get(reverse("quality:review", kwargs={"review_id": review.pk}))
    assert AccessLog.objects.filter(
        user=world.head, case_id=review.case_id, part="quality_review"
    ).exists()


def test_learning_points_are_listed_by_theme_across_units(world, cases):
    round_ = _round(world)
    for review, theme, text in (
        (round_.reviews.filter(unit=world.unit_a).first(), "consent", "Renew consent yearly"),
        (round_.reviews.filter(unit=world.unit_b).first(), "plan", "Name an owner per action"),
    ):
        learning_point_add(actor=world.head, review=review, theme=theme, text=text)
    page = verified_client(world.head).get(reverse("quality:learning_points")).content.decode()
    assert "Renew consent yearly" in page and "Name an owner per action" in page
    assert LearningPoint.objects.count() == 2


def test_a_sent_review_is_on_its_units_task_list_until_answered(world, cases):
    from vejud.worklist.selectors import TaskKind, tasks_for

    review = _done(world, _round(world).reviews.filter(unit=world.unit_a).first())

    def review_tasks(user):
        return [t for t in tasks_for(user) if t.kind == TaskKind.REVIEW_ANSWER]

    [task] = review_tasks(world.coordinator_a)
    assert task.reference == review.case.reference
    assert task.href == reverse("quality:review", kwargs={"review_id": review.pk})
    assert task.due_on == TODAY + timedelta(days=30) and not task.overdue
    assert review_tasks(world.member_a)  # every member of the unit may answer
    for user in (world.coordinator_b, world.member_b, world.head, world.analyst):
        assert review_tasks(user) == []
    review_answer(actor=world.coordinator_a, review=review, answer="We will train on consent.")
    assert review_tasks(world.coordinator_a) == []
