"""The DKFDS badge class of each case status: one table for every page that shows one.

The text of a badge carries the meaning; the colour only supports it.
"""

from __future__ import annotations

from vejud.cases.models import CaseStatus

STATUS_BADGES: dict[str, str] = {
    CaseStatus.ADMITTED: "badge-success",
    CaseStatus.INQUIRY: "badge-info",
    CaseStatus.ASSESSMENT: "badge-info",
    CaseStatus.REFERRED: "badge-info",
    CaseStatus.REFUSED: "badge-warning",
    CaseStatus.REFUSAL_UPHELD: "badge-warning",
    CaseStatus.DROPPED: "badge-warning",
}


def status_badge_class(status: str) -> str:
    """Return the classes of a status badge ("badge badge-info"; "badge" when neutral)."""
    extra = STATUS_BADGES.get(status)
    return f"badge {extra}" if extra else "badge"
