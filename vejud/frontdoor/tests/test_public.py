"""The public front door: pages without login, the form's safety, routing and receipt."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.frontdoor.models import PublicInquiry, Whereabouts
from vejud.organisations.models import Municipality, Unit, UnitKind

pytestmark = pytest.mark.django_db

CONTACT = reverse("frontdoor:contact")
SECRET_TEXT = "Zebulon-Quist wants out of Bandidos"


def _form(client: Client) -> dict[str, Any]:
    page = client.get(CONTACT)
    assert page.status_code == 200
    return {"started": page.context["form"].initial["started"]}


@pytest.fixture(autouse=True)
def _municipalities(db: Any) -> None:
    from vejud.reference.services import reference_load

    reference_load(missing_only=True)


def _send(client: Client, **overrides: Any) -> Any:
    data = _form(client)
    municipality = Municipality.objects.order_by("name").first()
    data.update(
        sender="self",
        called="Zeb",
        phone="+45 12 34 56 78",
        contact_times="Evenings",
        may_leave_message="no",
        whereabouts=Whereabouts.MUNICIPALITY,
        municipality=str(municipality.pk if municipality else ""),
        message=SECRET_TEXT,
        website="",
    )
    data.update(overrides)
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        return client.post(CONTACT, data)


@pytest.mark.parametrize("url", ["/", "/exit/", CONTACT, reverse("frontdoor:receipt")])
def test_the_public_pages_open_without_login(world, url):
    page = Client().get(url)
    assert page.status_code == 200
    assert b"4515 3630" in page.content or url == CONTACT


def test_a_sent_form_lands_at_the_district_unit_with_a_neutral_receipt(world):
    client = Client()
    answer = _send(client)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("frontdoor:receipt")
    inquiry = PublicInquiry.objects.get()
    receipt = client.get(answer["Location"])
    body = receipt.content.decode()
    assert inquiry.code in body
    for text in (SECRET_TEXT, "Zeb", "12 34 56 78", inquiry.unit.name, "Evenings"):
        assert text not in body
        assert text not in answer["Location"]
    assert inquiry.message == SECRET_TEXT
    assert inquiry.unit.kind == UnitKind.LOCAL
    event = AuditEvent.objects.filter(action="public_inquiry.submit").get()
    assert SECRET_TEXT not in str(event.changes)
    # The receipt shows its code once.
    assert inquiry.code not in Client().get(reverse("frontdoor:receipt")).content.decode()


def test_the_texts_are_encrypted_at_rest(world):
    from django.db import connection

    _send(Client())
    with connection.cursor() as cursor:
        cursor.execute("SELECT called, phone, message FROM frontdoor_publicinquiry")
        row = cursor.fetchone()
    assert all(SECRET_TEXT not in value and value != "Zeb" for value in row)


def test_a_robot_filling_the_hidden_field_is_answered_as_if_sent_and_nothing_is_kept(world):
    answer = _send(Client(), website="http://spam.example")
    assert answer.status_code == 302
    assert not PublicInquiry.objects.exists()


def test_a_form_sent_too_fast_is_shown_again_calmly(world):
    client = Client()
    data = _form(client)
    data.update(
        sender="self", called="Zeb", phone="1", whereabouts="unknown", may_leave_message="no"
    )
    page = client.post(CONTACT, data)
    assert page.status_code == 400
    assert not PublicInquiry.objects.exists()


def test_too_many_forms_from_one_address_get_a_calm_429(world, settings):
    settings.VEJUD_PUBLIC_INQUIRY_RATE = "2/h"
    client = Client()
    assert _send(client).status_code == 302
    assert _send(client).status_code == 302
    limited = _send(client)
    assert limited.status_code == 429
    assert "4515 3630" in limited.content.decode()
    assert PublicInquiry.objects.count() == 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"called": "x" * 61},
        {"message": "x" * 2001},
        {"whereabouts": "moon"},
        {"municipality": "999999"},
        {"sender": ""},
        {"whereabouts": "municipality", "municipality": ""},
    ],
)
def test_bad_input_is_a_400_that_keeps_nothing(world, overrides):
    assert _send(Client(), **overrides).status_code == 400
    assert not PublicInquiry.objects.exists()


def test_every_municipality_routes_to_its_district_unit(world):
    from vejud.frontdoor.routing import public_route

    municipalities = list(Municipality.objects.select_related("police_district"))
    assert len(municipalities) == 98
    for municipality in municipalities:
        unit, institution = public_route(
            whereabouts=Whereabouts.MUNICIPALITY, municipality=municipality, institution=None
        )
        expected = Unit.objects.filter(
            kind=UnitKind.LOCAL, police_district=municipality.police_district
        ).first()
        assert unit == (expected or Unit.objects.get(kind=UnitKind.NATIONAL)), municipality
        assert institution is None


def test_custody_routes_to_the_directorate_with_the_institution_and_unknown_to_national(world):
    from vejud.frontdoor.routing import public_route

    unit, held_in = public_route(
        whereabouts=Whereabouts.CUSTODY, municipality=None, institution=world.prison
    )
    assert (unit, held_in) == (world.dfk, world.prison)
    unit, held_in = public_route(
        whereabouts=Whereabouts.CUSTODY, municipality=None, institution=None
    )
    assert unit.kind == UnitKind.DFK and held_in is None
    unit, held_in = public_route(
        whereabouts=Whereabouts.UNKNOWN, municipality=None, institution=None
    )
    assert unit.kind == UnitKind.NATIONAL and held_in is None


def test_a_thousand_forms_from_one_address_in_a_minute_keep_only_the_allowed_ones(world):
    """The rate limit holds (no 5xx, only the allowed submissions kept), and a person from
    another address gets through right after."""
    allowed = int(settings_rate().split("/")[0])
    flood = Client(REMOTE_ADDR="203.0.113.7")
    data = _form(flood)
    municipality = Municipality.objects.order_by("name").first()
    assert municipality is not None
    data.update(
        sender="self",
        called="Bot",
        phone="1",
        may_leave_message="no",
        whereabouts="municipality",
        municipality=str(municipality.pk),
    )
    statuses: dict[int, int] = {}
    with time_machine.travel(timezone.now() + timedelta(seconds=10), tick=False):
        for _ in range(1000):
            status = flood.post(CONTACT, data).status_code
            statuses[status] = statuses.get(status, 0) + 1
    assert set(statuses) == {302, 429}, statuses
    assert statuses[302] == allowed
    assert PublicInquiry.objects.count() == allowed
    person = Client(REMOTE_ADDR="198.51.100.20")
    assert _send(person).status_code == 302
    assert PublicInquiry.objects.count() == allowed + 1


def settings_rate() -> str:
    from django.conf import settings

    return str(settings.VEJUD_PUBLIC_INQUIRY_RATE)
