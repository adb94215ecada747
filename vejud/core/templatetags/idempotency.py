"""``{% idempotency_field %}``: a form's hidden idempotency key (vejud.core.idempotency)."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from vejud.core.idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_field() -> SafeString:
    """A new key each time the form is shown: sending this form again is not a second write."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())
