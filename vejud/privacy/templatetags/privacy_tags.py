"""``{% retention_section person %}``: the person's retention date, rule and holds, with the
hold forms for those who may set them (the person page, which lives in vejud.cases)."""

from __future__ import annotations

from typing import Any

from django import template

from vejud.access.people import may_hold_person
from vejud.access.rules import Capability, has_capability
from vejud.people.models import Person
from vejud.privacy.forms import HoldForm
from vejud.privacy.retention import retention_of

register = template.Library()


@register.inclusion_tag("privacy/_retention.html", takes_context=True)
def retention_section(context: dict[str, Any], person: Person) -> dict[str, Any]:
    """Render the retention box for ``person`` (hold forms if the user may set holds)."""
    user = context["request"].user
    if not has_capability(user, Capability.WRITE_JOURNAL):  # caseworkers, not mentors
        return {"retention": None}
    may_hold = may_hold_person(user, person)
    return {
        "person": person,
        "retention": retention_of(person),
        "may_hold": may_hold,
        "hold_form": HoldForm() if may_hold else None,
        "csrf_token": context.get("csrf_token"),
    }
