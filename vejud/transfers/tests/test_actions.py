"""The transfer action table agrees with what the services refuse."""

from __future__ import annotations

from vejud.access.casework import Actor
from vejud.transfers import services
from vejud.transfers.actions import OPEN_FOR_TRANSFER


def test_a_transfer_is_possible_where_the_service_takes_one():
    """The request's statuses come from the state table (a caseworker's transition leads on
    from them); the service's own guard names the same statuses."""
    assert {actor for _status, actor in OPEN_FOR_TRANSFER} == {Actor.CASEWORKER}
    assert {status for status, _actor in OPEN_FOR_TRANSFER} == services.OPEN_FOR_TRANSFER
