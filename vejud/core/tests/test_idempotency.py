"""A write sent again with the same idempotency key returns the first answer and writes nothing.

The outage test (``tests/test_outage.py``) shows why: a write can commit and be answered 503;
the client re-sends it with the same key after the outage.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from vejud.api.routers import process
from vejud.api.tests.process_support import inquiry_body, municipality_of
from vejud.cases.models import Case, JournalEntry
from vejud.core.models import IdempotentRequest
from vejud.testing import make_case, verified_client
from vejud.testing.api import JsonApi, token_for

URL = "/api/v1/inquiries"


@pytest.fixture
def api(world):
    municipality_of(world.unit_a, "Testby A")
    return JsonApi(world.member_a)


def keyed(api: JsonApi, key: str) -> JsonApi:
    api.headers = {**api.headers, "Idempotency-Key": key}
    return api


def test_the_same_key_returns_the_first_answer_and_writes_once(api):
    first = keyed(api, "key-1").post(URL, inquiry_body())
    again = api.post(URL, inquiry_body())
    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Case.objects.count() == 1
    stored = IdempotentRequest.objects.get()
    assert stored.key == "key-1" and stored.status == 201
    assert first.json()["reference"] not in str(stored.__dict__)  # the answer is encrypted


def test_a_retry_across_a_new_hmac_key_is_still_a_replay(api, settings):
    first = keyed(api, "key-r").post(URL, inquiry_body())
    settings.VEJUD_HMAC_KEYS = [
        "a-new-lookup-key-of-more-than-32-characters",
        *settings.VEJUD_HMAC_KEYS,
    ]
    again = api.post(URL, inquiry_body())
    assert first.status_code == again.status_code == 201, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_another_key_or_none_is_another_write(api):
    keyed(api, "key-1").post(URL, inquiry_body(last_name="One"))
    keyed(api, "key-2").post(URL, inquiry_body(last_name="Two"))
    del api.headers["Idempotency-Key"]
    api.post(URL, inquiry_body(last_name="Three"))
    assert Case.objects.count() == 3
    assert IdempotentRequest.objects.count() == 2


def test_a_key_reused_for_other_content_is_refused(api):
    keyed(api, "key-1").post(URL, inquiry_body(last_name="One"))
    response = api.post(URL, inquiry_body(last_name="Other"))
    assert response.status_code == 422
    assert "idempotency key was used for another request" in response.json()["detail"]
    assert Case.objects.count() == 1


def test_a_refused_write_is_not_stored_and_may_be_sent_again(api):
    refused = keyed(api, "key-1").post(URL, inquiry_body(received_on="0001-01-01"))
    assert refused.status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert api.post(URL, inquiry_body()).status_code == 201
    assert Case.objects.count() == 1


def test_keys_belong_to_their_token(world, api):
    keyed(api, "shared").post(URL, inquiry_body(last_name="One"))
    other = keyed(JsonApi(token=token_for(world.coordinator_a)), "shared")
    response = other.post(URL, inquiry_body(first_name="Other", last_name="Two"))
    assert response.status_code == 201, response.content
    assert "Idempotent-Replayed" not in response
    assert Case.objects.count() == 2


def test_a_key_longer_than_200_characters_is_refused(api):
    response = keyed(api, "k" * 201).post(URL, inquiry_body())
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_journal_note_sent_twice_with_its_form_key_is_stored_once(world):
    case = make_case(world.coordinator_a, world.unit_a)
    client = verified_client(world.member_a)
    page = client.get(case.get_absolute_url()).content.decode()
    form_key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert form_key, "the journal form carries a key"
    url = reverse("cases:journal_add", kwargs={"reference": case.reference})
    data = {"note-text": "Called the mother.", "idempotency_key": form_key[1]}
    first = client.post(url, data)
    again = client.post(url, data)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == f"{case.get_absolute_url()}#journal"
    assert JournalEntry.objects.filter(case=case).count() == 1
    other_key = client.get(case.get_absolute_url()).content.decode()
    assert form_key[1] not in other_key  # each showing of the form has a new key


def test_a_write_that_fails_after_its_service_is_rolled_back_and_may_be_sent_again(
    world, api, monkeypatch
):
    def receipt_fails(*args, **kwargs):
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(process, "_registered", receipt_fails)
    failing = JsonApi(token=api.headers["Authorization"].split()[1], raise_errors=False)
    assert keyed(failing, "key-1").post(URL, inquiry_body()).status_code == 500
    assert not Case.objects.exists() and not IdempotentRequest.objects.exists()
    monkeypatch.undo()
    assert keyed(api, "key-1").post(URL, inquiry_body()).status_code == 201
    assert Case.objects.count() == 1
