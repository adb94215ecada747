"""Exits on one's own (issue 17): recorded without person data by local units (for their own
police district) and the contact point (any district), audited, listed per unit, counted in
the national overview through disclosure control."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.statistics.models import OwnExit
from vejud.statistics.ownexits import own_exit_record, own_exits_released
from vejud.testing import verified_client

URL = "/statistik/egne-exits/"


def record(world, actor=None, *, unit=None, district=None, year=None, kind="gang"):
    return own_exit_record(
        actor=actor or world.member_a,
        unit=unit or world.unit_a,
        year=year or timezone.localdate().year - 1,
        police_district=district or world.unit_a.police_district,
        group_kind=kind,
        known_from="network",
    )


def test_a_unit_records_in_its_own_district_and_it_is_audited(world):
    made = record(world)
    assert made.unit == world.unit_a and made.recorded_by == world.member_a
    event = AuditEvent.objects.get(action="own_exit.record")
    assert event.person_id is None and event.case_id is None


def test_a_unit_cannot_record_for_another_district_or_unit(world):
    with pytest.raises(PermissionDenied):
        record(world, district=world.unit_b.police_district)
    with pytest.raises(PermissionDenied):
        record(world, unit=world.unit_b)
    for name in ("mentor", "analyst", "custody", "auditor", "sysadmin"):
        with pytest.raises(PermissionDenied):
            record(world, world.users[name])
    assert not OwnExit.objects.exists()


def test_the_national_point_records_in_any_district(world):
    made = record(world, world.head, unit=world.national, district=world.unit_b.police_district)
    assert made.police_district == world.unit_b.police_district


@pytest.mark.parametrize("year", [1999, 2200])
def test_implausible_years_are_refused(world, year):
    with pytest.raises(ValidationError):
        record(world, year=year)
    next_year = timezone.localdate().year + 1
    with pytest.raises(ValidationError):
        record(world, year=next_year)


def test_the_page_records_and_lists_what_each_role_may_see(world):
    client = verified_client(world.member_a)
    form = client.get(URL)
    assert form.status_code == 200
    response = client.post(
        URL,
        {
            "year": str(timezone.localdate().year - 2),
            "police_district": world.unit_a.police_district.pk,
            "group_kind": "biker",
            "known_from": "police",
            "unit": world.unit_a.pk,
        },
    )
    assert response.status_code == 302
    record(world, world.member_b, unit=world.unit_b, district=world.unit_b.police_district)
    district_a, district_b = world.unit_a.police_district.name, world.unit_b.police_district.name
    page_a = client.get(URL).content.decode()
    assert district_a in page_a and district_b not in page_a.split("Recorded by your units")[1]
    page_head = verified_client(world.head).get(URL).content.decode()
    listed = page_head.split("Recorded by your units")[1]
    assert district_a in listed and district_b in listed
    assert verified_client(world.analyst).get(URL).status_code == 403
    assert verified_client(world.mentor).get(URL).status_code == 403


def test_a_district_outside_ones_units_is_refused_by_the_form(world):
    client = verified_client(world.member_a)
    response = client.post(
        URL,
        {
            "year": "2024",
            "police_district": world.unit_b.police_district.pk,
            "group_kind": "gang",
            "known_from": "police",
            "unit": world.unit_a.pk,
        },
    )
    assert response.status_code == 200
    assert not OwnExit.objects.exists()


def test_the_overview_counts_them_with_small_cells_hidden(world):
    last = timezone.localdate().year - 1
    for _ in range(6):
        record(world, year=last, kind="gang")
    for _ in range(2):
        record(world, year=last, kind="biker")
    table = own_exits_released(date(last + 1, 6, 1))
    row = table.rows.index(str(last))
    gang = table.columns.index("Gang")
    biker = table.columns.index("Biker group")
    assert table.cells[row][biker] is None  # 2 persons: hidden
    assert table.cells[row][gang] is None or table.cells[row][gang] == 6
    assert table.row_totals[row] is None or table.cells[row][biker] is None
    assert table.total is None or table.total == 8
    page = verified_client(world.analyst).get("/statistik/").content.decode()
    assert "Exits on own hand" in page
