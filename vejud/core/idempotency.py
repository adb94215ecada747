"""Writes a client may send again: an idempotency key makes the repeat return the first answer.

A write can commit and still be answered as failed: the database stopped just after the
COMMIT reached its disk, the connection broke before the answer came back, a proxy timed out.
The client cannot tell such a write from one that never happened, so it retries the same
request with the same key and gets either the first answer (the write is not made again) or,
if the first attempt left nothing, the answer of a first attempt now.

* API: an ``Idempotency-Key`` header on ``POST``, ``PUT``, ``PATCH`` or ``DELETE`` (a client's
  unique string, at most 200 characters; a UUID will do).
* Pages: forms carry a hidden ``idempotency_key`` (``{% idempotency_field %}``, a new one each
  time the form is shown), so a browser's re-submission after a 503 is not a second write.

With a key, the view runs in one transaction that begins by looking the key up (same-key
requests wait for each other: an advisory lock on PostgreSQL, SQLite serialises writers) and
ends by storing the answer (status below 400) in ``core.IdempotentRequest``, so the answer is
stored exactly when the write commits. A repeat within ``KEEP`` gets the stored answer (marked
``Idempotent-Replayed: true``); the same key with other content is refused (422); a 4xx is not
stored (nothing was written: the repeat runs again); a 5xx rolls the transaction back. Keys
belong to the API token or the logged-in user that sent them; without either there is none.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from vejud.core.crypto import keyed_hashes
from vejud.core.models import IdempotentRequest
from vejud.core.refusals import is_api, refuse

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 200
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# Form fields that differ between two sendings of the same form.
UNSIGNED_FIELDS = frozenset({"csrfmiddlewaretoken", FIELD})


@dataclass
class _Pending:
    """A keyed request whose transaction is open from ``process_view`` to the response."""

    scope: str
    key: str
    fingerprint: str
    older_scopes: tuple[str, ...] = ()  # the token's scope under older VEJUD_HMAC_KEY keys
    atomic: Any = field(default_factory=transaction.atomic)
    replayed: bool = False

    def finish(self, response: HttpResponseBase) -> HttpResponseBase:
        try:
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif response.status_code < 400 and not self.replayed and not response.streaming:
                # A transaction already marked for rollback refuses this insert: the error
                # answers instead of a success whose write would not be kept.
                self._store(response)
        except BaseException as exc:
            self.atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.atomic.__exit__(None, None, None)
        return response

    def _store(self, response: HttpResponseBase) -> None:
        assert isinstance(response, HttpResponse)
        IdempotentRequest.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
        IdempotentRequest.objects.create(
            scope=self.scope,
            key=self.key,
            fingerprint=self.fingerprint,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            location=response.get("Location", ""),
            body=base64.b64encode(response.content).decode("ascii"),
        )


def _scopes(request: HttpRequest) -> list[str]:
    """Whose keys: the API token's (hashed; under every key, newest first, so a retry made
    across a key rotation is still known) or the session user's; empty for neither."""
    authorization = request.headers.get("Authorization", "")
    if is_api(request) and authorization:
        return ["token:" + h[:64] for h in keyed_hashes(authorization, purpose="idempotency")]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return [f"user:{user.pk}"]
    return []


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None and request.content_type in FORMS:
        key = request.POST.get(FIELD)
    return key


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method}\0{request.get_full_path()}\0".encode())
    if request.content_type in FORMS:
        # A re-sent form has a new multipart boundary: compare the fields, not the bytes.
        for name in sorted(set(request.POST) - UNSIGNED_FIELDS):
            digest.update(f"{name}\0{request.POST.getlist(name)!r}\0".encode())
        for name in sorted(request.FILES):
            files = request.FILES.getlist(name)
            digest.update(f"{name}\0{[(f.name, f.size) for f in files]!r}\0".encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _replay(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        base64.b64decode(stored.body), status=stored.status, content_type=stored.content_type
    )
    if stored.location:
        response["Location"] = stored.location
    response["Idempotent-Replayed"] = "true"
    return response


def _key_refusal(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return refuse(request, status=status, title=_("The request could not be used"), message=message)


def _open(request: HttpRequest, pending: _Pending) -> HttpResponse | None:
    """Look the key up inside the request's transaction: the stored answer, a refusal, or None."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"{pending.scope}\n{pending.key}"],
            )
    stored = IdempotentRequest.objects.filter(
        scope__in=[pending.scope, *pending.older_scopes],
        key=pending.key,
        created_at__gte=timezone.now() - KEEP,
    ).first()
    if stored is None:
        return None
    pending.replayed = True
    if stored.fingerprint != pending.fingerprint:
        return _key_refusal(
            request,
            422,
            _("This idempotency key was used for another request. Nothing was saved."),
        )
    return _replay(stored)


class IdempotencyMiddleware:
    """Run a keyed write and the storing of its answer in one transaction (module docstring).

    The last middleware: its ``process_view`` runs after the login, CSRF and input checks;
    the transaction it opens closes when the response comes back through ``__call__``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        pending: _Pending | None = request.__dict__.pop("_idempotency", None)
        return pending.finish(response) if pending is not None else response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.method not in WRITES:
            return None
        key = _key(request)
        scopes = _scopes(request) if key is not None else []
        if key is None or not scopes:
            return None
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _key_refusal(
                request,
                400,
                _("An idempotency key is 1 to 200 printable characters. Nothing was saved."),
            )
        pending = _Pending(
            scope=scopes[0],
            key=key,
            fingerprint=_fingerprint(request),
            older_scopes=tuple(scopes[1:]),
        )
        pending.atomic.__enter__()
        try:
            answer = _open(request, pending)
        except BaseException as exc:
            pending.atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        request._idempotency = pending  # type: ignore[attr-defined]
        return answer
