"""Small template helpers."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """Return ``mapping[key]`` (or the key itself when missing)."""
    if not isinstance(mapping, dict):
        return key
    return mapping.get(key, key)
