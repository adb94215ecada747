"""Hostile input through pages and API: a clear 4xx in the user's language, nothing changed, no 5xx.

Oversized bodies (413), bytes that are not UTF-8 (400), implausible dates and number formats
(the validation errors of forms and the API's 422), each sent to the inquiry, which opens a
case, so "nothing changed" is: no case, no person, no inquiry, no audit record.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from vejud.api.tests.process_support import JsonApi, inquiry_body, municipality_of
from vejud.audit.models import AuditEvent
from vejud.cases.models import Case
from vejud.core.limits import MAX_BODY_BYTES
from vejud.intake.models import Inquiry
from vejud.people.models import Person
from vejud.testing import verified_client
from vejud.testing.builders import inquiry_fields

INQUIRY_PAGE = "/sager/ny-henvendelse/"
INQUIRY_API = "/api/v1/inquiries"


def state() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        Person.objects.count(),
        Inquiry.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def municipality(world):
    return municipality_of(world.unit_a, "Testby A")


def form_body(municipality: Any, **overrides: Any) -> dict[str, Any]:
    return inquiry_fields(municipality.pk, **overrides)


def danish_client(user: Any) -> Client:
    user.language = "da"
    user.save(update_fields=["language"])
    return verified_client(user)


# --- Oversized bodies: 413 -------------------------------------------------------------------


def test_api_body_over_the_limit_is_413_not_500(world, municipality):
    api = JsonApi(world.member_a)
    before = state()
    huge = inquiry_body(note="x" * (MAX_BODY_BYTES + 1))
    response = api.post(INQUIRY_API, huge)
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request is larger than {round(MAX_BODY_BYTES / 1048576, 1)} MB. "
        "Send less at a time."
    }
    assert state() == before


def test_page_body_over_the_limit_is_a_translated_413(world, municipality):
    before = state()
    client = danish_client(world.member_a)
    response = client.post(INQUIRY_PAGE, form_body(municipality, note="x" * (MAX_BODY_BYTES + 1)))
    assert response.status_code == 413
    body = response.content.decode()
    assert "Forespørgslen er for stor" in body
    assert "Bad Request" not in body
    assert state() == before


def test_too_many_fields_is_a_translated_400_page(world, municipality):
    client = danish_client(world.member_a)
    fields = "&".join(f"f{i}=1" for i in range(1100))
    response = client.post(INQUIRY_PAGE, fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Forespørgslen kunne ikke læses" in response.content.decode()


# --- Bytes that are not UTF-8: 400, never stored with replacement characters ----------------


def _urlencoded(municipality: Any, raw_note: bytes) -> bytes:
    from urllib.parse import urlencode

    return urlencode(form_body(municipality)).encode() + b"&note=" + raw_note


def test_form_with_invalid_utf8_is_refused_and_nothing_stored(world, municipality):
    before = state()
    client = danish_client(world.member_a)
    response = client.post(
        INQUIRY_PAGE,
        _urlencoded(municipality, b"Ringede+%FF%FE+fra+%C3"),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Den sendte tekst er ikke gyldig UTF-8" in response.content.decode()
    assert state() == before
    # The same form in valid UTF-8 is accepted: the refusal is the encoding, nothing else.
    ok = client.post(
        INQUIRY_PAGE,
        _urlencoded(municipality, b"Ringede+fra+%C3%85rhus"),
        content_type="application/x-www-form-urlencoded",
    )
    assert ok.status_code == 302
    assert Inquiry.objects.get().note == "Ringede fra Århus"


def test_multipart_form_with_invalid_utf8_is_refused(world, municipality):
    before = state()
    client = verified_client(world.member_a)
    boundary = "BoUnDaRy"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in form_body(municipality).items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n'.encode()
        + b"\xff\xfe broken\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = client.post(
        INQUIRY_PAGE, body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert state() == before


def test_query_string_with_invalid_utf8_is_400(world):
    client = verified_client(world.member_a)
    response = client.get("/sager/", QUERY_STRING="q=%FF%FE")
    assert response.status_code == 400
    api = JsonApi(world.member_a)
    answer = api.client.get("/api/v1/cases", QUERY_STRING="q=%FF", headers=api.headers)
    assert answer.status_code == 400
    assert answer.json() == {"detail": "The text sent is not valid UTF-8. Nothing was saved."}


def test_api_json_body_with_invalid_utf8_is_400(world, municipality):
    api = JsonApi(world.member_a)
    before = state()
    raw = b'{"first_name": "J\xffnas", "last_name": "Berg"}'
    response = api.client.post(
        INQUIRY_API, raw, content_type="application/json", headers=api.headers
    )
    assert response.status_code == 400
    assert state() == before


def test_refusals_speak_the_users_language(world):
    with translation.override("en"):
        client = verified_client(world.member_a)
        response = client.get("/sager/", QUERY_STRING="q=%FF")
    assert "The text sent is not valid UTF-8" in response.content.decode()


# --- Dates outside 1900-2199: refused by the schema, the form and the service -----------------

IMPLAUSIBLE = ["0001-01-01", "1000-01-01", "1899-12-31", "2200-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", IMPLAUSIBLE)
def test_api_refuses_implausible_dates_with_422(world, municipality, day):
    api = JsonApi(world.member_a)
    before = state()
    for body in (inquiry_body(received_on=day), inquiry_body(birth_date=day)):
        response = api.post(INQUIRY_API, body)
        assert response.status_code == 422, response.content
        (problem,) = response.json()["detail"]
        assert "between 1 Jan 1900 and 31 Dec 2199" in problem["msg"]  # the user's date format
    assert state() == before


@pytest.mark.parametrize("day", IMPLAUSIBLE)
def test_page_refuses_implausible_dates_in_the_users_language(world, municipality, day):
    client = danish_client(world.member_a)
    before = state()
    for field in ("received_on", "birth_date"):
        response = client.post(INQUIRY_PAGE, form_body(municipality, **{field: day}))
        assert response.status_code == 200  # the form again, with the error at the field
        assert "Angiv en dato mellem 01.01.1900 og 31.12.2199." in response.content.decode()
    assert state() == before


def test_services_refuse_implausible_dates_from_anywhere(world, municipality):
    from datetime import date

    from django.core.exceptions import ValidationError

    from vejud.intake.services import inquiry_register

    before = state()
    for day in (date(1, 1, 1), date(1000, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            inquiry_register(
                actor=world.member_a,
                source="person",
                channel="phone",
                received_on=day,
                municipality=municipality,
                first_name="Jonas",
                last_name="Berg",
                birth_date=date(1996, 4, 3),
            )
        assert refused.value.code == "received_on"
    assert state() == before


def test_openapi_states_the_limits(world):
    api = JsonApi(world.member_a)
    schema = api.get("/api/v1/openapi.json").json()
    inquiry = schema["components"]["schemas"]["InquiryIn"]["properties"]
    received = inquiry["received_on"]
    assert received["format"] == "date"
    assert (received["formatMinimum"], received["formatMaximum"]) == ("1900-01-01", "2199-12-31")
    assert received["pattern"].startswith("^(19")
    year = schema["components"]["schemas"]["YearIn"]["properties"]
    assert (year["year"]["minimum"], year["year"]["maximum"]) == (2000, 2199)
    assert year["amount_ore"]["type"] == "integer" and year["amount_ore"]["minimum"] == 1


# --- Digits that are not ASCII: "²".isdigit() is true, int("²") fails ----------------------

NOT_ASCII_DIGITS = ("²", "³³", "¹²³")


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("post", "/api/v1/transfers/{}/accept"),
        ("post", "/api/v1/transfers/{}/decline"),
        ("get", "/api/v1/training/registrations/{}"),
        ("get", "/api/v1/training/sessions/{}/attendance"),
        ("get", "/api/v1/advice/requests/{}"),
    ],
)
def test_api_ids_of_non_ascii_digits_are_422_not_500(world, raw, method, template):
    api = JsonApi(world.member_a, raise_errors=False)
    response = api.call(method, template.format(raw), {})
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
def test_api_cursor_of_non_ascii_digits_is_422(world, raw):
    import base64

    cursor = base64.urlsafe_b64encode(f"c1:{raw}".encode()).decode().rstrip("=")
    response = JsonApi(world.member_a, raise_errors=False).get("/api/v1/cases", {"cursor": cursor})
    assert response.status_code == 422


def test_pages_ignore_ids_of_non_ascii_digits(world):
    from vejud.core.paging import positive_int

    assert [positive_int(v) for v in ("²", "12", "٣", "0", "1" * 19, None, 7)] == [
        None,
        12,
        None,
        None,
        None,
        None,
        None,
    ]
    client = verified_client(world.member_a)
    assert client.get("/sager/", {"after": "²"}).status_code == 200
