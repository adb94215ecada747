"""The units' side: who sees which inquiry, answering it (register or close), the task list,
the purge, and the contact point's editing of the public texts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AccessLog
from vejud.cases.models import Case
from vejud.frontdoor.models import PublicInquiry, PublicText, SubmissionStatus, Whereabouts
from vejud.frontdoor.services import public_inquiries_purge, public_inquiry_submit
from vejud.frontdoor.texts import sections
from vejud.organisations.models import Municipality
from vejud.testing import verified_client
from vejud.worklist.selectors import TaskKind, tasks_for

pytestmark = pytest.mark.django_db
QUEUE = reverse("frontdoor:queue")


def _municipality(unit) -> Municipality:
    return Municipality.objects.get_or_create(
        name=f"Kommune {unit.code}", police_district=unit.police_district
    )[0]


def _sent(unit: Any, **overrides: Any) -> PublicInquiry:
    fields: dict[str, Any] = {
        "sender": "relative",
        "called": "Kim",
        "phone": "11223344",
        "whereabouts": Whereabouts.MUNICIPALITY,
        "municipality": _municipality(unit),
        "message": "He wants out.",
    }
    fields.update(overrides)
    return public_inquiry_submit(**fields)


@pytest.fixture
def sent(world):
    return {
        "a": _sent(world.unit_a),
        "b": _sent(world.unit_b),
        "custody": _sent(
            world.unit_a,
            whereabouts=Whereabouts.CUSTODY,
            institution=world.prison,
            municipality=None,
        ),
        "national": _sent(world.unit_a, whereabouts=Whereabouts.UNKNOWN, municipality=None),
    }


SEES = {
    "member_a": {"a"},
    "coordinator_a": {"a"},
    "member_b": {"b"},
    "coordinator_b": {"b"},
    "custody": {"custody"},
    "adviser": {"national"},
    "decision_maker": {"national"},
    "head": {"national"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_sees_exactly_the_inquiries_of_its_units(world, sent, role):
    page = verified_client(getattr(world, role)).get(QUEUE)
    assert page.status_code == 200
    body = page.content.decode()
    shown = {name for name, inquiry in sent.items() if inquiry.code in body}
    assert shown == SEES[role]
    for name in set(sent) - SEES[role]:
        other = verified_client(getattr(world, role)).get(
            reverse("frontdoor:detail", kwargs={"code": sent[name].code})
        )
        assert other.status_code == 404
    assert (
        verified_client(getattr(world, role))
        .get(reverse("frontdoor:detail", kwargs={"code": "NONE-XIST"}))
        .status_code
        == 404
    )


@pytest.mark.parametrize("role", ["mentor", "analyst", "sysadmin", "auditor", "nobody"])
def test_other_roles_get_403(world, sent, role):
    client = verified_client(getattr(world, role))
    assert client.get(QUEUE).status_code == 403
    assert (
        client.get(reverse("frontdoor:detail", kwargs={"code": sent["a"].code})).status_code == 403
    )


def test_the_list_shows_no_content_and_costs_the_same_queries_at_any_length(world):
    client = verified_client(world.member_a)
    _sent(world.unit_a)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as few:
        body = client.get(QUEUE).content.decode()
    assert "He wants out." not in body and "Kim" not in body
    for _ in range(5):
        _sent(world.unit_a)
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE)
    assert len(many) == len(few)


def test_reading_an_inquiry_is_logged(world, sent):
    page = verified_client(world.member_a).get(
        reverse("frontdoor:detail", kwargs={"code": sent["a"].code})
    )
    assert "He wants out." in page.content.decode()
    assert AccessLog.objects.filter(user=world.member_a, part="public_inquiry").exists()


def test_closing_needs_a_reason_and_deletes_what_was_sent(world, sent):
    client = verified_client(world.member_a)
    url = reverse("frontdoor:close", kwargs={"code": sent["a"].code})
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Not reachable"}).status_code == 302
    inquiry = PublicInquiry.objects.get(pk=sent["a"].pk)
    assert inquiry.status == SubmissionStatus.CLOSED
    assert (inquiry.called, inquiry.phone, inquiry.message) == ("", "", "")
    assert inquiry.purged_at is not None
    assert client.post(url, {"reason": "Again"}).status_code == 409


def test_registering_opens_a_case_from_the_public_form_and_deletes_what_was_sent(world, sent):
    client = verified_client(world.member_a)
    url = reverse("frontdoor:convert", kwargs={"code": sent["a"].code})
    form = client.get(url)
    assert form.status_code == 200 and "Kim" in form.content.decode()
    answer = client.post(
        url,
        {
            "first_name": "Kim",
            "last_name": "Larsen",
            "birth_date": "1999-01-02",
            "phone": "11223344",
            "municipality": str(sent["a"].municipality_id),
            "note": "Talked on the phone.",
            "source": "public_form",
            "channel": "web_form",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    inquiry = PublicInquiry.objects.get(pk=sent["a"].pk)
    assert inquiry.status == SubmissionStatus.CONVERTED and inquiry.message == ""
    case = Case.objects.get(pk=inquiry.case_id)
    assert case.responsible_unit == world.unit_a
    assert case.inquiry.source == "public_form"


def test_waiting_inquiries_are_on_the_task_list_of_the_unit_only(world, sent):
    kinds = {t.reference for t in tasks_for(world.member_a) if t.kind == TaskKind.PUBLIC_INQUIRY}
    assert kinds == {sent["a"].code}
    assert not [t for t in tasks_for(world.member_b) if t.reference == sent["a"].code]
    page = verified_client(world.member_a).get(reverse("worklist:tasks")).content.decode()
    assert reverse("frontdoor:detail", kwargs={"code": sent["a"].code}) in page


def test_unanswered_inquiries_are_purged_after_the_retention_period(world, sent, settings):
    settings.VEJUD_PUBLIC_INQUIRY_RETENTION_DAYS = 90
    today = timezone.localdate()
    assert public_inquiries_purge(today=today + timedelta(days=90)) == 0
    assert public_inquiries_purge(today=today + timedelta(days=91)) == len(sent)
    assert not PublicInquiry.objects.exclude(message="").exists()


def test_the_contact_point_edits_a_text_and_every_version_is_kept(world, client):
    head = verified_client(world.head)
    url = reverse("frontdoor:text_edit", kwargs={"key": "contact", "language": "da"})
    assert head.get(url).status_code == 200
    assert head.post(url, {"title": "Kontakt", "body": "Ring 4515 3630."}).status_code == 302
    assert (
        head.post(url, {"title": "Kontakt os", "body": "Ring 4515 3630 i dag."}).status_code == 302
    )
    text = PublicText.objects.get(key="contact", language="da")
    assert text.version == 2 and text.versions.count() == 2
    assert next(s for s in sections("da") if s.key == "contact").title == "Kontakt os"
    assert "Kontakt os" in head.get(reverse("frontdoor:texts")).content.decode()
    assert head.post(url, {"title": "", "body": ""}).status_code == 400
    assert verified_client(world.member_a).get(url).status_code == 403
    missing = reverse("frontdoor:text_edit", kwargs={"key": "moon", "language": "da"})
    assert head.get(missing).status_code == 404
