"""One API operation per declared case action (``vejud.actions``), registered on a router.

An ``Operation`` adds to a registered ``CaseAction`` what only the API knows: the path,
the ninja body schema and the answer. Each operation has the page's gate (``CaseGate``
with the action's capability and part: token 401, role 403, case 404, before the body is
read), then the body (422), then the action's own ``refusal`` — the answer the page gives,
from the same table (403 not the caller's to do, 409 not possible in the case's state) —
and then the service.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Path, Router, Status, UploadedFile

from vejud.actions.declare import CaseAction, plain
from vejud.api.auth import api_user
from vejud.api.gates import CaseGate, case_access_of
from vejud.api.schemas import (
    ConflictOut,
    ErrorOut,
    IdPath,
    ReferencePath,
    ValidationErrorOut,
)

# The error answers an operation declares: any read (token, role, not found, bad path or
# query), and a write (also a malformed body and a conflict with the current state).
READ_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, **READ_ERRORS, 409: ConflictOut}


@dataclass(frozen=True)
class Operation:
    """The API side of the case action ``action``."""

    action: CaseAction
    path: str  # after ``/cases/{reference}``; a target is ``{<param>}``
    body: type[Any] | None  # the ninja input schema (None: the operation takes no body)
    out: Any  # the response schema of a success
    result: Callable[[Any], Any]  # the service's result as ``out``
    summary: str
    operation_id: str
    status: int = 201
    method: str = "POST"
    # Turns the body into the service's keyword arguments (case, target, body), e.g. a code
    # into the object it names, or a PATCH's missing fields into the target's values.
    prepare: Callable[[Any, Any, dict[str, Any]], dict[str, Any]] | None = None
    # The target's path type when it is not an id (e.g. an enum of kinds); its value reaches
    # ``Target.find`` as a plain value.
    target_type: Any = None
    description: str = ""  # the operation's description (default: the action's title)


# Every operation registered, by action name (the test checks each action has one).
OPERATIONS: dict[str, Operation] = {}


def _parameters(op: Operation) -> list[inspect.Parameter]:
    action = op.action
    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter(
            "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=HttpRequest
        ),
        inspect.Parameter("reference", keyword, annotation=str, default=ReferencePath),
    ]
    if op.body is not None:
        body = Form[op.body] if action.multipart else op.body  # type: ignore[name-defined,misc]
        params.insert(1, inspect.Parameter("payload", keyword, annotation=body))
    if action.multipart:
        params.insert(2, inspect.Parameter("file", keyword, annotation=File[UploadedFile]))
    if action.target is not None:
        annotation, default = op.target_type, Path(...)
        if annotation is None:
            annotation, default = int, IdPath
        params.append(
            inspect.Parameter(action.target.param, keyword, annotation=annotation, default=default)
        )
    return params


def _view(op: Operation) -> Callable[..., Any]:
    """Return the view function of ``op`` (its signature tells ninja the body and path)."""
    action = op.action

    def view(request: HttpRequest, payload: Any = None, **kwargs: Any) -> Any:
        user = api_user(request)
        case = case_access_of(request).case
        target = (
            action.target.find(case, plain(kwargs[action.target.param])) if action.target else None
        )
        refusal = action.refusal(user, case, target)
        if refusal is not None:
            return Status(refusal.status, {"detail": refusal.message})
        data = payload.model_dump() if payload is not None else {}
        upload = kwargs.get("file")
        if upload is not None:  # a multipart action: the file as the form's service gets it
            data |= {"filename": upload.name or "", "data": upload.read()}
        if op.prepare is not None:
            data = op.prepare(case, target, data)
        result = action.call(user, case, target, data)
        return Status(op.status, op.result(result))

    view.__signature__ = inspect.Signature(_parameters(op))  # type: ignore[attr-defined]
    view.__name__ = op.operation_id
    view.__doc__ = op.description or str(action.title)
    return view


def register(router: Router, *operations: Operation) -> None:
    """Add each operation to ``router`` with its action's gate."""
    for op in operations:
        action = op.action
        gate = CaseGate(part=action.part, capability=action.capability, actors=action.actors)
        gate.route(
            partial(router.api_operation, [op.method]),
            f"/cases/{{reference}}{op.path}",
            {op.status: op.out, **WRITE_ERRORS},
            op.operation_id,
            op.summary,
        )(_view(op))
        OPERATIONS[action.name] = op
