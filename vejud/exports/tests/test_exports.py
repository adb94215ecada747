"""Exports: who may ask for what, what the files hold (and never hold), progress, encryption
at rest, formula injection, expiry and downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vejud.audit.models import AuditEvent
from vejud.cases.models import CaseStatus
from vejud.cases.services import case_transition
from vejud.exports.models import Export, ExportChunk, ExportFormat, ExportKind, ExportStatus
from vejud.exports.rows import neutralise
from vejud.exports.services import export_build, export_request, exports_expire
from vejud.exports.storage import chunks_of
from vejud.statistics.dashboard import default_period
from vejud.testing import make_case, verified_client

NEW = reverse("exports:new")
LIST = reverse("exports:list")


def _selection(**extra):
    return {"period": default_period().value, "unit": "", "track": "", "all_periods": True} | extra


def _made(actor, kind=ExportKind.CASE_ROWS, fmt=ExportFormat.CSV, **extra) -> Export:
    export = export_request(actor=actor, kind=kind, fmt=fmt, selection=_selection(**extra))
    built = export_build(export_id=export.pk)
    assert built is not None
    return built


def _text(export: Export) -> str:
    return b"".join(chunks_of(export)).decode("utf-8-sig")


def _csv_rows(export: Export) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_text(export)), delimiter=";"))


@pytest.fixture
def cases(world):
    a = [make_case(world.coordinator_a, world.unit_a, last_name=f"Quist{i}") for i in range(3)]
    b = make_case(world.coordinator_b, world.unit_b, last_name="Yrsasen")
    case_transition(actor=world.coordinator_a, case=a[0], target=CaseStatus.ASSESSMENT)
    return a, b


def test_case_rows_hold_the_cases_the_requester_sees_and_name_no_one(world, cases):
    a, b = cases
    unit_rows = _csv_rows(_made(world.coordinator_a))
    national_rows = _csv_rows(_made(world.head))

    assert unit_rows[0][:3] == ["Row", "Unit", "Police district"]
    assert [row[1] for row in unit_rows[1:]] == [world.unit_a.name] * 3
    assert sorted(row[1] for row in national_rows[1:]) == sorted(
        [world.unit_a.name] * 3 + [world.unit_b.name]
    )
    assert [row[0] for row in national_rows[1:]] == ["1", "2", "3", "4"]
    everything = _text(_made(world.head))
    for secret in ["Quist", "Yrsasen", *(case.reference for case in [*a, b])]:
        assert secret not in everything
    statuses = {row[4] for row in unit_rows[1:]}
    assert statuses == {"Assessment", "Inquiry"}


def test_the_analyst_and_mentor_may_not_export_case_rows(world, cases):
    for user in (world.analyst, world.mentor):
        response = verified_client(user).post(
            NEW, {"kind": "case_rows", "format": "csv", **_selection()}
        )
        assert response.status_code in (400, 403)
    assert not Export.objects.exists()


def test_the_analyst_exports_the_dashboard_tables(world, cases):
    export = _made(world.analyst, kind=ExportKind.DASHBOARD)
    rows = _csv_rows(export)
    assert rows[0] == ["Table", "Row", "Column", "Figure", "Note"]
    text = _text(export)
    assert "Inflow by source" in text
    for secret in ("Quist", *(case.reference for case in cases[0])):
        assert secret not in text
    # Figures of 1-4 are hidden: no released cell is between 1 and 4.
    for row in rows[1:]:
        if row[3] and row[3].isdigit():
            assert int(row[3]) == 0 or int(row[3]) >= 5, row


def test_xlsx_and_pdf(world, cases):
    book = load_workbook(io.BytesIO(b"".join(chunks_of(_made(world.head, fmt=ExportFormat.XLSX)))))
    sheet = book.active
    assert sheet.max_row == 5
    assert sheet.cell(2, 2).value in (world.unit_a.name, world.unit_b.name)
    pdf = _made(world.head, kind=ExportKind.DASHBOARD, fmt=ExportFormat.PDF)
    data = b"".join(chunks_of(pdf))
    assert data.startswith(b"%PDF-") and pdf.size == len(data)


def test_pdf_is_for_the_dashboard_only(world):
    response = verified_client(world.head).post(
        NEW, {"kind": "case_rows", "format": "pdf", **_selection()}
    )
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_the_file_is_encrypted_at_rest_in_chunks(world, cases):
    export = _made(world.head)
    stored = b"".join(bytes(chunk) for chunk in ExportChunk.objects.values_list("data", flat=True))
    assert world.unit_a.name.encode() not in stored
    assert world.unit_a.name in _text(export)
    assert export.status == ExportStatus.DONE
    assert export.rows_total == export.rows_done == 4
    assert export.percent == 100


def test_formula_injection_is_neutralised():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert neutralise(f"{start}1") == f"'{start}1"
    assert neutralise("Unit") == "Unit"
    assert neutralise(-3) == -3


def test_a_unit_named_like_a_formula_is_neutralised_in_the_file(world, cases):
    world.unit_a.name = "=1+2"
    world.unit_a.save()
    assert "'=1+2" in _text(_made(world.coordinator_a))


def test_the_request_page_flow_and_the_progress_page(world, cases):
    client = verified_client(world.coordinator_a)
    response = client.post(NEW, {"kind": "case_rows", "format": "csv", **_selection()})
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", kwargs={"pk": export.pk})
    assert export.status == ExportStatus.QUEUED  # built by the worker after commit
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    export_build(export_id=export.pk)
    part = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in part and reverse("exports:file", kwargs={"pk": export.pk}) in part
    download = client.get(reverse("exports:file", kwargs={"pk": export.pk}))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 4
    assert AuditEvent.objects.filter(action="export.download").count() == 1
    assert AuditEvent.objects.filter(action="export.request").count() == 1
    assert (
        client.get(LIST).content.decode().count(reverse("exports:detail", kwargs={"pk": export.pk}))
        == 1
    )


def test_an_export_is_its_requesters_alone(world, cases):
    export = _made(world.coordinator_a)
    for user in (world.coordinator_b, world.head, world.member_a):
        client = verified_client(user)
        assert client.get(reverse("exports:detail", kwargs={"pk": export.pk})).status_code == 404
        assert client.get(reverse("exports:file", kwargs={"pk": export.pk})).status_code == 404
        assert (
            reverse("exports:detail", kwargs={"pk": export.pk})
            not in client.get(LIST).content.decode()
        )
    missing = reverse("exports:detail", kwargs={"pk": export.pk + 1000})
    assert verified_client(world.coordinator_b).get(missing).status_code == 404


@pytest.mark.parametrize("role", ["custody", "mentor", "sysadmin", "auditor", "nobody"])
def test_other_roles_get_403(world, role):
    client = verified_client(getattr(world, role))
    assert client.get(LIST).status_code == 403
    assert (
        client.post(NEW, {"kind": "dashboard", "format": "csv", **_selection()}).status_code == 403
    )


def test_expired_exports_lose_their_file(world, cases):
    export = _made(world.head)
    assert ExportChunk.objects.filter(export=export).exists()
    assert exports_expire(timezone.now() + timedelta(hours=23)) == 0
    assert exports_expire(timezone.now() + timedelta(hours=25)) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED
    assert not ExportChunk.objects.filter(export=export).exists()
    client = verified_client(world.head)
    assert client.get(reverse("exports:file", kwargs={"pk": export.pk})).status_code == 410
    assert exports_expire(timezone.now() + timedelta(hours=25)) == 0


def test_a_second_build_does_nothing(world, cases):
    export = _made(world.head)
    assert export_build(export_id=export.pk) is None
    assert ExportChunk.objects.filter(export=export).count() == 1


def test_too_many_open_exports_is_a_409(world, cases, settings):
    settings.VEJUD_EXPORTS_OPEN_PER_USER = 1
    client = verified_client(world.head)
    data = {"kind": "case_rows", "format": "csv", **_selection()}
    assert client.post(NEW, data).status_code == 302
    assert client.post(NEW, data).status_code == 409
    assert Export.objects.count() == 1


def test_the_row_cap_refuses_with_a_clear_message(world, cases, settings):
    settings.VEJUD_EXPORT_MAX_ROWS = 2
    response = verified_client(world.head).post(
        NEW, {"kind": "case_rows", "format": "csv", **_selection()}
    )
    assert response.status_code == 400
    assert "holds 4 cases; an export holds at most 2 rows" in response.content.decode()
    assert not Export.objects.exists()


def test_a_requester_who_lost_access_gets_a_failed_export(world, cases):
    export = export_request(
        actor=world.coordinator_a, kind=ExportKind.CASE_ROWS, fmt="csv", selection=_selection()
    )
    world.coordinator_a.memberships.update(valid_to=timezone.localdate() - timedelta(days=1))
    built = export_build(export_id=export.pk)
    assert built is not None and built.status == ExportStatus.FAILED
    assert not ExportChunk.objects.filter(export=export).exists()


def test_bad_input_is_a_400_and_changes_nothing(world):
    client = verified_client(world.head)
    for data in (
        {},
        {"kind": "nonsense", "format": "csv", **_selection()},
        {"kind": "case_rows", "format": "doc", **_selection()},
        {"kind": "case_rows", "format": "csv", "period": "y1800"},
        {"kind": "dashboard", "format": "csv", "period": default_period().value, "unit": "u999999"},
    ):
        assert client.post(NEW, data).status_code == 400, data
    assert not Export.objects.exists()


def test_the_list_costs_the_same_queries_for_one_export_or_many(world, cases):
    client = verified_client(world.head)
    _made(world.head)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for _ in range(5):
        _made(world.head, kind=ExportKind.DASHBOARD)
    with CaptureQueriesContext(connection) as six:
        page = client.get(LIST).content.decode()
    assert page.count('href="/eksport/') == 6
    assert len(one) == len(six), [q["sql"][:80] for q in six.captured_queries]
