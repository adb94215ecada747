"""ConflictError: 409 on pages (the translated page) and in the API (detail and code)."""

from __future__ import annotations

from django.test import RequestFactory
from django.utils import translation

from vejud.core.errors import ConflictError
from vejud.core.middleware import ConflictMiddleware


def _middleware() -> ConflictMiddleware:
    return ConflictMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]


def test_a_conflict_a_page_lets_through_is_the_translated_409_page(world):
    request = RequestFactory().post("/sager/EX-2026-00001/forloeb/genaabn/")
    request.user = world.member_a
    with translation.override("da"):
        response = _middleware().process_exception(
            request, ConflictError("Personen har allerede en åben sag.", code="open_case_exists")
        )
    assert response is not None and response.status_code == 409
    body = response.content.decode()
    assert "Ændringen blev ikke foretaget" in body
    assert "Personen har allerede en åben sag." in body


def test_the_api_answers_its_own_conflicts_and_other_errors_pass(world):
    api_request = RequestFactory().post("/api/v1/pool/years")
    api_request.user = world.member_a
    assert _middleware().process_exception(api_request, ConflictError("Taken.")) is None
    page_request = RequestFactory().post("/sager/")
    page_request.user = world.member_a
    assert _middleware().process_exception(page_request, ValueError("other")) is None


def test_conflict_error_is_a_validation_error_with_its_code():
    error = ConflictError("There is already a budget for 2031.", code="year_exists")
    assert error.code == "year_exists"
    assert error.text == "There is already a budget for 2031."
    assert error.messages == ["There is already a budget for 2031."]
