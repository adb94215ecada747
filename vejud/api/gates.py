"""Gates for API operations that run with the token check, before the request body is read.

django-ninja validates a body before it calls the view, so a gate inside the view would
answer someone with no business on a case "422, your body is wrong" instead of 403/404,
and would parse their input first. Here the gate is an auth callback: the token (401),
the role (403), the case through ``get_case_for`` (404 for missing and not yours alike),
and only then the body (422). Each gate also gives the operation its declared policy
(``x-vejud-policy``), so what is enforced and what is declared come from one object.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest

from vejud.access.cases import CaseAccess, get_case_for, log_case_access
from vejud.access.gate import require_case_actor, require_case_role, require_one_of
from vejud.access.rules import Capability, Part, require
from vejud.accounts.models import User
from vejud.api.auth import POLICY_KEY, BearerAuth, api_policy, api_user
from vejud.api.schemas import REFERENCE_PATTERN
from vejud.core.paging import positive_int

_ACCESS_ATTR = "vejud_case_access"
_OBJECT_ATTR = "vejud_gate_object"
_View = TypeVar("_View", bound=Callable[..., Any])
_Object = TypeVar("_Object")
_REFERENCE = re.compile(REFERENCE_PATTERN)


class _Gate:
    """Authenticate the bearer token, then apply ``check``; None (→ 401) without a usable token."""

    bearer = BearerAuth()

    def __call__(self, request: HttpRequest) -> Any:
        user = self.bearer(request)
        if user is None:
            return None
        self.check(request, user)
        return user

    def check(self, request: HttpRequest, user: User) -> None:
        raise NotImplementedError

    @property
    def auth(self) -> list[Any]:
        """Return the operation's ``auth``: this gate, then BearerAuth for the OpenAPI scheme.

        BearerAuth is only reached when the gate found no usable token, and answers 401 too.
        """
        return [self, self.bearer]

    @property
    def policy(self) -> dict[str, Any]:
        raise NotImplementedError

    def route(
        self,
        method: Callable[..., Callable[[_View], _View]],
        path: str,
        response: dict[int, Any],
        operation_id: str,
        summary: str,
        *,
        openapi_extra: dict[str, Any] | None = None,
    ) -> Callable[[_View], _View]:
        """Register the decorated view with ``method`` (``router.get``, ``router.post``…)
        behind this gate and with its declared policy, so the two cannot differ
        (``openapi_extra`` documents more, e.g. a ``file_answer``)."""
        return method(
            path,
            auth=self.auth,
            openapi_extra={**self.policy, **(openapi_extra or {})},
            response=response,
            operation_id=operation_id,
            summary=summary,
        )


class CapabilityGate(_Gate):
    """Require a role capability (403 without it), like ``vejud.access.gate.requires``."""

    def __init__(self, capability: Capability) -> None:
        self.capability = capability

    def check(self, request: HttpRequest, user: User) -> None:
        require(user, self.capability)

    @property
    def policy(self) -> dict[str, Any]:
        return api_policy("capability", capability=self.capability)


class ObjectGate(CapabilityGate):
    """Require ``capability`` (or one of ``alternatives``; 403 without), then the object the
    path's ``param`` names must be one ``find`` gives the caller (404 otherwise); it is kept on
    the request for the view (``opened_object``). A malformed id is left to the path's
    validation (422)."""

    def __init__(
        self,
        capability: Capability,
        param: str,
        find: Callable[[User, int], Any],
        kind: str,
        alternatives: tuple[Capability, ...] = (),
    ) -> None:
        super().__init__(capability)
        self.param = param
        self.find = find
        self.kind = kind
        self.alternatives = alternatives

    def check(self, request: HttpRequest, user: User) -> None:
        require_one_of(user, self.capability, self.alternatives)
        match = request.resolver_match
        pk = positive_int(match.kwargs.get(self.param) if match is not None else None)
        if pk is not None:
            setattr(request, _OBJECT_ATTR, self.find(user, pk))

    @property
    def policy(self) -> dict[str, Any]:
        return api_policy(self.kind, capability=self.capability)


def opened_object(request: HttpRequest, kind: type[_Object]) -> _Object:
    """Return the object of type ``kind`` the operation's ObjectGate opened (404 if none)."""
    found = getattr(request, _OBJECT_ATTR, None)
    if not isinstance(found, kind):
        raise Http404
    return found


class CaseGate(_Gate):
    """Open the case named by ``{reference}`` as ``vejud.access.gate.case_view`` does.

    Wrong role → 403; missing case, not yours, or a part you may not see → 404. The
    ``CaseAccess`` is kept on the request for the view (``case_access_of``). A malformed
    reference is left to the path validation (422).
    """

    def __init__(
        self,
        *,
        part: Part,
        capability: Capability = Capability.VIEW_CASES,
        alternatives: tuple[Capability, ...] = (),
        actors: Iterable[str] = (),
    ) -> None:
        self.part = part
        self.capability = capability
        # Capabilities that serve instead of ``capability`` (any one of them is enough).
        self.alternatives = alternatives
        # A case action's operation: who makes the action (declared for the matrix).
        self.actors = tuple(sorted(actors))

    def check(self, request: HttpRequest, user: User) -> None:
        require_case_role(user, self.capability, self.alternatives)
        match = request.resolver_match
        reference = match.kwargs.get("reference") if match is not None else None
        if isinstance(reference, str) and _REFERENCE.fullmatch(reference):
            access = get_case_for(user, reference, part=self.part)
            require_case_actor(user, access.case, self.actors)
            setattr(request, _ACCESS_ATTR, access)

    @property
    def policy(self) -> dict[str, Any]:
        policy = api_policy("case", capability=self.capability, part=self.part, actors=self.actors)
        if self.alternatives:
            policy[POLICY_KEY]["alternatives"] = [c.value for c in self.alternatives]
        return policy


# Casework on a case: its journal part (a mentor, who sees only the mentor view, gets 404).
CASEWORK = CaseGate(part=Part.JOURNAL)


def case_access_of(request: HttpRequest) -> CaseAccess:
    """Return the ``CaseAccess`` the operation's CaseGate opened (404 if it opened none)."""
    access = getattr(request, _ACCESS_ATTR, None)
    if not isinstance(access, CaseAccess):
        raise Http404
    return access


def log_case_read(request: HttpRequest, access: CaseAccess, part: str) -> None:
    """Log a read of ``part`` of the opened case through the API."""
    log_case_access(
        user=api_user(request),
        access=access,
        part=part,
        request=request,
        channel="api",
    )
