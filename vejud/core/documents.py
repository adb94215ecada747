"""Documents as PDF (decision letters, the exit agreement), downloaded by the user.

A document is rendered (in Danish unless told otherwise) and turned into a tagged PDF
(PDF/UA-1) by WeasyPrint with every external resource refused: a document can never read
files or the network (a refused resource is left out, as WeasyPrint leaves out one it cannot
fetch). It is downloaded as an attachment that no cache may keep.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

Subject = TypeVar("Subject")


def deny_fetch(url: str, headers: Any = None) -> Any:
    """Refuse every external resource: a document can never read files or the network."""
    raise ValueError(f"Resource loading is disabled in documents ({url[:40]})")


SVG_DATA_URI = "data:image/svg+xml;base64,"


def svg_data_only(url: str, headers: Any = None) -> Any:
    """Read an SVG image given inline as a base64 data: URI (a chart); refuse the rest."""
    from weasyprint.urls import URLFetcherResponse

    if not url.startswith(SVG_DATA_URI):
        return deny_fetch(url)
    body = base64.b64decode(url[len(SVG_DATA_URI) :], validate=True)
    return URLFetcherResponse(url, body, headers={"Content-Type": "image/svg+xml"})


def _no_fetcher(*, svg_data: bool = False) -> Any:
    """WeasyPrint's fetcher with ``fetch`` refusing everything (not fatal: left out), or
    everything but inline SVG data: URIs."""
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",) if svg_data else ())
    fetcher.fetch = svg_data_only if svg_data else deny_fetch
    return fetcher


def html_pdf(html: str, *, svg_data: bool = False) -> bytes:
    """Return ``html`` as a tagged, accessible PDF (PDF/UA-1: structure tree, language, title),
    with every external resource refused (``svg_data``: except charts inlined as SVG data:
    URIs, which read nothing from outside the document)."""
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=_no_fetcher(svg_data=svg_data), base_url=None).write_pdf(
        pdf_variant="pdf/ua-1"
    )
    assert pdf is not None
    return bytes(pdf)


def document_pdf(
    template: str,
    context: Callable[[Subject], Mapping[str, Any]],
    subject: Subject,
    *,
    language: str = "da",
) -> bytes:
    """Return ``template`` rendered for ``subject`` as PDF bytes, in Danish unless told.

    ``context(subject)`` is built in the document's language too (labels it looks up come
    out in it). A document handed to a person is in Danish whatever the user's language;
    pass ``language=translation.get_language()`` for one that follows the user.
    """
    with translation.override(language):
        html = render_to_string(template, context(subject))
    return html_pdf(html)


def file_download(body: bytes, filename: str, *, content_type: str) -> HttpResponse:
    """Return ``body`` as an attachment named ``filename`` that no cache may keep."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def pdf_download(pdf: bytes, filename: str) -> HttpResponse:
    """Return the PDF as an attachment named ``filename`` that no cache may keep."""
    return file_download(pdf, filename, content_type="application/pdf")
