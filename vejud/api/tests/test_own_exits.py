"""Exits on own hand through the API: list per role (what it contains), record with the
page's rule (own district for a unit, any for the national point), refusals."""

from __future__ import annotations

from django.utils import timezone

from vejud.statistics.models import OwnExit
from vejud.statistics.ownexits import own_exit_record
from vejud.testing.api import JsonApi

URL = "/api/v1/own-exits"


def body(world, **over):
    return {
        "year": timezone.localdate().year - 1,
        "police_district": world.unit_a.police_district.code,
        "group_kind": "gang",
        "known_from": "network",
        "unit": world.unit_a.code,
        **over,
    }


def test_record_and_list_per_role(world):
    made = JsonApi(world.member_a).post(URL, body(world))
    assert made.status_code == 201, made.content
    assert made.json()["police_district"] == world.unit_a.police_district.code
    assert set(made.json()) == {
        "id", "year", "police_district", "group_kind", "known_from", "unit", "recorded_at"
    }  # fmt: skip
    other = own_exit_record(
        actor=world.member_b,
        unit=world.unit_b,
        year=2024,
        police_district=world.unit_b.police_district,
        group_kind="biker",
        known_from="police",
    )

    def listed(user):
        response = JsonApi(user).get(URL)
        return response.status_code, sorted(r["id"] for r in response.json().get("items", []))

    assert listed(world.member_a) == (200, [made.json()["id"]])
    assert listed(world.member_b) == (200, [other.pk])
    assert listed(world.head) == (200, sorted([made.json()["id"], other.pk]))
    assert listed(world.analyst)[0] == 403
    assert listed(world.mentor)[0] == 403


def test_refusals_change_nothing(world):
    api = JsonApi(world.member_a)
    assert (
        api.post(URL, body(world, police_district=world.unit_b.police_district.code)).status_code
        == 403
    )
    assert api.post(URL, body(world, unit=world.unit_b.code)).status_code == 403
    assert api.post(URL, body(world, police_district="no-such")).status_code == 422
    assert api.post(URL, body(world, year=timezone.localdate().year + 1)).status_code == 422
    assert api.post(URL, body(world, name="Navn Navnesen")).status_code == 422
    assert not OwnExit.objects.exists()


def test_pages_follow_the_cursor(world):
    for _ in range(3):
        JsonApi(world.head).post(URL, body(world, unit=world.national.code))
    api = JsonApi(world.head)
    first = api.get(URL, {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = api.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
