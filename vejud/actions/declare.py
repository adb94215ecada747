"""Case actions declared once: each app lists its actions in ``<app>/actions.py``.

A ``CaseAction`` names the form, the service it calls,
the gate (capability and case part), when it is possible (the (status, actor) pairs taken
from the case state table in ``vejud.cases.states``, never restated), its success message
and its URL. ``vejud.actions.pages`` serves every action as a page and
``vejud.api.operations`` as an API operation (its body schema and answer are declared
there, by action name: apps do not import the API), and both ask ``refusal`` whether the
action is possible now, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any

from django import forms
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from vejud.access.cases import CaseAccess
from vejud.access.casework import NOT_YOURS as NOT_YOURS  # the pages' and API's reason
from vejud.access.casework import Actor, may_act, role_refusal
from vejud.access.rules import Capability, Part
from vejud.accounts.models import User
from vejud.cases.models import Case, CaseStatus
from vejud.cases.states import TABLE, TERMINAL, Transition
from vejud.core.request_cache import request_cached

Pairs = frozenset[tuple[CaseStatus, Actor]]

NOT_NOW = gettext_lazy("This action is not possible on the case right now.")


def moving(select: Callable[[Transition], bool]) -> Pairs:
    """Return the (status, actor) pairs of the state table's transitions that ``select`` picks:
    the action is possible where one of them is."""
    return frozenset((t.source, t.actor) for t in TABLE if select(t))


def leading_to(select: Callable[[Transition], bool], actor: Actor) -> Pairs:
    """Return pairs making an action possible, for ``actor``, in every status from which a
    transition that ``select`` picks still lies ahead (what must be done before it)."""
    ahead = {t.source for t in TABLE if select(t)}
    while True:
        more = {t.source for t in TABLE if t.target in ahead} - ahead
        if not more:
            return frozenset((status, actor) for status in ahead)
        ahead |= more


def ended(actor: Actor) -> Pairs:
    """Return pairs making an action possible, for ``actor``, once the case has ended (the
    statuses the state table leads nowhere from)."""
    return frozenset((status, actor) for status in TERMINAL)


def any_status(actor: Actor) -> Pairs:
    """Return pairs making an action possible in every status, for ``actor``."""
    return frozenset((status, actor) for status in CaseStatus)


@dataclass(frozen=True)
class Target:
    """An object of the case the action works on, named by a URL argument (an id, or e.g. a
    kind for the case's one object of that kind: the slug says ``<int:…>`` or ``<str:…>``).

    ``find(case, value)`` returns it (or None, for a condition to refuse) or raises Http404;
    ``kwarg`` is the service's keyword for it.
    """

    param: str
    find: Callable[[Case, Any], Any]
    kwarg: str


def of_the_case(model: Any, *related: str, **filters: Any) -> Callable[[Case, int], Any]:
    """Return a Target's ``find`` for the ``model`` row of the case with the URL's id (404 if
    there is none, or it is another case's; ``filters`` narrow it further), its ``case`` the
    opened one (no query for it). ``related`` are joined."""

    def find(case: Case, pk: int) -> Any:
        rows = model.objects.select_related(*related) if related else model
        found = get_object_or_404(rows, pk=pk, case=case, **filters)
        found.case = case
        return found

    return find


@dataclass(frozen=True)
class Refusal:
    """Why an action is not possible now: 403 (not the caller's to do) or 409 (not in this state)."""

    status: int
    message: str


class Acting:
    """Memoises ``may_act`` for one user and case (an action table asks it many times)."""

    def __init__(self, user: User, case: Case) -> None:
        self.user = user
        self.case = case
        self._known: dict[Actor, bool] = {}

    @classmethod
    def of(cls, user: User, case: Case) -> Acting:
        """Return the memo of ``user`` on ``case`` for this request (the case page's panels and
        what can be done now ask the same questions; an audited write forgets the answers)."""
        key = ("acting", user.pk, case.pk, case.status, case.responsible_unit_id, case.track)
        return request_cached((*key, case.institution_id), lambda: cls(user, case))

    def __call__(self, actor: Actor) -> bool:
        if actor not in self._known:
            self._known[actor] = may_act(self.user, self.case, actor)
        return self._known[actor]


@dataclass(frozen=True)
class CaseAction:
    """One action on a case, served as a page and as an API operation."""

    name: str  # the key in the panel's "actions" (decide, refer, …)
    namespace: str  # the URL namespace of the page (the app's)
    url_name: str  # the page's URL name in that namespace
    slug: str  # the page's path after ``<reference>/`` (may hold ``<int:param>``)
    title: str | Promise
    form: type[forms.Form]
    # Called with actor=, the data and case=, or, for an action on a target (a goal, a
    # transfer…), the target under its ``kwarg`` instead (the target knows its case).
    service: Callable[..., Any]
    when: Pairs  # the (status, actor) pairs in which the action is possible
    success: str | Promise
    capability: Capability = Capability.VIEW_CASES
    part: Part = Part.JOURNAL
    target: Target | None = None
    condition: Callable[[Case, Any], bool] | None = None  # beyond the state (case, target/None)
    methods: tuple[str, ...] = ("GET", "POST")
    template: str = "actions/action_form.html"
    context: Callable[[CaseAccess, User, Any], Mapping[str, Any]] | None = None
    # The form's keyword arguments besides the data (initial, prefix, choices), for the case
    # and the target.
    form_kwargs: Callable[[Case, Any], dict[str, Any]] = field(
        default=lambda case, target: {"initial": {"version": case.version}}
    )
    partial_template: str = ""  # the form alone, for an htmx request (else the whole page)
    error_fields: Mapping[str, tuple[str, ...]] | None = None  # service error code → fields
    # The answer to a success instead of going back to the case (request, access, result).
    after: Callable[[Any, CaseAccess, Any], Any] | None = None
    log_as: str = ""  # the access log's part when the form is shown (defaults to action_<name>)
    # The service's keyword arguments from a valid form (default: its cleaned data), e.g. a
    # form that carries a formset of rows.
    data_of: Callable[[Any], dict[str, Any]] | None = None
    # The submit button, named as the action (default: the title, when that is one already):
    # "Make the decision", never a state such as "The unit's decision".
    submit: str | Promise = ""
    # Fixed arguments of the page's URL, for actions that share a page served by the app's
    # own view (e.g. an instrument's ``kind``: one draft action per instrument).
    url_kwargs: tuple[tuple[str, str], ...] = ()
    # The form carries a file (the page posts multipart/form-data; the API operation takes
    # the fields as a form and the file as ``file``).
    multipart: bool = False

    @property
    def view_name(self) -> str:
        return f"{self.namespace}:{self.url_name}"

    @property
    def submit_label(self) -> str | Promise:
        return self.submit or self.title

    @property
    def log_part(self) -> str:
        return self.log_as or f"action_{self.name}"

    @property
    def actors(self) -> frozenset[Actor]:
        """Who makes the action, in one status or another (the page's and API's policy)."""
        return frozenset(actor for _status, actor in self.when)

    def refusal(
        self, user: User, case: Case, target: Any = None, acting: Acting | None = None
    ) -> Refusal | None:
        """Return why the action is not possible for ``user`` on ``case`` now (None: possible).

        403 when the caller's role on the case is not one that makes it (now, or, for an
        action not possible in the case's status, ever): the role is the reason, whatever the
        status. 409 when it is theirs to do but not in the case's state."""
        acting = acting or Acting.of(user, case)
        if self.possible(user, case, target, acting):
            return None
        actors = self.actors_in.get(case.status, ())
        if not any(acting(actor) for actor in actors or self.actors):
            return Refusal(403, role_refusal(actors or self.actors))
        return Refusal(409, str(NOT_NOW))  # not in this status, or its condition does not hold

    @cached_property
    def actors_in(self) -> dict[str, tuple[Actor, ...]]:
        """Who makes the action in each status (``when`` by status, worked out once: the case
        page asks every action whether it is possible)."""
        found: dict[str, tuple[Actor, ...]] = {}
        for status, actor in self.when:
            found[status] = (*found.get(status, ()), actor)
        return found

    def possible(
        self, user: User, case: Case, target: Any = None, acting: Acting | None = None
    ) -> bool:
        """Whether the action is possible now: its status names an actor the user is, and its
        condition holds. The one rule: ``refusal`` asks it and only explains a no."""
        actors = self.actors_in.get(case.status)
        if not actors:
            return False
        acting = acting or Acting.of(user, case)
        if not any(acting(actor) for actor in actors):
            return False
        return self.condition is None or self.condition(case, target)

    def call(self, user: User, case: Case, target: Any, data: Mapping[str, Any]) -> Any:
        """Run the service with the caller's data (form or API body, plain values)."""
        kwargs: dict[str, Any] = {"actor": user, **{k: plain(v) for k, v in data.items()}}
        if self.target is None:
            kwargs["case"] = case
        else:
            kwargs[self.target.kwarg] = target
        return self.service(**kwargs)


def plain(value: Any) -> Any:
    """Return an API value as a form would give it (enum members as their values)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


REGISTRY: dict[str, CaseAction] = {}


def declare(*actions: CaseAction) -> tuple[CaseAction, ...]:
    """Register an app's action table (names are unique across apps) and return it."""
    for action in actions:
        known = REGISTRY.get(action.name)
        if known is not None and known is not action:
            raise ValueError(f"Case action {action.name!r} is declared twice.")
        REGISTRY[action.name] = action
    return actions


def possible_now(
    names: Iterable[str], user: User, case: Case, acting: Acting | None = None
) -> dict[str, bool]:
    """Return ``{name: possible}`` of the registered actions ``names`` for ``user`` on ``case``
    (what a panel offers: the answer the action's page and API operation give)."""
    acting = acting or Acting.of(user, case)
    return {name: REGISTRY[name].possible(user, case, None, acting) for name in names}
