"""The catalogue follows the glossary (docs/glossary.md): no word of its "Not" column in a
Danish translation or a template (rough edge 10 of issue 14: "tilskud" and "bevilling" were
both used for a grant from the central pool)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CATALOGUE = ROOT / "vejud" / "locale" / "da" / "LC_MESSAGES" / "django.po"


def glossary_rows() -> list[dict[str, str]]:
    """Return the glossary table's rows (English, Dansk, Not, Note)."""
    lines = [line for line in GLOSSARY.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def avoided_words() -> dict[str, str]:
    """Return each word of the "Not" column with the term to use instead."""
    return {
        word.strip().lower(): row["Dansk"]
        for row in glossary_rows()
        for word in row["Not"].split(",")
        if word.strip()
    }


def danish_translations() -> dict[str, str]:
    """Return msgid → msgstr (plural forms joined) of the Danish catalogue."""
    entries: dict[str, str] = {}
    for block in CATALOGUE.read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        msgid, msgstr, current = "", "", ""
        for line in lines:
            key, _, rest = line.partition(" ")
            if line.startswith('"'):
                rest, key = line, current
            text = ast.literal_eval(rest)
            if key == "msgid":
                msgid += text
            elif key.startswith("msgstr"):
                msgstr += text
            current = key if not line.startswith('"') else current
        if msgid:
            entries[msgid] = msgstr
    return entries


def _uses(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE) is not None


def test_the_glossary_has_the_grant_term_of_the_sources() -> None:
    rows = {row["English"]: row for row in glossary_rows()}
    grant = rows["grant (from the central pool)"]
    assert (grant["Dansk"], grant["Not"]) == ("bevilling", "tilskud")
    assert avoided_words()["tilskud"] == "bevilling"


def test_no_danish_translation_uses_an_avoided_word() -> None:
    translations = danish_translations()
    assert translations["Apply for a grant"] == "Søg om bevilling"
    wrong = [
        f"{msgid!r}: {msgstr!r} uses {word!r}, the glossary says {instead!r}"
        for msgid, msgstr in translations.items()
        for word, instead in avoided_words().items()
        if _uses(msgstr, word)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_template_uses_an_avoided_word() -> None:
    wrong = [
        f"{path.relative_to(ROOT)} uses {word!r}, the glossary says {instead!r}"
        for path in sorted((ROOT / "vejud").rglob("*.html"))
        for word, instead in avoided_words().items()
        if _uses(path.read_text(), word)
    ]
    assert not wrong, "\n".join(wrong)
