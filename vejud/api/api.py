"""The JSON API (django-ninja, OpenAPI 3.1) under /api/v1/.

Deny by default: every operation needs a bearer token (``BearerAuth``), the
schema and docs need a verified session or a token. Errors are JSON
``{"detail": ...}`` and never carry a traceback or a lookup's arguments.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from vejud.api.auth import BearerAuth, api_user, schema_access
from vejud.api.conflicts import open_case_conflict
from vejud.api.links import with_links
from vejud.api.routers.advice import router as advice_router
from vejud.api.routers.assessments import router as assessments_router
from vejud.api.routers.cases import router as cases_router
from vejud.api.routers.course import router as course_router
from vejud.api.routers.documents import router as documents_router
from vejud.api.routers.exports import router as exports_router
from vejud.api.routers.followup import router as followup_router
from vejud.api.routers.me import router as me_router
from vejud.api.routers.outcomes import router as outcomes_router
from vejud.api.routers.pool import router as pool_router
from vejud.api.routers.process import router as process_router
from vejud.api.routers.statistics import router as statistics_router
from vejud.api.routers.training import router as training_router
from vejud.api.routers.transfers import router as transfers_router
from vejud.cases.services import OpenCaseError, StaleCaseError
from vejud.cases.states import IllegalTransitionError
from vejud.core.errors import ConflictError
from vejud.core.limits import MAX_BODY_BYTES
from vejud.core.outage import is_database_outage, outage_response

logger = logging.getLogger(__name__)


class VejudAPI(NinjaAPI):
    """django-ninja's API, with the OpenAPI links between operations (vejud.api.links)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_links(schema)


api = VejudAPI(
    title="vejud API",
    version="1",
    description=(
        "Cases through the need-to-know gate. Authorization: Bearer <personal token>. "
        f"Limits (vejud.core.limits): request bodies at most {MAX_BODY_BYTES} bytes (413), "
        "text in UTF-8 (400), dates from 1900-01-01 to 2199-12-31 (422); an integral "
        "number such as 1183.0 is the integer 1183, a fraction where an integer is due is 422. "
        "A request that clashes with what is registered or acted on stale data is 409. "
        "While the database is unavailable every operation answers 503 with Retry-After; send "
        "each write with an Idempotency-Key header (a UUID of your own) and repeat a 503 with "
        "the same key: a write that had committed answers as it did (Idempotent-Replayed: "
        "true) and is not made twice; the same key with another body is 422."
    ),
    urls_namespace="api",
    auth=BearerAuth(),
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=schema_access,
)
# Every router at the API's root, in this order (the order of the OpenAPI document).
ROUTERS = (
    me_router,
    cases_router,
    process_router,
    assessments_router,
    course_router,
    followup_router,
    outcomes_router,
    transfers_router,
    pool_router,
    training_router,
    advice_router,
    documents_router,
    statistics_router,
    exports_router,
)
for router in ROUTERS:
    api.add_router("", router)


@api.exception_handler(AuthenticationError)
def _unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": _("A valid API token is required.")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("Your role does not give access to this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # "Does not exist" and "not yours" must read the same: no lookup details.
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def _validation_detail(exc: ValidationError) -> list[dict[str, Any]]:
    """Return a service's ValidationError in the shape of ninja's 422 (type, loc, msg)."""
    if hasattr(exc, "error_dict"):
        groups = [
            (["body"] if field == NON_FIELD_ERRORS else ["body", field], errors)
            for field, errors in exc.error_dict.items()
        ]
    else:
        groups = [(["body"], exc.error_list)]
    return [
        {"type": error.code or "invalid", "loc": loc, "msg": message}
        for loc, errors in groups
        for error in errors
        for message in error
    ]


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    # A service refused the request's content or the case's state: 422 with its messages.
    return api.create_response(request, {"detail": _validation_detail(exc)}, status=422)


@api.exception_handler(StaleCaseError)
@api.exception_handler(IllegalTransitionError)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Someone changed the case meanwhile, or the state machine does not allow the step.
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(ConflictError)
def _business_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    # The request lost a race or acted on stale data: a duplicate, a year that exists, an
    # application decided meanwhile, not enough budget left.
    return api.create_response(request, {"detail": exc.text, "code": exc.code}, status=409)


@api.exception_handler(OpenCaseError)
def _open_case(request: HttpRequest, exc: OpenCaseError) -> HttpResponse:
    # The person has an open case: named only if the caller may see it.
    return api.create_response(request, open_case_conflict(api_user(request), exc), status=409)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_database_outage(exc):
        # PostgreSQL is down or restarting: 503 with Retry-After and a problem body, not 500.
        logger.warning("Database unavailable in %s %s: %s", request.method, request.path, exc)
        return outage_response(request)
    # ninja's default sends the traceback to the client when DEBUG is on; keep it in the log.
    logger.error("API error in %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": _("Server error.")}, status=500)
