"""Every class a template uses exists in the design system as installed (DKFDS 11).

A class name from an older DKFDS (``portal-header``, ``mainmenu-item-link``, ``badge-large``,
``text-align-right`` ...) styles nothing and fails silently on screen. Allowed: classes the
installed ``dkfds.min.css`` or vejud's ``app.css`` define, structural classes DKFDS's own
component templates use (``alert-body``), a template's own ``<style>`` (the PDFs), and the
project's hooks: ``js-`` (behaviour) and ``vejud-`` (vejud's namespace).
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DKFDS = ROOT / "node_modules" / "dkfds"
CLASS_IN_CSS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
CLASS_ATTR = re.compile(r'class="([^"]*)"')
TEMPLATE_CODE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
HOOKS = ("js-", "vejud-")


def _defined() -> set[str]:
    css = (DKFDS / "dist" / "css" / "dkfds.min.css").read_text(encoding="utf-8")
    css += (ROOT / "vejud" / "static" / "vejud" / "app.css").read_text(encoding="utf-8")
    names = set(CLASS_IN_CSS.findall(css))
    for njk in (DKFDS / "src" / "components").rglob("*.njk"):
        for value in CLASS_ATTR.findall(njk.read_text(encoding="utf-8")):
            names.update(TEMPLATE_CODE.sub(" ", value).split())
    return names


def _templates() -> list[Path]:
    return sorted((ROOT / "vejud").glob("**/templates/**/*.html"))


def test_every_template_class_is_defined() -> None:
    defined = _defined()
    unknown: dict[str, set[str]] = {}
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        own = set(CLASS_IN_CSS.findall(" ".join(re.findall(r"<style.*?</style>", text, re.S))))
        for value in CLASS_ATTR.findall(text):
            for name in TEMPLATE_CODE.sub(" ", value).split():
                if name.endswith("-") or name.startswith(HOOKS) or name in defined | own:
                    continue  # a prefix completed by a variable, a hook, or a defined class
                unknown.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert unknown == {}


def test_the_check_knows_the_old_names() -> None:
    """The names the issue found on screen are not in the installed DKFDS: the check bites."""
    defined = _defined()
    for old in ("portal-header", "portal-header-inner", "mainmenu-item-link", "badge-large"):
        assert old not in defined
    assert {"nav-link", "mobile-drawer", "align-text-right", "alert-body"} <= defined
