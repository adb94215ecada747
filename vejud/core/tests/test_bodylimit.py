"""A body declared larger than VEJUD_MAX_REQUEST_BYTES is refused (413) before it is read."""

from __future__ import annotations

from unittest import mock

from django.test import Client
from django.urls import reverse

from vejud.accounts.tokens import token_create
from vejud.pool.models import Attachment
from vejud.testing import verified_client
from vejud.testing.pool import make_application, make_pool, make_pool_case

HUGE = str(2 * 1024**3)  # a 2 GB upload announced


def _application(world):
    make_pool(world, budget_kr=100_000)
    return make_application(world, make_pool_case(world), amount_kr=10_000)


def test_an_upload_page_refuses_a_huge_body_unread(world, settings):
    settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    settings.VEJUD_MAX_REQUEST_BYTES = 11 * 1024 * 1024
    application = _application(world)
    client = verified_client(world.member_a)
    path = reverse(
        "pool:attachment_add",
        kwargs={"reference": application.case.reference, "application_id": application.pk},
    )

    with mock.patch("django.core.handlers.wsgi.LimitedStream.read") as read:
        response = client.generic(
            "POST", path, b"x", content_type="multipart/form-data; boundary=B", CONTENT_LENGTH=HUGE
        )

    assert response.status_code == 413
    assert "The file is larger than 10 MB." in response.content.decode()
    assert response["Connection"] == "close"
    read.assert_not_called()
    assert not Attachment.objects.exists()


def test_the_api_refuses_a_huge_body_with_json(world):
    application = _application(world)
    _token, raw = token_create(user=world.member_a, name="test")

    response = Client().generic(
        "POST",
        f"/api/v1/cases/{application.case.reference}/grants/{application.pk}/attachments",
        b"x",
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=HUGE,
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than 10 MB."}
    assert not Attachment.objects.exists()


def test_the_refusal_is_in_the_readers_language(world):
    response = Client().generic(
        "POST",
        reverse("accounts:login"),
        b"x",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=HUGE,
        HTTP_ACCEPT_LANGUAGE="da",
    )

    assert response.status_code == 413
    assert "Filen er større end 10 MB." in response.content.decode()


def test_a_body_within_the_limit_goes_on(world):
    response = Client().post(reverse("accounts:login"), {"email": "x@example.org", "password": "y"})

    assert response.status_code == 200
