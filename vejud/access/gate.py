"""View decorators that apply the need-to-know gate and declare it.

Every view is wrapped by exactly one of these. Each sets ``view.vejud_policy``
so the authorisation-matrix test can find every route's declared gate through
Django's resolver and check that it holds for every role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from vejud.access.cases import CaseAccess, get_case_for
from vejud.access.casework import Actor, may_act, role_refusal
from vejud.access.rules import Capability, Part, has_capability, require, scope_for
from vejud.accounts.models import User
from vejud.cases.models import Case

View = Callable[..., HttpResponse]


class AuthenticatedRequest(HttpRequest):
    """The request a gated (non-public) page receives: its user is signed in.

    For typing only: annotate a gated view's ``request`` with it so ``request.user``
    is the user model, not ``User | AnonymousUser``.
    """

    user: User
    case_access: CaseAccess  # set by ``case_view``: the case the page shows, and on what basis


@dataclass(frozen=True)
class Policy:
    """What a route requires: nothing (public), login, a capability, or a part of a case."""

    kind: str  # "public" | "authenticated" | "capability" | "case"
    capability: Capability | None = None
    part: Part | None = None
    alternatives: tuple[Capability, ...] = ()  # capabilities that serve instead of ``capability``
    # A case action's page: who makes the action (``Actor`` values); past the gate, a user who
    # is none of them on the case gets 403 from the action, in every status.
    actors: tuple[str, ...] = ()


def public(view: View) -> View:
    """Mark a view as reachable without login (login page, health check)."""
    view = login_not_required(view)
    view.vejud_policy = Policy("public")  # type: ignore[attr-defined]
    return view


def authenticated(view: View) -> View:
    """Mark a view as open to every signed-in, MFA-verified user (their own account pages)."""
    view.vejud_policy = Policy("authenticated")  # type: ignore[attr-defined]
    return view


def requires(capability: Capability) -> Callable[[View], View]:
    """Require a role capability; others get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, capability)
            return view(request, *args, **kwargs)

        wrapper.vejud_policy = Policy("capability", capability=capability)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def require_one_of(user: User, capability: Capability, alternatives: Iterable[Capability]) -> None:
    """The role half of an object's gate, shared by pages and the API: 403 (``require``'s
    reason) unless a role of ``user`` grants ``capability`` or one of ``alternatives``."""
    if not any(has_capability(user, c) for c in alternatives):
        require(user, capability)


def object_view(
    capability: Capability,
    param: str,
    find: Callable[[User, Any], Any],
    kind: str,
    alternatives: tuple[Capability, ...] = (),
) -> Callable[[View], View]:
    """Fetch-and-authorise the object named by the ``param`` URL argument: 403 for a role with
    none of ``capability`` and ``alternatives``, then 404 for one ``find`` does not give the
    user (missing and not theirs alike). The view is called as ``view(request, found, ...)``;
    ``kind`` names the gate's policy (the page side of ``vejud.api.gates.ObjectGate``)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_one_of(request.user, capability, alternatives)
            found = find(request.user, kwargs.pop(param))
            return view(request, found, *args, **kwargs)

        wrapper.vejud_policy = Policy(  # type: ignore[attr-defined]
            kind, capability=capability, alternatives=alternatives
        )
        return wrapper

    return decorator


def require_case_role(
    user: User, capability: Capability, alternatives: tuple[Capability, ...] = ()
) -> None:
    """The role half of a case gate, shared by pages and the API: 403 unless a role fits.

    ``alternatives`` serve instead of ``capability``. A case-reading gate
    (``VIEW_CASES``) also admits those who may only break the glass: their reach is
    then decided case by case (404 outside it).
    """
    scope = scope_for(user)
    if any(scope.has(c) for c in alternatives):
        return
    if capability == Capability.VIEW_CASES and scope.has(Capability.BREAK_GLASS):
        return
    require(user, capability)


def require_case_actor(user: User, case: Case, actors: Iterable[str]) -> None:
    """The action half of a case action's gate, shared by pages and the API: 403, with the
    reason, unless ``user`` makes the action on ``case`` as one of ``actors`` (in one status
    or another; whether it is possible now is the action's to say)."""
    if actors and not any(may_act(user, case, Actor(actor)) for actor in actors):
        raise PermissionDenied(role_refusal(actors))


def case_view(
    part: Part = Part.SUMMARY,
    capability: Capability = Capability.VIEW_CASES,
    alternatives: tuple[Capability, ...] = (),
    actors: Iterable[str] = (),
) -> Callable[[View], View]:
    """Fetch-and-authorise the case named by the ``reference`` URL argument.

    Wrong role (none of ``capability`` and ``alternatives``) → 403; missing case, not yours,
    or a part you may not see → 404.
    The view is called as ``view(request, access, **other_kwargs)``.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: AuthenticatedRequest, reference: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            require_case_role(request.user, capability, alternatives)
            access = get_case_for(request.user, reference, part=part)
            require_case_actor(request.user, access.case, actors)
            request.case_access = access  # the break-the-glass banner (context_processors)
            return view(request, access, *args, **kwargs)

        wrapper.vejud_policy = Policy(  # type: ignore[attr-defined]
            "case",
            capability=capability,
            part=part,
            alternatives=alternatives,
            actors=tuple(sorted(actors)),
        )
        return wrapper

    return decorator
