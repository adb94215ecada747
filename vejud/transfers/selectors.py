"""Reads of a case's transfers and release plan, once a request: the case page's transfers
panel shows them, and the transfer actions' conditions (offered on the same page) ask
whether a transfer is pending and whether the plan is made."""

from __future__ import annotations

from vejud.cases.models import Case
from vejud.core.request_cache import request_cached
from vejud.transfers.models import ReleasePlan, Transfer

# What the panel shows of a transfer: these columns and the names of these relations.
SHOWN_COLUMNS = (
    "status",
    "from_track",
    "to_track",
    "handover_note",
    "requested_at",
    "decided_at",
    "decision_note",
    "track_changes_on",
)
SHOWN_NAMES = {
    "from_unit": "name",
    "from_institution": "name",
    "to_unit": "name",
    "to_institution": "name",
    "requested_by": "full_name",
    "decided_by": "full_name",
}


def case_transfers(case: Case) -> list[Transfer]:
    """Return every transfer of ``case`` with the columns and names the panel shows."""
    return request_cached(("case_transfers", case.pk), lambda: _transfers_shown(case))


def _transfers_shown(case: Case) -> list[Transfer]:
    transfers = Transfer.objects.filter(case=case)
    # Most cases are never transferred. The six-way join of the names costs about 2 ms of
    # a case page to build, compile and plan (more than the rest of the panel), so it is
    # asked for only when there is a transfer to name; asking first costs a tenth of that.
    if not transfers.exists():
        return []
    return list(
        transfers.select_related(*SHOWN_NAMES).only(
            *SHOWN_COLUMNS, *(f"{relation}__{name}" for relation, name in SHOWN_NAMES.items())
        )
    )


def release_plan(case: Case) -> ReleasePlan | None:
    """Return the release plan of ``case`` with its receiving unit, if it is made."""
    return request_cached(
        ("release_plan", case.pk),
        lambda: ReleasePlan.objects.filter(case=case).select_related("receiving_unit").first(),
    )
