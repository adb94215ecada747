"""Every PDF the system writes is tagged (PDF/UA-1): a structure tree, marked content, the
document's language and title, so a screen reader can read it (issue 14)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from vejud.core.documents import html_pdf

HTML = """<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">
<title>Afgørelse</title></head><body><h1>Afgørelse</h1><p>Du er optaget.</p>
<table><tr><th>Dato</th></tr><tr><td>4. december 2026</td></tr></table></body></html>"""


def test_a_document_is_tagged_with_language_and_title():
    reader = PdfReader(io.BytesIO(html_pdf(HTML)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "da"
    assert reader.metadata is not None and reader.metadata.title == "Afgørelse"
    assert "Du er optaget." in reader.pages[0].extract_text()
