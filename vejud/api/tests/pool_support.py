"""Helpers for the central-pool API tests: a JSON client that can upload, URLs, bodies and a
snapshot of everything the pool operations can change."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.utils import timezone

from vejud.audit.models import AuditEvent
from vejud.cases.models import Case
from vejud.pool.models import (
    Application,
    ApplicationEvent,
    Attachment,
    BudgetEntry,
    BudgetYear,
    CategoryFrame,
    Guideline,
    Payment,
)
from vejud.testing.api import JsonApi
from vejud.testing.pool import KR

__all__ = ["KR", "PDF", "PoolApi", "application_body", "grants_url", "png", "pool_state"]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PoolApi = JsonApi  # the shared API client (vejud.testing.api) can upload


def grants_url(case: Case | str, tail: str = "") -> str:
    reference = case if isinstance(case, str) else case.reference
    return f"/api/v1/cases/{reference}/grants{tail}"


def application_body(**overrides: Any) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    body: dict[str, Any] = {
        "category": "tattoo_removal",
        "amount_ore": 10_000 * KR,
        "purpose": "Removal of gang tattoos on both forearms.",
        "supplier": "Klinik for Tatoveringsfjernelse ApS",
        "period_from": today,
        "period_to": today,
    }
    body.update(overrides)
    return body


def pool_state() -> tuple[object, ...]:
    """Return everything the pool operations can change, to show that nothing did."""
    return (
        list(BudgetYear.objects.order_by("pk").values_list("year", "budget_ore", "committed_ore")),
        list(BudgetYear.objects.order_by("pk").values_list("paid_ore", flat=True)),
        list(
            CategoryFrame.objects.order_by("pk").values_list(
                "category", "budget_ore", "committed_ore", "paid_ore"
            )
        ),
        BudgetEntry.objects.count(),
        list(Guideline.objects.order_by("pk").values_list("category", "valid_from", "valid_to")),
        list(
            Application.objects.order_by("pk").values_list(
                "status", "amount_ore", "approved_ore", "paid_ore", "released_ore", "version"
            )
        ),
        ApplicationEvent.objects.count(),
        Payment.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.filter(action__startswith="pool.").count(),
    )
