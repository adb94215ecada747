"""``{% export_offer as offer %}``: what the dashboard's export form offers the user."""

from __future__ import annotations

from typing import Any

from django import template

from vejud.access.exports import export_kinds
from vejud.exports.models import ExportFormat, ExportKind

register = template.Library()


@register.simple_tag(takes_context=True)
def export_offer(context: template.Context) -> dict[str, Any]:
    kinds = export_kinds(context["request"].user)
    return {
        "kinds": kinds,
        "formats": ExportFormat.choices,
        "case_rows": ExportKind.CASE_ROWS in kinds,
    }
