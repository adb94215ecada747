"""vejud's own 404 and 500 pages in every mode.

With DEBUG on (the demo), Django answers a 404 with its technical page, which lists every
URL pattern of the site and ignores ``handler404``, and an error with its technical 500 page
(the code, the local variables, the settings). This middleware answers such pages with
``page_not_found`` and the 500 page with the menu (``vejud.core.outage.error_page``) instead,
so "not yours" and "does not exist" look the same, and an error shows nothing of the code or
the data, in the demo as in production (the error is logged as always). The API keeps its
JSON answers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from vejud.core.outage import error_page
from vejud.portal.views import page_not_found

OWN_PAGE = "vejud_own_page"


class OwnNotFoundPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, OWN_PAGE, False)
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith("/api/")
        ):
            return page_not_found(request)
        if (
            settings.DEBUG
            and response.status_code == 500
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith("/api/")
        ):
            return error_page(request)
        return response
