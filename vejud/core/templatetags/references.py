"""``{{ case.reference|ref }}``: a reference inside translated text that never breaks across lines.

A reference in a heading or a sentence comes from ``{% blocktranslate %}``, where no class can
be set: the filter gives the value its own ``<span class="vejud-ref">`` (app.css:
``white-space: nowrap``), and the translated text around it stays as it is. Table cells and
lists set the class on their element instead.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def ref(value: object) -> SafeString:
    """The reference, escaped, in a span that keeps it on one line."""
    return format_html('<span class="vejud-ref">{}</span>', value)
