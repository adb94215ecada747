"""Single sign-on in the demo: two subjects of an (imaginary) municipal identity provider.

One is linked to the Copenhagen coordinator, one is a first login nobody has linked yet:
the system administrator finds it under "Single sign-on subjects" in the admin and links it.
Those two belong to no running provider. ``bin/demo`` also starts a demo provider to try
single sign-on with (``vejud demo-sso``, ``demo_provider``): the tests' ``oidc-provider`` on
127.0.0.1 with a few accounts linked to demo users, one to be linked by an invitation link.
"""

from __future__ import annotations

from typing import Any

from vejud.accounts.invitations import invitation_create
from vejud.accounts.models import ProviderSubject, User
from vejud.accounts.sso import subject_link, subject_new
from vejud.audit.services import audited
from vejud.demo.showcase import DEMO_PASSWORD

DEMO_ISSUER = "https://idp.kommune.demo.vejud.dk"
DEMO_PROVIDER = "kommune"
SUBJECTS = [
    # sub, e-mail and name as the provider gave them, the demo user it is linked to (or None)
    (
        "8d1f6c2e-kbh-0001",
        "coordinator.koebenhavn@kommune.demo",
        "Koordinator København",
        "coordinator.koebenhavn",
    ),
    ("8d1f6c2e-new-0002", "ny.medarbejder@kommune.demo", "Ny Medarbejder", None),
]


def seed_sso(staff: dict[str, User]) -> list[str]:
    """Add the demo subjects once (nothing when any subject exists)."""
    if ProviderSubject.objects.exists():
        return []
    admin = staff.get("admin")
    for sub, email, name, linked_to in SUBJECTS:
        with audited():
            subject = subject_new(
                provider=DEMO_PROVIDER, issuer=DEMO_ISSUER, sub=sub, email=email, name=name
            )
        user = staff.get(linked_to) if linked_to else None
        if user is not None and admin is not None:
            subject_link(actor=admin, subject=subject, user=user)
    return ["Single sign-on: one linked subject, one waiting for the administrator to link it"]


# --- A provider to try single sign-on with (bin/demo) ------------------------------------

DEMO_CLIENT = "demo"
DEMO_ACCEPTED_ACR = ["substantial", "high"]
# The demo provider's accounts: sub (= username at the provider), acr of its login, and the
# demo user it is linked to ("" : not linked; "invite": the user gets an invitation link).
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("koordinator", "substantial", "coordinator.koebenhavn", "linked"),
    ("medlem", "low", "member.fyn", "linked"),
    ("mentor", "high", "mentor.koebenhavn", "invite"),
    ("ny", "high", "", ""),
]


def demo_provider(*, port: int, url: str, secret: str, control_token: str) -> dict[str, Any]:
    """The demo provider's configuration (``tests/oidc/provider.mjs``) and vejud's settings
    for it; link the demo accounts to their demo users (idempotent) and make an invitation
    link for the one to invite. Return {"config", "env", "lines"} (lines: how to use it)."""
    base = url.rstrip("/")
    bases = {base}
    for a, b in (("127.0.0.1", "localhost"), ("localhost", "127.0.0.1")):
        if f"//{a}:" in base:
            bases.add(base.replace(f"//{a}:", f"//{b}:"))
    issuer = f"http://127.0.0.1:{port}"
    staff = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@demo.vejud.dk")
    }
    admin = staff.get("admin")
    config = {
        "port": port,
        "issuer": issuer,
        "control_token": control_token,
        "clients": [
            {
                "client_id": f"vejud-{DEMO_CLIENT}",
                "client_secret": secret,
                "redirect_uris": sorted(f"{b}/konto/sso/{DEMO_CLIENT}/retur/" for b in bases),
                "post_logout_redirect_uris": sorted(f"{b}/konto/log-ind/" for b in bases),
                "backchannel_logout_uri": f"{base}/konto/sso/{DEMO_CLIENT}/log-ud/",
            }
        ],
        "accounts": {
            sub: {
                "password": DEMO_PASSWORD,
                "acr": acr,
                "amr": ["pwd", "otp"] if acr != "low" else ["pwd"],
                "email": f"{sub}@idp.demo",
                "name": sub.capitalize(),
            }
            for sub, acr, _user, _how in DEMO_ACCOUNTS
        },
    }
    prefix = f"VEJUD_OIDC_{DEMO_CLIENT.upper()}_"
    env = {
        "VEJUD_OIDC_PROVIDERS": DEMO_CLIENT,
        prefix + "ISSUER": issuer,
        prefix + "CLIENT_ID": f"vejud-{DEMO_CLIENT}",
        prefix + "CLIENT_SECRET": secret,
        prefix + "ACR_VALUES": ",".join(DEMO_ACCEPTED_ACR),
        prefix + "LABEL": "Demo-IdP (kommune)",
    }
    lines = [
        f"Single sign-on: a demo identity provider (oidc-provider) at {issuer}/",
        f'  On the login page press "Log ind med Demo-IdP (kommune)"; every account\'s password is {DEMO_PASSWORD}',
    ]
    for sub, acr, username, how in DEMO_ACCOUNTS:
        user = staff.get(username) if username else None
        if how == "linked" and user is not None and admin is not None:
            _link(issuer, sub, user, admin)
            step = "straight in" if acr in DEMO_ACCEPTED_ACR else "then vejud's TOTP code"
            lines.append(f"  {sub:12} linked to {user.email} (acr {acr}: {step})")
        elif how == "invite" and user is not None and admin is not None:
            if ProviderSubject.objects.filter(issuer=issuer, subject=sub, user=user).exists():
                lines.append(f"  {sub:12} linked to {user.email} (through its invitation)")
                continue
            _invitation, raw = invitation_create(actor=admin, user=user)
            link = f"{base}/konto/invitation/{raw}/"
            lines.append(f"  {sub:12} not linked yet: open {link} and sign in as {sub}")
            lines.append(f"  {'':12} (links it to {user.email}; the link works once)")
        else:
            lines.append(f"  {sub:12} not linked: its login shows what an unknown subject sees")
    lines.append(
        "  Disable an account at the provider (back-channel logout ends its vejud sessions):"
    )
    lines.append(
        f"    curl -X POST -H 'Authorization: Bearer {control_token}' "
        f"{issuer}/control/disable/koordinator   (…/enable/koordinator undoes it)"
    )
    return {"config": config, "env": env, "lines": lines}


def _link(issuer: str, sub: str, user: User, admin: User) -> None:
    subject = ProviderSubject.objects.filter(issuer=issuer, subject=sub).first()
    if subject is not None and subject.user_id == user.pk and subject.confirmed:
        return
    if subject is None:
        with audited():
            subject = subject_new(provider=DEMO_CLIENT, issuer=issuer, sub=sub)
    subject_link(actor=admin, subject=subject, user=user)
