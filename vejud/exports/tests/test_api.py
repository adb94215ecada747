"""Exports through the API: the same rule, services and worker as the pages."""

from __future__ import annotations

import pytest

from vejud.audit.models import AuditEvent
from vejud.exports.models import Export, ExportStatus
from vejud.exports.services import export_build
from vejud.statistics.dashboard import default_period
from vejud.testing import make_case
from vejud.testing.api import JsonApi

BASE = "/api/v1/exports"


def _body(**extra):
    return {"kind": "case_rows", "format": "csv", "period": default_period().value} | extra


@pytest.fixture
def cases(world):
    return [make_case(world.coordinator_a, world.unit_a, last_name="Quistapi") for _ in range(2)]


def test_ask_follow_and_download(world, cases):
    api = JsonApi(world.coordinator_a)
    answer = api.post(BASE, _body(all_periods=True))
    assert answer.status_code == 202, answer.content
    export_id = answer.json()["id"]
    assert answer.json()["status"] == "queued"
    assert api.get(f"{BASE}/{export_id}/file").status_code == 409  # not made yet
    export_build(export_id=export_id)
    shown = api.get(f"{BASE}/{export_id}").json()
    assert (shown["status"], shown["percent"], shown["rows_done"]) == ("done", 100, 2)
    download = api.get(f"{BASE}/{export_id}/file")
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert body.count("\n") == 3 and "Quistapi" not in body
    assert cases[0].reference not in body
    assert AuditEvent.objects.filter(action="export.download").count() == 1
    assert [item["id"] for item in api.get(BASE).json()["items"]] == [export_id]


def test_an_export_is_its_requesters_alone(world, cases):
    export_id = JsonApi(world.coordinator_a).post(BASE, _body()).json()["id"]
    export_build(export_id=export_id)
    for user in (world.coordinator_b, world.head):
        other = JsonApi(user)
        assert other.get(f"{BASE}/{export_id}").status_code == 404
        assert other.get(f"{BASE}/{export_id}/file").status_code == 404
        assert other.get(f"{BASE}/{export_id + 999}").status_code == 404
        assert other.get(BASE).json()["items"] == []


def test_the_analyst_gets_tables_only_and_other_roles_403(world, cases):
    analyst = JsonApi(world.analyst)
    assert analyst.post(BASE, _body()).status_code == 403
    assert analyst.post(BASE, _body(kind="dashboard", format="pdf")).status_code == 202
    for role in ("custody", "mentor"):
        assert JsonApi(getattr(world, role)).post(BASE, _body()).status_code == 403
        assert JsonApi(getattr(world, role)).get(BASE).status_code == 403
    assert Export.objects.get().status == ExportStatus.QUEUED


def test_bad_input_is_a_4xx_and_changes_nothing(world):
    api = JsonApi(world.head)
    for body in (
        _body(format="pdf"),
        _body(period="y1800"),
        _body(unit="u999999"),
        _body(kind="everything"),
        {**_body(), "extra": 1},
    ):
        assert api.post(BASE, body).status_code in (403, 422), body
    assert not Export.objects.exists()
