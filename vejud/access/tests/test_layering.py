"""Only vejud/access knows roles, scopes and bases: the source outside it is scanned for them.

Every ``.py`` under ``vejud/`` is parsed (AST) except the access package itself, migrations,
tests, the test builders (``vejud/testing``) and the demo seeding (``vejud/demo``), which
make users with roles. Outside those, none of these may appear:

- a comparison that involves a role (``Role.X``, ``NATIONAL_ROLES``/``UNIT_ROLES``/
  ``CASEWORK_ROLES``, or a ``.role``/``.roles`` attribute), or a ``role=``/``role__in=``
  query on memberships;
- the scope or its parts: ``scope_for``, ``Scope``, ``.unit_ids``, ``.coordinator_unit_ids``,
  ``.custody_all``, ``.custody_institution_ids``, ``.national``, ``.roles``;
- the basis of an opened case: ``Basis``, ``BASIS_PARTS``, ``.basis`` (a ``CaseAccess``
  answers ``break_glass``, ``as_mentor``, ``as_national`` and ``casework`` instead);
- importing ``Role`` or the role sets at all.

``vejud/accounts/models.py`` defines ``Role`` and the role sets without deciding anything (it
passes the scan as it is). ``ALLOWED`` lists the few other files that must name roles, each with
its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # .../vejud
SKIPPED_DIRS = {"access", "testing", "demo"}
ROLE_SETS = {"NATIONAL_ROLES", "UNIT_ROLES", "CASEWORK_ROLES", "CAPABILITY_ROLES"}
SCOPE_NAMES = {"scope_for", "Scope", "Basis", "BASIS_PARTS", "EMPTY_SCOPE_ROLES"}
SCOPE_ATTRIBUTES = {
    "unit_ids",
    "coordinator_unit_ids",
    "custody_all",
    "custody_institution_ids",
    "national",
    "roles",
    "basis",
}
ROLE_KEYWORDS = {"role", "role__in"}
# (path relative to vejud/, what it may do): definitions, not decisions.
ALLOWED: dict[str, str] = {
    "api/schemas.py": "types the role of a membership in /me with the Role choices",
    "accounts/management/commands/createsuperuser.py": "makes the system administrator's "
    "membership (role=Role.SYSTEM_ADMINISTRATOR)",
}


def product_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIPPED_DIRS or "migrations" in parts or "tests" in parts:
            continue
        files.append(path)
    return files


def _mentions_role(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "Role"
        ):
            return True
        if isinstance(sub, ast.Name) and sub.id in ROLE_SETS:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr in {"role", "roles"}:
            return True
    return False


def violations(source: str, name: str = "<source>") -> list[str]:
    """Return each place in ``source`` that knows roles, scopes or bases (empty when none)."""
    found: list[str] = []
    tree = ast.parse(source, name)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if alias.name in SCOPE_NAMES | ROLE_SETS:
                    found.append(f"{where} imports {alias.name}")
                if alias.name == "Role" and node.module == "vejud.accounts.models":
                    found.append(f"{where} imports Role")
        elif isinstance(node, ast.Compare) and _mentions_role(node):
            found.append(f"{where} compares a role")
        elif isinstance(node, ast.Name) and node.id in SCOPE_NAMES:
            found.append(f"{where} uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SCOPE_ATTRIBUTES:
            found.append(f"{where} reads .{node.attr}")
        elif isinstance(node, ast.keyword) and node.arg in ROLE_KEYWORDS:
            found.append(f"{where} filters on {node.arg}=")
    return found


def test_no_role_scope_or_basis_logic_outside_the_access_package() -> None:
    files = product_files()
    assert len(files) > 100  # the scan reaches the product, not an empty directory
    found = []
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        found += violations(path.read_text(encoding="utf-8"), relative)
    assert found == [], "role/scope/basis logic outside vejud/access:\n" + "\n".join(found)


def test_allowed_files_exist_and_need_their_exception() -> None:
    """An exception that is no longer needed (or whose file is gone) is removed."""
    for relative in ALLOWED:
        path = ROOT / relative
        assert path.exists(), relative
        assert violations(path.read_text(encoding="utf-8"), relative), relative


@pytest.mark.parametrize(
    "snippet",
    [
        "if Role.CUSTODY_STAFF in scope.roles: pass",
        "ok = membership.role == 'mentor'",
        "ok = role in NATIONAL_ROLES",
        "from vejud.access.rules import scope_for",
        "from vejud.accounts.models import Role",
        "from vejud.access.rules import Basis",
        "ok = access.basis == 'national'",
        "ok = user_scope.national",
        "ids = s.coordinator_unit_ids",
        "ok = x.custody_all or x.custody_institution_ids",
        "qs = Membership.objects.filter(role='mentor')",
        "qs = Membership.objects.filter(role__in=['mentor'])",
    ],
)
def test_the_scan_catches(snippet: str) -> None:
    assert violations(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "from vejud.access.cases import case_access\nok = case_access(u, c).as_mentor",
        "from vejud.access.rules import Capability, has_capability\n"
        "ok = has_capability(u, Capability.VIEW_CASES)",
        "row = {'role': m.get_role_display()}",
        "hidden = (match, MatchBasis.CPR)",
    ],
)
def test_the_scan_lets_through(snippet: str) -> None:
    assert violations(snippet) == [], snippet
