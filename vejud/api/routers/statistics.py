"""Exits on own hand through the API: the list of one's units' records and recording one.

The same rule (``vejud.access.ownexits``) and service (``own_exit_record``) as the page: local
units record for their own police district, the national contact point for any; nothing in
or out names a person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vejud.access.ownexits import own_exits_visible
from vejud.access.rules import Capability
from vejud.api.auth import api_user
from vejud.api.gates import CapabilityGate
from vejud.api.operations import READ_ERRORS, WRITE_ERRORS
from vejud.api.pagination import CURSOR_PATTERN, cursor_decode, cursor_encode
from vejud.api.routers.course import field_error
from vejud.organisations.models import PoliceDistrict, Unit
from vejud.people.models import GroupKind
from vejud.statistics.models import OwnExit, OwnExitSource
from vejud.statistics.ownexits import FIRST_YEAR, own_exit_record

router = Router(tags=["statistics"])

RECORDS = CapabilityGate(Capability.RECORD_OWN_EXITS)
Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")]


class OwnExitOut(Schema):
    id: int
    year: int
    police_district: str
    group_kind: GroupKind
    known_from: OwnExitSource
    unit: str
    recorded_at: datetime

    @staticmethod
    def resolve_police_district(record: OwnExit) -> str:
        return record.police_district.code

    @staticmethod
    def resolve_unit(record: OwnExit) -> str:
        return record.unit.code


class OwnExitPage(Schema):
    items: list[OwnExitOut]
    next_cursor: str | None


class OwnExitFilters(Schema):
    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(None, ge=FIRST_YEAR, le=2199)
    cursor: str | None = Field(None, min_length=1, max_length=40, pattern=CURSOR_PATTERN)
    limit: int = Field(50, ge=1, le=200)


class OwnExitIn(Schema):
    """No name, CPR number or free text: the year, the district (code), the kind of group,
    how it became known and the recording unit (code)."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=FIRST_YEAR, le=2199)
    police_district: Code
    group_kind: GroupKind
    known_from: OwnExitSource
    unit: Code


def _listed(rows: Any) -> Any:
    return rows.select_related("police_district", "unit")


@RECORDS.route(
    router.get,
    "/own-exits",
    {200: OwnExitPage, **READ_ERRORS},
    "own_exits",
    "List the exits on own hand your units recorded (all for the national contact point)",
)
def own_exits(request: HttpRequest, filters: Query[OwnExitFilters]) -> Any:
    """Newest first, a page at a time (``next_cursor``)."""
    rows = _listed(own_exits_visible(api_user(request)))
    if filters.year:
        rows = rows.filter(year=filters.year)
    if filters.cursor:
        rows = rows.filter(id__lt=cursor_decode(filters.cursor))
    page = list(rows.order_by("-id")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {"items": page, "next_cursor": cursor_encode(page[-1].pk) if more else None}


@RECORDS.route(
    router.post,
    "/own-exits",
    {201: OwnExitOut, **WRITE_ERRORS},
    "own_exit_record",
    "Record an exit on own hand (no person data)",
)
def own_exit_new(request: HttpRequest, payload: OwnExitIn) -> Status[Any]:
    """403 for a unit or district you do not record for; 422 for an unknown code or a year
    after this one."""
    district = PoliceDistrict.objects.filter(code=payload.police_district).first()
    if district is None:
        raise field_error("police_district", _("Unknown police district."))
    unit = Unit.objects.filter(code=payload.unit).first()
    if unit is None:
        raise field_error("unit", _("Unknown unit."))
    record = own_exit_record(
        actor=api_user(request),
        unit=unit,
        year=payload.year,
        police_district=district,
        group_kind=payload.group_kind.value,
        known_from=payload.known_from.value,
    )
    return Status(201, _listed(OwnExit.objects).get(pk=record.pk))
