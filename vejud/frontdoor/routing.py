"""Where a public inquiry goes: the local exit unit of the municipality's police district; in
custody the Prison and Probation Service with the institution; unknown the national contact
point."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vejud.frontdoor.models import Whereabouts
from vejud.intake.services import inquiry_route
from vejud.organisations.models import Municipality, Unit, UnitKind


def public_route(
    *, whereabouts: str, municipality: Municipality | None, institution: Unit | None
) -> tuple[Unit, Unit | None]:
    """Return (the unit that answers, the institution) for a public inquiry."""
    national = Unit.objects.filter(kind=UnitKind.NATIONAL, is_active=True).order_by("pk").first()
    if national is None:
        raise ValidationError(_("No national contact point is registered."), code="no_national")
    try:
        if whereabouts == Whereabouts.CUSTODY and institution is not None:
            unit, _track, held_in = inquiry_route(
                municipality=None, in_custody=True, institution=institution
            )
            return unit, held_in
        if whereabouts == Whereabouts.MUNICIPALITY and municipality is not None:
            unit, _track, _none = inquiry_route(
                municipality=municipality, in_custody=False, institution=None
            )
            return unit, None
    except ValidationError:
        pass  # no unit registered for it: the national contact point answers
    if whereabouts == Whereabouts.CUSTODY:
        dfk = Unit.objects.filter(kind=UnitKind.DFK, is_active=True).order_by("pk").first()
        if dfk is not None:
            return dfk, None  # in custody, the institution not named: the directorate
    return national, None
