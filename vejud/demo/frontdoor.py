"""The demo's public front door: inquiries sent through the public form to several units (one
closed, the rest waiting for their units to register or close them) and an edited
public text with two versions."""

from __future__ import annotations

from vejud.accounts.models import User
from vejud.frontdoor.models import PublicInquiry, PublicText, Whereabouts
from vejud.frontdoor.services import (
    public_inquiry_close,
    public_inquiry_submit,
    public_text_update,
)
from vejud.organisations.models import Municipality, Unit, UnitKind

# (sender, called, whereabouts, municipality or institution code, message)
SENT = [
    (
        "self",
        "Ali",
        Whereabouts.MUNICIPALITY,
        "København",
        "Jeg vil gerne ud. Ring efter kl. 17.",
    ),
    (
        "relative",
        "Mo",
        Whereabouts.MUNICIPALITY,
        "København",
        "Min bror vil ud, men tør ikke selv ringe.",
    ),
    (
        "professional",
        "J.",
        Whereabouts.MUNICIPALITY,
        "Aarhus",
        "En elev har fortalt, at han vil væk fra gruppen.",
    ),
    (
        "self",
        "S",
        Whereabouts.CUSTODY,
        "nyborg",
        "Jeg sidder i Nyborg og vil gerne tale med nogen om exit.",
    ),
    (
        "relative",
        "Sara",
        Whereabouts.UNKNOWN,
        "",
        "Min kæreste vil ud. Vi ved ikke, hvem vi skal kontakte.",
    ),
    ("self", "Kenneth", Whereabouts.MUNICIPALITY, "Odense", "Ring venligst kun om formiddagen."),
]


def _where(code: str, whereabouts: str) -> dict[str, object]:
    if whereabouts == Whereabouts.MUNICIPALITY:
        return {"municipality": Municipality.objects.get(name=code)}
    if whereabouts == Whereabouts.CUSTODY:
        institution = Unit.objects.filter(kind=UnitKind.INSTITUTION, code__contains=code).first()
        return {"institution": institution}
    return {}


def seed_frontdoor(staff: dict[str, User]) -> list[str]:
    """Send the demo's public inquiries and edit one public text, once."""
    if PublicInquiry.objects.exists():
        return []
    sent = []
    for sender, called, whereabouts, code, message in SENT:
        inquiry = public_inquiry_submit(
            sender=sender,
            called=called,
            phone="+45 20 00 00 00",
            contact_times="Hverdage efter kl. 16",
            may_leave_message=False,
            whereabouts=whereabouts,
            message=message,
            **_where(code, whereabouts),  # type: ignore[arg-type]
        )
        sent.append(inquiry)
    coordinator = staff["coordinator.koebenhavn"]
    public_inquiry_close(
        actor=coordinator, inquiry=sent[1], reason="Kunne ikke træffes på tre forsøg."
    )
    notes = [
        f"Public form: {len(sent)} inquiries (/offentlige-henvendelser/); {sent[1].code} closed, "
        "the rest waiting for their units to register or close"
    ]
    if not PublicText.objects.exists():
        head = staff["head"]
        for body in (
            "Telefon 4515 3630, hverdage kl. 9-14.\nE-mail: KP-Exit@politi.dk",
            "Telefon 4515 3630, hverdage kl. 9-14.\nE-mail: KP-Exit@politi.dk\n\nSkriv ikke "
            "noget i en almindelig e-mail, der kan bringe dig eller andre i fare. Formularen "
            "nedenfor sendes krypteret til den exitenhed, der dækker, hvor du bor.",
        ):
            public_text_update(
                actor=head,
                key="contact",
                language="da",
                title="Kontakt exit-kontaktpunktet",
                body=body,
            )
        notes.append("Public pages: the contact text edited twice by head (/offentlige-tekster/)")
    return notes
