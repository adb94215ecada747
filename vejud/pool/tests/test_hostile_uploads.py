"""Hostile files attached to a grant application: refused with a 4xx, nothing stored, no 5xx.

An image bomb (66 bytes claiming 50,000 x 50,000 pixels), a JPEG claiming 65,000 x 65,000, a
PNG whose pixel data is cut off, a PNG with a broken checksum and a JPEG that stops after its
header go through the page (the form shows the error) and the API (422), and the service.
"""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from vejud.accounts.tokens import token_create
from vejud.pool.models import Attachment
from vejud.pool.services import attachment_add
from vejud.testing import verified_client
from vejud.testing.pool import make_application, make_pool, make_pool_case


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00"))
        + _chunk(b"IEND", b"")
    )


def real_image(format: str, size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=format)
    return buffer.getvalue()


def jpeg_bomb() -> bytes:
    """A real JPEG whose frame header is rewritten to claim 65,000 x 65,000 pixels."""
    data = bytearray(real_image("JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65_000, 65_000)
    return bytes(data)


def truncated_png() -> bytes:
    data = real_image("PNG", (400, 400))
    idat = data.index(b"IDAT")
    return data[: idat + 40]


def bad_checksum_png() -> bytes:
    data = bytearray(real_image("PNG"))
    data[29] ^= 0xFF  # the IHDR chunk's CRC
    return bytes(data)


HOSTILE = {
    "png bomb 50000x50000": (png_bomb(), "image_too_large"),
    "jpeg bomb 65000x65000": (jpeg_bomb(), "image_too_large"),
    "png with cut-off pixels": (truncated_png(), "image_unreadable"),
    "png with a broken checksum": (bad_checksum_png(), "image_unreadable"),
    "jpeg that stops after its header": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image_unreadable"),
}


def test_the_bomb_is_a_tiny_file():
    assert len(png_bomb()) < 80  # the report's was 74 bytes


@pytest.fixture
def application(world):
    make_pool(world, budget_kr=100_000)
    return make_application(world, make_pool_case(world), amount_kr=10_000)


@pytest.mark.parametrize("name", HOSTILE)
def test_the_service_refuses_it(world, application, name):
    data, code = HOSTILE[name]

    with pytest.raises(ValidationError) as refused:
        attachment_add(
            actor=world.member_a, application=application, kind="quote", filename="q.png", data=data
        )

    assert refused.value.code == code
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", HOSTILE)
def test_the_page_shows_the_error_and_stores_nothing(world, application, name):
    data, code = HOSTILE[name]
    client = verified_client(world.member_a, Client(raise_request_exception=False))

    response = client.post(
        reverse(
            "pool:attachment_add",
            kwargs={"reference": application.case.reference, "application_id": application.pk},
        ),
        {"attachment-kind": "quote", "attachment-file": SimpleUploadedFile("q.png", data)},
    )

    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    expected = (
        "The image is larger than 40 megapixels."
        if code == "image_too_large"
        else "The image cannot be read."
    )
    assert expected in page
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", HOSTILE)
def test_the_api_answers_422_and_stores_nothing(world, application, name):
    data, code = HOSTILE[name]
    _token, raw = token_create(user=world.member_a, name="test")
    client = Client(raise_request_exception=False)

    response = client.post(
        f"/api/v1/cases/{application.case.reference}/grants/{application.pk}/attachments",
        {"kind": "quote", "file": SimpleUploadedFile("q.png", data)},
        headers={"Authorization": f"Bearer {raw}"},
    )

    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["type"] == code
    assert not Attachment.objects.exists()


def test_a_real_photo_of_a_quote_is_still_accepted(world, application):
    for format in ("PNG", "JPEG"):
        attachment = attachment_add(
            actor=world.member_a,
            application=application,
            kind="quote",
            filename="q",
            data=real_image(format, (1200, 1600)),
        )
        assert attachment.content_type == f"image/{format.lower()}"
