"""The API test client: every request carries a bearer token; bodies go as JSON."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vejud.accounts.models import User
from vejud.accounts.tokens import token_create


def token_for(user: User) -> str:
    """Return a fresh raw API token for ``user``."""
    _token, raw = token_create(user=user, name="test")
    return raw


class JsonApi:
    """A client with ``user``'s token (or the raw ``token``: none sends no header)."""

    def __init__(
        self, user: User | None = None, *, token: str | None = None, raise_errors: bool = True
    ) -> None:
        self.client = Client(raise_request_exception=raise_errors)
        raw = token_for(user) if user is not None else token
        self.headers = {"Authorization": f"Bearer {raw}"} if raw else {}

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data or {}, headers=self.headers)

    def _send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(
            path,
            {} if body is None else body,
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """Send ``method`` (get, post, put or patch) to ``path``; a GET ignores the body."""
        return self.get(path) if method == "get" else self._send(method, path, body)

    def upload(self, path: str, *, kind: str, name: str, data: bytes) -> Any:
        """Post a multipart form with one file (``data`` as ``name``) and its ``kind``."""
        return self.client.post(
            path, {"kind": kind, "file": SimpleUploadedFile(name, data)}, headers=self.headers
        )
