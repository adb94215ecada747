"""Hole 8: a mentor's access ends with the course.

Within ``VEJUD_MENTOR_GRACE_DAYS`` (default 14) of the close the mentor may still open the
case and write the final meeting note; after that the case is 404 like any case not theirs,
and it is gone from the mentor's lists. (Today's code kept it open for good: the demo's
mentor saw 12 closed cases, the oldest closed two years ago.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from vejud.access.cases import cases_visible_to
from vejud.access.tests.support import Api, answer, caseload_references
from vejud.audit.services import audit_record, audited
from vejud.cases.models import Case
from vejud.cases.services import mentor_assign
from vejud.courses.services import case_close, meeting_log
from vejud.testing import make_admitted_case, verified_client


def mentored_case(world, **person):
    case = make_admitted_case(world, **person)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    case_close(actor=world.member_a, case=case, reason="completed", summary="Done.")
    case.refresh_from_db()
    return case


def closed_days_ago(case, days):
    """Move the case's close date back (test data, written in an audit scope)."""
    closed = timezone.localdate() - timedelta(days=days)
    with audited():
        Case.objects.filter(pk=case.pk).update(
            opened_on=closed - timedelta(days=400), closed_on=closed
        )
        audit_record(actor=None, action="test.data", obj=case, case_id=case.pk)
    case.refresh_from_db()
    return case


def urls(case):
    return (
        reverse("cases:detail", kwargs={"reference": case.reference}),
        reverse("courses:mentor_view", kwargs={"reference": case.reference}),
    )


def log_final_meeting(world, case):
    return meeting_log(
        actor=world.mentor,
        case=case,
        met_on=timezone.localdate(),
        form="in_person",
        duration_minutes=30,
        note="Final meeting.",
    )


def test_within_the_grace_period_the_mentor_writes_the_final_note(world):
    case = closed_days_ago(mentored_case(world), 14)
    client = verified_client(world.mentor)
    for url in urls(case):
        assert client.get(url).status_code == 200, url
    assert client.get(urls(case)[1]).context["can_log"] is True
    assert log_final_meeting(world, case).note == "Final meeting."
    page, api = caseload_references(world.mentor)
    assert case.reference in page & api
    assert Api(world.mentor).get(f"/api/v1/cases/{case.reference}/course").status_code == 200


def test_after_the_grace_period_the_case_is_not_found_and_not_listed(world):
    case = closed_days_ago(mentored_case(world, first_name="Long", last_name="Ago"), 15)
    missing = Case(reference="EX-2000-99999")
    client = verified_client(world.mentor)
    for url, nothing in zip(urls(case), urls(missing), strict=True):
        assert client.get(url).status_code == 404, url
        assert answer(client.get(url))[1].replace(case.reference.encode(), b"~") == answer(
            client.get(nothing)
        )[1].replace(missing.reference.encode(), b"~")
    api = Api(world.mentor)
    for tail in ("", "/course"):
        mine = api.get(f"/api/v1/cases/{case.reference}{tail}")
        assert answer(mine) == answer(api.get(f"/api/v1/cases/{missing.reference}{tail}"))
        assert mine.status_code == 404
    page, listed = caseload_references(world.mentor)
    assert case.reference not in page | listed
    assert not cases_visible_to(world.mentor).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        log_final_meeting(world, case)
    # The unit keeps the case.
    assert verified_client(world.member_a).get(urls(case)[0]).status_code == 200


@override_settings(VEJUD_MENTOR_GRACE_DAYS=30)
def test_the_grace_period_is_a_setting(world):
    case = closed_days_ago(mentored_case(world), 20)
    assert verified_client(world.mentor).get(urls(case)[0]).status_code == 200
    closed_days_ago(case, 31)
    assert verified_client(world.mentor).get(urls(case)[0]).status_code == 404


def test_an_open_course_is_unaffected(world):
    case = make_admitted_case(world)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    page, api = caseload_references(world.mentor)
    assert case.reference in page & api
