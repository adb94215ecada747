"""Who may export what, and whose exports they see.

- The dashboard's tables (counts released through disclosure control) go to everyone who
  sees the dashboard, for the units in their reach (``vejud.access.dashboard``).
- Anonymised case rows go only to those who may see the cases themselves, and hold only the
  cases they may see (``cases_visible_to``): an export never widens what a user reaches.
  The analyst, who never sees a case, gets none.
- An export is its requester's alone: anyone else gets the 404 of one that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from vejud.access.cases import cases_visible_to
from vejud.access.rules import Capability, has_capability
from vejud.accounts.models import User
from vejud.cases.models import Case
from vejud.exports.models import Export, ExportKind

KIND_CAPABILITY = {
    ExportKind.DASHBOARD: Capability.VIEW_DASHBOARD,
    ExportKind.CASE_ROWS: Capability.EXPORT_CASE_ROWS,
}


def export_kinds(user: User) -> list[ExportKind]:
    """The kinds of export ``user`` may ask for."""
    return [kind for kind, need in KIND_CAPABILITY.items() if has_capability(user, need)]


def may_export(user: User, kind: str) -> bool:
    return kind in export_kinds(user)


def exports_visible(user: User) -> QuerySet[Export]:
    """The exports ``user`` sees: their own (an export holds what its requester reached)."""
    if not export_kinds(user):
        return Export.objects.none()
    return Export.objects.filter(requested_by=user)


def get_export_for(user: User, pk: int) -> Export:
    """The export ``pk`` if it is ``user``'s; otherwise the 404 of one that does not exist."""
    try:
        return exports_visible(user).get(pk=pk)
    except Export.DoesNotExist:
        raise Http404 from None


def export_cases(user: User) -> QuerySet[Case]:
    """The cases an anonymised case-row export by ``user`` holds (at build time, so a user
    who lost access since asking gets nothing)."""
    if not may_export(user, ExportKind.CASE_ROWS):
        return Case.objects.none()
    return cases_visible_to(user)
