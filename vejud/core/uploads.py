"""Uploaded files: what they really are, how large, under which name, encrypted at rest, and
how they go back out (always as a download the browser does not sniff or keep).

Used by the central pool's attachments and the case documents; a file is never trusted by
its name or declared type: its bytes are sniffed (PDF, PNG, JPEG), an image is decoded in
full within ``VEJUD_IMAGE_MAX_PIXELS``, and every refusal is a ValidationError (a 4xx).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from PIL import Image

from vejud.core.crypto import fernet

CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg")
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
ACCEPT = ",".join(CONTENT_TYPES)  # the file input's ``accept``

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(data: bytes) -> str | None:
    """Return the content type the bytes really are (PDF, PNG or JPEG), or None.

    An image must decode completely within ``VEJUD_IMAGE_MAX_PIXELS``: a bomb (a small file
    that claims 50,000 x 50,000 pixels), a truncated or corrupt image, or any other decoder
    error raises ValidationError (a 4xx), never a server error.
    """
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            if content_type == "application/pdf":
                return content_type if b"%%EOF" in data[-2048:] else None
            _check_image(data)
            return content_type
    return None


def _check_image(data: bytes) -> None:
    """Decode the image fully, after checking its claimed size; raise ValidationError if not."""
    limit = settings.VEJUD_IMAGE_MAX_PIXELS
    too_large = ValidationError(
        _("The image is larger than %(mp)s megapixels.") % {"mp": limit // 1_000_000},
        code="image_too_large",
    )
    unreadable = ValidationError(_("The image cannot be read."), code="image_unreadable")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
                if width * height > limit:
                    raise too_large
                image.verify()
            with Image.open(BytesIO(data)) as image:
                image.load()  # verify() reads no pixel data: decode it all, within the limit
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise too_large from None
        except Exception:
            raise unreadable from None


def safe_filename(name: str, content_type: str, fallback: str) -> str:
    """Return the uploaded name without a path or odd characters, ending as its real type."""
    stem = "".join(
        c for c in name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] if c.isalnum() or c in "-_. "
    )
    stem = stem.strip(". ")[:150] or fallback
    base = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{base}{EXTENSIONS[content_type]}"


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to store (``ciphertext`` is Fernet)."""

    filename: str
    content_type: str
    size: int
    sha256: str
    ciphertext: bytes

    def stored(self) -> dict[str, object]:
        """The model fields of a stored file (``filename``, ``content_type``, ``size``,
        ``sha256`` and the encrypted ``content``), for ``objects.create(**...)``."""
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "content": self.ciphertext,
        }


def too_large_error(limit: int) -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
        code="too_large",
    )


def check_upload(*, filename: str, data: bytes, limit: int, fallback: str) -> CheckedFile:
    """Check an upload (not empty, at most ``limit`` bytes, really a PDF, PNG or JPEG) and
    encrypt it; raise ValidationError (codes empty, too_large, file_type, image_*) if not."""
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > limit:
        raise too_large_error(limit)
    content_type = sniff_content_type(data)
    if content_type is None:
        raise ValidationError(
            _("Only PDF documents and PNG or JPEG images can be attached."), code="file_type"
        )
    return CheckedFile(
        filename=safe_filename(filename, content_type, fallback),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        ciphertext=fernet().encrypt(data),
    )


def decrypt_file(ciphertext: bytes | memoryview) -> bytes:
    """Return the bytes of a stored file (callers have authorised and logged the read)."""
    return fernet().decrypt(bytes(ciphertext))


def download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """Answer with a stored file as a download: never shown inline, never sniffed by the
    browser, never kept in a cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
