"""The authorisation matrix, part two: WHAT every list holds, for every role of the cast.

``test_authz_matrix`` checks each route's status for each role. Here the lists themselves
are read on the pages and through the API, and their content is compared with a table of
intended answers written out by hand (never computed by asking vejud.access):

- the caseload (/sager/, GET /api/v1/cases), and its name search (?q=);
- the task list (/opgaver/, GET /api/v1/tasks);
- the incoming transfers (/overdragelser/, GET /api/v1/transfers/incoming);
- the central pool's applications (/puljen/ansoegninger/, GET /api/v1/pool/applications);
- the possible existing persons awaiting a link (/sager/mulige-personer/);
- the case-access role grants awaiting a second person (/konto/rolletildelinger/) and the
  auditor's review of granted ones (/revision/rolletildelinger/);
- case reviews (/kvalitet/): the review rounds with their counts, a round's reviews, the
  reviews sent to a unit, the learning points and the review tasks (no API lists reviews).

Then: for a case, a person, a transfer and a case review outside a role's reach, the answer
(status and body, per-response tokens aside) equals the answer for one that does not exist.

The world: unit A holds a liberty case (mentored, with a pending transfer to unit B), a
custody case in the cast's prison, and a case whose person excludes coordinator A; unit B
holds one liberty case. All are inquiries (so the unit's staff get assessment tasks).

Besides the cast, ``glass``: a member of unit B who has broken the glass on unit A's custody
case. Breaking the glass is to read a case, never to work on it (``vejud.access.casework``):
the case joins the caseload, its search and the grants it may read (each read logged as
break-glass), and nothing that is work: not the task list, not the unit's reviews, and no
list offers a write on it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from vejud.accounts.grants import role_grant_approve, role_grant_request
from vejud.accounts.models import Role
from vejud.api.tests.process_support import municipality_of
from vejud.audit.models import AccessLog
from vejud.audit.services import audit_record, audited
from vejud.cases.models import Track
from vejud.cases.services import break_glass_open, mentor_assign
from vejud.intake.services import inquiry_register
from vejud.people.services import person_access_rule_add
from vejud.pool.models import Application, Category
from vejud.pool.services import guideline_in_force
from vejud.quality.models import CaseReview
from vejud.quality.services import review_answer
from vejud.testing import give_consent, make_case, make_user, verified_client
from vejud.testing.api import JsonApi
from vejud.testing.pages import write_links
from vejud.testing.pool import make_pool
from vejud.testing.quality import make_round, send_review
from vejud.transfers.services import transfer_request

ROLES = (
    "nobody",
    "member_a",
    "coordinator_a",
    "member_b",
    "coordinator_b",
    "adviser",
    "decision_maker",
    "head",
    "custody",
    "mentor",
    "analyst",
    "sysadmin",
    "auditor",
    "glass",  # not of the cast: a member of unit B who broke the glass on GLASS_CASE
)
GLASS_CASE = "a_custody"
GLASS_REASON = "Arrested in our district tonight; checking threats."
NO_CASES = frozenset({"nobody", "analyst", "sysadmin", "auditor"})  # 403 on every list
NATIONAL = ("adviser", "decision_maker", "head")

# The intended content of each list, by role (case keys, see ``World``).
CASELOAD: dict[str, set[str]] = {
    "member_a": {"a_liberty", "a_custody", "a_barred"},
    "coordinator_a": {"a_liberty", "a_custody"},  # the person of a_barred excludes them
    "member_b": {"b_liberty"},
    "coordinator_b": {"b_liberty"},
    **{n: {"a_liberty", "a_custody", "a_barred", "b_liberty"} for n in NATIONAL},
    "custody": {"a_custody"},  # the custody case sits in their prison
    "mentor": {"a_liberty"},
    "glass": {"b_liberty", GLASS_CASE},  # their unit's, and the one they broke the glass on
}
# Assessment tasks go to the staff of the responsible unit (and custody staff for custody
# cases); the transfer task only to the receiving unit's staff.
TASKS: dict[str, set[str]] = {
    "member_a": {"a_liberty", "a_custody", "a_barred"},
    "coordinator_a": {"a_liberty", "a_custody"},
    "member_b": {"b_liberty", "a_liberty"},
    "coordinator_b": {"b_liberty", "a_liberty"},
    **{n: set() for n in NATIONAL},
    "custody": {"a_custody"},
    "mentor": set(),
    "glass": {"b_liberty", "a_liberty"},  # unit B's work; never the case read through glass
}
INCOMING: dict[str, set[str]] = {
    "member_b": {"a_liberty"},
    "coordinator_b": {"a_liberty"},
    "glass": {"a_liberty"},
}


@dataclass
class World:
    cast: Any
    cases: dict[str, Any]
    transfer: Any

    def user(self, role: str) -> Any:
        return self.cast.users[role]

    def refs(self, keys: set[str]) -> set[str]:
        return {self.cases[k].reference for k in keys}


@pytest.fixture
def lists(world: Any) -> World:
    cases = {
        "a_liberty": make_case(world.member_a, world.unit_a, first_name="Zelda", last_name="Q"),
        "a_custody": make_case(
            world.member_a,
            world.unit_a,
            track=Track.CUSTODY,
            institution=world.prison,
            first_name="Yannick",
            last_name="Custodio",
        ),
        "a_barred": make_case(world.member_a, world.unit_a, first_name="Xerxes", last_name="Q"),
        "b_liberty": make_case(world.member_b, world.unit_b, first_name="Wanda", last_name="Q"),
    }
    person_access_rule_add(
        actor=world.head,
        person=cases["a_barred"].person,
        kind="exclusion",
        user=world.coordinator_a,
    )
    mentor_assign(actor=world.coordinator_a, case=cases["a_liberty"], mentor=world.mentor)
    # Consent to the receiving unit's agencies is needed before a transfer.
    give_consent(world.member_a, cases["a_liberty"])
    transfer = transfer_request(
        actor=world.member_a,
        case=cases["a_liberty"],
        to_unit=world.unit_b,
        handover_note="Moves to B; the sender's note.",
    )
    glass = make_user("glass@test.vejud.dk", "Glass Breaker", world.unit_b, Role.UNIT_MEMBER)
    break_glass_open(actor=glass, reference=cases[GLASS_CASE].reference, reason=GLASS_REASON)
    world.users["glass"] = glass
    return World(cast=world, cases=cases, transfer=transfer)


def _page(role: str, w: World, name: str, query: str = "") -> Any:
    return verified_client(w.user(role)).get(reverse(name) + query)


def _api(role: str, w: World, path: str) -> Any:
    return JsonApi(w.user(role), raise_errors=False).get(path)


def _refs_on_page(response: Any, w: World) -> set[str]:
    body = response.content.decode()
    return {ref for ref in w.refs(set(w.cases)) if ref in body}


@pytest.mark.parametrize("role", ROLES)
def test_caseload_holds_exactly_the_roles_cases(lists: World, role: str) -> None:
    page = _page(role, lists, "cases:caseload")
    api = _api(role, lists, "/api/v1/cases?limit=100")
    if role in NO_CASES:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    expected = lists.refs(CASELOAD[role])
    assert {row.reference for row in page.context["cases"]} == expected
    assert _refs_on_page(page, lists) == expected
    assert {item["reference"] for item in api.json()["items"]} == expected


@pytest.mark.parametrize("role", ROLES)
def test_name_search_finds_only_what_the_role_may_see(lists: World, role: str) -> None:
    for key, name in (("a_liberty", "Zelda"), ("a_custody", "Custodio"), ("a_barred", "Xerxes")):
        page = _page(role, lists, "cases:caseload", f"?q={name}")
        if role in NO_CASES:
            assert page.status_code == 403
            continue
        found = {row.reference for row in page.context["cases"]}
        assert found == lists.refs({key} & CASELOAD[role]), (role, name)
        assert _refs_on_page(page, lists) == found, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_task_list_holds_exactly_the_roles_tasks(lists: World, role: str) -> None:
    page = _page(role, lists, "worklist:tasks")
    api = _api(role, lists, "/api/v1/tasks")
    if role in NO_CASES:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    expected = lists.refs(TASKS[role])
    assert {t.reference for t in page.context["tasks"]} == expected
    assert _refs_on_page(page, lists) == expected
    assert {item["reference"] for item in api.json()["items"]} == expected


@pytest.mark.parametrize("role", ROLES)
def test_incoming_transfers_hold_exactly_the_roles_transfers(lists: World, role: str) -> None:
    page = _page(role, lists, "transfers:incoming")
    api = _api(role, lists, "/api/v1/transfers/incoming")
    if role in NO_CASES:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    expected = lists.refs(INCOMING.get(role, set()))
    assert {item["transfer"].case.reference for item in page.context["items"]} == expected
    assert _refs_on_page(page, lists) == expected
    assert {item["reference"] for item in api.json()["items"]} == expected
    note_shown = lists.transfer.handover_note in page.content.decode() + api.content.decode()
    assert note_shown == bool(expected)


# --- Out of reach looks exactly like missing ------------------------------------------------

PER_RESPONSE = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]*')
MISSING_REFERENCE = "EX-1999-99999"
MISSING_TRANSFER = 999999


def answer(response: Any, identifier: str) -> tuple[int, bytes]:
    """Status and body, with per-response tokens and the object's own identifier masked."""
    body = PER_RESPONSE.sub(rb"\1~", response.content)
    if identifier:
        body = body.replace(identifier.encode(), b"<id>")
    return response.status_code, body


def _out_of_reach(role: str) -> list[str]:
    """The world's cases ``role`` (with VIEW_CASES) cannot see."""
    return sorted(set(CASELOAD["member_a"] | {"b_liberty"}) - CASELOAD[role])


@pytest.mark.parametrize("role", sorted(set(ROLES) - NO_CASES))
def test_a_case_out_of_reach_answers_like_a_missing_one(lists: World, role: str) -> None:
    client = verified_client(lists.user(role))
    api = JsonApi(lists.user(role), raise_errors=False)
    for key in _out_of_reach(role):
        ref = lists.cases[key].reference
        for mine, missing in (
            (client.get(f"/sager/{ref}/"), client.get(f"/sager/{MISSING_REFERENCE}/")),
            (api.get(f"/api/v1/cases/{ref}"), api.get(f"/api/v1/cases/{MISSING_REFERENCE}")),
            (
                api.get(f"/api/v1/cases/{ref}/course"),
                api.get(f"/api/v1/cases/{MISSING_REFERENCE}/course"),
            ),
        ):
            assert mine.status_code == 404, (role, key, mine.request["PATH_INFO"])
            assert answer(mine, ref) == answer(missing, MISSING_REFERENCE), (role, key)


@pytest.mark.parametrize("role", sorted(set(ROLES) - NO_CASES))
def test_a_person_out_of_reach_answers_like_a_missing_one(lists: World, role: str) -> None:
    client = verified_client(lists.user(role))
    nobody = str(uuid.uuid4())
    for key in _out_of_reach(role):
        public_id = str(lists.cases[key].person.public_id)
        mine = client.get(reverse("people:detail", kwargs={"public_id": public_id}))
        missing = client.get(reverse("people:detail", kwargs={"public_id": nobody}))
        assert mine.status_code == 404, (role, key)
        assert answer(mine, public_id) == answer(missing, nobody), (role, key)


@pytest.mark.parametrize("role", sorted(set(ROLES) - NO_CASES - set(INCOMING)))
def test_a_transfer_not_yours_answers_like_a_missing_one(lists: World, role: str) -> None:
    client = verified_client(lists.user(role))
    api = JsonApi(lists.user(role), raise_errors=False)
    pk = lists.transfer.pk
    for action, body in (("accept", {}), ("decline", {"note": "No."})):
        mine = api.post(f"/api/v1/transfers/{pk}/{action}", body)
        missing = api.post(f"/api/v1/transfers/{MISSING_TRANSFER}/{action}", body)
        assert mine.status_code == 404, (role, action)
        assert answer(mine, "") == answer(missing, "")
    url = reverse("transfers:incoming")
    for decision in ("accept", "decline"):
        data = {"decision": decision, "note": "No."}
        mine = client.post(url, {**data, "transfer": pk})
        missing = client.post(url, {**data, "transfer": MISSING_TRANSFER})
        assert mine.status_code == 404, (role, decision)
        assert answer(mine, "") == answer(missing, "")


def test_the_tables_cover_every_role_with_case_access() -> None:
    """A role added to the cast must get its row in each table above."""
    from vejud.testing import CAST

    assert set(ROLES) == {*CAST, "nobody", "glass"}
    for table in (CASELOAD, TASKS):
        assert set(table) == set(ROLES) - NO_CASES
    for table in (REVIEWS, REVIEW_TASKS):
        assert set(table) == set(ROLES)


# --- The central pool's list of applications ------------------------------------------------


def _applications(lists: World) -> None:
    """An application on every case of the world (test data, written in an audit scope)."""
    year = make_pool(lists.cast)
    today = timezone.localdate()
    with audited():
        for case in lists.cases.values():
            application = Application.objects.create(
                case=case,
                applying_unit=case.responsible_unit,
                budget_year=year,
                category=Category.TATTOO_REMOVAL,
                guideline=guideline_in_force(Category.TATTOO_REMOVAL),
                amount_ore=100_000,
                purpose="Lists test data.",
                supplier="Klinik ApS",
                period_from=today,
                period_to=today,
                submitted_by=lists.cast.member_a,
            )
            audit_record(actor=None, action="test.data", obj=application, case_id=case.pk)


@pytest.mark.parametrize("role", ROLES)
def test_pool_applications_list_only_the_roles_cases(lists: World, role: str) -> None:
    _applications(lists)
    page = _page(role, lists, "pool:applications")
    api = _api(role, lists, "/api/v1/pool/applications?limit=100")
    if role in NO_CASES | {"mentor"}:  # the mentor sees no grants
        assert (page.status_code, api.status_code) == (403, 403)
        return
    expected = lists.refs(CASELOAD[role])
    assert _refs_on_page(page, lists) == expected
    assert {item["case_reference"] for item in api.json()["items"]} == expected
    # Each case listed is logged, on the page as in the API, and marked break-glass exactly
    # where the role reads it by breaking the glass.
    glass = {lists.cases[GLASS_CASE].pk} if role == "glass" else set()
    for channel in ("web", "api"):
        logged = AccessLog.objects.filter(user=lists.user(role), part="grants", channel=channel)
        assert {(log.case_id, log.break_glass) for log in logged} == {
            (lists.cases[key].pk, lists.cases[key].pk in glass) for key in CASELOAD[role]
        }, channel


# --- Possible existing persons (holes 3 and 5) ----------------------------------------------

# Who decides a match on a person of unit A: unit A's coordinator and the national head.
POSSIBLE_PERSONS: dict[str, bool] = {"coordinator_a": True, "head": True, "coordinator_b": False}


@pytest.mark.parametrize("role", ROLES)
def test_possible_persons_list_only_the_deciding_units_matches(lists: World, role: str) -> None:
    """Unit B registers an inquiry with the CPR of unit A's person: only A decides the match."""
    existing = make_case(
        lists.cast.member_a, lists.cast.unit_a, first_name="Ursula", last_name="Q", cpr="1705951113"
    )
    inquiry = inquiry_register(
        actor=lists.cast.member_b,
        source="person",
        channel="phone",
        received_on=timezone.localdate(),
        municipality=municipality_of(lists.cast.unit_b, "Testby B"),
        first_name="Kasper",
        last_name="Holm",
        birth_date=None,
        cpr="1705951113",
    )
    assert inquiry.person_id != existing.person_id  # member B learnt nothing
    page = _page(role, lists, "intake:possible_persons")
    if role not in POSSIBLE_PERSONS:
        assert page.status_code == 403
        return
    shown = {m.inquiry.case.reference for m in page.context["matches"]}
    assert shown == ({inquiry.reference} if POSSIBLE_PERSONS[role] else set())
    body = page.content.decode()
    assert (inquiry.reference in body, "Ursula" in body) == (POSSIBLE_PERSONS[role],) * 2


# --- Case-access role grants (hole 1) -------------------------------------------------------

GRANT_DECIDERS = ("head", "sysadmin")  # ask and approve, never their own (four eyes)


@pytest.mark.parametrize("role", ROLES)
def test_role_grants_are_listed_to_the_deciders_and_reviewed_by_the_auditor(
    lists: World, role: str
) -> None:
    cast = lists.cast
    ask = {"unit": cast.unit_a, "role": "unit_member", "agency": "police"}
    pending = role_grant_request(actor=cast.sysadmin, user=cast.member_b, reason="Cover.", **ask)
    granted = role_grant_request(actor=cast.head, user=cast.coordinator_b, reason="Peer.", **ask)
    role_grant_approve(actor=cast.sysadmin, grant=granted)
    page = _page(role, lists, "accounts:role_grants")
    review = _page(role, lists, "audit:role_grants")
    if role in GRANT_DECIDERS:
        assert [g.pk for g in page.context["pending"]] == [pending.pk]
        assert cast.member_b.email in page.content.decode()
    else:
        assert page.status_code == 403
    if role == "auditor":
        assert [g.pk for g in review.context["grants"]] == [granted.pk]
    else:
        assert review.status_code == 403


# --- What the break-the-glass reader is offered on the lists --------------------------------


def test_no_list_offers_the_glass_reader_a_write_on_the_case(lists: World) -> None:
    """The lists that show the case read through glass link it for reading only (the same
    check finds the writes the case page offers its caseworker)."""
    _applications(lists)
    ref = lists.cases[GLASS_CASE].reference
    pages = ("cases:caseload", "worklist:tasks", "transfers:incoming", "pool:applications")
    shown = 0
    for name in pages:
        body = _page("glass", lists, name).content.decode()
        shown += ref in body
        assert write_links(body, ref) == set(), name
    assert shown == 2  # the caseload and the applications
    own = verified_client(lists.cast.member_a).get(lists.cases[GLASS_CASE].get_absolute_url())
    assert write_links(own.content.decode(), ref)  # the check sees a write where there is one


# --- Case reviews (/kvalitet/) --------------------------------------------------------------

# Who sees which review: the contact point (CONDUCT_REVIEWS) every review, drafts too; a unit's
# staff (ANSWER_REVIEWS) their unit's sent ones, never one whose person bars them; no one
# else any. a_draft stays a draft; b_liberty's is answered; the rest await unit A's answer.
CONDUCTORS = frozenset(NATIONAL)
ANSWERERS = frozenset({"member_a", "coordinator_a", "member_b", "coordinator_b", "glass"})
REVIEWED = ("a_liberty", "a_custody", "a_barred", "b_liberty", "a_draft")
REVIEWS: dict[str, set[str]] = {
    **{n: set(REVIEWED) for n in NATIONAL},
    "member_a": {"a_liberty", "a_custody", "a_barred"},
    "coordinator_a": {"a_liberty", "a_custody"},  # the person of a_barred excludes them
    "member_b": {"b_liberty"},
    "coordinator_b": {"b_liberty"},
    "glass": {"b_liberty"},  # breaking the glass on a_custody reads the case, not its review
    **{n: set() for n in ("nobody", "custody", "mentor", "analyst", "sysadmin", "auditor")},
}
# The sent reviews awaiting the unit's answer, on the task lists of those who may answer them.
REVIEW_TASKS: dict[str, set[str]] = {
    **{role: set() for role in ROLES},
    "member_a": {"a_liberty", "a_custody", "a_barred"},
    "coordinator_a": {"a_liberty", "a_custody"},
}
ROUND_TITLE = "Lists round"


@dataclass
class Reviewed:
    lists: World
    round: Any
    reviews: dict[str, CaseReview]

    def points(self, keys: set[str]) -> set[str]:
        return {_point(key) for key in keys if key != "a_draft"}


def _point(key: str) -> str:
    return f"Learning point on {key}."


@pytest.fixture
def reviewed(lists: World) -> Reviewed:
    """The head draws every case of units A and B (one more, a_draft, of unit A), sends the
    reviews with a learning point each but a_draft's; unit B answers b_liberty's."""
    cast = lists.cast
    lists.cases["a_draft"] = make_case(cast.member_a, cast.unit_a, first_name="Vera", last_name="Q")
    round_ = make_round(cast.head, [cast.unit_a, cast.unit_b], title=ROUND_TITLE)
    reviews = {key: round_.reviews.get(case=lists.cases[key]) for key in REVIEWED}
    assert set(round_.reviews.all()) == set(reviews.values())
    for key in REVIEWED[:-1]:
        reviews[key] = send_review(cast.head, reviews[key], point=("plan", _point(key)))
    reviews["b_liberty"] = review_answer(
        actor=cast.coordinator_b, review=reviews["b_liberty"], answer="We will."
    )
    return Reviewed(lists=lists, round=round_, reviews=reviews)


@pytest.mark.parametrize("role", ROLES)
def test_review_rounds_and_learning_points_are_the_contact_points(
    reviewed: Reviewed, role: str
) -> None:
    w = reviewed.lists
    rounds = _page(role, w, "quality:rounds")
    one = verified_client(w.user(role)).get(
        reverse("quality:round", kwargs={"round_id": reviewed.round.pk})
    )
    points = _page(role, w, "quality:learning_points")
    if role not in CONDUCTORS:
        assert (rounds.status_code, one.status_code, points.status_code) == (403, 403, 403)
        return
    assert [(r.title, r.n, r.answered) for r in rounds.context["rounds"]] == [
        (ROUND_TITLE, len(REVIEWED), 1)
    ]
    assert {r.case.reference for r in one.context["reviews"]} == w.refs(REVIEWS[role])
    assert _refs_on_page(one, w) == w.refs(REVIEWS[role])
    body = points.content.decode()
    assert {_point(key) for key in REVIEWED if _point(key) in body} == reviewed.points(
        REVIEWS[role]
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_units_reviews_hold_exactly_its_sent_ones(reviewed: Reviewed, role: str) -> None:
    w = reviewed.lists
    page = _page(role, w, "quality:mine")
    if role not in ANSWERERS:
        assert page.status_code == 403
        return
    expected = w.refs(REVIEWS[role])
    assert {r.case.reference for r in page.context["reviews"]} == expected
    assert _refs_on_page(page, w) == expected


@pytest.mark.parametrize("role", ROLES)
def test_review_tasks_are_the_answering_units(reviewed: Reviewed, role: str) -> None:
    w = reviewed.lists
    page = _page(role, w, "worklist:tasks")
    api = _api(role, w, "/api/v1/tasks")
    if role in NO_CASES:
        assert (page.status_code, api.status_code) == (403, 403)
        return
    paths = {_review_path(r.pk): key for key, r in reviewed.reviews.items()}
    tasks = {(t.reference, paths.get(t.href)) for t in page.context["tasks"] if t.href in paths}
    assert tasks == {(w.cases[key].reference, key) for key in REVIEW_TASKS[role]}
    assert {path for path in paths if path in page.content.decode()} == {
        _review_path(reviewed.reviews[key].pk) for key in REVIEW_TASKS[role]
    }
    listed = {i["reference"] for i in api.json()["items"] if i["kind"] == "review_answer"}
    assert listed == w.refs(REVIEW_TASKS[role])


def _review_path(pk: int, name: str = "quality:review") -> str:
    return reverse(name, kwargs={"review_id": pk})


@pytest.mark.parametrize("role", ROLES)
def test_a_review_out_of_reach_answers_like_a_missing_one(reviewed: Reviewed, role: str) -> None:
    """The review page, the unit's answer and the contact point's record: a review the role
    does not see is answered as one that does not exist (404 for those who see reviews, the
    gate's 403 for the rest), and nothing is stored; a review in reach opens."""
    w = reviewed.lists
    client = verified_client(w.user(role))
    missing = max(CaseReview.objects.values_list("pk", flat=True)) + 1000
    before = {k: (r.status, r.answer, r.findings) for k, r in reviewed.reviews.items()}
    for key, review in reviewed.reviews.items():
        if key in REVIEWS[role]:
            response = client.get(_review_path(review.pk))
            assert response.status_code == 200, (role, key)
            assert w.cases[key].reference in response.content.decode()
            continue
        for name, data, gated in (
            ("quality:review", None, CONDUCTORS | ANSWERERS),
            ("quality:answer", {"answer": "Ours now."}, ANSWERERS),
            ("quality:record", {"findings": "Changed."}, CONDUCTORS),
        ):
            send = client.get if data is None else partial(client.post, data=data)
            mine = send(_review_path(review.pk, name))
            gone = send(_review_path(missing, name))
            assert mine.status_code == (404 if role in gated else 403), (role, key, name)
            assert answer(mine, f"/{review.pk}/") == answer(gone, f"/{missing}/"), (role, key)
    for key, review in reviewed.reviews.items():
        review.refresh_from_db()
        assert (review.status, review.answer, review.findings) == before[key], key


@pytest.mark.parametrize("role", sorted(set(ROLES) - CONDUCTORS))
def test_a_round_answers_like_a_missing_one_to_those_who_do_not_review(
    reviewed: Reviewed, role: str
) -> None:
    client = verified_client(reviewed.lists.user(role))
    mine = client.get(reverse("quality:round", kwargs={"round_id": reviewed.round.pk}))
    gone = client.get(reverse("quality:round", kwargs={"round_id": reviewed.round.pk + 1000}))
    assert mine.status_code == 403
    assert answer(mine, f"/{reviewed.round.pk}/") == answer(gone, f"/{reviewed.round.pk + 1000}/")
