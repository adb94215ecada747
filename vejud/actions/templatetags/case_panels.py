"""``{% case_panels access %}``: every registered panel of the case page, in order (their
sections' ids and headings in ``panel_anchors`` for the in-page navigation);
``{% next_steps case as steps %}``: the actions possible now, as links to their pages;
``{% possible_action name case as x %}``: whether a declared case action is possible now."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

from vejud.actions.declare import REGISTRY, Acting
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
    context["panel_anchors"] = [found for part in parts if (found := _anchor(part))]
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template


SECTION = re.compile(r'<section id="([\w-]+)"[^>]*>\s*<h2[^>]*>(.*?)</h2>', re.S)


def _anchor(html: str) -> tuple[str, str] | None:
    """The id and heading of a rendered panel's section, for the page's in-page navigation
    (an empty panel has none)."""
    found = SECTION.search(html)
    return (found[1], strip_tags(found[2]).strip()) if found else None


@register.simple_tag(takes_context=True)
def next_steps(context: Any, case: Any) -> list[tuple[str, str]]:
    """Return (title, URL) of every declared action on the case itself that has a page and is
    possible for the page's user now: what can be done next, as the action tables say."""
    user = context["request"].user
    acting = Acting.of(user, case)  # who the user is on the case, asked once for every action
    return [
        (str(action.title), reverse(action.view_name, kwargs={"reference": case.reference}))
        for action in REGISTRY.values()
        if action.target is None
        and not action.url_kwargs
        and "GET" in action.methods
        and action.possible(user, case, None, acting)
    ]


@register.simple_tag(takes_context=True)
def possible_action(context: Any, name: str, case: Any) -> bool:
    """Return whether the declared case action ``name`` is possible for the page's user on
    ``case`` now: the answer its page and API operation give (to offer its button)."""
    return REGISTRY[name].possible(context["request"].user, case)
