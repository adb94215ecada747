"""Small template helpers (``{% load vejud_extras %}``), some of which know the domain apps."""

from __future__ import annotations

from typing import Any

from django import template

from vejud.cases.badges import status_badge_class

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """Return ``mapping[key]`` (or the key itself when missing)."""
    if not isinstance(mapping, dict):
        return key
    return mapping.get(key, key)


@register.filter
def case_status_badge(status: str) -> str:
    """Return the classes of a case status badge (``vejud.cases.badges``)."""
    return status_badge_class(status)
