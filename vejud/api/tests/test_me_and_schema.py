"""GET /api/v1/me, the OpenAPI schema at /api/v1/openapi.json and the docs page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from vejud.api.api import api
from vejud.api.auth import POLICY_KEY
from vejud.testing import verified_client
from vejud.testing.api import JsonApi


def test_me_returns_account_and_memberships(world, api_client):
    response = api_client(world.member_a).get("/api/v1/me")
    assert response.status_code == 200
    data = response.json()
    assert data["email"] == world.member_a.email
    assert data["full_name"] == world.member_a.full_name
    (membership,) = data["memberships"]
    assert membership["unit"]["code"] == world.unit_a.code
    assert membership["role"] == "unit_member"


def test_me_open_to_analyst_who_may_use_the_api(world, api_client):
    assert api_client(world.analyst).get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("name", ["sysadmin", "auditor", "nobody"])
def test_me_forbidden_without_api_capability(world, api_client, name):
    response = api_client(getattr(world, name)).get("/api/v1/me")
    assert response.status_code == 403
    assert world.users[name].email not in response.content.decode()


def test_me_without_token_is_401(world):
    assert JsonApi().get("/api/v1/me").status_code == 401


def test_openapi_schema_with_token(world):
    response = JsonApi(world.member_a).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/cases", "/api/v1/cases/{reference}", "/api/v1/me"} <= set(schema["paths"])


def test_openapi_schema_with_verified_session(world):
    assert verified_client(world.analyst).get("/api/v1/openapi.json").status_code == 200


def test_openapi_schema_refuses_bad_token(world):
    assert JsonApi(token="vejud_nope").get("/api/v1/openapi.json").status_code == 401


def test_openapi_schema_and_docs_redirect_anonymous_to_login(db):
    login = resolve_url(settings.LOGIN_URL)
    for path in ("/api/v1/openapi.json", "/api/v1/docs"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(login)


def test_docs_page_loads_no_external_assets(world):
    response = verified_client(world.member_a).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "<script>" not in html.replace(" ", "")  # no inline script under the strict CSP


def test_every_operation_declares_policy_and_error_responses():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert POLICY_KEY in operation, f"{method.upper()} {path} has no {POLICY_KEY}"
            assert {"401", "403"} <= {str(code) for code in operation["responses"]}, (
                f"{method.upper()} {path}"
            )
            assert operation.get("security") == [{"BearerAuth": []}], f"{method.upper()} {path}"
