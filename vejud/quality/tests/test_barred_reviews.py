"""A person's exclusion and restriction lists bar the reviews of their cases as they bar the
case page: the barred user gets the 404 of a review that does not exist (same body), on the
review page and its answer; the review is absent from the unit's reviews, the round and its
counts, the learning points and the task list; the draw never samples a case whose person
bars the reviewer who draws. Those the lists name (or do not bar) see everything as before."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vejud.people.models import AccessRuleKind
from vejud.people.services import person_access_rule_add
from vejud.quality.models import CaseReview, ReviewStatus
from vejud.testing import make_case, verified_client
from vejud.testing.quality import make_round, send_review

pytestmark = pytest.mark.django_db
PER_RESPONSE = re.compile(r'(CSRFToken": "|nonce="|csrfmiddlewaretoken" value=")[^"]+')
POINT = "Secret learning point about the barred case"


def _bar(world, case, kind, user) -> None:
    person_access_rule_add(
        actor=world.coordinator_a, person=case.person, kind=kind, user=user, message="Barred."
    )


def _round(world, actor=None):
    return make_round(actor or world.head, [world.unit_a], seed=3)


def _sent(world, review: CaseReview) -> CaseReview:
    return send_review(
        world.head, review, findings="Findings X.", note="ok", point=("consent", POINT)
    )


def _body(response, review_id: int) -> tuple[int, str]:
    body = PER_RESPONSE.sub("", response.content.decode())
    return response.status_code, body.replace(f"/{review_id}/", "/ID/")


def _as_missing(client, name: str, review: CaseReview, post: dict | None = None) -> None:
    """The answer for ``review`` is the 404 answer for a review that does not exist."""
    missing = max(CaseReview.objects.values_list("pk", flat=True)) + 1000
    send = client.post if post is not None else client.get
    args = (post,) if post is not None else ()
    got = _body(send(reverse(name, kwargs={"review_id": review.pk}), *args), review.pk)
    want = _body(send(reverse(name, kwargs={"review_id": missing}), *args), missing)
    assert got[0] == 404
    assert got == want


@pytest.fixture
def excluded(world):
    """A case of unit A whose person excludes member A, its review sent to unit A; and an
    ordinary case of unit A with its review sent."""
    barred = make_case(world.coordinator_a, world.unit_a, first_name="Zelda")
    ordinary = make_case(world.coordinator_a, world.unit_a, first_name="Otto")
    _bar(world, barred, AccessRuleKind.EXCLUSION, world.member_a)
    round_ = _round(world)
    return (
        _sent(world, round_.reviews.get(case=barred)),
        _sent(world, round_.reviews.get(case=ordinary)),
    )


def test_an_excluded_member_does_not_find_the_review_in_the_units_list(world, excluded):
    barred, ordinary = excluded
    page = verified_client(world.member_a).get(reverse("quality:mine")).content.decode()
    assert ordinary.case.reference in page
    assert barred.case.reference not in page
    page = verified_client(world.coordinator_a).get(reverse("quality:mine")).content.decode()
    assert barred.case.reference in page and ordinary.case.reference in page


def test_an_excluded_member_gets_the_missing_reviews_404(world, excluded):
    barred, _ordinary = excluded
    client = verified_client(world.member_a)
    _as_missing(client, "quality:review", barred)
    response = verified_client(world.coordinator_a).get(
        reverse("quality:review", kwargs={"review_id": barred.pk})
    )
    assert response.status_code == 200
    assert "Findings X." in response.content.decode()


def test_an_excluded_member_cannot_answer_and_nothing_is_stored(world, excluded):
    barred, _ordinary = excluded
    client = verified_client(world.member_a)
    _as_missing(client, "quality:answer", barred, post={"answer": "We will do better."})
    barred.refresh_from_db()
    assert barred.status == ReviewStatus.RELEASED
    assert (barred.answer, barred.answered_by, barred.answered_at) == ("", None, None)
    response = verified_client(world.coordinator_a).post(
        reverse("quality:answer", kwargs={"review_id": barred.pk}), {"answer": "We will."}
    )
    assert response.status_code == 302
    barred.refresh_from_db()
    assert (barred.status, barred.answered_by) == (ReviewStatus.ANSWERED, world.coordinator_a)


def test_an_excluded_member_has_no_task_for_the_review(world, excluded):
    barred, ordinary = excluded
    page = verified_client(world.member_a).get(reverse("worklist:tasks")).content.decode()
    assert reverse("quality:review", kwargs={"review_id": ordinary.pk}) in page
    assert reverse("quality:review", kwargs={"review_id": barred.pk}) not in page
    page = verified_client(world.coordinator_a).get(reverse("worklist:tasks")).content.decode()
    assert reverse("quality:review", kwargs={"review_id": barred.pk}) in page


@pytest.fixture
def restricted(world):
    """A case of unit A whose person's restriction list names unit A's staff and the head
    (not the adviser nor the decision-maker); its review drawn by the head and sent."""
    case = make_case(world.coordinator_a, world.unit_a, first_name="Rita")
    ordinary = make_case(world.coordinator_a, world.unit_a, first_name="Otto")
    for user in (world.coordinator_a, world.member_a, world.head):
        _bar(world, case, AccessRuleKind.RESTRICTION, user)
    round_ = _round(world)
    return round_, _sent(world, round_.reviews.get(case=case)), round_.reviews.get(case=ordinary)


@pytest.mark.parametrize("role", ["adviser", "decision_maker"])
def test_national_staff_left_off_a_restriction_list_do_not_see_the_review(world, restricted, role):
    round_, barred, ordinary = restricted
    client = verified_client(getattr(world, role))
    _as_missing(client, "quality:review", barred)
    _as_missing(client, "quality:record", barred, post={"findings": "Changed."})
    page = client.get(reverse("quality:round", kwargs={"round_id": round_.pk})).content.decode()
    assert ordinary.case.reference in page
    assert barred.case.reference not in page
    rounds = client.get(reverse("quality:rounds"))
    assert [(r.n, r.answered) for r in rounds.context["rounds"]] == [(1, 0)]
    points = client.get(reverse("quality:learning_points")).content.decode()
    assert POINT not in points


def test_the_named_see_the_restricted_review_everywhere(world, restricted):
    round_, barred, ordinary = restricted
    client = verified_client(world.head)
    response = client.get(reverse("quality:review", kwargs={"review_id": barred.pk}))
    assert response.status_code == 200
    page = client.get(reverse("quality:round", kwargs={"round_id": round_.pk})).content.decode()
    assert barred.case.reference in page and ordinary.case.reference in page
    rounds = client.get(reverse("quality:rounds"))
    assert [(r.n, r.answered) for r in rounds.context["rounds"]] == [(2, 0)]
    assert POINT in client.get(reverse("quality:learning_points")).content.decode()
    client = verified_client(world.member_a)
    assert barred.case.reference in client.get(reverse("quality:mine")).content.decode()
    url = reverse("quality:review", kwargs={"review_id": barred.pk})
    assert client.get(url).status_code == 200


def test_the_draw_skips_a_case_whose_person_bars_the_reviewer(world):
    restricted = make_case(world.coordinator_a, world.unit_a, first_name="Rita")
    excluded = make_case(world.coordinator_a, world.unit_a, first_name="Edna")
    ordinary = make_case(world.coordinator_a, world.unit_a, first_name="Otto")
    for user in (world.coordinator_a, world.adviser):
        _bar(world, restricted, AccessRuleKind.RESTRICTION, user)
    _bar(world, excluded, AccessRuleKind.EXCLUSION, world.adviser)
    by_head = {r.case_id for r in _round(world, world.head).reviews.all()}
    assert by_head == {excluded.pk, ordinary.pk}  # the restriction list leaves out the head
    by_adviser = {r.case_id for r in _round(world, world.adviser).reviews.all()}
    assert by_adviser == {restricted.pk, ordinary.pk}  # the exclusion list names the adviser
