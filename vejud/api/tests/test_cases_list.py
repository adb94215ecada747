"""GET /api/v1/cases: the caller's visible cases, cursor-paginated, never a name."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vejud.accounts.tokens import token_create, token_revoke
from vejud.api.pagination import cursor_encode
from vejud.cases.models import Track
from vejud.testing import make_case
from vejud.testing.api import JsonApi
from vejud.testing.builders import make_custody_inquiry, protect_address

URL = "/api/v1/cases"
LIST_KEYS = {"reference", "status", "track", "unit", "institution", "opened_on", "closed_on"}


def references(response) -> list[str]:
    return [item["reference"] for item in response.json()["items"]]


def test_lists_own_unit_cases_only(world, cases, api_client):
    response = api_client(world.member_a).get(URL)
    assert response.status_code == 200
    assert set(references(response)) == {cases["a"].reference, cases["custody"].reference}


def test_other_unit_case_is_not_listed(world, cases, api_client):
    response = api_client(world.member_b).get(URL)
    assert response.status_code == 200
    assert references(response) == [cases["b"].reference]


def test_national_adviser_sees_all(world, cases, api_client):
    response = api_client(world.adviser).get(URL)
    assert {c.reference for c in cases.values()} <= set(references(response))


def test_custody_staff_see_their_institutions_custody_cases(world, cases, api_client):
    response = api_client(world.custody).get(URL)
    assert references(response) == [cases["custody"].reference]


def test_mentor_sees_only_mentees(world, cases, api_client):
    response = api_client(world.mentor).get(URL)
    assert references(response) == [cases["a"].reference]


def test_items_carry_no_name_cpr_or_address(world, cases, api_client):
    protect_address(world, cases["a"], "Hemmelig Allé 7, 9999 Skjulested")
    response = api_client(world.coordinator_a).get(URL)
    body = response.content.decode()
    for item in response.json()["items"]:
        assert set(item) == LIST_KEYS
    for secret in (
        "Zelda",
        "Quixwort",
        "Yannick",
        "1705951113",
        "170595",
        "Hemmelig",
        "Skjulested",
    ):
        assert secret not in body


def test_item_shape(world, cases, api_client):
    response = api_client(world.member_a).get(URL, {"q": cases["custody"].reference})
    (item,) = response.json()["items"]
    assert item["track"] == Track.CUSTODY
    assert item["unit"] == {"code": world.unit_a.code, "name": world.unit_a.name}
    assert item["institution"] == {"code": world.prison.code, "name": world.prison.name}
    assert item["opened_on"] == cases["custody"].opened_on.isoformat()
    assert item["closed_on"] is None


def test_cursor_pagination_is_complete_and_without_duplicates(world, cases, api_client):
    made = [make_case(world.member_a, world.unit_a, last_name=f"Page{i}") for i in range(7)]
    expected = [
        c.reference for c in sorted([*made, cases["a"], cases["custody"]], key=lambda c: -c.pk)
    ]
    client = api_client(world.member_a)
    seen: list[str] = []
    params: dict[str, object] = {"limit": 4}
    pages = 0
    while True:
        response = client.get(URL, params)
        assert response.status_code == 200
        page = response.json()
        seen.extend(item["reference"] for item in page["items"])
        pages += 1
        if page["next_cursor"] is None:
            break
        # A case opened meanwhile must not shift the window (keyset, not offset).
        make_case(world.member_a, world.unit_a, last_name=f"Late{pages}")
        params = {"limit": 4, "cursor": page["next_cursor"]}
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert pages == 3


def test_exact_page_has_no_next_cursor(world, cases, api_client):
    response = api_client(world.member_a).get(URL, {"limit": 2})
    assert len(response.json()["items"]) == 2
    assert response.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Every cursor that is not one of ours is an invalid query parameter (422), whether
        # the schema's pattern or the decoding finds it out.
        ({"cursor": "not-a-cursor"}, 422),
        ({"cursor": "YWJj"}, 422),
        ({"cursor": "Yz-ZZZ"}, 422),
        ({"cursor": "0"}, 422),
        ({"cursor": "YzE6eHl6"}, 422),  # "c1:xyz": our prefix, no id
        ({"cursor": "a b"}, 422),
        ({"limit": 0}, 422),
        ({"limit": 101}, 422),
        ({"limit": "many"}, 422),
        ({"status": "nonsense"}, 422),
        ({"track": "nowhere"}, 422),
        ({"q": "EX%"}, 422),
        ({"q": "EX\x00"}, 422),
        ({"unit": "x" * 61}, 422),
    ],
)
def test_bad_query_parameters_are_client_errors(world, api_client, params, expected):
    response = api_client(world.member_a).get(URL, params)
    assert response.status_code == expected
    assert "detail" in response.json()
    if "cursor" in params:
        (problem,) = response.json()["detail"]
        assert problem["loc"] == ["query", "cursor"]


def test_forged_cursor_stays_within_scope(world, cases, api_client):
    response = api_client(world.member_b).get(URL, {"cursor": cursor_encode(10**9)})
    assert references(response) == [cases["b"].reference]


def test_filters(world, cases, api_client):
    client = api_client(world.adviser)
    assert references(client.get(URL, {"track": Track.CUSTODY})) == [cases["custody"].reference]
    assert set(references(client.get(URL, {"unit": world.unit_b.code}))) == {cases["b"].reference}
    assert references(client.get(URL, {"status": "inquiry", "unit": world.unit_b.code})) == [
        cases["b"].reference
    ]
    assert references(client.get(URL, {"status": "closed", "unit": world.unit_b.code})) == []
    ref = cases["a"].reference
    assert references(client.get(URL, {"q": ref.lower()})) == [ref]
    assert ref in references(client.get(URL, {"q": ref[:8]}))


def test_filter_cannot_reach_other_unit(world, cases, api_client):
    response = api_client(world.member_a).get(URL, {"unit": world.unit_b.code})
    assert references(response) == []


@pytest.mark.parametrize("name", ["analyst", "sysadmin", "auditor", "nobody"])
def test_roles_without_case_access_get_403(world, cases, api_client, name):
    response = api_client(getattr(world, name)).get(URL)
    assert response.status_code == 403
    assert cases["a"].reference not in response.content.decode()


def test_missing_token_is_401(world, cases):
    response = JsonApi().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_malformed_or_unknown_token_is_401(world, cases):
    assert JsonApi(token="vejud_not-a-real-token").get(URL).status_code == 401
    client = JsonApi()
    client.headers = {"Authorization": "Basic dXNlcjpwYXNz"}
    assert client.get(URL).status_code == 401


def test_session_login_is_not_enough(world, cases):
    from vejud.testing import verified_client

    assert verified_client(world.member_a).get(URL).status_code == 401


def test_revoked_token_is_401(world, cases):
    token, raw = token_create(user=world.member_a, name="revoke me")
    client = JsonApi(token=raw)
    assert client.get(URL).status_code == 200
    token_revoke(actor=world.member_a, token=token)
    assert client.get(URL).status_code == 401


def test_expired_token_is_401(world, cases):
    _token, raw = token_create(
        user=world.member_a, name="short", expires_at=timezone.now() + timedelta(hours=1)
    )
    client = JsonApi(token=raw)
    assert client.get(URL).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client.get(URL).status_code == 401


def test_inactive_user_token_is_401(world, cases):
    raw = token_create(user=world.member_a, name="t")[1]
    world.member_a.is_active = False
    world.member_a.save(update_fields=["is_active"])
    assert JsonApi(token=raw).get(URL).status_code == 401


def test_query_count_does_not_grow_with_rows(world, cases, api_client):
    client = api_client(world.member_a)
    client.get(URL)  # the token's last-used stamp is written on first use only

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"limit": 100}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(12):
        make_custody_inquiry(world, last_name=f"Many{i}")
    assert count() == few
