"""The gate on the central-pool operations: another unit's applications → 404 (and never in a
list), wrong role → 403 before the body is read, a mentor → 404 on a case's grants, an
analyst → aggregates only; reads are logged with channel "api" and show no person data."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from vejud.api.tests.pool_support import (
    KR,
    PDF,
    PoolApi,
    application_body,
    grants_url,
    pool_state,
)
from vejud.audit.models import AccessLog
from vejud.cases.services import break_glass_open, case_transition, journal_add, mentor_assign
from vejud.pool.models import ApplicationStatus
from vejud.pool.services import attachment_add
from vejud.testing import give_consent
from vejud.testing.builders import make_custody_inquiry, protect_address
from vejud.testing.pool import make_application, make_grant, make_pool, make_pool_case, pay

pytestmark = pytest.mark.django_db

MISSING = "EX-1999-99999"
SECRETS = ("Zelda", "Quixwort", "1705951113", "Hemmelig", "Skjulested", "Journal secret")


@pytest.fixture
def grants(world: Any) -> dict[str, Any]:
    """Unit A's case (protected address, mentor, journal) with a paid grant and a document,
    a pending application on a unit-B case and one on a custody case."""
    make_pool(world, budget_kr=500_000)
    case_a = make_pool_case(world, first_name="Zelda", last_name="Quixwort", cpr="1705951113")
    journal_add(actor=world.member_a, case=case_a, text="Journal secret.")
    mentor_assign(actor=world.coordinator_a, case=case_a, mentor=world.mentor)
    protect_address(world, case_a, "Hemmelig Allé 7, 9999 Skjulested")
    grant = make_grant(world, case_a, amount_kr=20_000)
    pay(world, grant, 5_000, invoice="F-1")
    attachment = attachment_add(
        actor=world.member_a, application=grant, kind="quote", filename="quote.pdf", data=PDF
    )
    pending = make_application(world, case_a, amount_kr=3_000, category="psychologist")
    case_b = make_pool_case(world, "b", first_name="Xaver", last_name="Bunit")
    other = make_application(world, case_b, amount_kr=4_000)
    custody = make_custody_inquiry(world)
    give_consent(world.member_a, custody)
    custody = case_transition(actor=world.member_a, case=custody, target="assessment")
    in_custody = make_application(world, custody, amount_kr=5_000, actor=world.custody)
    case_a.refresh_from_db()
    return {
        "case": case_a,
        "grant": grant.pk,
        "pending": pending.pk,
        "attachment": attachment.pk,
        "case_b": case_b,
        "other": other.pk,
        "custody": custody,
        "in_custody": in_custody.pk,
    }


def operations(g: dict[str, Any]) -> list[tuple[str, str, object]]:
    """Every case-scoped pool operation on unit A's case, with a body valid for the right role."""
    one = f"/{g['grant']}"
    pending = f"/{g['pending']}"
    today = timezone.localdate().isoformat()
    return [
        ("get", "", None),
        ("post", "", application_body()),
        ("get", one, None),
        ("post", pending + "/decision", {"outcome": "approve"}),
        ("post", pending + "/answer", {"answer": "Here it is."}),
        ("post", pending + "/withdraw", {"reason": "No longer needed."}),
        (
            "post",
            one + "/payments",
            {"paid_on": today, "amount_ore": 100 * KR, "invoice_reference": "F-2"},
        ),
        ("post", one + "/release", {"reason": "Treatment ended early."}),
        ("upload", one + "/attachments", None),
        ("get", f"{one}/attachments/{g['attachment']}", None),
    ]


def call(client: PoolApi, method: str, path: str, body: object) -> Any:
    if method == "get":
        return client.get(path)
    if method == "upload":
        return client.upload(path, kind="invoice", name="invoice.pdf", data=PDF)
    return client.post(path, body)


def test_other_unit_gets_404_like_missing_on_every_case_operation(world, grants):
    client = PoolApi(world.member_b)
    case = grants["case"]
    before = pool_state()
    for method, tail, body in operations(grants):
        # Deciding, paying and releasing are national roles: a unit's staff are refused (403)
        # whichever case is named; everything else of another unit's case is 404 like missing.
        expected = 403 if _kind(method, tail) in ("decide", "manage") else 404
        other = call(client, method, grants_url(case, tail), body)
        missing = call(client, method, grants_url(MISSING, tail), body)
        assert other.status_code == missing.status_code == expected, (method, tail)
        assert other.json() == missing.json()
        if method == "post":  # the gate answers before the body is read
            bad = client.post(grants_url(case, tail), {"unexpected": True})
            assert bad.status_code == expected, (method, tail)
    assert pool_state() == before
    assert not AccessLog.objects.filter(user_id=world.member_b.pk).exists()


def test_an_application_of_another_case_is_404_under_this_case(world, grants):
    client = PoolApi(world.member_a)
    own = grants["case"]
    before = pool_state()
    for tail in (f"/{grants['other']}", f"/{grants['in_custody']}"):
        assert client.get(grants_url(own, tail)).status_code == 404
    assert (
        client.post(grants_url(own, f"/{grants['other']}/withdraw"), {"reason": "x"}).status_code
        == 404
    )
    # A document of one application is not reachable under another.
    response = client.get(
        grants_url(own, f"/{grants['pending']}/attachments/{grants['attachment']}")
    )
    assert response.status_code == 404
    assert pool_state() == before


# Who may not call what on unit A's case (role → expected answer), per operation kind.
WRONG_ROLES = {
    "apply": {"adviser": 403, "decision_maker": 403, "head": 403, "mentor": 403, "analyst": 403},
    "decide": {"member_a": 403, "coordinator_a": 403, "head": 403, "adviser": 403},
    "manage": {"member_a": 403, "coordinator_a": 403, "adviser": 403, "custody": 403},
    "attach": {"adviser": 403, "mentor": 403, "analyst": 403, "auditor": 403},
    # The auditor and the sysadmin have no API access at all; a mentor has no grants part.
    "read": {"analyst": 403, "sysadmin": 403, "nobody": 403, "auditor": 403, "mentor": 404},
}
# What kind of operation a POST is, by the end of its path (a POST on the case: apply).
POST_KINDS = {
    "decision": "decide",
    "answer": "apply",
    "withdraw": "apply",
    "payments": "manage",
    "release": "manage",
    "attachments": "attach",
}


def _kind(method: str, tail: str) -> str:
    if method == "get":
        return "read"
    return POST_KINDS.get(tail.rsplit("/", 1)[-1], "apply")


@pytest.mark.parametrize("kind", sorted(WRONG_ROLES))
def test_wrong_roles_are_refused_before_the_body_is_read(world, grants, kind):
    case = grants["case"]
    before = pool_state()
    checked = 0
    for method, tail, body in operations(grants):
        if _kind(method, tail) != kind:
            continue
        for name, status in WRONG_ROLES[kind].items():
            client = PoolApi(getattr(world, name))
            response = call(client, method, grants_url(case, tail), body)
            assert response.status_code == status, (name, method, tail, response.content)
            text = response.content.decode(errors="replace")
            assert not [s for s in SECRETS if s in text]
            if method == "post":
                bad = client.post(grants_url(case, tail), {"unexpected": True})
                assert bad.status_code == status, (name, method, tail)
            checked += 1
    assert checked
    assert pool_state() == before


def test_custody_staff_reach_the_custody_case_only(world, grants):
    client = PoolApi(world.custody)
    assert client.get(grants_url(grants["custody"])).status_code == 200
    assert client.get(grants_url(grants["case"])).status_code == 404
    listed = client.get("/api/v1/pool/applications").json()["items"]
    assert [item["id"] for item in listed] == [grants["in_custody"]]


def test_break_the_glass_reads_but_cannot_apply(world, grants):
    from vejud.accounts.models import Role
    from vejud.testing import make_user

    outsider = make_user("glass@test.vejud.dk", "Glass Breaker", world.unit_b, Role.UNIT_MEMBER)
    case = grants["case"]
    break_glass_open(actor=outsider, reference=case.reference, reason="Urgent threat tonight.")
    client = PoolApi(outsider)
    response = client.get(grants_url(case))
    assert response.status_code == 200
    assert response.json()["can_apply"] is False
    before = pool_state()
    refused = client.post(grants_url(case), application_body())
    assert refused.status_code == 403
    assert pool_state() == before
    log = AccessLog.objects.get(user_id=outsider.pk)
    assert (log.channel, log.part, log.break_glass) == ("api", "grants", True)


def test_a_unit_never_lists_another_units_applications(world, grants):
    ids = {
        name: {
            item["id"]
            for item in PoolApi(getattr(world, name))
            .get("/api/v1/pool/applications")
            .json()["items"]
        }
        for name in ("member_a", "member_b", "coordinator_b", "adviser", "custody")
    }
    unit_a = {grants["grant"], grants["pending"], grants["in_custody"]}
    assert ids["member_a"] == unit_a
    assert ids["member_b"] == ids["coordinator_b"] == {grants["other"]}
    assert ids["adviser"] == unit_a | {grants["other"]}
    assert ids["custody"] == {grants["in_custody"]}
    # Filtering by the other unit's code or case gives nothing, not an error.
    empty = PoolApi(world.member_b).get(
        "/api/v1/pool/applications", {"case": grants["case"].reference}
    )
    assert empty.status_code == 200
    assert empty.json()["items"] == []


@pytest.mark.parametrize("name", ["analyst", "mentor", "sysadmin", "auditor", "nobody"])
def test_roles_without_view_grants_get_403_on_the_list_and_guidelines(world, grants, name):
    client = PoolApi(getattr(world, name))
    for path in ("/api/v1/pool/applications", "/api/v1/pool/guidelines"):
        response = client.get(path)
        assert response.status_code == 403, (name, path)


def test_the_analyst_sees_aggregates_only(world, grants):
    client = PoolApi(world.analyst)
    year = timezone.localdate().year
    years = client.get("/api/v1/pool/years")
    overview = client.get(f"/api/v1/pool/years/{year}")
    assert years.status_code == overview.status_code == 200
    for response in (years, overview):
        text = response.content.decode()
        assert not [s for s in SECRETS if s in text]
        for case in (grants["case"], grants["case_b"], grants["custody"]):
            assert case.reference not in text
        assert "PUL-" not in text
    data = overview.json()
    assert data["total"]["applications"] == 4
    assert data["total"]["committed_ore"] == 20_000 * KR
    assert {u["unit"] for u in data["units"]} == {world.unit_a.name, world.unit_b.name}
    # Administration and everything about single applications stay closed.
    assert client.get(f"/api/v1/pool/years/{year}/entries").status_code == 403
    assert client.post("/api/v1/pool/years", {"unexpected": 1}).status_code == 403
    assert client.get(grants_url(grants["case"])).status_code == 403


@pytest.mark.parametrize(
    ("name", "status"),
    [("member_a", 403), ("custody", 403), ("adviser", 403), ("analyst", 403), ("head", 201)],
)
def test_only_the_pool_managers_administer_budgets_and_guidelines(world, grants, name, status):
    client = PoolApi(getattr(world, name))
    year = timezone.localdate().year
    before = pool_state()
    bodies = [
        ("/api/v1/pool/years", {"year": year + 1, "amount_ore": 1_000 * KR, "reason": "Next."}),
        (
            f"/api/v1/pool/years/{year}/entries",
            {"kind": "allocation", "amount_ore": 1_000 * KR, "reason": "More."},
        ),
        (
            "/api/v1/pool/guidelines",
            {
                "category": "moving",
                "description": "Moving.",
                "cap_per_grant_ore": 10_000 * KR,
                "cap_per_person_year_ore": 20_000 * KR,
                "required_documentation": "Quote.",
                "valid_from": timezone.localdate().isoformat(),
            },
        ),
    ]
    for path, body in bodies:
        response = client.post(path, body)
        assert response.status_code == status, (name, path, response.content)
        if status == 403:
            assert client.post(path, {"unexpected": True}).status_code == 403
    if status == 403:
        assert pool_state() == before


def test_reads_are_logged_with_channel_api_and_show_no_person_data(world, grants):
    client = PoolApi(world.adviser)
    case = grants["case"]
    before = AccessLog.objects.filter(user_id=world.adviser.pk).count()
    responses = [
        client.get("/api/v1/pool/applications"),
        client.get(grants_url(case)),
        client.get(grants_url(case, f"/{grants['grant']}")),
        client.get(grants_url(case, f"/{grants['grant']}/attachments/{grants['attachment']}")),
    ]
    assert [r.status_code for r in responses] == [200] * 4
    for response in responses[:3]:
        text = response.content.decode()
        assert not [s for s in SECRETS if s in text], response.request["PATH_INFO"]
    logs = list(AccessLog.objects.filter(user_id=world.adviser.pk).order_by("pk"))[before:]
    assert {log.channel for log in logs} == {"api"}
    # The list: one record per case shown; then the case view, the application, the document.
    listed = {grants["case"].pk, grants["case_b"].pk, grants["custody"].pk}
    assert {log.case_id for log in logs[:3]} == listed
    assert {log.part for log in logs[:3]} == {"grants"}
    assert [log.part for log in logs[3:]] == ["grants", "grants", "grant_attachment"]
    assert {log.case_id for log in logs[3:]} == {case.pk}


def test_the_document_is_sent_as_an_attachment_with_nosniff(world, grants):
    response = PoolApi(world.member_a).get(
        grants_url(grants["case"], f"/{grants['grant']}/attachments/{grants['attachment']}")
    )
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "quote.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_status_filter_and_detail_of_a_unit_b_application(world, grants):
    client = PoolApi(world.member_b)
    listed = client.get("/api/v1/pool/applications", {"status": ApplicationStatus.SUBMITTED})
    assert [i["id"] for i in listed.json()["items"]] == [grants["other"]]
    detail = client.get(grants_url(grants["case_b"], f"/{grants['other']}"))
    assert detail.status_code == 200
    assert detail.json()["actions"]["withdraw"] is True
    assert detail.json()["actions"]["decide"] is False
