"""Only vejud/access knows roles, scopes and bases: the source outside it is scanned for them.

Every ``.py`` under ``vejud/`` is parsed (AST) except the access package itself, migrations,
tests, the test builders (``vejud/testing``) and the demo seeding (``vejud/demo``), which
make users with roles. Outside those, none of these may appear:

- a comparison that involves a role (``Role.X``, ``NATIONAL_ROLES``/``UNIT_ROLES``/
  ``CASEWORK_ROLES``, or a ``.role``/``.roles`` attribute), or a query that selects by role
  (``.filter(role=...)``, ``.exclude(role__in=...)``, ``Q(role=...)``);
- the scope or its parts: ``scope_for``, ``Scope``, ``.unit_ids``, ``.coordinator_unit_ids``,
  ``.custody_all``, ``.custody_institution_ids``, ``.national``, ``.roles``;
- the basis of an opened case: ``Basis``, ``BASIS_PARTS``, ``.basis`` (a ``CaseAccess``
  answers ``break_glass``, ``as_mentor``, ``as_national`` and ``casework`` instead);
- importing the role sets or the scope's and basis's names at all.

Naming a role to store it (``Membership.objects.create(role=Role.MENTOR)``, a form's role
choices, the API schema's ``role: Role``) is a definition, not a decision, and passes.
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
QUERY_CALLS = {"filter", "exclude", "get", "Q"}


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


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


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
        elif isinstance(node, ast.Compare) and _mentions_role(node):
            found.append(f"{where} compares a role")
        elif isinstance(node, ast.Name) and node.id in SCOPE_NAMES:
            found.append(f"{where} uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SCOPE_ATTRIBUTES:
            found.append(f"{where} reads .{node.attr}")
        elif isinstance(node, ast.Call) and _call_name(node) in QUERY_CALLS:
            for keyword in node.keywords:
                if keyword.arg in ROLE_KEYWORDS:
                    found.append(f"{where} selects by {keyword.arg}=")
    return found


def test_no_role_scope_or_basis_logic_outside_the_access_package() -> None:
    files = product_files()
    assert len(files) > 100  # the scan reaches the product, not an empty directory
    found = []
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        found += violations(path.read_text(encoding="utf-8"), relative)
    assert found == [], "role/scope/basis logic outside vejud/access:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "if Role.CUSTODY_STAFF in scope.roles: pass",
        "ok = membership.role == 'mentor'",
        "ok = role in NATIONAL_ROLES",
        "from vejud.access.rules import scope_for",
        "from vejud.access.rules import CASEWORK_ROLES",
        "from vejud.access.rules import Basis",
        "ok = access.basis == 'national'",
        "ok = user_scope.national",
        "ids = s.coordinator_unit_ids",
        "ok = x.custody_all or x.custody_institution_ids",
        "qs = Membership.objects.filter(role='mentor')",
        "qs = Membership.objects.filter(role__in=['mentor'])",
        "qs = Membership.objects.exclude(Q(role='mentor'))",
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
        "m = Membership.objects.create(user=u, unit=x, role=Role.MENTOR)",
        "choices = [(r.value, r.label) for r in Role]",
    ],
)
def test_the_scan_lets_through(snippet: str) -> None:
    assert violations(snippet) == [], snippet
