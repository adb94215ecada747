"""The caller's own account: who the token belongs to and their memberships."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vejud.accounts.models import Membership
from vejud.api.auth import api_policy, api_user
from vejud.api.schemas import ErrorOut, MeOut

router = Router(tags=["account"])


@router.get(
    "/me",
    response={200: MeOut, 401: ErrorOut, 403: ErrorOut},
    operation_id="me",
    summary="Show your account",
    openapi_extra=api_policy("authenticated"),
)
def me(request: HttpRequest) -> dict[str, Any]:
    """Return the token owner's e-mail, name and active memberships."""
    user = api_user(request)
    memberships = Membership.objects.active().filter(user=user).select_related("unit")
    return {
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [
            {
                "unit": {"code": m.unit.code, "name": m.unit.name},
                "role": m.role,
                "agency": m.agency,
                "valid_from": m.valid_from,
                "valid_to": m.valid_to,
            }
            for m in memberships
        ],
    }
