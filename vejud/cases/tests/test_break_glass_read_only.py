"""Break-the-glass access is to read, never to act on (``CaseAccess.break_glass``).

Found by an outside probe of the demo: a user holding a case only by breaking the glass could
write the journal, wipe the person's gang affiliation and add plan goals through the API. Every
write on such a case is refused with 403 (the user may see the case, so not 404) and changes
nothing; the case page offers no write; reading still works. Every declared case action, page
and API, is checked in ``vejud/api/tests/test_case_actions.py``
(``test_a_break_glass_reader_is_refused_every_action``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from vejud.actions.declare import NOT_YOURS
from vejud.assessments.actions import DRAFTS
from vejud.assessments.services import gang_affiliation_set, motivation_save, suitability_save
from vejud.audit.models import AuditEvent
from vejud.cases.models import Case, JournalEntry, MentorAssignment
from vejud.cases.services import break_glass_open, journal_add, journal_correct, mentor_assign
from vejud.courses.models import PlanGoal
from vejud.intake.services import consent_record
from vejud.people.models import AddressCustodian, GangGroup, ProtectedAddress
from vejud.people.services import address_custodian_add, person_update, protected_address_set
from vejud.testing import make_admitted_case, reauthed_client, verified_client
from vejud.testing.api import JsonApi
from vejud.testing.builders import make_assessment_case, protect_address
from vejud.testing.pages import case_links, write_links

REASON = "The person was arrested in our district tonight"
BANNER = "logged and reviewed by the auditor"


@pytest.fixture
def group(db: Any) -> GangGroup:
    return GangGroup.objects.create(name="Testgruppen", kind="gang")


@pytest.fixture
def course(world: Any, group: GangGroup) -> Case:
    """A unit-A case in an exit course, its person in a group, with a journal note; unit B's
    member and coordinator hold it only by breaking the glass."""
    case = make_admitted_case(world, last_name="Glas")
    person_update(actor=world.coordinator_a, person=case.person, gang_group=group, gang_role="x")
    journal_add(actor=world.member_a, case=case, text="Met at the job centre.")
    for reader in (world.member_b, world.coordinator_b):
        break_glass_open(actor=reader, reference=case.reference, reason=REASON)
    return case


def _trail() -> int:
    return AuditEvent.objects.count()


@pytest.mark.parametrize("reader", ["member_b", "coordinator_b"])
def test_the_reader_may_read_the_case_with_the_banner(world, course, reader):
    response = verified_client(getattr(world, reader)).get(course.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert BANNER in body
    assert "Met at the job centre." in body  # the journal is read
    assert "Testgruppen" in body  # and the gang affiliation


def test_a_journal_note_is_refused(world, course):
    trail, notes = _trail(), JournalEntry.objects.count()
    response = verified_client(world.member_b).post(
        reverse("cases:journal_add", kwargs={"reference": course.reference}), {"text": "Mine."}
    )
    assert response.status_code == 403
    assert str(NOT_YOURS) in response.content.decode()
    assert (_trail(), JournalEntry.objects.count()) == (trail, notes)


def test_a_journal_correction_is_refused(world, course):
    entry = JournalEntry.objects.get(case=course)
    url = reverse(
        "cases:journal_correct", kwargs={"reference": course.reference, "entry_id": entry.pk}
    )
    client = verified_client(world.member_b)
    trail, notes = _trail(), JournalEntry.objects.count()
    assert client.get(url).status_code == 403
    data = {f"correct-{entry.pk}-text": "Changed.", f"correct-{entry.pk}-reason": "Wrong."}
    assert client.post(url, data).status_code == 403
    assert (_trail(), JournalEntry.objects.count()) == (trail, notes)


def test_an_empty_gang_affiliation_post_is_refused_and_wipes_nothing(world, course, group):
    url = reverse("assessments:gang_affiliation", kwargs={"reference": course.reference})
    client = verified_client(world.member_b)
    trail = _trail()
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    course.person.refresh_from_db()
    assert (course.person.gang_group_id, course.person.gang_role) == (group.pk, "x")
    assert _trail() == trail


def test_an_api_goal_is_refused(world, course):
    api = JsonApi(world.member_b)
    trail, goals = _trail(), PlanGoal.objects.filter(case=course).count()
    response = api.post(
        f"/api/v1/cases/{course.reference}/goals", {"life_area": "housing", "goal": "A home."}
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith(str(NOT_YOURS))
    assert (_trail(), PlanGoal.objects.filter(case=course).count()) == (trail, goals)


def test_the_case_page_offers_the_reader_no_write(world, course):
    """The journal's form, the gang affiliation, the course's panels and the protected address's
    registration (coordinator B may register one where he works) are not offered."""
    own = verified_client(world.coordinator_a).get(course.get_absolute_url()).content.decode()
    offered = write_links(own, course.reference)
    journal = reverse("cases:journal_add", kwargs={"reference": course.reference})
    register = reverse("cases:protected_address_new", kwargs={"reference": course.reference})
    assert {journal, register} <= offered and len(offered) > 5  # the test checks something
    for reader in (world.member_b, world.coordinator_b):
        body = verified_client(reader).get(course.get_absolute_url()).content.decode()
        assert BANNER in body
        assert write_links(body, course.reference) == set(), reader.email
        assert "Record or change the gang affiliation" not in body


def test_the_pages_the_case_page_links_offer_the_reader_no_write(world, course):
    """The case's other pages (the instruments, the course's plan) are read, without forms."""
    client = verified_client(world.member_b)
    body = client.get(course.get_absolute_url()).content.decode()
    pages = case_links(body, course.reference) - {course.get_absolute_url()}
    read = 0
    for path in sorted(pages):
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        read += 1
        page = response.content.decode()
        assert write_links(page, course.reference) == set(), path
        assert 'method="post" novalidate' not in page, path  # an instrument's draft
        assert "Start a correction" not in page, path
    assert read >= 3  # the three instruments at least


@pytest.mark.parametrize(
    ("kind", "save", "fields"),
    [
        ("suitability", suitability_save, {"reasoning": "Steady housing."}),
        (
            "motivation",
            motivation_save,
            {"push_factors": [], "pull_factors": [], "reasoning": "Steady housing."},
        ),
    ],
)
def test_a_drafts_unanswered_items_read_as_a_dash_never_none(world, kind, save, fields):
    """A draft shown read-only has items not yet answered: each reads "–" (the display was
    written for signed instruments, where every item has an answer, and showed "None")."""
    case = make_assessment_case(world, last_name="Halvt")
    save(actor=world.member_a, case=case, **fields)
    break_glass_open(actor=world.member_b, reference=case.reference, reason=REASON)
    url = reverse("assessments:edit", kwargs={"reference": case.reference, "kind": kind})
    page = verified_client(world.member_b).get(url).content.decode()
    assert "Draft, version 1" in page and "Steady housing." in page
    assert "None" not in page
    assert "<dd>–</dd>" in page


def test_an_instruments_draft_is_read_without_its_forms(world):
    case = make_assessment_case(world, last_name="Udkast")
    motivation_save(
        actor=world.member_a,
        case=case,
        push_factors=[],
        pull_factors=[],
        level=3,
        reasoning="Wants out.",
    )
    url = reverse("assessments:edit", kwargs={"reference": case.reference, "kind": "motivation"})
    own = verified_client(world.member_a).get(url).content.decode()
    assert "Save draft" in own and "Sign the assessment" in own
    break_glass_open(actor=world.member_b, reference=case.reference, reason=REASON)
    response = verified_client(world.member_b).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Draft, version 1" in page and "Wants out." in page
    assert "Save draft" not in page and "Sign the assessment" not in page
    trail = _trail()
    assert verified_client(world.member_b).post(url, {"level": "1"}).status_code == 403
    assert _trail() == trail


def test_registering_a_protected_address_is_refused(world, course):
    url = reverse("cases:protected_address_new", kwargs={"reference": course.reference})
    client = reauthed_client(world.coordinator_b)
    trail = _trail()
    assert client.get(url).status_code == 403
    data = {"address": "Skjult Vej 1, 5000 Odense C", "cpr_protection": "none", "reason": "x"}
    assert client.post(url, data).status_code == 403
    assert not ProtectedAddress.objects.filter(person_id=course.person_id).exists()
    assert _trail() == trail


def test_a_custodian_reading_by_breaking_the_glass_may_read_but_not_change_the_address(
    world, course
):
    """A custodian who no longer works on the case (here: named while reading it) reads the
    address, but neither changes it nor names another custodian."""
    record = protect_address(world, course)
    address_custodian_add(
        actor=world.coordinator_a, case=course, user=world.member_b, reason="Covering"
    )
    client = reauthed_client(world.member_b)
    base = f"{course.get_absolute_url()}beskyttet-adresse/"
    assert client.post(base, {"reason": "Checking the threat"}).status_code == 200
    trail, custodians = _trail(), AddressCustodian.objects.count()
    data = {"address": "Skjult Vej 1, 5000 Odense C", "cpr_protection": "none", "reason": "x"}
    assert client.post(f"{base}rediger/", data).status_code == 403
    assert (
        client.post(f"{base}vaerger/", {"email": "x@example.org", "reason": "x"}).status_code == 403
    )
    record.refresh_from_db()
    assert record.address != data["address"]
    assert (_trail(), AddressCustodian.objects.count()) == (trail, custodians)


def _services(world: Any, case: Case) -> dict[str, Any]:
    """The services behind the journal, the person and the address, called directly."""
    entry = JournalEntry.objects.get(case=case)
    return {
        "journal_add": lambda u: journal_add(actor=u, case=case, text="Mine."),
        "journal_correct": lambda u: journal_correct(actor=u, entry=entry, text="x", reason="x"),
        "mentor_assign": lambda u: mentor_assign(actor=u, case=case, mentor=world.mentor),
        "gang_affiliation_set": lambda u: gang_affiliation_set(actor=u, case=case, gang_group=None),
        "protected_address_set": lambda u: protected_address_set(
            actor=u, person=case.person, case=case, address="Skjult Vej 1", reason="x"
        ),
    }


@pytest.mark.parametrize(
    "service",
    [
        "journal_add",
        "journal_correct",
        "mentor_assign",
        "gang_affiliation_set",
        "protected_address_set",
    ],
)
def test_the_services_refuse_the_reader(world, course, service):
    call = _services(world, course)[service]
    trail = _trail()
    with pytest.raises(PermissionDenied):
        call(world.member_b if service != "protected_address_set" else world.coordinator_b)
    assert _trail() == trail
    assert not MentorAssignment.objects.filter(case=course, mentor=world.mentor).exists()


def test_the_assessment_and_consent_services_refuse_the_reader(world):
    """Drafting an instrument and recording consent (the services' own casework check)."""
    case = make_assessment_case(world, last_name="Samtykke")
    break_glass_open(actor=world.member_b, reference=case.reference, reason=REASON)
    trail = _trail()
    with pytest.raises(PermissionDenied):
        motivation_save(actor=world.member_b, case=case, push_factors=[], pull_factors=[])
    with pytest.raises(PermissionDenied):
        consent_record(
            actor=world.member_b,
            case=case,
            given_on=case.opened_on,
            method="written",
            agencies=["police"],
            topics=["course"],
        )
    assert _trail() == trail


def test_every_page_of_the_case_the_reader_opens_shows_the_banner(world, course):
    """Not only the case page: the instruments, the mentor's log and the case's grants too
    (each showed the case without saying it was opened by breaking the glass). The banner
    names when the access ends; a user who holds the case normally sees no banner."""
    ref = {"reference": course.reference}
    paths = [
        course.get_absolute_url(),
        *(reverse("assessments:edit", kwargs={**ref, "kind": kind}) for kind in sorted(DRAFTS)),
        reverse("courses:mentor_view", kwargs=ref),
        reverse("pool:case_grants", kwargs=ref),
    ]
    reader, owner = verified_client(world.member_b), verified_client(world.member_a)
    for path in paths:
        response = reader.get(path)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert body.count(BANNER) == 1, path
        assert "Your access ends at" in body, path
        assert BANNER not in owner.get(path).content.decode(), path
