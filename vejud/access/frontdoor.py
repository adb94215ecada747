"""Who answers the inquiries sent through the public form, and who edits the public texts.

An inquiry is seen by the staff of the unit it was routed to: the local exit unit's staff,
the national contact point's for one routed there, the Prison and Probation Service's custody
staff of the directorate for one routed to it, and an institution's custody staff for one that
names their institution. Anyone else gets 404 for it, exactly as for a code that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404

from vejud.access.gate import View, object_view
from vejud.access.rules import Capability, has_capability, scope_for
from vejud.accounts.models import User
from vejud.frontdoor.models import PublicInquiry


def public_inquiries_visible(user: User) -> QuerySet[PublicInquiry]:
    """The public inquiries ``user`` answers (none without the capability)."""
    if not has_capability(user, Capability.HANDLE_PUBLIC_INQUIRIES):
        return PublicInquiry.objects.none()
    scope = scope_for(user)
    units = scope.unit_ids | scope.national_unit_ids | scope.custody_unit_ids
    return PublicInquiry.objects.filter(
        Q(unit_id__in=units) | Q(institution_id__in=scope.custody_institution_ids)
    )


def public_inquiry_for(user: User, code: str) -> PublicInquiry:
    """The inquiry with ``code`` if ``user`` answers it, else 404 (as for no such code)."""
    found = public_inquiries_visible(user).filter(code=code).first()
    if found is None:
        raise Http404
    return found


def public_inquiry_gate(capability: Capability) -> Callable[[View], View]:
    """A gate opening the inquiry named by ``code``: 403 without ``capability``, 404 for one
    the user does not answer. The view is called as ``view(request, inquiry, ...)``."""
    return object_view(capability, "code", public_inquiry_for, "public_inquiry")
