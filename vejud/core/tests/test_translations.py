"""The translations: Danish complete, compiled, in step with the code, and used by the pages.

The msgids are English and the Danish catalogue must translate every one of them. After changing
user-facing text, update and compile the catalogues with:

    .venv/bin/python manage.py makemessages -l da -l en --ignore=node_modules --ignore=.venv \
        --ignore=var --ignore='tests/*' --no-location
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=node_modules

The compiled .mo files are committed, so a machine without gettext still shows Danish.
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from vejud.testing import verified_client

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES]
MAKEMESSAGES_IGNORE = ["node_modules", ".venv", "var", "tests/*"]
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
UPDATE = "run makemessages and compilemessages (see this module's docstring)"

# One key per message: (msgctxt, msgid, msgid_plural); None where the entry has none.
Key = tuple[str | None, str, str | None]


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> Key:
        return (self.msgctxt, self.msgid, self.msgid_plural)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Return the header fields and the active (not obsolete) entries of a .po file."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def close() -> None:
        nonlocal current, target
        if current is not None:
            entries.append(current)
        current, target = None, None

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#~"):
            close()
            continue
        if line.startswith("#,"):
            if current is not None and target is not None:
                close()
            current = current or Entry()
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert current is not None and target is not None, f"{path}:{number}: stray string"
            value = ast.literal_eval(line)
            name, position = target
            if name == "msgstr":
                current.msgstr[position] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        match = _KEYWORD.match(line)
        assert match, f"{path}:{number}: cannot read {line!r}"
        keyword, plural_index, literal = match.groups()
        if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
            close()
        current = current or Entry()
        value = ast.literal_eval(literal)
        if keyword.startswith("msgstr"):
            target = ("msgstr", int(plural_index or 0))
            current.msgstr[target[1]] = value
        else:
            target = (keyword, 0)
            setattr(current, keyword, value)
    close()
    header_entries = [e for e in entries if e.key == (None, "", None)]
    assert len(header_entries) == 1, f"{path}: no header entry"
    header = dict(
        line.split(": ", 1) for line in header_entries[0].msgstr[0].splitlines() if ": " in line
    )
    return header, [e for e in entries if e.msgid]


def read_mo(path: Path) -> dict[Key, list[str]]:
    """Return the messages of a compiled .mo file (without its header)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    messages: dict[Key, list[str]] = {}
    for i in range(count):
        o_len, o_off = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        t_len, t_off = struct.unpack(
            order + "2I", data[translations + 8 * i : translations + 8 * i + 8]
        )
        original = data[o_off : o_off + o_len].decode()
        translation = data[t_off : t_off + t_len].decode()
        if not original:
            continue
        context, _sep, rest = original.rpartition("\x04")
        msgid, _sep, plural = rest.partition("\x00")
        messages[(context or None, msgid, plural or None)] = translation.split("\x00")
    return messages


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def placeholders(text: str) -> list[str]:
    """Return the printf-style placeholders of a message, sorted (``%%`` is not one)."""
    return sorted(
        re.findall(r"%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdifr]", text.replace("%%", ""))
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header_is_complete(language):
    header, _entries = parse_po(po_path(language))
    assert header["Language"] == language
    assert header["Plural-Forms"] == PLURAL_FORMS
    assert header["Content-Type"] == "text/plain; charset=UTF-8"


def test_danish_catalogue_has_no_untranslated_or_fuzzy_entries():
    _header, entries = parse_po(po_path("da"))
    assert len(entries) > 500, "the Danish catalogue looks truncated"
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [
        e.msgid
        for e in entries
        if not e.msgstr
        or sorted(e.msgstr) != ([0, 1] if e.msgid_plural else [0])
        or not all(e.msgstr.values())
    ]
    assert fuzzy == [], f"fuzzy entries in da/django.po: {fuzzy}"
    assert untranslated == [], f"untranslated entries in da/django.po: {untranslated}"


def test_danish_translations_keep_the_placeholders():
    _header, entries = parse_po(po_path("da"))
    wrong = []
    for entry in entries:
        for index, text in entry.msgstr.items():
            original = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            if placeholders(text) != placeholders(original):
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    _header, entries = parse_po(po_path(language))
    expected = {
        e.key: [e.msgstr[i] for i in sorted(e.msgstr)]
        for e in entries
        if "fuzzy" not in e.flags and e.msgstr and all(e.msgstr.values())
    }
    compiled = read_mo(po_path(language).with_suffix(".mo"))
    stale = {
        key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)
    }
    assert not stale, f"{language}/django.mo is out of date ({len(stale)} entries): {UPDATE}"


@pytest.mark.skipif(
    not (shutil.which("xgettext") and shutil.which("msguniq")),
    reason="gettext (xgettext, msguniq) is not installed, so makemessages cannot run",
)
def test_every_message_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch):
    # makemessages writes next to the sources while it works; run it on a copy of them.
    base = Path(settings.BASE_DIR)
    source = tmp_path / "src"
    skip = {".git", ".venv", "node_modules", "var", "locale", "__pycache__"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name in skip
            or name.startswith(".")
            or (
                (Path(directory) / name).is_file()
                and Path(name).suffix not in {".py", ".html", ".txt"}
            )
        }

    shutil.copytree(base, source, ignore=ignore)
    monkeypatch.chdir(source)
    generated_locale = tmp_path / "locale"
    with override_settings(LOCALE_PATHS=[generated_locale]):
        call_command(
            "makemessages",
            locale=["da"],
            ignore_patterns=MAKEMESSAGES_IGNORE,
            no_location=True,
            verbosity=0,
        )
    _header, generated = parse_po(generated_locale / "da" / "LC_MESSAGES" / "django.po")
    _header, committed = parse_po(po_path("da"))
    in_code = {e.key for e in generated}
    in_catalogue = {e.key for e in committed}
    missing = sorted(msgid for _context, msgid, _plural in in_code - in_catalogue)
    gone = sorted(msgid for _context, msgid, _plural in in_catalogue - in_code)
    assert missing == [], f"{len(missing)} messages are missing from the catalogue: {UPDATE}"
    assert gone == [], f"{len(gone)} messages in the catalogue are no longer in the code: {UPDATE}"


def test_login_page_is_danish_by_default(db, settings):
    settings.LANGUAGE_CODE = "da"
    html = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="da">' in html
    assert "Adgangskode" in html
    assert "Log ind" in html
    assert "Password" not in html


def test_login_page_is_english_when_the_browser_asks_for_it(db, settings):
    settings.LANGUAGE_CODE = "da"
    html = Client(headers={"accept-language": "en"}).get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Password" in html
    assert "Sign in" in html
    assert "Adgangskode" not in html


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("da", "Sagsoversigt", "Caseload"), ("en", "Caseload", "Sagsoversigt")],
)
def test_caseload_is_in_the_users_language(world, settings, language, shown, not_shown):
    settings.LANGUAGE_CODE = "da"
    user = world.member_a
    user.language = language
    user.save(update_fields=["language"])
    html = verified_client(user).get(reverse("cases:caseload")).content.decode()
    assert f'<html lang="{language}">' in html
    assert shown in html
    assert not_shown not in html
