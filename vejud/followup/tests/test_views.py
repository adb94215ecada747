from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from vejud.actions.declare import NOT_NOW
from vejud.audit.models import AccessLog
from vejud.cases.services import mentor_assign
from vejud.followup.models import EarlyWarning, Review, RiskEvent, WarningReason
from vejud.testing import make_admitted_case, make_case, verified_client
from vejud.testing.builders import make_custody_case, record_review


def review_data(level=4, progress=(1, 1, 1), **extra):
    data = {
        "reviewed_on": timezone.localdate().isoformat(),
        "crime_stopped": progress[0],
        "environment_left": progress[1],
        "lifestyle_changed": progress[2],
        "motivation_level": level,
        "risk-TOTAL_FORMS": "3",
        "risk-INITIAL_FORMS": "0",
        "risk-MIN_NUM_FORMS": "0",
        "risk-MAX_NUM_FORMS": "3",
    }
    data.update(extra)
    return data


def urls(case, warning_id=1):
    ref = {"reference": case.reference}
    return {
        "review_new": ("get", reverse("followup:review_new", kwargs=ref)),
        "warning_resolve": (
            "post",
            reverse("followup:warning_resolve", kwargs={**ref, "warning_id": warning_id}),
        ),
        "chart": ("get", reverse("followup:chart", kwargs=ref)),
    }


@pytest.fixture
def case(world):
    return make_admitted_case(world)


@pytest.fixture
def warning(world, case):
    review = record_review(world, case, level=2)
    return review.warnings.get()


# The gate ---------------------------------------------------------------------


@pytest.mark.parametrize("route", ["review_new", "warning_resolve", "chart"])
def test_other_unit_gets_404(world, case, warning, route):
    method, url = urls(case, warning.pk)[route]
    assert getattr(verified_client(world.member_b), method)(url).status_code == 404


@pytest.mark.parametrize("route", ["review_new", "warning_resolve", "chart"])
def test_analyst_gets_403(world, case, warning, route):
    method, url = urls(case, warning.pk)[route]
    assert getattr(verified_client(world.analyst), method)(url).status_code == 403


@pytest.mark.parametrize("route", ["review_new", "warning_resolve", "chart"])
def test_the_case_mentor_gets_404(world, case, warning, route):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    method, url = urls(case, warning.pk)[route]
    assert getattr(verified_client(world.mentor), method)(url).status_code == 404


def test_wrong_methods_get_405(world, case, warning):
    client = verified_client(world.member_a)
    assert client.get(urls(case, warning.pk)["warning_resolve"][1]).status_code == 405
    assert client.post(urls(case)["chart"][1]).status_code == 405
    assert client.delete(urls(case)["review_new"][1]).status_code == 405


def test_warning_of_another_case_is_404(world, case, warning):
    other = make_admitted_case(world)
    url = reverse(
        "followup:warning_resolve", kwargs={"reference": other.reference, "warning_id": warning.pk}
    )
    response = verified_client(world.member_a).post(url, {"note": "x"})
    assert response.status_code == 404
    warning.refresh_from_db()
    assert warning.resolved_at is None


def test_mentor_does_not_see_the_followup_panel(world, case, warning):
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    page = verified_client(world.mentor).get(case.get_absolute_url())
    assert page.status_code == 200
    assert 'id="followup"' not in page.content.decode()
    assert "graf.svg" not in page.content.decode()


# The review form --------------------------------------------------------------


def test_a_motivation_dip_shows_the_warning_on_the_case_page_and_the_coordinators_tasks(
    world, case
):
    member = verified_client(world.member_a)
    url = reverse("followup:review_new", kwargs={"reference": case.reference})
    response = member.post(url, review_data(level=2), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{case.get_absolute_url()}#followup"
    assert "The review is saved." in html
    assert "Early warning raised: Motivation fell by two levels or more." in html
    warning = EarlyWarning.objects.get(case=case)
    assert warning.reason == WarningReason.MOTIVATION_DROP
    assert f'id="warning-{warning.pk}"' in html
    assert "From 4 to 2" in html
    tasks = verified_client(world.coordinator_a).get(reverse("worklist:tasks")).content.decode()
    assert case.reference in tasks
    assert "Early warning on the course" in tasks


def test_a_review_without_warning_says_only_saved(world, case):
    response = verified_client(world.member_a).post(
        reverse("followup:review_new", kwargs={"reference": case.reference}),
        review_data(level=4),
        follow=True,
    )
    html = response.content.decode()
    assert "The review is saved." in html
    assert "Early warning raised" not in html
    assert not EarlyWarning.objects.filter(case=case).exists()


def test_risk_events_are_recorded_and_raise_a_warning(world, case):
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    data = review_data(
        **{"risk-0-kind": "threat", "risk-0-occurred_on": day, "risk-0-note": "Called by old gang"}
    )
    response = verified_client(world.member_a).post(
        reverse("followup:review_new", kwargs={"reference": case.reference}), data, follow=True
    )
    event = RiskEvent.objects.get(case=case)
    assert (event.kind, event.note) == ("threat", "Called by old gang")
    html = response.content.decode()
    assert "A new risk event" in html
    assert "Called by old gang" in html  # listed under the review on the case page


def test_an_incomplete_risk_row_is_an_error_and_nothing_is_saved(world, case):
    data = review_data(**{"risk-1-note": "Something happened"})
    response = verified_client(world.member_a).post(
        reverse("followup:review_new", kwargs={"reference": case.reference}), data
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the kind of risk event." in html
    assert "Give the date of the risk event." in html
    assert not Review.objects.filter(case=case).exists()


def test_missing_ratings_are_shown_as_errors(world, case):
    data = review_data()
    del data["crime_stopped"]
    response = verified_client(world.member_a).post(
        reverse("followup:review_new", kwargs={"reference": case.reference}), data
    )
    assert response.status_code == 200
    assert 'id="id_crime_stopped_error"' in response.content.decode()
    assert not Review.objects.filter(case=case).exists()


def test_change_four_is_asked_only_in_custody(world):
    liberty = make_admitted_case(world)
    form = verified_client(world.member_a).get(
        reverse("followup:review_new", kwargs={"reference": liberty.reference})
    )
    assert 'name="custody_behaviour"' not in form.content.decode()
    case = make_custody_case(world)
    custody = verified_client(world.custody)
    url = reverse("followup:review_new", kwargs={"reference": case.reference})
    assert 'name="custody_behaviour"' in custody.get(url).content.decode()
    response = custody.post(url, review_data())
    assert response.status_code == 200
    assert 'id="id_custody_behaviour_error"' in response.content.decode()
    response = custody.post(
        url, review_data(custody_behaviour=2, custody_evidence="No incidents on the wing")
    )
    assert response.status_code == 302
    review = Review.objects.get(case=case)
    assert (review.custody_behaviour, review.custody_evidence) == (2, "No incidents on the wing")
    page = custody.get(case.get_absolute_url()).content.decode()
    assert "No incidents on the wing" in page
    assert "5 of 12" in page


def test_a_future_date_is_refused_by_the_service(world, case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = verified_client(world.member_a).post(
        reverse("followup:review_new", kwargs={"reference": case.reference}),
        review_data(reviewed_on=tomorrow),
    )
    assert response.status_code == 200
    assert "A review cannot be dated in the future." in response.content.decode()


def test_review_form_on_a_case_without_course_is_not_possible_now(world):
    """The action table's answer (409, as the API gives it), no longer a redirect."""
    case = make_case(world.member_a, world.unit_a)
    response = verified_client(world.member_a).get(
        reverse("followup:review_new", kwargs={"reference": case.reference})
    )
    assert response.status_code == 409
    assert str(NOT_NOW) in response.content.decode()
    assert not Review.objects.filter(case=case).exists()


def test_opening_the_review_form_is_logged(world, case):
    verified_client(world.member_a).get(
        reverse("followup:review_new", kwargs={"reference": case.reference})
    )
    assert AccessLog.objects.filter(
        user=world.member_a, case_id=case.pk, part="followup_review_form"
    ).exists()


# The panel ----------------------------------------------------------------------


def test_panel_shows_due_date_overdue_and_the_reviews_newest_first(world, case):
    for days_ago, evidence in ((130, "Older evidence"), (100, "Newer evidence")):
        record_review(
            world,
            case,
            days_ago=days_ago,
            level=4,
            progress=(2, 1, 1),
            evidence={"crime_stopped": evidence},
        )
    html = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    due = timezone.localdate() - timedelta(days=10)
    assert "Next review due" in html
    assert date_format(due, "SHORT_DATE_FORMAT") in html
    assert "Overdue" in html
    assert html.index("Newer evidence") < html.index("Older evidence")
    assert "4 of 9" in html
    assert 'alt="Line chart of motivation (1-5) and progress' in html


def test_panel_is_absent_before_admission(world):
    case = make_case(world.member_a, world.unit_a)
    html = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    assert 'id="followup"' not in html


def test_resolving_a_warning_clears_it(world, case, warning):
    coordinator = verified_client(world.coordinator_a)
    url = reverse(
        "followup:warning_resolve", kwargs={"reference": case.reference, "warning_id": warning.pk}
    )
    response = coordinator.post(url, {"note": ""}, follow=True)
    assert "Say what was done about the warning." in response.content.decode()
    response = coordinator.post(url, {"note": "Extra meeting held"}, follow=True)
    html = response.content.decode()
    assert "The warning is resolved." in html
    assert f'id="warning-{warning.pk}"' not in html
    assert "Extra meeting held" in html  # under recently resolved
    warning.refresh_from_db()
    assert warning.resolved_by == world.coordinator_a
    response = coordinator.post(url, {"note": "Again"}, follow=True)
    assert "The warning is already resolved." in response.content.decode()


# The chart ----------------------------------------------------------------------


def test_chart_is_svg_without_script_and_its_view_is_logged(world, case, warning):
    response = verified_client(world.member_a).get(
        reverse("followup:chart", kwargs={"reference": case.reference})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith("<svg")
    assert "<script" not in body.lower()
    policy = response["Content-Security-Policy"]
    style = next(d for d in policy.split(";") if d.strip().startswith("style-src"))
    assert "'unsafe-inline'" in style
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(
        user=world.member_a, case_id=case.pk, part="followup_chart"
    ).exists()


def test_the_case_page_keeps_the_strict_style_policy(world, case):
    response = verified_client(world.member_a).get(case.get_absolute_url())
    style = next(d for d in response["Content-Security-Policy"].split(";") if "style-src" in d)
    assert "'unsafe-inline'" not in style
