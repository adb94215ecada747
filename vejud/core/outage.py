"""A database outage answered as what it is: 503 with ``Retry-After``, never a server error.

While PostgreSQL is down or restarting, every query raises ``OperationalError`` or
``InterfaceError`` (Django's wrappers of the driver's connection errors), wherever it happens:
loading the session, the user, a view's query, or the API's token lookup. Pages answer with a
calm translated page, the API with a JSON problem body (RFC 9457), both 503 with
``Retry-After``. Django closes a connection that failed at the end of the request and the
health check of persistent connections opens a new one, so service resumes by itself.

A write that committed is never reported as failed: ``CommittedSessionMiddleware`` does not turn
a response into an error when the session cannot be saved afterwards (the database went away
after the view's commit, or a concurrent request ended the session). The response stands, the
session keeps its previous state. A write whose answer was lost altogether (a 503 after the
COMMIT reached the disk) is told by repeating it with its idempotency key
(``vejud.core.idempotency``).
"""

from __future__ import annotations

import logging
import sys

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def is_database_outage(exc: BaseException | None) -> bool:
    """Whether ``exc`` says the database cannot be reached (down, restarting, connection lost)."""
    return isinstance(exc, OperationalError | InterfaceError)


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer during an outage: JSON problem for the API, a calm page otherwise."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "type": "about:blank",
                "title": _("Service unavailable"),
                "status": 503,
                "detail": _("The database cannot be reached right now. Try again shortly."),
            },
            status=503,
            content_type="application/problem+json",
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def error_page(request: HttpRequest) -> HttpResponse:
    """The 500 page with the menu in the user's language; if that cannot be rendered (the
    failure is in the layout, the navigation or the database), the standalone page."""
    try:
        body = loader.render_to_string("500.html", request=request)
    except Exception:
        logger.exception("The 500 page with the menu failed; the standalone page is shown")
        body = loader.render_to_string("500_standalone.html")
    return HttpResponse(body, status=500)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 when the uncaught exception is a database outage, else the 500 page."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        logger.warning("Database unavailable in %s %s: %s", request.method, request.path, exc)
        return outage_response(request)
    return error_page(request)


class CommittedSessionMiddleware(SessionMiddleware):
    """Django's session middleware, except that a failed save never replaces the response.

    Saving runs after the view, so after its transaction committed. If the save fails, the
    user's action still happened: answer what the view answered and keep the old session.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except (DatabaseError, SessionInterrupted) as exc:
            logger.warning(
                "Session not saved after %s %s (%s): the response stands",
                request.method,
                request.path,
                type(exc).__name__,
            )
            return response
