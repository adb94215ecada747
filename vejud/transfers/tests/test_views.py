from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vejud.access.transfers import can_receive, receivable_by
from vejud.actions.declare import NOT_NOW
from vejud.audit.models import AccessLog
from vejud.cases.models import Track
from vejud.cases.services import mentor_assign
from vejud.testing import CAST, make_admitted_case, make_case, verified_client
from vejud.testing.builders import make_custody_case, make_release_case
from vejud.transfers.models import ReleasePlan, Transfer, TransferStatus
from vejud.transfers.services import (
    release_plans_run,
    release_track_changes_run,
    transfer_accept,
    transfer_decline,
    transfer_request,
)


def to_b(world, case, note="Moves to Aarhus; housing arranged."):
    return transfer_request(
        actor=world.member_a, case=case, to_unit=world.unit_b, handover_note=note
    )


CASE_ROUTES = ("new", "cancel", "release_plan", "release_date", "release_transfer")


def route(name, case, transfer_id=1):
    kwargs = {"reference": case.reference}
    if name == "cancel":
        kwargs["transfer_id"] = transfer_id
    method = "get" if name in ("new", "release_plan") else "post"
    return method, reverse(f"transfers:{name}", kwargs=kwargs)


# The gate -----------------------------------------------------------------------


@pytest.fixture
def case(world):
    return make_release_case(world)


@pytest.mark.parametrize("name", CASE_ROUTES)
def test_other_unit_gets_404(world, case, name):
    method, url = route(name, case)
    assert getattr(verified_client(world.member_b), method)(url).status_code == 404


@pytest.mark.parametrize("name", CASE_ROUTES)
def test_analyst_gets_403(world, case, name):
    method, url = route(name, case)
    assert getattr(verified_client(world.analyst), method)(url).status_code == 403


@pytest.mark.parametrize("name", CASE_ROUTES)
def test_the_case_mentor_gets_404(world, name):
    case = make_admitted_case(world)
    mentor_assign(actor=world.coordinator_a, case=case, mentor=world.mentor)
    method, url = route(name, case)
    assert getattr(verified_client(world.mentor), method)(url).status_code == 404


def test_incoming_page_needs_a_casework_role(world, client):
    assert verified_client(world.analyst).get(reverse("transfers:incoming")).status_code == 403
    assert verified_client(world.sysadmin).get(reverse("transfers:incoming")).status_code == 403
    response = client.get(reverse("transfers:incoming"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_methods_get_405(world, case):
    client = verified_client(world.custody)
    for name in ("release_date", "release_transfer"):
        assert client.get(route(name, case)[1]).status_code == 405
    assert client.delete(reverse("transfers:incoming")).status_code == 405


def test_receivable_by_and_can_receive_name_the_receiving_staff(world):
    liberty = make_admitted_case(world)
    other = make_admitted_case(world)
    national = make_admitted_case(world)
    transfers = [
        to_b(world, liberty),
        transfer_request(
            actor=world.member_a,
            case=other,
            to_unit=world.dfk,
            to_institution=world.prison,
            handover_note="Arrested",
        ),
        transfer_request(
            actor=world.member_a, case=national, to_unit=world.national, handover_note="Threats"
        ),
    ]
    expected = {
        "member_b": {transfers[0].pk},
        "coordinator_b": {transfers[0].pk},
        "custody": {transfers[1].pk},
        "adviser": {transfers[2].pk},
        "decision_maker": {transfers[2].pk},
        "head": {transfers[2].pk},
    }
    for name in [*CAST, "nobody"]:
        user = getattr(world, name)
        listed = set(receivable_by(user).values_list("pk", flat=True))
        assert listed == expected.get(name, set()), name
        assert {t.pk for t in transfers if can_receive(user, t)} == listed, name


# Request, answer, cancel ----------------------------------------------------------


def test_transfer_through_the_pages_reaches_the_receiver_who_takes_over(world):
    case = make_admitted_case(world, first_name="Zelda", last_name="Quixwort")
    member_a = verified_client(world.member_a)
    response = member_a.post(
        reverse("transfers:new", kwargs={"reference": case.reference}),
        {"to_unit": world.unit_b.pk, "to_track": "liberty", "handover_note": "Moves to B."},
        follow=True,
    )
    html = response.content.decode()
    assert "The transfer is requested. You stay responsible until Test Exit Unit B accepts." in html
    assert "Awaiting the receiver" in html
    transfer = Transfer.objects.get(case=case, status=TransferStatus.PENDING)
    assert "Request a transfer" not in html  # one pending transfer at a time

    member_b = verified_client(world.member_b)
    assert member_b.get(case.get_absolute_url()).status_code == 404
    tasks = member_b.get(reverse("worklist:tasks")).content.decode()
    assert f'href="{reverse("transfers:incoming")}">{case.reference}</a>' in tasks
    incoming = member_b.get(reverse("transfers:incoming")).content.decode()
    assert case.reference in incoming
    assert "Moves to B." in incoming
    assert "Test Exit Unit A" in incoming
    assert "Quixwort" not in incoming
    assert "Zelda" not in incoming
    assert AccessLog.objects.filter(
        user=world.member_b, case_id=case.pk, part="transfer_handover"
    ).exists()
    assert (
        case.reference
        not in verified_client(world.coordinator_a)
        .get(reverse("transfers:incoming"))
        .content.decode()
    )

    response = member_b.post(
        reverse("transfers:incoming"),
        {"transfer": transfer.pk, "decision": "accept", "note": "Welcome"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == case.get_absolute_url()
    assert f"You have taken over case {case.reference}." in response.content.decode()
    case.refresh_from_db()
    assert case.responsible_unit == world.unit_b
    assert member_a.get(case.get_absolute_url()).status_code == 404


def test_decline_needs_a_note_and_keeps_the_sender_responsible(world):
    case = make_admitted_case(world)
    transfer = to_b(world, case)
    member_b = verified_client(world.member_b)
    url = reverse("transfers:incoming")
    response = member_b.post(url, {"transfer": transfer.pk, "decision": "decline", "note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="answer-note-{transfer.pk}_error"' in html
    assert "Say why the transfer is declined." in html
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING
    response = member_b.post(
        url,
        {"transfer": transfer.pk, "decision": "decline", "note": "He stays in A"},
        follow=True,
    )
    assert "the sender stays responsible" in response.content.decode()
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert (transfer.status, case.responsible_unit) == (TransferStatus.DECLINED, world.unit_a)
    page = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    assert "He stays in A" in page
    assert "Request a transfer" in page


def test_answering_a_transfer_not_addressed_to_you_is_404(world):
    case = make_admitted_case(world)
    transfer = to_b(world, case)
    for user in (world.member_a, world.coordinator_a, world.custody, world.mentor):
        response = verified_client(user).post(
            reverse("transfers:incoming"), {"transfer": transfer.pk, "decision": "accept"}
        )
        assert response.status_code == 404
    missing = verified_client(world.member_b).post(
        reverse("transfers:incoming"), {"transfer": 999999, "decision": "accept"}
    )
    assert missing.status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING


def test_an_answered_transfer_cannot_be_answered_again(world):
    case = make_admitted_case(world)
    transfer = to_b(world, case)
    transfer_accept(actor=world.coordinator_b, transfer=transfer)
    response = verified_client(world.member_b).post(
        reverse("transfers:incoming"),
        {"transfer": transfer.pk, "decision": "decline", "note": "late"},
        follow=True,
    )
    assert "The transfer is no longer awaiting an answer." in response.content.decode()


def test_a_receiver_who_can_see_the_case_answers_on_the_case_page(world):
    case = make_admitted_case(world)
    transfer_request(
        actor=world.member_a, case=case, to_unit=world.national, handover_note="Serious threats"
    )
    adviser_page = verified_client(world.adviser).get(case.get_absolute_url()).content.decode()
    assert "Accept the transfer" in adviser_page
    sender_page = verified_client(world.member_a).get(case.get_absolute_url()).content.decode()
    assert "Accept the transfer" not in sender_page
    assert "Cancel the transfer request" in sender_page


def test_the_sender_cancels(world):
    case = make_admitted_case(world)
    transfer = to_b(world, case)
    url = reverse(
        "transfers:cancel", kwargs={"reference": case.reference, "transfer_id": transfer.pk}
    )
    member_a = verified_client(world.member_a)
    response = member_a.post(url, follow=True)
    assert "The transfer request is cancelled." in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    # Not possible any more (transfers/actions.py: only a pending request): 409, as the API.
    again = member_a.post(url)
    assert again.status_code == 409
    assert str(NOT_NOW) in again.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED


def test_cancelling_a_transfer_asks_first(world):
    """The panel's "Cancel the transfer request" is a link: its page says what happens,
    and only its POST button ("Yes, ...") cancels; "No, go back" returns to the case."""
    case = make_admitted_case(world)
    transfer = to_b(world, case)
    url = reverse(
        "transfers:cancel", kwargs={"reference": case.reference, "transfer_id": transfer.pk}
    )
    member_a = verified_client(world.member_a)
    case_page = member_a.get(case.get_absolute_url()).content.decode()
    assert f'href="{url}"' in case_page
    assert f'action="{url}"' not in case_page

    page = member_a.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<form method="post" action="{url}"' in html
    assert "Yes, cancel the transfer request" in html
    assert world.unit_b.name in html
    assert f'href="{case.get_absolute_url()}#transfers"' in html
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.PENDING

    member_a.post(url)
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert member_a.get(url).status_code == 409  # nothing left to confirm


def test_cancelling_a_transfer_of_another_case_is_404(world):
    case = make_admitted_case(world)
    other = make_admitted_case(world)
    transfer = to_b(world, other)
    url = reverse(
        "transfers:cancel", kwargs={"reference": case.reference, "transfer_id": transfer.pk}
    )
    assert verified_client(world.member_a).post(url).status_code == 404


def test_missing_consent_is_explained(world):
    case = make_case(world.member_a, world.unit_a)
    response = verified_client(world.member_a).post(
        reverse("transfers:new", kwargs={"reference": case.reference}),
        {"to_unit": world.unit_b.pk, "to_track": "liberty", "handover_note": "Moves"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No valid consent is recorded for this case" in html
    assert "Record a consent that covers the receiving agency, then try again." in html
    assert not Transfer.objects.filter(case=case).exists()


def test_custody_track_needs_the_institution(world):
    case = make_admitted_case(world)
    response = verified_client(world.member_a).post(
        reverse("transfers:new", kwargs={"reference": case.reference}),
        {"to_unit": world.dfk.pk, "to_track": "custody", "handover_note": "Arrested"},
    )
    assert response.status_code == 200
    assert 'id="id_to_institution_error"' in response.content.decode()


def test_request_page_with_a_pending_transfer_is_not_possible(world):
    """One pending transfer at a time: the page says the action is not possible now (409,
    as the API; it redirected with a message before the action table)."""
    case = make_admitted_case(world)
    to_b(world, case)
    url = reverse("transfers:new", kwargs={"reference": case.reference})
    client = verified_client(world.member_a)
    for response in (
        client.get(url),
        client.post(url, {"to_unit": world.unit_b.pk, "to_track": "liberty", "handover_note": "x"}),
    ):
        assert response.status_code == 409
        assert str(NOT_NOW) in response.content.decode()
    assert Transfer.objects.filter(case=case).count() == 1


# Good release ---------------------------------------------------------------------


def test_good_release_through_the_pages(world):
    case = make_admitted_case(world)
    member_a = verified_client(world.member_a)
    member_a.post(
        reverse("transfers:new", kwargs={"reference": case.reference}),
        {
            "to_unit": world.dfk.pk,
            "to_track": "custody",
            "to_institution": world.prison.pk,
            "handover_note": "Arrested on new charges; remand in the prison.",
        },
    )
    custody = verified_client(world.custody)
    incoming = custody.get(reverse("transfers:incoming")).content.decode()
    assert "Arrested on new charges" in incoming
    arrest = Transfer.objects.get(case=case, status=TransferStatus.PENDING)
    custody.post(reverse("transfers:incoming"), {"transfer": arrest.pk, "decision": "accept"})
    case.refresh_from_db()
    assert (case.track, case.institution) == (Track.CUSTODY, world.prison)

    release_on = timezone.localdate() + timedelta(days=45)
    response = custody.post(
        reverse("transfers:release_date", kwargs={"reference": case.reference}),
        {"release_on": release_on.isoformat()},
        follow=True,
    )
    html = response.content.decode()
    assert "The release date is saved." in html
    # Within 60 days the plan is made at once: no daily job needed (rough edge 1, issue 14).
    assert "The release plan is created automatically" not in html
    assert "Work on the release plan" in html
    assert release_plans_run() == 0

    page = custody.get(case.get_absolute_url()).content.decode()
    assert page.count("Missing") >= 5
    plan_url = reverse("transfers:release_plan", kwargs={"reference": case.reference})
    form = custody.get(plan_url).content.decode()
    assert "5 items missing" in form
    assert "Name the receiving local unit first." in form
    response = custody.post(
        plan_url,
        {
            "housing": "on",
            "income": "on",
            "treatment": "on",
            "mentor_from_day_one": "on",
            "receiving_unit": world.unit_a.pk,
            "note": "Flat in Odense",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "The release plan is saved." in html
    assert "1 item missing" in html
    plan = ReleasePlan.objects.get(case=case)
    assert (plan.receiving_unit, plan.missing()) == (world.unit_a, ["unit_informed"])

    transfer_url = reverse("transfers:release_transfer", kwargs={"reference": case.reference})
    response = custody.post(transfer_url, {"handover_note": ""})
    assert response.status_code == 200
    assert 'id="id_handover_note_error"' in response.content.decode()
    response = custody.post(
        transfer_url, {"handover_note": "Released on the date; flat ready."}, follow=True
    )
    assert "The transfer to Test Exit Unit A is requested." in response.content.decode()
    plan.refresh_from_db()
    assert plan.transfer is not None

    incoming = member_a.get(reverse("transfers:incoming")).content.decode()
    assert "Released on the date; flat ready." in incoming
    member_a.post(
        reverse("transfers:incoming"), {"transfer": plan.transfer.pk, "decision": "accept"}
    )
    case.refresh_from_db()
    # Unit A is responsible now; the person stays in the prison until the release date.
    assert (case.track, case.responsible_unit, case.institution, case.release_on) == (
        Track.CUSTODY,
        world.unit_a,
        world.prison,
        release_on,
    )
    page = member_a.get(case.get_absolute_url()).content.decode()
    assert "the track becomes “At liberty”" in page
    assert release_track_changes_run(today=release_on) == 1  # the daily job on the day
    case.refresh_from_db()
    assert (case.track, case.responsible_unit, case.institution, case.release_on) == (
        Track.LIBERTY,
        world.unit_a,
        None,
        release_on,
    )


def test_release_date_on_a_liberty_case_is_refused_with_a_message(world):
    case = make_admitted_case(world)
    response = verified_client(world.member_a).post(
        reverse("transfers:release_date", kwargs={"reference": case.reference}),
        {"release_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Only custody cases have a release date." in response.content.decode()
    case.refresh_from_db()
    assert case.release_on is None


def test_release_plan_page_without_a_plan_is_not_possible(world):
    """No plan yet: the page says the action is not possible now (409, as the API; it
    redirected with a message before the action table)."""
    case = make_custody_case(world)
    response = verified_client(world.custody).get(
        reverse("transfers:release_plan", kwargs={"reference": case.reference})
    )
    assert response.status_code == 409
    assert str(NOT_NOW) in response.content.decode()


def test_release_plan_page_is_logged(world, case):
    verified_client(world.custody).get(
        reverse("transfers:release_plan", kwargs={"reference": case.reference})
    )
    assert AccessLog.objects.filter(
        user=world.custody, case_id=case.pk, part="release_plan"
    ).exists()


def _transfer_reads(client, case):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(case.get_absolute_url()).content.decode()
    return page, [q["sql"] for q in queries if 'FROM "transfers_transfer"' in q["sql"]]


def test_the_case_page_names_each_earlier_transfer_and_joins_the_names_only_when_there_is_one(
    world,
):
    """A case never transferred costs the panel one small read; a transferred one shows who
    asked, from where, to where and who answered, read in one join."""
    case = make_admitted_case(world)
    client = verified_client(world.member_a)
    page, reads = _transfer_reads(client, case)
    assert "No transfer is awaiting an answer." in page
    assert "Earlier transfers" not in page
    assert len(reads) == 1
    assert "JOIN" not in reads[0]
    transfer_decline(actor=world.coordinator_b, transfer=to_b(world, case), note="Not now")
    page, reads = _transfer_reads(client, case)
    row = page.split('id="transfer-', 1)[1].split("</tr>", 1)[0]
    for name in (world.unit_a.name, world.unit_b.name, world.member_a.full_name):
        assert name in row
    assert world.coordinator_b.full_name in row
    assert "Not now" in row
    assert len(reads) == 2
    assert sum("JOIN" in sql for sql in reads) == 1
