"""Helpers for the exit-process API tests: a JSON client per user and the request bodies."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from vejud.cases.models import Case
from vejud.organisations.models import Municipality
from vejud.testing.api import JsonApi
from vejud.testing.builders import inquiry_fields

__all__ = ["JsonApi", "case_url", "inquiry_body", "municipality_of"]

SUITABILITY_CRITERIA = ("leaving_clarity", "lifestyle_clarity", "steps_taken", "will_and_ability")


def case_url(case: Case | str, tail: str = "") -> str:
    reference = case if isinstance(case, str) else case.reference
    return f"/api/v1/cases/{reference}{tail}"


def municipality_of(unit: Any, name: str) -> Municipality:
    return Municipality.objects.create(name=name, police_district=unit.police_district)


def inquiry_body(**overrides: Any) -> dict[str, Any]:
    return inquiry_fields(overrides.pop("municipality", "Testby A"), **overrides)


def consent_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "given_on": timezone.localdate().isoformat(),
        "method": "in_person",
        "agencies": ["police", "municipality", "kriminalforsorgen", "national"],
        "topics": ["crime", "social"],
    }
    body.update(overrides)
    return body


def motivation_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "push_factors": ["disillusion"],
        "pull_factors": ["fatherhood"],
        "own_explanation": "Wants a life with his child.",
        "help_wishes": ["work_education"],
        "motivation_kind": "inner",
        "level": 4,
        "reasoning": "Clear inner motivation.",
    }
    body.update(overrides)
    return body


def suitability_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = dict.fromkeys(SUITABILITY_CRITERIA, 4)
    body.update({f"{c}_reasoning": "Shown in the talks." for c in SUITABILITY_CRITERIA})
    body.update({"judgement": "suitable", "reasoning": "Suitable."})
    body.update(overrides)
    return body


def target_group_body(api: JsonApi, reference: str) -> dict[str, Any]:
    """Return a draft answering every criterion of the default criteria version 'met'."""
    data = api.get(case_url(reference, "/assessments/target_group")).json()
    (version,) = [v for v in data["criteria_versions"] if v["default"]]
    return {
        "criteria_version": version["id"],
        "answers": {c["code"]: {"met": True, "note": "Checked."} for c in version["criteria"]},
        "reasoning": "Within the target group.",
    }


def draft_and_sign(api: JsonApi, reference: str, kind: str, body: dict[str, Any]) -> Any:
    """Save a draft of ``kind`` and sign it; return the signature response."""
    saved = api.put(case_url(reference, f"/assessments/{kind}/draft"), body)
    assert saved.status_code == 200, saved.json()
    return api.post(case_url(reference, f"/assessments/{kind}/signature"))


def version(api: JsonApi, reference: str) -> int:
    """Return the case version from the process overview."""
    response = api.get(case_url(reference, "/process"))
    assert response.status_code == 200, response.json()
    result: int = response.json()["version"]
    return result
