"""Single sign-on in the demo: two subjects of an (imaginary) municipal identity provider.

One is linked to the Copenhagen coordinator, one is a first login nobody has linked yet:
the system administrator finds it under "Single sign-on subjects" in the admin and links it.
No provider runs in the demo, so the login page shows no provider button
(``VEJUD_OIDC_PROVIDERS`` configures real ones).
"""

from __future__ import annotations

from vejud.accounts.models import ProviderSubject, User
from vejud.accounts.sso import subject_link
from vejud.audit.services import audit_record, audited

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
            subject = ProviderSubject.objects.create(
                name=DEMO_PROVIDER,
                issuer=DEMO_ISSUER,
                subject=sub,
                confirmed=False,
                claimed_email=email,
                claimed_name=name,
            )
            audit_record(
                actor=None,
                action="account.sso_subject_new",
                obj=subject,
                changes={"provider": DEMO_PROVIDER},
            )
        user = staff.get(linked_to) if linked_to else None
        if user is not None and admin is not None:
            subject_link(actor=admin, subject=subject, user=user)
    return ["Single sign-on: one linked subject, one waiting for the administrator to link it"]
