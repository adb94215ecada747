"""The real OpenID Connect provider (``vejud.testing.oidc``), once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from vejud.testing.oidc import CLIENTS, OidcProvider, run_provider


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """oidc-provider on a free port of 127.0.0.1, its clients' callbacks on Django's test client."""
    with run_provider(["http://testserver"]) as provider:
        yield provider


@pytest.fixture
def sso(settings: Any, oidc_provider: OidcProvider) -> OidcProvider:
    """vejud configured with every test client of the provider ("test" accepts acr high/substantial)."""
    from vejud.accounts import sso as sso_module

    sso_module._discovered.clear()
    settings.VEJUD_OIDC_PROVIDERS = oidc_provider.vejud_settings(*CLIENTS)
    return oidc_provider
