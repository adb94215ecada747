"""``{{ n|figure }}``: a released figure, or the mark of a hidden one (with its spoken name)."""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(n: float | None) -> SafeString | str:
    """The figure as the page shows it; None (hidden) as a bullet read out as "hidden"."""
    if n is None:
        return format_html(
            '<span aria-hidden="true">•</span><span class="sr-only">{}</span>', _("hidden")
        )
    return str(localize(n))


@register.filter
def days(bucket: int | None) -> SafeString | str:
    """A stage time's bucket: the exact days in the first week, "up to N" after, or hidden."""
    if bucket is None:
        return figure(None)
    if bucket > 730:
        return _("over 730")
    if bucket <= 7:
        return str(bucket)
    return _("up to %(days)s") % {"days": bucket}
