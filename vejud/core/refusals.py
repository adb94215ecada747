"""Requests refused before a view runs: too large (413) or not UTF-8 (400), in the user's language.

Pages get a calm page (``400.html``), the API its JSON error shape. ``bad_request`` is the
project's handler400, so Django's own refusals (a body over DATA_UPLOAD_MAX_MEMORY_SIZE found
while the CSRF check reads the form, too many fields) read the same and are never Django's
English "Bad Request".
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from vejud.core.limits import MAX_BODY_BYTES

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REPLACEMENT = "\ufffd"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def refuse(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    """Answer ``status`` with ``message``: JSON ``{"detail": ...}`` under /api/, else a page."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    body = loader.render_to_string("400.html", {"title": title, "message": message})
    return HttpResponse(body, status=status)


def too_large(request: HttpRequest) -> HttpResponse:
    return refuse(
        request,
        status=413,
        title=_("The request is too large"),
        message=_("The request is larger than %(mb)s MB. Send less at a time.")
        % {"mb": round(MAX_BODY_BYTES / (1024 * 1024), 1)},
    )


def not_utf8(request: HttpRequest) -> HttpResponse:
    return refuse(
        request,
        status=400,
        title=_("The request could not be read"),
        message=_("The text sent is not valid UTF-8. Nothing was saved."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: Django refused the request (too large, too many fields, a bad header)."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return refuse(
        request,
        status=400,
        title=_("The request could not be read"),
        message=_("The request was malformed. Nothing was saved."),
    )


def _utf8(raw: bytes) -> bool:
    """Whether percent-decoded ``raw`` (a query string or a form body) is valid UTF-8."""
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _query_bytes(request: HttpRequest) -> bytes:
    query = request.META.get("QUERY_STRING", "")
    try:
        return query.encode("latin-1")  # WSGI passes the raw bytes as latin-1
    except UnicodeEncodeError:
        return query.encode("utf-8", "surrogateescape")


def input_refusal(request: HttpRequest) -> HttpResponse | None:
    """Return the refusal of a request no view should see, or None.

    A body over the limit is 413; a query string, form body, JSON body or upload file name
    that is not UTF-8 is 400 (Django would decode it with replacement characters).
    """
    if not _utf8(_query_bytes(request)):
        return not_utf8(request)
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return None
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            # The files may be larger than the body limit: check what Django decoded.
            texts = [v for _key, values in request.POST.lists() for v in values]
            texts += [f.name or "" for _key, files in request.FILES.lists() for f in files]
            if any(REPLACEMENT in t for t in texts):
                return not_utf8(request)
            return None
        body = request.body
    except RequestDataTooBig:
        return too_large(request)
    if content_type == "application/x-www-form-urlencoded" and not _utf8(body):
        return not_utf8(request)
    if content_type != "application/x-www-form-urlencoded":
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return not_utf8(request)
    return None
