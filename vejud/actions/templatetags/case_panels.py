"""``{% case_panels access %}``: every registered panel of the case page, in order;
``{% possible_action name case as x %}``: whether a declared case action is possible now."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from vejud.actions.declare import REGISTRY
from vejud.actions.panels import case_panels as registered

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panels(context: Any, access: Any) -> SafeString:
    """Render each registered panel as an inclusion tag would: its template with the context its
    function returns (and the page's CSRF token)."""
    parts = []
    for panel in registered():
        values = dict(panel.context(context, access))
        if context.get("csrf_token") is not None:
            values.setdefault("csrf_token", context["csrf_token"])
        page = context.template.engine.get_template(panel.template)
        parts.append(page.render(context.new(values)))
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template


@register.simple_tag(takes_context=True)
def possible_action(context: Any, name: str, case: Any) -> bool:
    """Return whether the declared case action ``name`` is possible for the page's user on
    ``case`` now: the answer its page and API operation give (to offer its button)."""
    return REGISTRY[name].possible(context["request"].user, case)
