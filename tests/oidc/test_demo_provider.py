"""The demo's identity provider (``vejud demo-sso``, started by ``bin/demo``): its
configuration runs the real ``oidc-provider``, its linked accounts sign in to their demo users,
its invitation link links the account to invite, and disabling an account there ends it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from vejud.accounts.models import ProviderSubject, Role
from vejud.demo.showcase import DEMO_PASSWORD
from vejud.testing import World, make_user
from vejud.testing.oidc import OidcProvider, _free_port, _wait_for, callback_path

pytestmark = pytest.mark.django_db


def test_the_demo_provider_signs_in_demo_users(world: World, settings: Any, tmp_path: Path) -> None:
    from vejud.accounts import sso as sso_module

    make_user("admin@demo.vejud.dk", "Admin", world.national, Role.SYSTEM_ADMINISTRATOR)
    coordinator = make_user(
        "coordinator.koebenhavn@demo.vejud.dk", "K", world.unit_a, Role.UNIT_COORDINATOR
    )
    make_user("member.fyn@demo.vejud.dk", "M", world.unit_b, Role.UNIT_MEMBER)
    mentor = make_user("mentor.koebenhavn@demo.vejud.dk", "Mentor", world.unit_a, Role.MENTOR)
    port = _free_port()
    config, env = tmp_path / "idp.json", tmp_path / "idp.env"
    out = tmp_path / "out.txt"
    with out.open("w") as handle:
        call_command(
            "demo-sso",
            port=port,
            url="http://testserver/",
            config=str(config),
            env=str(env),
            stdout=handle,
        )
    printed = out.read_text()
    assert "koordinator" in printed and "/konto/invitation/" in printed
    assert ProviderSubject.objects.get(subject="koordinator").user == coordinator
    variables = dict(
        line.removeprefix("export ").split("=", 1) for line in env.read_text().splitlines()
    )
    assert variables["VEJUD_OIDC_PROVIDERS"] == "'demo'"
    process = subprocess.Popen(
        ["node", "tests/oidc/provider.mjs", str(config)],
        stdout=subprocess.PIPE,
        text=True,
        stderr=subprocess.DEVNULL,
        cwd=django_settings.BASE_DIR,
    )
    try:
        issuer = f"http://127.0.0.1:{port}"
        _wait_for(issuer)
        idp = OidcProvider(issuer=issuer, process=process)
        sso_module._discovered.clear()
        client_config = json.loads(config.read_text())["clients"][0]
        settings.VEJUD_OIDC_PROVIDERS = {
            "demo": {
                "issuer": issuer,
                "client_id": client_config["client_id"],
                "client_secret": client_config["client_secret"],
                "accepted_acr": ["substantial", "high"],
                "label": "Demo-IdP (kommune)",
                "scopes": "openid email profile",
            }
        }

        def login(client: Client, sub: str) -> Any:
            start = client.get("/konto/sso/demo/", {"next": "/sager/"})
            address = idp.log_in(str(start["Location"]), sub, secret=DEMO_PASSWORD)
            return client.get(callback_path(address))

        browser = Client()
        assert login(browser, "koordinator")["Location"] == "/sager/"
        assert browser.get("/sager/").status_code == 200
        link = printed.split("http://testserver", 1)[1].split()[0]
        invited = Client()
        assert invited.get(link).status_code == 200
        assert login(invited, "mentor").status_code == 302
        assert invited.session["_auth_user_id"] == str(mentor.pk)
        control = printed.split("Bearer ", 1)[1].split("'", 1)[0]  # from the curl line
        # Disabling at the provider posts a logout token to http://testserver (unreachable
        # here): the delivery fails, but the account's next login is refused.
        answer = requests.post(
            f"{issuer}/control/disable/koordinator",
            headers={"Authorization": f"Bearer {control}"},
            timeout=10,
        ).json()
        assert answer["disabled"] is True
        assert login(Client(), "koordinator").status_code == 400
    finally:
        process.terminate()
        process.wait(timeout=10)
