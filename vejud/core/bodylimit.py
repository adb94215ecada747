"""Refuse a request body over the limit from its Content-Length, before any of it is read.

Django reads a multipart upload to the end (into temporary files) before a form can look at
the file's size, so a 2 GB upload to a 10 MB field used to be received in full and refused
afterwards. This middleware, first in the chain, answers 413 as soon as the declared length
exceeds ``VEJUD_MAX_REQUEST_BYTES`` (the largest attachment plus room for the form around it),
without reading the body. A body sent without a length (chunked) cannot be judged up front:
the TLS proxy's own limit (nginx ``client_max_body_size``) covers it, and Django's limits
refuse it while it is read.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


def declared_length(request: HttpRequest) -> int:
    """The body length the client declared (0 when none or not a number)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class BodySizeLimitMiddleware:
    """Answer 413 to a request whose declared body exceeds ``VEJUD_MAX_REQUEST_BYTES``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if declared_length(request) > settings.VEJUD_MAX_REQUEST_BYTES:
            return self.too_large(request)
        return self.get_response(request)

    @staticmethod
    def too_large(request: HttpRequest) -> HttpResponse:
        limit_mb = settings.VEJUD_POOL_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        with translation.override(translation.get_language_from_request(request)):
            message = _("The file is larger than %(mb)s MB.") % {"mb": limit_mb}
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=413)
        else:
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        response["Connection"] = "close"  # the unread body must not be taken for a next request
        return response
