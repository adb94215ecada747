"""The offer catalogue shipped as reference data (from the public guide to leaving gangs)."""

from __future__ import annotations

from typing import Any

OFFER_TYPES: list[tuple[str, str, str]] = [
    ("residence", "En anden bopæl", "Another residence"),
    ("financial", "Økonomisk bistand", "Financial assistance"),
    (
        "outside_contacts",
        "Kontakt med mennesker uden for miljøet",
        "Contact with people outside the environment",
    ),
    (
        "authority_cooperation",
        "Samarbejde med politi, socialforvaltning mv.",
        "Cooperation with police, social services etc.",
    ),
    (
        "family_contact",
        "Reetablering af kontakt til familien",
        "Re-establishing contact with the family",
    ),
    (
        "social_activities",
        "Sociale aktiviteter med unge uden for det kriminelle miljø",
        "Social activities with young people outside crime",
    ),
    ("therapy", "Terapeutisk hjælp", "Therapeutic help"),
    ("substance_treatment", "Misbrugsbehandling", "Substance-abuse treatment"),
    ("work_education", "Støtte til arbejde eller uddannelse", "Support for work or education"),
    (
        "associations",
        "Henvisning til foreninger (fx gældsrådgivning, aktiviteter for ex-indsatte)",
        "Referral to associations (e.g. debt counselling, activities for ex-inmates)",
    ),
    ("tattoo_removal", "Fjernelse af tatoveringer", "Tattoo removal"),
    ("temporary_relocation", "Midlertidig relokalisering", "Temporary relocation"),
]


def load_offer_types(OfferType: Any) -> None:
    """Create or update the catalogue (idempotent; keeps an administrator's deactivations)."""
    for order, (code, da, en) in enumerate(OFFER_TYPES):
        OfferType.objects.update_or_create(
            code=code, defaults={"name_da": da, "name_en": en, "sort_order": order}
        )
