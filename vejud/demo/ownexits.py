"""The demo's exits on own hand: spread over the last five years, units and kinds of group,
so the overview shows figures of five or more and hidden small ones."""

from __future__ import annotations

import random

from django.utils import timezone

from vejud.accounts.models import User
from vejud.organisations.models import Unit, UnitKind
from vejud.people.models import GroupKind
from vejud.statistics.models import OwnExit, OwnExitSource
from vejud.statistics.ownexits import own_exit_record

RECORDS = 90


def seed_own_exits(staff: dict[str, User], *, seed: int = 1) -> list[str]:
    """Record the demo's exits on own hand once (nothing when some exist)."""
    if OwnExit.objects.exists():
        return []
    rng = random.Random(seed)
    units = list(
        Unit.objects.filter(kind=UnitKind.LOCAL, code__startswith="exit-")
        .select_related("police_district")
        .order_by("code")
    )
    last = timezone.localdate().year - 1
    kinds = [GroupKind.GANG] * 5 + [GroupKind.BIKER] * 3 + [GroupKind.OTHER]
    for _ in range(RECORDS):
        unit = rng.choice(units[:6])  # the larger districts learn of most
        assert unit.police_district is not None  # a local exit unit covers one district
        own_exit_record(
            actor=staff[f"coordinator.{unit.code.removeprefix('exit-')}"],
            unit=unit,
            year=rng.randint(last - 4, last + 1),
            police_district=unit.police_district,
            group_kind=rng.choice(kinds),
            known_from=rng.choice(OwnExitSource.values),
        )
    return [f"Exits on own hand: {RECORDS} recorded by six units (no person data)"]
