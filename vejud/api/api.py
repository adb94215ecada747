"""The JSON API (django-ninja, OpenAPI 3.1) under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="vejud API", version="1", urls_namespace="api")
