"""One page view for every declared case action: GET shows the form, POST runs the service.

The gate is ``case_view`` with the action's capability and part (wrong role 403; missing,
not yours or a part you may not see 404). An action not possible now answers as its API
operation does (``CaseAction.refusal``: 403 not the caller's to do, 409 not in the case's
state), with the reason; an htmx request that succeeds is sent to the case with
``HX-Redirect``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from vejud.access.cases import CaseAccess, log_case_access
from vejud.access.gate import AuthenticatedRequest, case_view
from vejud.actions.declare import CaseAction, Refusal
from vejud.cases.services import StaleCaseError
from vejud.cases.states import IllegalTransitionError
from vejud.core.forms import service_error

CONFLICTS = (StaleCaseError, IllegalTransitionError)


def _done(request: AuthenticatedRequest, access: CaseAccess, text: str, ok: bool) -> HttpResponse:
    (messages.success if ok else messages.error)(request, text)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = access.case.get_absolute_url()
        return response
    return redirect(access.case)


def _refused(request: AuthenticatedRequest, base: dict[str, Any], refusal: Refusal) -> HttpResponse:
    """Say why the action is not possible now; an htmx form goes back to the case to say it."""
    page = "actions/not_possible.html"
    response = render(request, page, {**base, "message": refusal.message}, status=refusal.status)
    if base["htmx"]:
        messages.error(request, refusal.message)
        response["HX-Redirect"] = base["case"].get_absolute_url()
    return response


def _run(
    request: AuthenticatedRequest, access: CaseAccess, action: CaseAction, target: Any, form: Any
) -> HttpResponse | None:
    """Run the service on a valid form; return the answer, or None to show the form again."""
    data = action.data_of(form) if action.data_of else dict(form.cleaned_data)
    if "version" in data:
        data["expected_version"] = data.pop("version")
    try:
        result = action.call(request.user, access.case, target, data)
    except CONFLICTS as exc:
        return _done(request, access, str(exc), ok=False)
    except ValidationError as exc:
        service_error(form, exc, action.error_fields)
        return None
    if action.after is not None:
        answer: HttpResponse = action.after(request, access, result)
        return answer
    return _done(request, access, str(action.success), ok=True)


def action_page(
    request: AuthenticatedRequest,
    access: CaseAccess,
    action: CaseAction,
    *,
    form_kwargs: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> HttpResponse:
    """Serve ``action`` on the case: its form, its service, or why it is not possible now.

    An app's own view serving the action (a page shared with more, or one that reads the
    request) may give the form's arguments and more context instead of the declared ones.
    """
    case = access.case
    target = action.target.find(case, kwargs[action.target.param]) if action.target else None
    htmx = bool(request.headers.get("HX-Request"))
    base: dict[str, Any] = {"case": case, "title": action.title, "action": action, "htmx": htmx}
    refusal = action.refusal(request.user, case, target)
    if refusal is not None:
        return _refused(request, base, refusal)
    if request.method == "GET":
        log_case_access(user=request.user, access=access, part=action.log_part, request=request)
    data = request.POST if request.method == "POST" else None
    args = (data, request.FILES) if data is not None and action.multipart else (data,)
    form = action.form(*args, **(form_kwargs or action.form_kwargs(case, target)))
    if request.method == "POST" and form.is_valid():
        answer = _run(request, access, action, target, form)
        if answer is not None:
            return answer
    extra = context
    if extra is None:
        extra = action.context(access, request.user, target) if action.context else {}
    template = action.partial_template if htmx and action.partial_template else action.template
    return render(request, template, {**base, "form": form, "action_url": request.path, **extra})


def page_view(action: CaseAction) -> Any:
    """Return the gated view serving ``action`` (its declared gate is the page's policy)."""

    @case_view(part=action.part, capability=action.capability, actors=action.actors)
    @require_http_methods(list(action.methods))
    def view(request: AuthenticatedRequest, access: CaseAccess, **kwargs: Any) -> HttpResponse:
        return action_page(request, access, action, **kwargs)

    view.__name__ = view.__qualname__ = action.url_name
    view.__doc__ = str(action.title)
    return view


def action_urls(actions: Iterable[CaseAction]) -> list[URLPattern]:
    """Return the URL patterns of an app's action pages (``<reference>/<slug>``)."""
    return [path(f"<str:reference>/{a.slug}", page_view(a), name=a.url_name) for a in actions]
